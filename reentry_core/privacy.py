"""Who may see whom, and which of their details: the one place both are decided.

**Scope.** Staff attached to a centre see and change that centre's participants and
everything hanging off them. Roles holding ``participants.all_centres`` (admins, M&E
officers, who see no names) see every centre. Everyone else reaches only the people
their work in a plugin brings them to: plugins answer ``participant_scope(conn, staff)``
with a select of participant ids (mentoring: a mentor's mentees; microgrants: the
applicants of the rounds a committee member sits on, the grantees finance pays;
business_plans: the people enrolled in cohorts a trainer trains).

The scope of whoever acts rides on the connection the staff context opens
(``reentry_scope`` execution option), so every look-up of a participant by code —
the core's and the SDK's (``participant``, ``participant_id``), and the plugins' own —
is checked wherever it happens: :func:`check` refuses one line, naming both centres.
Lists add :func:`visible` to their query. A connection opened with no one acting (the
programme's own reading, the demo's set-up, reports that only aggregate) is not limited.

**Fields.** :data:`FIELD_RULES` declares, once, which fields are personal or sensitive and
which permission reads each; :class:`FieldRules` hides them for everyone else, on every
path that shows a record (services, CLI tables, JSON and CSV, the audit log).
"""

from __future__ import annotations

import copy
from typing import Any, Callable, Iterable

import attrs
import sqlalchemy as sa

from .errors import PermissionDenied
from .i18n import _
from .storage import tables as t

SCOPE_OPTION = "reentry_scope"

#: The permission that lifts the centre limit (admins, M&E officers).
ALL_CENTRES = "participants.all_centres"

#: Referral services whose very existence is health data.
HEALTH_SERVICES = frozenset({"drug_treatment", "psychological"})
HEALTH_PERMISSION = "referrals.view_health"

#: entity → field → the permission that reads it. Declared once; every output honours it.
FIELD_RULES: dict[str, dict[str, str]] = {
    "participant": {
        "full_name": "participants.view_names",
        "birth_date": "participants.view_names",
        "phone": "participants.view_contact",
        "release_date": "participants.view_sensitive",
        "facility": "participants.view_sensitive",
        "offence_category": "participants.view_sensitive",
        "exit_note": "participants.view_sensitive",
    },
    "referral": {
        # a referral to a health service is hidden whole (see HEALTH_SERVICES); these are
        # the free-text fields of any referral, which may tell of health all the same
        "reason": HEALTH_PERMISSION,
        "note": HEALTH_PERMISSION,
    },
    "visit": {
        "risk_note": HEALTH_PERMISSION,
    },
}

#: Keys that, wherever they appear in an audit record, hold a participant field of the
#: same name (``name`` is the mentoring and business_plans spelling).
_ALIASES = {"name": "full_name", "participant_name": "full_name", "born": "birth_date"}


# --- scope -------------------------------------------------------------------------------


@attrs.frozen
class Scope:
    """The participants one staff member may see: a centre, everyone, and/or plugin reach."""

    staff: str
    centre: str | None = None
    centre_id: int | None = None
    everywhere: bool = False
    reach: tuple = ()  # selects of participant ids, from the plugins' participant_scope
    #: the participant fields this member may not read, and whether they read health data
    hidden: frozenset = frozenset()
    health: bool = True

    def condition(self, participant_id: sa.ColumnElement, centre_id: sa.ColumnElement | None = None):
        """A SQL condition on a participant id column (and, when the query has it, the
        participant's centre column) that holds for the people in scope."""
        if self.everywhere:
            return sa.true()
        terms = []
        if self.centre_id is not None:
            if centre_id is not None:
                terms.append(centre_id == self.centre_id)
            else:
                terms.append(participant_id.in_(
                    sa.select(t.participant.c.id).where(t.participant.c.centre_id == self.centre_id)))
        for reach in self.reach:
            terms.append(participant_id.in_(reach))
        return sa.or_(*terms) if terms else sa.false()

    def allows(self, conn: sa.Connection, participant_id: int, centre_id: int | None) -> bool:
        if self.everywhere or (self.centre_id is not None and centre_id == self.centre_id):
            return True
        if not self.reach:
            return False
        probe = sa.select(sa.literal(1)).where(sa.or_(*(sa.literal(participant_id).in_(r) for r in self.reach)))
        return conn.execute(probe).first() is not None


