"""Every hook of the core: documented in docs/plugins.md and exercised by a test (as in
llm and datasette). The hooks no other test implements are exercised here."""

from __future__ import annotations

import ast
import inspect
import re
import types
from pathlib import Path

import attrs
import pytest

from reentry_core import hookimpl, hookspecs
from reentry_core.errors import InvalidInput
from reentry_core.plugins import load_plugins
from reentry_core.services import FixedClock
from reentry_core.testing import TODAY, set_up

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted(name for name, value in vars(hookspecs).items()
               if inspect.isfunction(value) and hasattr(value, "reentry_spec"))


def _plugin_specs() -> list[tuple[str, str]]:
    """(plugin, hook) for every hookspec the loaded plugins add through register_hookspecs."""
    pm = load_plugins()
    found = []
    for name, caller in vars(pm.hook).items():
        spec = getattr(caller, "spec", None)
        if spec is not None and name not in SPECS:
            found.append((spec.namespace.__name__.split(".")[0], name))
    return sorted(found)


PLUGIN_SPECS = _plugin_specs()


def test_the_core_has_hooks():
    assert {"register_commands", "register_indicators", "eligibility_problems", "report_analyses"} <= set(SPECS)


@pytest.mark.parametrize("hook", SPECS)
def test_every_hook_is_documented_with_its_arguments(hook):
    spec = getattr(hookspecs, hook)
    arguments = ", ".join(inspect.signature(spec).parameters)
    text = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    assert f"`{hook}({arguments})`" in text, f"docs/plugins.md does not document {hook}({arguments})"
    assert spec.__doc__ and spec.__doc__.strip(), f"{hook} has no docstring"


def _implemented_in_tests() -> set[str]:
    found = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                    "hookimpl" in ast.unparse(d) for d in node.decorator_list):
                found.add(node.name)
    return found


@pytest.mark.parametrize("hook", SPECS)
def test_every_hook_is_implemented_by_a_test_plugin(hook):
    assert hook in _implemented_in_tests(), f"no test implements the hook {hook}"


@pytest.mark.parametrize("owner, hook", PLUGIN_SPECS)
def test_every_plugin_owned_hook_is_documented_and_exercised(owner, hook):
    """The events and questions one plugin offers the others are part of the contract too."""
    spec = getattr(load_plugins().hook, hook).spec
    arguments = ", ".join(spec.argnames)
    text = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    assert f"`{hook}({arguments})`" in text, f"docs/plugins.md does not document {owner}'s {hook}({arguments})"
    assert spec.function.__doc__, f"{owner}'s {hook} has no docstring"
    implemented = _implemented_in_tests() | _implemented_in_plugins()
    assert hook in implemented, f"nothing implements {owner}'s hook {hook}"


def _implemented_in_plugins() -> set[str]:
    found = set()
    for path in (ROOT / "plugins").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any("hookimpl" in ast.unparse(d) for d in node.decorator_list):
                found.add(node.name)
    return found


# --- the hooks not exercised elsewhere -------------------------------------------------

events = types.ModuleType("savings_events")
exec(compile('''
import pluggy
hookspec = pluggy.HookspecMarker("reentry")

@hookspec
def savings_deposited(tx, participant, amount):
    """A member paid into a savings group."""
''', "savings_events", "exec"), events.__dict__)


class SavingsPlugin:
    """Owns the event ``savings_deposited`` and fires it."""

    @hookimpl
    def register_hookspecs(self, add):
        add(events)


class SavingsListener:
    heard: list

    def __init__(self):
        self.heard = []

    @hookimpl(optionalhook=True)
    def savings_deposited(self, tx, participant, amount):
        self.heard.append((participant, amount, tx.actor.code))

    @hookimpl
    def participant_exited(self, tx, participant):
        self.heard.append((participant.code, participant.exit_reason.value))


