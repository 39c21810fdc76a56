"""Staff members: their roles, where they work, whether they may act, and the work they
still hold when they leave or move; the bootstrap of the first admin."""

from __future__ import annotations

import attrs
import sqlalchemy as sa

from ..convert import structure, unstructure
from ..domain import OpenWork, ReferralStatus, Role, Staff, normalise_optional_text
from ..errors import Conflict, InvalidInput, NotFound, PermissionDenied, PluginError, param
from ..i18n import _
from ..storage import tables as t
from ..words import date_text


@attrs.frozen
class StaffChange:
    """A staff member after a change (deactivated, moved) and the work they still hold."""

    member: Staff
    open_work: tuple[OpenWork, ...] = ()


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


def existing_staff(conn: sa.Connection, code: str) -> Staff:
    """The staff member ``code``; ``NotFound`` naming the code when there is none."""
    member = load_staff(conn, code)
    if member is None:
        raise NotFound(_("staff code {code!r}: no such staff member").format(code=code.strip().upper()))
    return member


def deactivated(code: str) -> PermissionDenied:
    """The refusal a deactivated staff member meets wherever they try to act."""
    return PermissionDenied(_("staff member {code} is deactivated; an admin can reactivate them: "
                              "reentry --as ADMIN staff reactivate {code}").format(code=code))


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
            raise PermissionDenied(_("staff already exist: say who is acting ({acting_as})").format(acting_as=param("acting_as")))
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
            return existing_staff(conn, code)

    def list(self, centre: str | None = None, role: str | None = None, active: bool | None = True) -> list[Staff]:
        """Staff members by code: the active ones (``active=False``: the deactivated ones;
        ``None``: everyone), of a centre, with a role."""
        self.ctx.require("staff.view")
        with self.ctx.reading() as conn:
            query = sa.select(t.staff.c.code).order_by(t.staff.c.code)
            if active is not None:
                query = query.where(t.staff.c.active.is_(bool(active)))
            if centre:
                query = query.where(t.staff.c.centre_id == self.ctx.programme.centre_id(conn, centre))
            if role:
                wanted = Role.parse(role).value
                query = query.where(t.staff.c.id.in_(sa.select(t.staff_role.c.staff_id).where(t.staff_role.c.role == wanted)))
            return [load_staff(conn, code) for code in conn.execute(query).scalars()]

    def set_roles(self, code: str, add=(), remove=(), roles=None) -> Staff:
        """Give or take roles, or give exactly ``roles``. Nobody takes their own admin role
        away, and the last active admin keeps it."""
        if roles is not None and (add or remove):
            raise InvalidInput(_("either set the roles or add and remove some, not both"))
        add, remove = _role_set(add), _role_set(remove)
        wanted = _role_set(roles) if roles is not None else None
        with self.ctx.transaction() as tx:
            tx.require("staff.manage")
            before = existing_staff(tx.conn, code)
            after_roles = wanted if wanted is not None else (before.roles | add) - remove
            if not after_roles:
                raise InvalidInput(_("{code} would have no role left").format(code=before.code))
            if Role.ADMIN in before.roles and Role.ADMIN not in after_roles:
                self._keep_an_admin(tx, before, _("{code} cannot take away their own admin role; another admin can"))
            staff_id = _staff_id(tx.conn, before.code)
            tx.conn.execute(t.staff_role.delete().where(t.staff_role.c.staff_id == staff_id))
            tx.conn.execute(t.staff_role.insert(), [{"staff_id": staff_id, "role": r.value} for r in sorted(after_roles)])
            after = attrs.evolve(before, roles=frozenset(after_roles))
            tx.audit("staff.roles", "staff", before.code, before=before, after=after)
        return after

    def deactivate(self, code: str, reason: str) -> StaffChange:
        """Stop a staff member acting (they stay in the records they made). Returns them
        with the work they still hold, to hand over."""
        why = normalise_optional_text(reason)
        if not why:
            raise InvalidInput(_("reason: say why {code} is deactivated").format(code=code.strip().upper()))
        with self.ctx.transaction() as tx:
            tx.require("staff.manage")
            before = existing_staff(tx.conn, code)
            if not before.active:
                raise Conflict(_("{code} is already deactivated").format(code=before.code))
            if Role.ADMIN in before.roles:  # only admins manage staff: whoever deactivates themselves is one
                self._keep_an_admin(tx, before, _("{code} cannot deactivate themselves; another admin can"))
            after = self._set(tx, before, active=False)
            tx.audit("staff.deactivate", "staff", before.code, before=before,
                     after={**unstructure(after), "reason": why})
            return StaffChange(after, tuple(self._open_work(tx.conn, after, tx.today)))

    def reactivate(self, code: str) -> Staff:
        """Let a deactivated staff member act again, with the roles and centre they had."""
        with self.ctx.transaction() as tx:
            tx.require("staff.manage")
            before = existing_staff(tx.conn, code)
            if before.active:
                raise Conflict(_("{code} is active already").format(code=before.code))
            after = self._set(tx, before, active=True)
            tx.audit("staff.reactivate", "staff", before.code, before=before, after=after)
        return after

    def move(self, code: str, centre: str | None = None, head_office: bool = False) -> StaffChange:
        """Move a staff member to another centre (or to head office, no centre). Returns
        them with the work they still hold, most of it at the centre they leave."""
        if bool(centre) == bool(head_office):
            raise InvalidInput(_("say where {code} moves: a centre, or head office").format(code=code.strip().upper()),
                               params=("centre",))
        with self.ctx.transaction() as tx:
            tx.require("staff.manage")
            before = existing_staff(tx.conn, code)
            centre_id = tx.centre_id(centre) if centre else None
            target = centre.strip().upper() if centre else None
            if target == before.centre:
                where = target or _("head office")
                raise Conflict(_("{code} already works at {where}").format(code=before.code, where=where))
            after = self._set(tx, before, centre_id=centre_id, centre=target)
            tx.audit("staff.move", "staff", before.code, before=before, after=after)
            return StaffChange(after, tuple(self._open_work(tx.conn, after, tx.today)))

    def open_work(self, code: str) -> list[OpenWork]:
        """What the staff member still holds (the core's referrals, each plugin's cohorts,
        committees, votes, mentees …), each with how to hand it over. Admins see anyone's;
        each member sees their own."""
        if code.strip().upper() != self.ctx.code:
            self.ctx.require("staff.manage")
        with self.ctx.reading() as conn:
            member = existing_staff(conn, code)
            return self._open_work(conn, member, self.ctx.programme.clock.today())

    def _open_work(self, conn: sa.Connection, member: Staff, today) -> list[OpenWork]:
        items: list[OpenWork] = []
        for plugin, answer in self.ctx.programme.pm.relay.each("staff_open_work", conn=conn, staff=member,
                                                                today=today):
            for item in answer or ():
                if not isinstance(item, OpenWork):
                    raise PluginError(_("plugin {plugin!r}: staff_open_work answered {item!r}, not an OpenWork").format(
                        plugin=plugin, item=item))
                items.append(item)
        return items

    @staticmethod
    def _set(tx, before: Staff, **changes) -> Staff:
        """Write ``active`` or ``centre_id`` of ``before``'s row; the member as they are now."""
        values = {k: v for k, v in changes.items() if k in ("active", "centre_id")}
        tx.conn.execute(t.staff.update().where(t.staff.c.code == before.code).values(**values))
        return attrs.evolve(before, **{k: v for k, v in changes.items() if k in ("active", "centre")})

    def _keep_an_admin(self, tx, member: Staff, own: str) -> None:
        """``member`` is about to stop being an active admin: refused for the last one, and
        for the acting admin themselves (``own`` says so)."""
        if member.active and _active_admins(tx.conn) <= 1:
            raise Conflict(_("{code} is the last admin; make someone else admin first").format(code=member.code))
        if member.code == tx.actor.code:
            raise PermissionDenied(own.format(code=member.code))

    def set_password(self, code: str, password: str) -> None:
        """Set or reset ``code``'s password for the web workspace (admins); audited without the hash."""
        from .signin import check_password_rule, hash_password, staff_id_of, upsert_login

        check_password_rule(password)
        hashed = hash_password(password)
        with self.ctx.transaction() as tx:
            tx.require("staff.manage")
            member = existing_staff(tx.conn, code)
            upsert_login(tx.conn, staff_id_of(tx.conn, member.code), password_hash=hashed, password_set_at=tx.now)
            tx.audit("staff.password", "staff", member.code, after={"password": "set"})

    def change_own_password(self, current_password: str, password: str) -> None:
        """The acting member changes their own password, giving the current one (checked as
        signing in checks it; a wrong one is refused and nothing changes); audited, with
        them as the actor, without the hash."""
        from .signin import check_password_rule, hash_password, password_is, staff_id_of, upsert_login

        if not password_is(self.ctx.programme, self.ctx.code, current_password):
            raise PermissionDenied(_("{current_password}: that is not your password; nothing is changed").format(
                current_password=param("current_password")))
        check_password_rule(password)
        hashed = hash_password(password)
        with self.ctx.transaction() as tx:
            upsert_login(tx.conn, staff_id_of(tx.conn, self.ctx.code), password_hash=hashed, password_set_at=tx.now)
            tx.audit("staff.password", "staff", self.ctx.code, after={"password": "changed"})

    def set_language(self, language: str) -> str:
        """The language the acting member reads the web workspace in, remembered for them."""
        from .signin import set_language

        return set_language(self.ctx, language)

    def role_table(self) -> list[dict]:
        """Each role with the permissions it holds (core and plugins)."""
        registry = self.ctx.programme.permissions
        return [
            {"role": role.value, "permissions": [p.name for p in registry.for_role(role)]}
            for role in Role
        ]