def scope_of(conn: sa.Connection) -> Scope | None:
    """The scope of whoever acts on ``conn``; ``None`` when nobody does (not limited)."""
    return conn.get_execution_options().get(SCOPE_OPTION)


def build_scope(conn: sa.Connection, programme, member, centre_id: int | None, centre: str | None) -> Scope:
    """The scope of ``member`` (as the database holds them now) on ``programme``."""
    rules = FieldRules(lambda permission: programme.permissions.allows(member.roles, permission))
    hidden, health = rules.hidden("participant"), rules.sees_health()
    if programme.permissions.allows(member.roles, ALL_CENTRES):
        return Scope(member.code, centre, centre_id, everywhere=True, hidden=hidden, health=health)
    reach = []
    for answer in programme.pm.hook.participant_scope(conn=conn, staff=member):
        if answer is None:
            continue
        if isinstance(answer, sa.sql.Selectable):
            reach.append(answer)
        else:
            ids = sorted({int(i) for i in answer})
            if ids:
                reach.append(sa.select(t.participant.c.id).where(t.participant.c.id.in_(ids)))
    return Scope(member.code, centre, centre_id, reach=tuple(reach), hidden=hidden, health=health)


def visible(conn: sa.Connection, participant_id: sa.ColumnElement, centre_id: sa.ColumnElement | None = None):
    """The condition "this participant is in the acting staff member's scope", for a list
    query on ``conn`` (``sa.true()`` when nobody acts)."""
    scope = scope_of(conn)
    return sa.true() if scope is None else scope.condition(participant_id, centre_id)


def in_scope(conn: sa.Connection, codes) -> set[str]:
    """Which of the participant ``codes`` the acting member may see (all when nobody acts)."""
    codes = sorted({str(c) for c in codes})
    scope = scope_of(conn)
    if scope is None or scope.everywhere:
        return set(codes)
    P = t.participant
    found: set[str] = set()
    for start in range(0, len(codes), 500):
        found.update(conn.execute(sa.select(P.c.code).where(
            P.c.code.in_(codes[start:start + 500]), scope.condition(P.c.id, P.c.centre_id))).scalars())
    return found


def check_codes(conn: sa.Connection, codes) -> None:
    """Refuse, naming the first, participants among ``codes`` (that exist) outside the acting
    member's scope: for actions on many people at once (an enrolment, a sheet)."""
    codes = sorted({str(c) for c in codes})
    outside = sorted(set(codes) - in_scope(conn, codes))
    if outside:
        P = t.participant
        row = conn.execute(sa.select(P.c.id, P.c.code, P.c.centre_id).where(P.c.code == outside[0])).first()
        raise out_of_scope(conn, scope_of(conn), row.code, row.centre_id)


def shown(conn: sa.Connection, items, **fields: str) -> list:
    """Of ``items`` (records with a ``participant`` code), those the acting member may see,
    each with ``fields`` redacted as :func:`redact` does."""
    items = list(items)
    seen = in_scope(conn, {item.participant for item in items})
    return [redact(conn, item, **fields) for item in items if item.participant in seen]


def redact(conn: sa.Connection, obj, **fields: str):
    """``obj`` (an attrs record or a dict) with each of ``fields`` set to ``None`` where the
    participant field it holds is hidden from the acting member: ``redact(conn, app,
    participant_name="full_name")``. Unchanged when nobody acts on ``conn``."""
    scope = scope_of(conn)
    if scope is None:
        return obj
    gone = [name for name, field in fields.items()
            if field in scope.hidden or (field == "health" and not scope.health)]
    if not gone:
        return obj
    if isinstance(obj, dict):
        return {k: (None if k in gone else v) for k, v in obj.items()}
    if hasattr(obj, "_replace"):  # a named tuple
        return obj._replace(**{name: None for name in gone})
    new = copy.copy(obj)
    for name in gone:
        object.__setattr__(new, name, None)
    return new


def check(conn: sa.Connection, participant_id: int, code: str, centre_id: int | None = None) -> None:
    """Refuse, in one line, a participant outside the acting staff member's scope."""
    scope = scope_of(conn)
    if scope is None:
        return
    if centre_id is None:
        centre_id = conn.execute(sa.select(t.participant.c.centre_id)
                                 .where(t.participant.c.id == participant_id)).scalar()
    if scope.allows(conn, participant_id, centre_id):
        return
    raise out_of_scope(conn, scope, code, centre_id)


