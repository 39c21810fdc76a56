"""The hooks a plugin may implement. Each spec is a bare function with a docstring.

Call hooks with keyword arguments only. Documented in full, with examples, in
``docs/plugins.md``; a test fails when a hook here is missing from that document.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("reentry")
hookimpl = pluggy.HookimplMarker("reentry")


@hookspec
def register_hookspecs(add):
    """Add a plugin's own hookspecs (e.g. its domain events) by calling ``add(module)``."""


@hookspec
def register_commands(cli):
    """Add the plugin's click group(s) to the ``reentry`` command line."""


@hookspec
def register_web(web):
    """Add the plugin's pages to the web workspace (``reentry serve``): ``web.page(path, handler, methods=...)``, ``web.menu(label, path, permission=...)``, ``web.templates(folder)``; each handler calls the plugin's services as the signed-in member (``page.ctx``)."""


@hookspec
def register_migrations():
    """Return the folder of the plugin's Alembic versions (one branch per plugin)."""


@hookspec
def register_tables():
    """Return the plugin's SQLAlchemy tables, declared on ``reentry_core.storage.metadata``."""


@hookspec
def register_permissions(register):
    """Declare permissions: ``register(name, description, roles=[...])``."""


@hookspec
def register_services(register):
    """Offer a service on the staff context: ``register(name, factory)``; ``ctx.<name>`` is ``factory(ctx)``."""


@hookspec
def register_indicators(register):
    """Contribute report indicators: ``register(key, label, definition, query, aggregate=..., unit=...)``."""


@hookspec
def report_analyses(conn, period, today, hook, participants):
    """Return tables of people of the plugin's own (``reentry_core.services.reports.AnalysisTable``: counts by its dimensions and centre, and how to show them) for the programme report; the core protects them. ``hook`` asks other plugins' questions; ``participants``: a select of the ids a report for one donor or round is limited to (``None``: everybody)."""


@hookspec(firstresult=True)
def report_scope(conn, donor, round):
    """The programme report for one donor's or one grant round's grants (``--donor``, ``--round``): return a ``ReportScope`` (SDK) — the participants under those grants (a select of participant ids), the donor's and round's names as stored, and a note of what was included — or ``None`` when the plugin keeps no grants; an unknown donor or round raises ``NotFound``."""


@hookspec
def register_converter_hooks(converter):
    """Add cattrs structure/unstructure hooks for the plugin's own types."""


@hookspec
def register_eligibility_rules(register):
    """Declare the eligibility requirements this plugin can check: ``register(key, description)``."""


@hookspec
def eligibility_problems(tx, participant, purpose, requirements):
    """Return reasons (strings) why ``participant`` is not eligible for ``purpose`` under ``requirements``."""


@hookspec
def participant_registered(tx, participant):
    """A participant was registered; runs inside the registering transaction."""


@hookspec
def participant_exited(tx, participant):
    """A participant left the programme; runs inside the same transaction. End what the plugin holds open for them and return what was ended as plain data (e.g. ``{"follow_up_ended": "2026-11-23"}``), or ``None``: it is recorded in the one ``participant.exit`` audit event, under the plugin's name, instead of events of the plugin's own."""


@hookspec
def participant_scope(conn, staff):
    """Return the participants ``staff`` (a ``Staff``) reaches through the plugin's work, beyond their centre: a SQLAlchemy select of one column of participant ids (or an iterable of ids), or ``None``."""


@hookspec
def participant_transferred(tx, participant, from_centre, to_centre):
    """A participant moved centre by an audited transfer; runs inside the same transaction."""


@hookspec
def participant_readmitted(tx, participant):
    """A participant who had left was taken back into the programme; runs inside the same transaction."""


@hookspec
def participant_merging(tx, keep, duplicate):
    """Two records of one person are being merged (``duplicate`` into ``keep``, both ``Participant``), inside the merging transaction, before the core moves every row that points at ``duplicate`` to ``keep``. Raise ``Conflict`` (from the SDK) naming what must be put right first when the two cannot be one (both in one cohort, both applied to one round); delete the duplicate's rows of what a person holds once when ``keep`` has its own (a profile). Return what was done as plain data, or ``None``: it is recorded in the one ``participant.merge`` audit event under the plugin's name."""


@hookspec
def participant_erased(tx, participant, dry_run):
    """A participant who left is being erased (on request, or at the end of the retention period): clear the identifying free text the plugin keeps about them (names typed into notes, plan texts, addresses, risk notes), leaving what counts need. Return one line per kind of record, e.g. ``"3 visit notes"``; with ``dry_run`` change nothing, only say what would be cleared. Runs inside the erasing transaction; the audit payloads are erased by the core."""


@hookspec
def participant_audit_keys(conn, participant):
    """Return the audit keys of the plugin's records about ``participant`` (e.g. plan or application codes) whose audit payloads may not name the person: when the person is erased, every event whose key is one of them, or starts with one and a slash, or whose payload names one, is erased with the person's own."""


@hookspec
def audited_tables():
    """Return the plugin's tables ``audit verify`` compares with the trail: a list of ``AuditedTable`` (from the SDK), each saying which audited actions change its rows, what each leaves in a row, and how to read its rows. A row changed, added or deleted directly in the database is then named as a problem."""


@hookspec
def staff_open_work(conn, staff, today):
    """Return the work ``staff`` (a ``Staff``) still holds in the plugin, to be handed over when they leave or move: a list of ``reentry_core.domain.OpenWork``."""


@hookspec
def demo_setup(demo):
    """Prepare the plugin's part of ``reentry demo`` (profiles, rubrics …) through its services."""


@hookspec
def demo_month(demo, month):
    """Add one month of the demo programme's activity (``month``: its first day) through the services."""
