"""Centres: the reintegration centres (service desks) in each city."""

from __future__ import annotations

import attrs
import sqlalchemy as sa

from ..convert import structure, unstructure
from ..domain import Centre, required_reason
from ..errors import Conflict, InvalidInput
from ..i18n import _
from ..storage import tables as t


class CentreService:
    def __init__(self, ctx):
        self.ctx = ctx

    def add(self, code: str, name: str, city: str) -> Centre:
        centre = structure({"code": code, "name": name, "city": city}, Centre)
        with self.ctx.transaction() as tx:
            tx.require("centres.manage")
            exists = tx.conn.execute(sa.select(t.centre.c.id).where(t.centre.c.code == centre.code)).first()
            if exists:
                raise Conflict(_("centre {code} already exists").format(code=centre.code))
            tx.conn.execute(t.centre.insert().values(**unstructure(centre)))
            tx.audit("centre.add", "centre", centre.code, after=centre)
        return centre

    def edit(self, code: str, *, name: str | None = None, city: str | None = None, reason: str) -> Centre:
        """Correct a centre's name or city (a typing mistake, a renamed office); its code,
        on every participant's and staff member's record, stays. The earlier values and
        ``reason`` go into the audit trail."""
        why = required_reason(reason, _("the centre is changed"))
        if name is None and city is None:
            raise InvalidInput(_("name, city: give the new value of at least one"))
        with self.ctx.transaction() as tx:
            tx.require("centres.manage")
            c = t.centre.c
            row = tx.conn.execute(sa.select(c.id, c.code, c.name, c.city).where(c.code == code.strip().upper())
                                  .with_for_update()).first()
            if row is None:
                self.ctx.programme.centre_id(tx.conn, code)  # raises NotFound naming the known codes
            before = Centre(row.code, row.name, row.city)
            after = attrs.evolve(before, **{k: v for k, v in {"name": name, "city": city}.items() if v is not None})
            if after == before:
                raise Conflict(_("centre {code} already has that name and city; nothing was changed").format(
                    code=before.code))
            tx.conn.execute(t.centre.update().where(c.id == row.id).values(name=after.name, city=after.city))
            tx.audit_correction("centre.edit", "centre", before.code, before=before, after=after, reason=why)
        return after

    def list(self) -> list[Centre]:
        with self.ctx.reading() as conn:
            rows = conn.execute(sa.select(t.centre.c.code, t.centre.c.name, t.centre.c.city).order_by(t.centre.c.code))
            return [Centre(r.code, r.name, r.city) for r in rows]

    def get(self, code: str) -> Centre:
        for centre in self.list():
            if centre.code == code.strip().upper():
                return centre
        with self.ctx.reading() as conn:
            self.ctx.programme.centre_id(conn, code)  # raises NotFound naming the known codes
        raise AssertionError("unreachable")