def out_of_scope(conn: sa.Connection, scope: Scope, code: str, centre_id: int | None) -> PermissionDenied:
    def city(cid):
        return conn.execute(sa.select(t.centre.c.city).where(t.centre.c.id == cid)).scalar() or "?"

    theirs = city(centre_id)
    if scope.centre_id is not None:
        return PermissionDenied(_("{code} belongs to {theirs}; you work at {mine}").format(
            code=code, theirs=theirs, mine=city(scope.centre_id)))
    return PermissionDenied(_("{code} belongs to {theirs}; you work at head office and {code} is not one of the "
                              "people your work is with").format(code=code, theirs=theirs))


def check_centre(conn: sa.Connection, centre_id: int, centre: str) -> None:
    """Refuse registering or moving someone to a centre outside the acting member's scope."""
    scope = scope_of(conn)
    if scope is None or scope.everywhere or scope.centre_id == centre_id:
        return
    where = (conn.execute(sa.select(t.centre.c.city).where(t.centre.c.id == scope.centre_id)).scalar()
             if scope.centre_id is not None else _("head office"))
    raise PermissionDenied(_("{centre} is not your centre; you work at {mine}").format(centre=centre, mine=where))


# --- fields ------------------------------------------------------------------------------


class FieldRules:
    """What of each record a staff member may read, from :data:`FIELD_RULES`."""

    def __init__(self, can: Callable[[str], bool], rules: dict[str, dict[str, str]] | None = None):
        self.can = can
        self.rules = FIELD_RULES if rules is None else rules

    def hidden(self, entity: str) -> frozenset[str]:
        return frozenset(f for f, perm in self.rules.get(entity, {}).items() if not self.can(perm))

    def sees_health(self) -> bool:
        return self.can(HEALTH_PERMISSION)

    def shows_referral(self, service_type: Any) -> bool:
        return self.sees_health() or str(getattr(service_type, "value", service_type)) not in HEALTH_SERVICES

    def record(self, entity: str, obj):
        """``obj`` (an attrs record) with the fields this member may not read set to ``None``."""
        gone = self.hidden(entity)
        if not gone:
            return obj
        new = copy.copy(obj)
        for field in gone:
            if hasattr(new, field):
                object.__setattr__(new, field, None)
        return new

    def mapping(self, entity: str, data: dict) -> dict:
        gone = self.hidden(entity)
        return {k: (None if k in gone else v) for k, v in data.items()}

    def audit_value(self, entity: str, value: Any) -> Any:
        """An audit event's ``before`` or ``after``, with what this member may not read
        replaced by ``"(hidden)"``, however deep (a batch event's records too)."""
        if entity in ("staff", "centre"):  # staff's own records hold no participant's data
            return value
        hidden_p = self.hidden("participant")
        hidden_e = self.hidden(entity) if entity != "participant" else frozenset()
        health = self.sees_health()

        def walk(v):
            if isinstance(v, dict):
                if not health and str(v.get("service_type")) in HEALTH_SERVICES:
                    return {k: (x if k in ("id", "participant", "status") else HIDDEN) for k, x in v.items()}
                out = {}
                for k, x in v.items():
                    field = _ALIASES.get(k, k)
                    if (field in hidden_p or k in hidden_e or (k in _HEALTH_KEYS and not health)) and x not in (None, [], ""):
                        out[k] = HIDDEN
                    else:
                        out[k] = walk(x)
                return out
            if isinstance(v, list):
                return [walk(x) for x in v]
            return v

        return walk(value)


HIDDEN = "(hidden)"
#: keys of plugin records that tell of someone's health (mentoring's risk flags and notes)
_HEALTH_KEYS = frozenset({"risk_note", "risk_flags"})


def field_rules(ctx) -> FieldRules:
    return FieldRules(ctx.can)


def sensitive_values(records: Iterable[dict], fields: Iterable[str]) -> set[str]:
    """The text of each of ``fields`` in ``records`` (what a leak test looks for)."""
    found = set()
    for record in records:
        for field in fields:
            value = record.get(field)
            if value not in (None, ""):
                found.add(str(getattr(value, "value", value)))
    return found
