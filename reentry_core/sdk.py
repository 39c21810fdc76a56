"""The plugin SDK: the one module of the core a plugin imports.

Everything a plugin needs of the core is named here, by topic; the rest of
``reentry_core`` is the core's own business and may change. A layer contract
(import-linter, run in the tests) fails when a plugin imports anything else of the core.

Names are loaded on first use, so ``from reentry_core.sdk import hookimpl`` in a plugin's
entry module costs no more than importing pluggy (``reentry --help`` stays fast).

Hooks and the transaction
    hookimpl, hookspec; Transaction (``tx.conn``, ``tx.audit``, ``tx.audit_batch``,
    ``tx.emit(event, ...)`` for events, ``tx.ask(question, ...)`` for questions,
    ``tx.heard(hook)``, ``tx.require``, ``tx.today``, ``tx.centre_id``, ``tx.structure``),
    StaffContext (``ctx.transaction()``, ``ctx.reading_transaction()`` for questions asked
    while only reading, ``ctx.structure``, ``ctx.today``), Programme (its own converter)
Errors (each one human line; the CLI exits with the error's code, docs/cli.md)
    ReentryError, InvalidInput, NotFound, Conflict, PermissionDenied, RowErrors,
    PluginError, ExitCode; param(name) marks a parameter a message names (the CLI
    prints its option)
Words people read
    _, ngettext, pgettext; in the reader's convention (``reentry_core.words``): money
    (``12 000,00 сомонӣ``), number, date_text (``04.12.2026``), choice_label (a choice's value
    as words; also ``choice.label``)
The core's records
    Choice, as_choice, Role, Sex, ParticipantStatus, ConsentScope, ReferralStatus,
    ServiceType, Participant, Staff, Centre, Consent, OpenWork, normalise_code, normalise_name,
    normalise_text, normalise_optional_text, valid_text, required_reason (the reason a
    correction or an ending must give)
Look-ups by public code
    participant, participant_id, participant_ids, participant_from_row,
    consent_in_force, staff_member, staff_id, centre, centre_id; kept_code (the code a
    merged duplicate's code now finds, or None: asked when a look-up by code found nobody),
    resolve_code (the code typed, or the one it is an alias of)
Who may see whom (``reentry_core.privacy``)
    visible(conn, participant_id_column[, centre_id_column]) for list queries,
    check_in_scope(conn, participant_id, code[, centre_id]) for one participant,
    check_codes(conn, codes) for many, in_scope(conn, codes), redact(conn, obj,
    name_field="full_name") hides a participant field a role may not read,
    shown(conn, items, full_name="full_name"), check_centre, scope_of, HEALTH_SERVICES;
    record_access(ctx, action, codes) logs a view of identifiable records (``audit access``);
    clear_text(conn, targets, dry_run) clears a plugin's free text in its participant_erased
    (ERASED_TEXT stands in a required text column);
    AuditedTable, DataRow, Replay, TrailEvent, as_audited for the ``audited_tables`` hook:
    how ``audit verify`` replays the trail onto a plugin's rows to catch a row changed
    directly in the database;
    ``ctx.fields`` (FieldRules)
Actions of the core a plugin may take inside its own transaction
    open_referral, eligibility_problems, eligibility_rules
Values from outside (one line per problem, naming the field)
    parse_date, parse_decimal, parse_money, as_money, structure, unstructure (the core's types;
    a plugin's own types, taught through register_converter_hooks, with ``ctx.structure`` or
    ``tx.structure``: each programme has its own converter)
Storage
    metadata (declare plugin tables on it), Money, UtcDateTime, core (the core's
    tables, to join in queries: ``core.participant``, ``core.centre``, ``core.staff`` …;
    never written by a plugin), read_setting, write_setting
Reports
    Period, AnalysisTable, Analysis, ChartHint, ReportCell, ReportScope, count_grid, share, hidden_mark
Sheets (files staff fill in offline, and every export; docs/sheets.md)
    SheetImport, Column, Row, RowProblem, SheetResult, UNCHANGED, import_sheet, open_sheet,
    write_sheet, safe_text; column parsers ``sheet_parsers`` (text, code, integer, money,
    decimal, a_date, choice);
    read_table, read_sheet, require_columns, write_table
The command line
    CliState (``state.converter``: the programme's), pass_state, emit_rows, emit_record, done;
    Presenter (a record's columns, declared once: ``ROUND = Presenter("code", ("budget",
    "budget", Presenter.money))``, printed with ``ROUND(rnd, state.converter)``)
The demo
    Demo, person_name
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    # hooks and the transaction
    "hookimpl": "reentry_core.hookspecs",
    "hookspec": "reentry_core.hookspecs",
    "Transaction": "reentry_core.services.context",
    "StaffContext": "reentry_core.services.context",
    "Programme": "reentry_core.services.context",
    # errors
    "ReentryError": "reentry_core.errors",
    "InvalidInput": "reentry_core.errors",
    "NotFound": "reentry_core.errors",
    "Conflict": "reentry_core.errors",
    "PermissionDenied": "reentry_core.errors",
    "RowErrors": "reentry_core.errors",
    "PluginError": "reentry_core.errors",
    "ExitCode": "reentry_core.errors",
    "param": "reentry_core.errors",
    # words
    "_": "reentry_core.i18n",
    "ngettext": "reentry_core.i18n",
    "pgettext": "reentry_core.i18n",
    "money": "reentry_core.words",
    "number": "reentry_core.words",
    "date_text": "reentry_core.words",
    "choice_label": "reentry_core.words",
    # the core's records
    "Choice": "reentry_core.domain",
    "as_choice": "reentry_core.domain",
    "Role": "reentry_core.domain",
    "Sex": "reentry_core.domain",
    "ParticipantStatus": "reentry_core.domain",
    "ConsentScope": "reentry_core.domain",
    "ReferralStatus": "reentry_core.domain",
    "ServiceType": "reentry_core.domain",
    "Participant": "reentry_core.domain",
    "Staff": "reentry_core.domain",
    "Consent": "reentry_core.domain",
    "Centre": "reentry_core.domain",
    "OpenWork": "reentry_core.domain",
    "normalise_code": "reentry_core.domain",
    "normalise_name": "reentry_core.domain",
    "normalise_text": "reentry_core.domain",
    "required_reason": "reentry_core.domain",
    "normalise_optional_text": "reentry_core.domain",
    "valid_text": "reentry_core.domain",
    # look-ups
    "participant": "reentry_core.lookups",
    "participant_id": "reentry_core.lookups",
    "participant_ids": "reentry_core.lookups",
    "participant_from_row": "reentry_core.lookups",
    "resolve_code": "reentry_core.lookups",
    "kept_code": "reentry_core.lookups",
    "consent_in_force": "reentry_core.lookups",
    "staff_member": "reentry_core.lookups",
    "staff_id": "reentry_core.lookups",
    "centre": "reentry_core.lookups",
    "centre_id": "reentry_core.lookups",
    # who may see whom, and which fields
    "visible": "reentry_core.privacy",
    "check_in_scope": "reentry_core.privacy:check",
    "check_centre": "reentry_core.privacy",
    "redact": "reentry_core.privacy",
    "in_scope": "reentry_core.privacy",
    "check_codes": "reentry_core.privacy",
    "shown": "reentry_core.privacy",
    "scope_of": "reentry_core.privacy",
    "HEALTH_SERVICES": "reentry_core.privacy",
    # the core's actions
    "open_referral": "reentry_core.services.referrals",
    "eligibility_problems": "reentry_core.services.eligibility",
    "eligibility_rules": "reentry_core.services.eligibility",
    # values from outside
    "parse_date": "reentry_core.convert",
    "parse_decimal": "reentry_core.convert",
    "parse_money": "reentry_core.convert",
    "as_money": "reentry_core.convert",
    "structure": "reentry_core.convert",
    "unstructure": "reentry_core.convert",
    # storage
    "metadata": "reentry_core.storage",
    "Money": "reentry_core.storage.types",
    "UtcDateTime": "reentry_core.storage.tables",
    "core": "reentry_core.storage:tables",
    "read_setting": "reentry_core.services.settings",
    "write_setting": "reentry_core.services.settings",
    # reports
    "Period": "reentry_core.reporting",
    "AnalysisTable": "reentry_core.services.reports",
    "Analysis": "reentry_core.services.reports",
    "ReportCell": "reentry_core.services.reports",
    "ReportScope": "reentry_core.services.reports",
    "ChartHint": "reentry_core.services.reports",
    "count_grid": "reentry_core.services.reports",
    "share": "reentry_core.services.reports",
    "hidden_mark": "reentry_core.services.reports",
    # sheets
    "SheetImport": "reentry_core.sheets",
    "Column": "reentry_core.sheets",
    "RowProblem": "reentry_core.sheets",
    "Row": "reentry_core.sheets",
    "SheetResult": "reentry_core.sheets",
    "UNCHANGED": "reentry_core.sheets",
    "import_sheet": "reentry_core.sheets",
    "record_access": "reentry_core.services.access:record",
    "clear_text": "reentry_core.services.erasure",
    "AuditedTable": "reentry_core.services.audit_state",
    "DataRow": "reentry_core.services.audit_state",
    "Replay": "reentry_core.services.audit_state",
    "TrailEvent": "reentry_core.services.audit_state",
    "as_audited": "reentry_core.services.audit_state",
    "ERASED_TEXT": "reentry_core.services.erasure",
    "sheet_parsers": "reentry_core.sheets:importing",
    "open_sheet": "reentry_core.sheets",
    "write_sheet": "reentry_core.sheets",
    "safe_text": "reentry_core.sheets",
    "read_table": "reentry_core.sheets",
    "read_sheet": "reentry_core.sheets",
    "require_columns": "reentry_core.sheets",
    "write_table": "reentry_core.sheets",
    # the command line
    "CliState": "reentry_core.cli.state",
    "pass_state": "reentry_core.cli.state",
    "emit_rows": "reentry_core.cli.output",
    "emit_record": "reentry_core.cli.output",
    "done": "reentry_core.cli.output",
    "Presenter": "reentry_core.cli.present",
    # the demo
    "Demo": "reentry_core.demo",
    "person_name": "reentry_core.demo",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    try:
        where = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"reentry_core.sdk has no {name!r}; the SDK offers: {', '.join(__all__)}") from None
    module, _sep, attribute = where.partition(":")
    value = getattr(import_module(module), attribute or name)
    globals()[name] = value  # the next use costs nothing
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # for editors and type checkers: the same names, imported plainly
    from .cli.output import done, emit_record, emit_rows  # noqa: F401
    from .cli.present import Presenter  # noqa: F401
    from .cli.state import CliState, pass_state  # noqa: F401
    from .convert import as_money, parse_date, parse_decimal, parse_money, structure, unstructure  # noqa: F401
    from .demo import Demo, person_name  # noqa: F401
    from .domain import (Centre, Choice, Consent, ConsentScope, OpenWork, Participant, ParticipantStatus, ReferralStatus,  # noqa: F401
                         Role, ServiceType, Sex, Staff, as_choice, normalise_code, normalise_name,
                         normalise_optional_text, normalise_text, required_reason, valid_text)
    from .errors import (Conflict, ExitCode, InvalidInput, NotFound, PermissionDenied, PluginError,  # noqa: F401
                         ReentryError, RowErrors, param)
    from .hookspecs import hookimpl, hookspec  # noqa: F401
    from .i18n import _, ngettext, pgettext  # noqa: F401
    from .words import choice_label, date_text, money, number  # noqa: F401
    from .lookups import (centre, centre_id, consent_in_force, participant, participant_from_row,  # noqa: F401
                          kept_code, participant_id, participant_ids, resolve_code, staff_id,
                          staff_member)
    from .privacy import HEALTH_SERVICES, check_centre, check_codes, in_scope, redact, scope_of, shown, visible  # noqa: F401
    from .privacy import check as check_in_scope  # noqa: F401
    from .reporting import Period  # noqa: F401
    from .services.access import record as record_access  # noqa: F401
    from .services.context import Programme, StaffContext, Transaction  # noqa: F401
    from .services.erasure import ERASED_TEXT, clear_text  # noqa: F401
    from .services.eligibility import eligibility_problems, eligibility_rules  # noqa: F401
    from .services.referrals import open_referral  # noqa: F401
    from .services.reports import (Analysis, AnalysisTable, ChartHint, ReportCell, ReportScope, count_grid,  # noqa: F401
                                      hidden_mark, share)
    from .services.settings import read_setting, write_setting  # noqa: F401
    from .sheets import (UNCHANGED, Column, Row, RowProblem, SheetImport, SheetResult, import_sheet,  # noqa: F401
                         open_sheet, read_sheet, read_table, require_columns, safe_text, write_sheet, write_table)
    from .sheets import importing as sheet_parsers  # noqa: F401
    from .storage import metadata  # noqa: F401
    from .storage import tables as core  # noqa: F401
    from .storage.tables import UtcDateTime  # noqa: F401
    from .storage.types import Money  # noqa: F401