def test_a_plugin_owns_an_event_another_one_hears(programme_with):
    listener = SavingsListener()
    prog = programme_with(("savings", SavingsPlugin()), ("listener", listener))
    ctx = set_up(prog)
    with ctx.transaction() as tx:
        tx.emit("savings_deposited", participant="DSH-2026-0001", amount=50)
    assert listener.heard == [("DSH-2026-0001", 50, "ADM")]


def test_the_listener_still_loads_without_the_events_owner(programme_with):
    prog = programme_with(("listener", SavingsListener()))
    assert prog.pm.infos["listener"].state == "loaded"


def test_a_plugin_hears_a_participant_leave(programme_with):
    listener = SavingsListener()
    ctx = set_up(programme_with(("listener", listener)))
    person = ctx.participants.register(full_name="Зарина Ашурова", sex="female", birth_date="1991-07-04",
                                       centre="DSH")
    ctx.participants.exit(person.code, "moved_away")
    assert listener.heard == [(person.code, "moved_away")]


@attrs.frozen
class Somoni:
    dirams: int


class MoneyPlugin:
    @hookimpl
    def register_converter_hooks(self, converter):
        converter.register_structure_hook(Somoni, lambda value, _type: Somoni(round(float(value) * 100)))


def test_a_plugin_teaches_the_converter_its_own_types(programme_with):
    prog = programme_with(("money", MoneyPlugin()))
    assert prog.converter.structure("12.5", Somoni) == Somoni(1250)


class AnalysisPlugin:
    """Counts people by a dimension of its own (here: whether their name is long) and centre."""

    @hookimpl
    def report_analyses(self, conn, period, today, hook):
        import sqlalchemy as sa

        from reentry_core.services.reports import Analysis, AnalysisTable, count_grid, share
        from reentry_core.storage import tables as t

        p, c = t.participant, t.centre
        counts: dict = {}
        for name, centre in conn.execute(sa.select(p.c.full_name, c.c.code).join(c)):
            key = ("long" if len(name) > 12 else "short", centre)
            counts[key] = counts.get(key, 0) + 1
        centres = tuple(conn.execute(sa.select(c.c.code).order_by(c.c.code)).scalars())

        def render(cells, centre):
            everyone = cells((None, centre))
            return Analysis("demo.check", "A check of our own", ["names", "people", "share"],
                            [[kind, cells((kind, centre)), share(cells((kind, centre)), everyone)]
                             for kind in ("long", "short")],
                            note=f"n = {cells.text(everyone)}, centre {centre}, today {today.isoformat()}",
                            formats=("text", "count", "rate"))

        return [AnalysisTable("demo.check", count_grid("demo.check", (("long", "short"), centres), counts), render)]


def test_a_plugin_adds_its_own_table_to_the_programme_report_and_the_core_protects_it(programme_with, database_url):
    from click.testing import CliRunner

    from reentry_core.cli import build_cli

    prog = programme_with(("analysis", AnalysisPlugin()))
    ctx = set_up(prog)
    for name in ("Зарина Раҳимова", "Мадина Каримова", "Ситора Назарова"):
        ctx.participants.register(full_name=name, sex="female", birth_date="1990-05-05", centre="DSH")
    for first in ("Ҷамшед", "Фирдавс", "Сорбон", "Умед", "Алишер", "Бахтиёр"):
        ctx.participants.register(full_name=f"{first} Саидов", sex="male", birth_date="1988-05-05", centre="KHJ")
    report = ctx.reports.programme(centre="DSH")
    assert [a.title for a in report.analyses] == ["A check of our own"]
    analysis = report.analyses[0]
    assert analysis.note == f"n = <5, centre DSH, today {TODAY.isoformat()}"
    assert all(cell.value is None for row in analysis.rows for cell in row[1:] if cell.hidden)
    everyone = ctx.reports.programme(suppress=False).analyses[0]
    assert sum(row[1].value for row in everyone.rows) == len(ctx.participants.list())
    result = CliRunner().invoke(build_cli(prog.pm, clock=FixedClock(TODAY)),
                                ["--db", database_url, "--as", "ADM", "report", "programme"])
    assert result.exit_code == 0 and "A check of our own" in result.output and re.search(r"(long|short)\s+│\s+<5",
                                                                                        result.output)


