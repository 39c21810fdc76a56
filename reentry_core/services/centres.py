"""Centres: the reintegration centres (service desks) in each city."""

from __future__ import annotations

import sqlalchemy as sa

from ..convert import structure, unstructure
from ..domain import Centre
from ..errors import Conflict
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