def _role_set(values) -> set[Role]:
    """Roles given as a list of names or one comma-separated text."""
    if isinstance(values, str):
        values = values.split(",")
    return {Role.parse(value) for value in values if str(value).strip()}


def _staff_id(conn: sa.Connection, code: str) -> int:
    return conn.execute(sa.select(t.staff.c.id).where(t.staff.c.code == code)).scalar_one()


def _active_admins(conn: sa.Connection) -> int:
    """How many active admins there are, their rows locked (PostgreSQL) so two admins
    stepping down at once cannot leave none."""
    return len(conn.execute(
        sa.select(t.staff.c.id).select_from(t.staff_role.join(t.staff))
        .where(t.staff_role.c.role == Role.ADMIN.value, t.staff.c.active.is_(True))
        .with_for_update(of=t.staff)
    ).all())


def referrals_opened_by(conn: sa.Connection, member: Staff) -> list[OpenWork]:
    """The core's open work: referrals ``member`` opened (the audit trail says who) that are
    still open or accepted, which a colleague must now follow up."""
    r, p, ev = t.referral, t.participant, t.audit_event
    opened_by = sa.exists().where(ev.c.entity == "referral", ev.c.entity_key == sa.cast(r.c.id, sa.String),
                                  ev.c.action == "referral.open", ev.c.actor == member.code)
    rows = conn.execute(
        sa.select(r.c.id, r.c.service_type, r.c.to_whom, r.c.status, r.c.opened_on, p.c.code)
        .select_from(r.join(p))
        .where(r.c.status.in_([ReferralStatus.OPEN.value, ReferralStatus.ACCEPTED.value]), opened_by)
        .order_by(r.c.id))
    return [OpenWork(_("referral"), str(row.id),
                     _("{service} referral of {participant} to {to}, opened {on}, {status}").format(
                         service=row.service_type, participant=row.code, to=row.to_whom,
                         on=date_text(row.opened_on), status=row.status),
                     _("a colleague follows it up: reentry referrals update {id} --status …").format(id=row.id))
            for row in rows]


__all__ = ["StaffService", "StaffChange", "load_staff", "existing_staff", "deactivated", "create_first_admin",
           "referrals_opened_by"]