class DemoPlugin:
    """Adds its own part to the demo: a note of every month it saw."""

    seen: list

    def __init__(self):
        self.seen = []

    @hookimpl
    def demo_setup(self, demo):
        self.seen.append(("setup", demo.scale.name, len(demo.staff_codes("trainer", "DSH"))))

    @hookimpl
    def demo_month(self, demo, month):
        self.seen.append((month.isoformat(), demo.today.isoformat(), demo.rng("plugin", month).random()))


def test_a_plugin_adds_its_part_to_the_demo_after_the_core(programme_with):
    from reentry_core.demo import run

    plugin = DemoPlugin()
    prog = programme_with(("demo_plugin", plugin))
    demo = run(prog, "small", seed=4)
    months = demo.scale.months
    assert plugin.seen[0] == ("setup", "small", 3)  # the core's staff exist already
    assert [s[0] for s in plugin.seen[1:]] == [m.isoformat() for m in months]
    assert plugin.seen[1][1] == "2025-05-31"


class TakesLess:
    """Valid implementations that declare fewer arguments than the spec offers."""

    def __init__(self):
        self.called = []

    @hookimpl
    def register_permissions(self):
        self.called.append("register_permissions")

    @hookimpl
    def register_indicators(self):
        self.called.append("register_indicators")

    @hookimpl
    def register_commands(self):
        self.called.append("register_commands")

    @hookimpl
    def demo_setup(self):
        self.called.append("demo_setup")


def test_an_implementation_that_takes_fewer_arguments_is_called_by_pluggy_with_what_it_declares(programme_with):
    from reentry_core.cli import build_cli
    from reentry_core.demo import SCALES, run

    plugin = TakesLess()
    prog = programme_with(("less", plugin))
    assert prog.permissions and prog.indicators  # collected without passing what it does not take
    build_cli(prog.pm)
    run(prog, "small", seed=1, until=SCALES["small"].start)
    assert plugin.called == ["register_permissions", "register_indicators", "register_commands", "demo_setup"]


def test_the_relay_calls_the_core_first_then_the_plugins_as_loaded(programme_with):
    prog = programme_with(("zz_last", TakesLess()), ("aa_first", TakesLess()))
    assert prog.pm.relay.answering("register_permissions")[:1] == ["core"]
    assert prog.pm.relay.answering("register_permissions")[-2:] == ["zz_last", "aa_first"]  # inline: as given
    assert prog.pm.relay.answering("demo_setup", by_name=True)[-2:] == ["aa_first", "zz_last"]  # the demo: by name


def test_no_code_calls_a_hook_implementation_past_pluggy():
    """Hooks go through pluggy (and the relay for the core's per-plugin calls), never
    ``impl.function(...)``, which would pass arguments an implementation did not declare."""
    root = Path(__file__).resolve().parents[2]
    offenders = [f"{path.relative_to(root)}:{n}" for folder in ("reentry_core", "plugins")
                 for path in (root / folder).rglob("*.py")
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if ".function(" in line]
    assert offenders == []


def test_each_programme_has_its_own_converter(programme_with):
    """A plugin's converter hooks stay with the programme that loaded it: a second
    programme in the same process, and the core's own converter, never learn them."""
    from reentry_core import convert

    taught = programme_with(("money", MoneyPlugin()))
    plain = programme_with()
    assert taught.converter is not plain.converter and convert.converter not in (taught.converter, plain.converter)
    assert taught.structure("12.5", Somoni) == Somoni(1250)
    for untaught in (plain.structure, convert.structure):  # a text is no Somoni without the hook
        with pytest.raises((InvalidInput, AttributeError)):
            untaught("12.5", Somoni)


