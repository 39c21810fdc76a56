"""The programme (an open database plus its plugins), the staff member acting on it,
and the one transaction each user action runs in.

    programme = open_programme(url)          # engine, plugins, permissions, converter
    ctx = programme.act_as("ADM")            # who is acting
    with ctx.transaction() as tx:            # all or nothing, audited
        tx.require("participants.register")
        ...
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timezone
from typing import Any, Callable, Iterator

import attrs
import sqlalchemy as sa

from .. import convert
from ..domain import Staff
from ..errors import NotFound, PermissionDenied, PluginError, ReentryError, UnknownActor, param
from ..i18n import _
from ..permissions import PermissionRegistry, collect_permissions
from ..storage import engine as engines
from ..storage import schema
from ..storage import tables as t
from . import audit


class Clock:
    """Today and now; tests and the demo replace it to work on fixed dates."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def today(self) -> date:
        return date.today()


class FixedClock(Clock):
    def __init__(self, today: date):
        self._today = today

    def now(self) -> datetime:
        return datetime(self._today.year, self._today.month, self._today.day, 12, tzinfo=timezone.utc)

    def today(self) -> date:
        return self._today


#: ``Programme(audit_key=FROM_ENV)``: read the audit key from the environment.
FROM_ENV: Any = object()


class Programme:
    """One programme's database with the plugins loaded for it."""

    def __init__(self, engine: sa.Engine, pm, clock: Clock | None = None, audit_key: Any = FROM_ENV):
        self.engine = engine
        self.pm = pm
        self.clock = clock or Clock()
        # the secret that keys the audit chain: from REENTRY_AUDIT_KEY_FILE / REENTRY_AUDIT_KEY
        # unless given (None: no key); never stored in the database
        self.audit_key: audit.AuditKey | None = (
            audit.audit_key_from_env() if audit_key is FROM_ENV else audit.as_audit_key(audit_key))
        self.permissions: PermissionRegistry = collect_permissions(pm)
        # this programme's own converter: its plugins' hooks stay with it (never the
        # module-level one, which would collect the hooks of every programme made)
        self.converter = convert.make_converter()
        pm.hook.register_converter_hooks(converter=self.converter)
        self.services: dict[str, Callable[[StaffContext], Any]] = collect_services(pm)
        self._centre_ids: dict[str, int] = {}
        self._indicators = None

    # --- schema -------------------------------------------------------------------
    @property
    def url(self) -> str:
        return engines.display_url(self.engine.url)

    def upgrade(self) -> None:
        schema.upgrade(self.engine, self.pm)

    def schema_status(self) -> schema.SchemaStatus:
        return schema.status(self.engine, self.pm)

    def close(self) -> None:
        self.engine.dispose()

    @property
    def indicators(self):
        """Every report indicator of the loaded plugins (:mod:`reentry_core.reporting`)."""
        if self._indicators is None:
            from ..reporting import collect_indicators

            self._indicators = collect_indicators(self.pm)
        return self._indicators

    def structure(self, data: Any, cls: type, where: str = "") -> Any:
        """``cls`` from plain data with this programme's converter (its plugins' types
        included); :class:`InvalidInput` names each bad field."""
        return convert.structure(data, cls, where, using=self.converter)

    def unstructure(self, obj: Any) -> Any:
        return convert.unstructure(obj, using=self.converter)

    # --- acting -------------------------------------------------------------------
    def act_as(self, staff_code: str | None) -> "StaffContext":
        """The context every service call runs in. Nobody acts anonymously."""
        if not staff_code:
            raise PermissionDenied(_("say who is acting: give {staff_code}").format(staff_code=param("staff_code")))
        from .staff import deactivated, load_staff

        with self.reading() as conn:
            member = load_staff(conn, staff_code)
        if member is None:
            raise UnknownActor(_("staff code {code!r}: no such staff member").format(code=staff_code.upper()))
        if not member.active:
            raise deactivated(member.code)
        return StaffContext(self, member)

    def bootstrap_admin(self, code: str, full_name: str, roles=("admin",), centre: str | None = None) -> Staff:
        """Create the first admin of an empty database; refused once anyone exists."""
        from .staff import create_first_admin

        return create_first_admin(lambda member: StaffContext(self, member), code, full_name, roles, centre)

    @contextlib.contextmanager
    def reading(self) -> Iterator[sa.Connection]:
        """A read-only connection (SQLite: a deferred transaction, no write lock)."""
        with self.engine.connect() as conn:
            try:
                yield conn
            finally:
                conn.rollback()

    def centre_id(self, conn: sa.Connection, code: str) -> int:
        code = code.strip().upper()
        if code not in self._centre_ids:
            self._centre_ids = dict(conn.execute(sa.select(t.centre.c.code, t.centre.c.id)).all())
        try:
            return self._centre_ids[code]
        except KeyError:
            known = ", ".join(sorted(self._centre_ids)) or _("none yet")
            raise NotFound(_("centre {code!r} does not exist (known: {known})").format(code=code, known=known),
                           params=("centre",)) from None

    def __enter__(self) -> "Programme":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class StaffContext:
    """A staff member acting on a programme: the door to every service."""

    def __init__(self, programme: Programme, member: Staff):
        self.programme = programme
        self.member = member

    def structure(self, data: Any, cls: type, where: str = "") -> Any:
        """``cls`` from plain data with the programme's converter (see ``Programme.structure``)."""
        return self.programme.structure(data, cls, where)

    @property
    def today(self) -> date:
        """Today, by the programme's clock (tests and the demo fix it)."""
        return self.programme.clock.today()

    @property
    def code(self) -> str:
        return self.member.code

    def can(self, permission: str) -> bool:
        return self.programme.permissions.allows(self.member.roles, permission)

    def require(self, permission: str) -> None:
        if self.can(permission):
            return
        perm = self.programme.permissions.get(permission)
        roles = ", ".join(sorted(r.value for r in perm.roles))
        mine = ", ".join(sorted(r.value for r in self.member.roles))
        raise PermissionDenied(
            _("{code} ({mine}) may not {what}: that needs one of the roles {roles}").format(
                code=self.member.code, mine=mine, what=perm.description, roles=roles
            )
        )

    @contextlib.contextmanager
    def transaction(self) -> Iterator["Transaction"]:
        """One user action: everything it writes, its audit events and the hooks it fires
        commit together or not at all."""
        with engines.writing(self.programme.engine) as conn:
            self._still_active(conn)
            tx = Transaction(self, conn)
            yield tx
            tx.flush_audit()

    @contextlib.contextmanager
    def reading(self) -> Iterator[sa.Connection]:
        with self.programme.reading() as conn:
            self._still_active(conn)
            yield conn

    @contextlib.contextmanager
    def reading_transaction(self) -> Iterator["Transaction"]:
        """A transaction that only reads (nothing it does is kept): for questions to the
        plugins that need a ``tx`` but change nothing, such as eligibility."""
        with self.reading() as conn:
            yield Transaction(self, conn)

    def _still_active(self, conn: sa.Connection) -> None:
        """A context made before its member was deactivated acts no more (the first admin,
        not yet written while bootstrapping, has no row to say so). The member's scope (the
        participants they may see, :mod:`reentry_core.privacy`) is taken from the row as it
        is now and rides on the connection, so every look-up of a participant checks it."""
        from ..privacy import SCOPE_OPTION, build_scope

        row = conn.execute(_ACTIVE, {"code": self.member.code}).first()
        if row is not None and row.active is False:
            from .staff import deactivated

            raise deactivated(self.member.code)
        if row is None:  # the first admin, while bootstrapping
            return
        member = self.member if self.member.centre == row.centre else attrs.evolve(self.member, centre=row.centre)
        conn.execution_options(**{SCOPE_OPTION: build_scope(conn, self.programme, member, row.centre_id, row.centre)})

    @property
    def fields(self):
        """What of each record this member may read (:class:`reentry_core.privacy.FieldRules`)."""
        from ..privacy import FieldRules

        return FieldRules(self.can)

    def require_participant(self, conn: sa.Connection, code: str, permission: str | None = None):
        """Participant ``code`` (every field) after checking ``permission`` and that they are
        in this member's scope; the one check every service touching a participant makes."""
        from .participant_store import load_participant

        if permission:
            self.require(permission)
        return load_participant(conn, code)

    # --- the core's services --------------------------------------------------------
    @property
    def centres(self):
        from .centres import CentreService

        return CentreService(self)

    @property
    def staff(self):
        from .staff import StaffService

        return StaffService(self)

    @property
    def participants(self):
        from .participants import ParticipantService

        return ParticipantService(self)

    @property
    def referrals(self):
        from .referrals import ReferralService

        return ReferralService(self)

    @property
    def audit(self):
        from .audit_log import AuditService

        return AuditService(self)

    @property
    def access(self):
        from .access import AccessService

        return AccessService(self)

    @property
    def reports(self):
        from .reports import ReportService

        return ReportService(self)

    @property
    def database(self):
        from .database import DatabaseService

        return DatabaseService(self)

    def __getattr__(self, name: str):
        """Services plugins offer through ``register_services`` (``ctx.plans``, ``ctx.grants`` …)."""
        programme = self.__dict__.get("programme")  # not yet set while unpickling or copying
        services = programme.services if programme is not None else {}
        if name not in services:
            raise AttributeError(_("no service {name!r}; loaded: {names}").format(
                name=name, names=", ".join(sorted(CORE_SERVICES | set(services)))))
        return services[name](self)


