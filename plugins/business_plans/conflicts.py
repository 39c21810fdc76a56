"""Conflicts of interest: a trainer's declared tie to a participant (relative, neighbour,
former cellmate …), after which they cannot score that person's plans."""

from __future__ import annotations

from reentry_core.sdk import _, Conflict, PermissionDenied, Role, structure

from . import store
from .domain import Conflict as ConflictDeclaration


class ConflictService:
    """Declared conflicts (part of ``ctx.plans``)."""

    ctx = None

    def declare_conflict(self, participant: str, kind: str, note: str | None = None,
                         trainer: str | None = None) -> ConflictDeclaration:
        """Declare a tie to a participant (relative, neighbour, former cellmate …): the
        trainer then cannot score that person's plans. An admin may declare for a trainer."""
        with self.ctx.transaction() as tx:
            tx.require("plans.conflicts")
            who = (trainer or tx.actor.code).strip().upper()
            if who != tx.actor.code and Role.ADMIN not in tx.actor.roles:
                raise PermissionDenied(_("{code} may declare only their own conflicts").format(code=tx.actor.code))
            staff = store.staff_row(tx.conn, who)
            person = store.participant_row(tx.conn, participant)
            declared = structure({"trainer": staff.code, "participant": person.code, "kind": kind, "note": note,
                                  "declared_on": tx.today}, ConflictDeclaration)
            if store.has_conflict(tx.conn, staff.id, person.id):
                raise Conflict(_("{trainer} already declared a conflict with {code}").format(
                    trainer=staff.code, code=person.code))
            store.insert_conflict(tx.conn, staff.id, person.id, declared)
            tx.audit("conflict.declare", "conflict", f"{staff.code}/{person.code}", after=declared)
        return declared

    def conflicts(self, trainer: str | None = None, participant: str | None = None) -> list[ConflictDeclaration]:
        self.ctx.require("plans.view")
        with self.ctx.reading() as conn:
            return store.conflicts(conn, trainer, participant)