class GreetingPlugin:
    """Keeps one audited setting of its own, and tells ``audit verify`` how to check it."""

    KEY = "greeting.text"

    @staticmethod
    def set(ctx, text: str) -> None:
        from reentry_core.sdk import read_setting, write_setting

        with ctx.transaction() as tx:
            before = read_setting(tx.conn, GreetingPlugin.KEY)
            write_setting(tx.conn, GreetingPlugin.KEY, text)
            tx.audit("greeting.set", "setting", GreetingPlugin.KEY, before={"text": before}, after={"text": text})

    @hookimpl
    def audited_tables(self):
        import sqlalchemy as sa

        from reentry_core.sdk import AuditedTable, DataRow, core, read_setting

        def replay(state, event):
            state.put(event.key, event.seq, event.after)

        def rows(conn):
            if conn.execute(sa.select(core.setting.c.key).where(core.setting.c.key == self.KEY)).first():
                yield DataRow(self.KEY, {"text": read_setting(conn, self.KEY)})

        return [AuditedTable("greeting {key}", ("greeting.set",), replay, rows)]


def test_a_plugin_has_audit_verify_compare_its_rows_with_the_trail(programme_with):
    import sqlalchemy as sa

    from reentry_core.storage import tables as t

    prog = programme_with(("greeting", GreetingPlugin()))
    ctx = set_up(prog)
    GreetingPlugin.set(ctx, "Хуш омадед")
    GreetingPlugin.set(ctx, "Добро пожаловать")
    assert ctx.audit.verify().ok
    with prog.engine.begin() as conn:
        conn.execute(t.setting.update().where(t.setting.c.key == GreetingPlugin.KEY).values(value='"Hello"'))
    seq = max(event.seq for event in ctx.audit.log(action="greeting.set"))
    assert ctx.audit.verify().problems == (
        f"greeting greeting.text: text is 'Hello' in the data but 'Добро пожаловать' after its last audited change "
        f"(event {seq}): the row was changed outside reentry",)
    with prog.engine.begin() as conn:
        conn.execute(t.setting.delete().where(t.setting.c.key == GreetingPlugin.KEY))
    assert ctx.audit.verify().problems == (
        f"greeting greeting.text is in the trail (event {seq}) but not in the data: the row was deleted outside "
        f"reentry",)


class ScopePlugin:
    """Keeps grants of its own: the "Fund" funds the people registered at DSH."""

    @hookimpl
    def report_scope(self, conn, donor, round):
        import sqlalchemy as sa

        from reentry_core.errors import NotFound
        from reentry_core.services.reports import ReportScope
        from reentry_core.storage import tables as t

        if donor is None or donor.casefold() != "fund":
            raise NotFound(f"no grant round is funded by {donor}")
        people = (sa.select(t.participant.c.id).join(t.centre, t.centre.c.id == t.participant.c.centre_id)
                  .where(t.centre.c.code == "DSH"))
        return ReportScope(people, "Fund", None, "Only the people the Fund granted.")


def test_a_plugin_limits_a_report_to_one_donors_grants(programme_with):
    prog = programme_with(("scope", ScopePlugin()))
    ctx = set_up(prog)
    for centre, n in (("DSH", 6), ("KHJ", 7)):
        for i in range(n):
            ctx.participants.register(full_name="Саидов Умед", sex="male", birth_date=f"1988-05-{i + 1:02d}",
                                      centre=centre, allow_same_name=True)
    everyone = ctx.reports.programme()
    funded = ctx.reports.programme(donor="FUND")
    registered = lambda report: next(r for r in report.rows() if r.key == "participants.registered").cells[()]  # noqa: E731
    assert (registered(everyone).value, registered(funded).value) == (13, 6)
    assert funded.period.donor == "Fund" and funded.notes == (("Grants", "Only the people the Fund granted."),)
    with pytest.raises(Exception, match="no grant round is funded by UN"):
        ctx.reports.programme(donor="UN")
