"""Staff members, their roles and the bootstrap of the first admin."""

from __future__ import annotations

import sqlalchemy as sa

from ..convert import structure
from ..domain import Role, Staff
from ..errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ..i18n import _
from ..storage import tables as t


def load_staff(conn: sa.Connection, code: str) -> Staff | None:
    row = conn.execute(
        sa.select(t.staff.c.id, t.staff.c.code, t.staff.c.full_name, t.staff.c.active, t.centre.c.code.label("centre"))
        .select_from(t.staff.outerjoin(t.centre))
        .where(t.staff.c.code == code.strip().upper())
    ).first()
    if row is None:
        return None
    roles = conn.execute(sa.select(t.staff_role.c.role).where(t.staff_role.c.staff_id == row.id)).scalars().all()
    return Staff(row.code, row.full_name, frozenset(roles), row.centre, row.active)


def _insert(tx_conn: sa.Connection, member: Staff, centre_id: int | None) -> None:
    staff_id = tx_conn.execute(
        t.staff.insert().values(code=member.code, full_name=member.full_name, centre_id=centre_id, active=member.active)
    ).inserted_primary_key[0]
    tx_conn.execute(t.staff_role.insert(), [{"staff_id": staff_id, "role": r.value} for r in sorted(member.roles)])


def _build(code, full_name, roles, centre) -> Staff:
    return structure({"code": code, "full_name": full_name, "roles": roles, "centre": centre or None}, Staff)


def create_first_admin(acting, code, full_name, roles, centre) -> Staff:
    """The only action nobody has to be logged in for: the first admin of an empty database.
    ``acting(member)`` is the context the new admin acts in, to write and audit themselves."""
    member = _build(code, full_name, roles, centre)
    if Role.ADMIN not in member.roles:
        raise PermissionDenied(_("the first staff member must have the admin role"))
    with acting(member).transaction() as tx:
        if tx.conn.execute(sa.select(sa.func.count()).select_from(t.staff)).scalar_one():
            raise PermissionDenied(_("staff already exist: say who is acting with --as STAFF_CODE"))
        centre_id = tx.centre_id(member.centre) if member.centre else None
        _insert(tx.conn, member, centre_id)
        tx.audit("staff.bootstrap", "staff", member.code, after=member)
    return member


class StaffService:
    def __init__(self, ctx):
        self.ctx = ctx

    def add(self, code: str, full_name: str, roles, centre: str | None = None) -> Staff:
        member = _build(code, full_name, roles, centre)
        with self.ctx.transaction() as tx:
            tx.require("staff.manage")
            if load_staff(tx.conn, member.code) is not None:
                raise Conflict(_("staff code {code} is already taken").format(code=member.code))
            centre_id = tx.centre_id(member.centre) if member.centre else None
            _insert(tx.conn, member, centre_id)
            tx.audit("staff.add", "staff", member.code, after=member)
        return member

    def get(self, code: str) -> Staff:
        self.ctx.require("staff.view")
        with self.ctx.reading() as conn:
            member = load_staff(conn, code)
        if member is None:
            raise NotFound(_("staff code {code!r}: no such staff member").format(code=code.strip().upper()))
        return member

    def list(self, centre: str | None = None, role: str | None = None) -> list[Staff]:
        self.ctx.require("staff.view")
        with self.ctx.reading() as conn:
            query = sa.select(t.staff.c.code).order_by(t.staff.c.code)
            if centre:
                query = query.where(t.staff.c.centre_id == self.ctx.programme.centre_id(conn, centre))
            if role:
                wanted = Role.parse(role).value
                query = query.where(t.staff.c.id.in_(sa.select(t.staff_role.c.staff_id).where(t.staff_role.c.role == wanted)))
            return [load_staff(conn, code) for code in conn.execute(query).scalars()]

    def set_roles(self, code: str, add=(), remove=()) -> Staff:
        """Give or take roles; an admin cannot take the last admin role away."""
        add = {Role.parse(r) for r in add}
        remove = {Role.parse(r) for r in remove}
        with self.ctx.transaction() as tx:
            tx.require("staff.manage")
            before = load_staff(tx.conn, code)
            if before is None:
                raise NotFound(_("staff code {code!r}: no such staff member").format(code=code.strip().upper()))
            roles = (before.roles | add) - remove
            if not roles:
                raise InvalidInput(_("{code} would have no role left").format(code=before.code))
            if Role.ADMIN in before.roles and Role.ADMIN not in roles and self._admins(tx.conn) == 1:
                raise Conflict(_("{code} is the last admin; make someone else admin first").format(code=before.code))
            staff_id = tx.conn.execute(sa.select(t.staff.c.id).where(t.staff.c.code == before.code)).scalar_one()
            tx.conn.execute(t.staff_role.delete().where(t.staff_role.c.staff_id == staff_id))
            tx.conn.execute(t.staff_role.insert(), [{"staff_id": staff_id, "role": r.value} for r in sorted(roles)])
            after = Staff(before.code, before.full_name, frozenset(roles), before.centre, before.active)
            tx.audit("staff.roles", "staff", before.code, before=before, after=after)
        return after

    def _admins(self, conn) -> int:
        return conn.execute(
            sa.select(sa.func.count()).select_from(t.staff_role.join(t.staff))
            .where(t.staff_role.c.role == Role.ADMIN.value, t.staff.c.active.is_(True))
        ).scalar_one()

    def role_table(self) -> list[dict]:
        """Each role with the permissions it holds (core and plugins)."""
        registry = self.ctx.programme.permissions
        return [
            {"role": role.value, "permissions": [p.name for p in registry.for_role(role)]}
            for role in Role
        ]


__all__ = ["StaffService", "load_staff", "create_first_admin"]