_ACTIVE = (sa.select(t.staff.c.active, t.staff.c.centre_id, t.centre.c.code.label("centre"))
           .select_from(t.staff.outerjoin(t.centre)).where(t.staff.c.code == sa.bindparam("code")))

#: The most records one batch audit event holds (an event is read whole when it is shown).
BATCH_RECORDS = 1000


class Transaction:
    """What a service sees while it writes: the connection, who, when, audit and events."""

    def __init__(self, ctx: StaffContext, conn: sa.Connection):
        self.ctx = ctx
        self.conn = conn
        self.programme = ctx.programme
        self.now = ctx.programme.clock.now()
        self.today = ctx.programme.clock.today()
        self._events: list[audit.PendingEvent] = []

    @property
    def actor(self) -> Staff:
        return self.ctx.member

    def structure(self, data: Any, cls: type, where: str = "") -> Any:
        """``cls`` from plain data with the programme's converter (see ``Programme.structure``)."""
        return self.programme.structure(data, cls, where)

    def require(self, permission: str) -> None:
        self.ctx.require(permission)

    def participant(self, code: str, permission: str | None = None):
        """Participant ``code``, checked against the actor's scope (and ``permission``)."""
        return self.ctx.require_participant(self.conn, code, permission)

    def audit(self, action: str, entity: str, key: Any, before: Any = None, after: Any = None) -> None:
        """Record one change; ``before``/``after`` are attrs objects or plain data."""
        self._events.append(audit.PendingEvent(
            self.now, self.actor.code, action, entity, str(key),
            audit.canonical_json(audit.plain(before)), audit.canonical_json(audit.plain(after)),
        ))

    def audit_correction(self, action: str, entity: str, key: Any, *, before: Any, after: Any,
                         reason: str) -> None:
        """Record a correction: ``before`` as it was, ``after`` as it is now (a record, or
        what became of it, e.g. ``{"cancelled": 3}``) with ``"correction": reason``, the
        one place that says how an auditor reads a correction in the trail."""
        self.audit(action, entity, key, before=before, after={**audit.plain(after), "correction": reason})

    def audit_batch(self, action: str, entity: str, records: dict[str, Any], **about: Any) -> None:
        """Record one change to many records (e.g. an imported file) as one event per
        :data:`BATCH_RECORDS` records.

        ``records`` maps each record's key (its code) to its new state; ``about`` adds
        plain facts about the batch (``file="intake.csv"``). ``audit log --key`` finds the
        event by any of the keys and shows just that record.
        """
        all_keys = tuple(records)
        if any("," in key for key in all_keys):
            raise ValueError("a batch event's record keys cannot contain commas")
        for start in range(0, len(all_keys), BATCH_RECORDS):
            keys = all_keys[start:start + BATCH_RECORDS]
            text, digest = audit.batch_payload(about, {key: audit.plain(records[key]) for key in keys})
            self._events.append(audit.PendingEvent(
                self.now, self.actor.code, action, entity,
                f"{keys[0]}…{keys[-1]}"[:60] if len(keys) > 1 else keys[0], None, text, keys, digest,
            ))

    def emit(self, event: str, **kwargs: Any) -> None:
        """Fire a domain event inside this transaction (keyword arguments only): every
        subscriber runs, what it writes commits or rolls back with the action. An event
        has no answer; a question (a ``firstresult`` hook) is asked with :meth:`ask`."""
        caller: Callable[..., list] = getattr(self.programme.pm.hook, event)
        if caller.spec is not None and caller.spec.opts.get("firstresult"):
            raise TypeError(f"{event} is a question, not an event: ask it with tx.ask({event!r}, ...)")
        caller(tx=self, **kwargs)

    def ask(self, question: str, **kwargs: Any) -> Any:
        """Ask the plugins a question inside this transaction: the one answer of a
        first-answer question (``None`` when nobody answers), else every answer given."""
        caller: Callable[..., Any] = getattr(self.programme.pm.hook, question)
        return caller(tx=self, **kwargs)

    def heard(self, hook: str) -> bool:
        """Whether any loaded plugin listens to an event or answers a question."""
        return bool(getattr(self.programme.pm.hook, hook).get_hookimpls())

    def answering(self, hook: str) -> frozenset[str]:
        """The loaded plugins that listen to an event or answer a question, by name (e.g. to
        ask a question's batch form only when everyone who answers the single one answers it)."""
        return frozenset(impl.plugin_name for impl in getattr(self.programme.pm.hook, hook).get_hookimpls())

    def flush_audit(self) -> None:
        audit.write_events(self.conn, self._events, self.programme.audit_key)
        self._events.clear()

    def centre_id(self, code: str) -> int:
        return self.programme.centre_id(self.conn, code)


#: The core's own services on :class:`StaffContext`; a plugin cannot take these names.
CORE_SERVICES = frozenset({"centres", "staff", "participants", "referrals", "audit", "access", "reports", "database"})


def collect_services(pm) -> dict[str, Callable[[StaffContext], Any]]:
    """Ask every loaded plugin for the services it offers on the staff context."""
    services: dict[str, Callable[[StaffContext], Any]] = {}
    owners: dict[str, str] = {}

    def register(name: str, factory: Callable[[StaffContext], Any], *, plugin: str) -> None:
        if not name.isidentifier() or name.startswith("_"):
            raise PluginError(_("plugin {plugin!r}: {name!r} is not a service name").format(plugin=plugin, name=name))
        if name in CORE_SERVICES or name in services or hasattr(StaffContext, name):
            raise PluginError(_("plugin {plugin!r}: the service name {name!r} is already taken{by}").format(
                plugin=plugin, name=name, by=f" ({owners[name]})" if name in owners else ""))
        services[name] = factory
        owners[name] = plugin

    pm.relay.register_services(register)
    return services


__all__ = ["Programme", "StaffContext", "Transaction", "Clock", "FixedClock", "ReentryError"]
