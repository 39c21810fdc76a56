"""Services: one per area. Each checks permissions, writes audit events and fires hooks
inside one transaction; the CLI and the Python API call the same methods."""

from __future__ import annotations

from .context import FROM_ENV, Clock, FixedClock, Programme, StaffContext, Transaction


def open_programme(url: str | None = None, *, plugins=None, clock: Clock | None = None,
                   check_schema: bool = True, audit_key=FROM_ENV) -> Programme:
    """Open the database at ``url`` (default: ``REENTRY_DATABASE_URL`` or the user's
    SQLite file) with the installed plugins.

    A brand-new database gets the schema; one behind the code raises ``SchemaBehind``
    (run ``reentry db upgrade``). ``plugins`` is a plugin manager from
    :func:`reentry_core.plugins.load_plugins`, for tests with inline plugins.
    ``audit_key`` is the secret that keys the audit chain (text or bytes; ``None`` for
    none); by default it comes from ``REENTRY_AUDIT_KEY_FILE`` or ``REENTRY_AUDIT_KEY``.
    """
    from ..plugins import load_plugins
    from ..storage import engine as engines
    from ..storage import schema

    pm = plugins if plugins is not None else load_plugins()
    engine = engines.make_engine(engines.resolve_url(url))
    engines.check_connection(engine)
    if check_schema:
        schema.ensure_current(engine, pm)
    try:
        return Programme(engine, pm, clock, audit_key)
    except BaseException:
        engine.dispose()
        raise


__all__ = ["open_programme", "Programme", "StaffContext", "Transaction", "Clock", "FixedClock"]
