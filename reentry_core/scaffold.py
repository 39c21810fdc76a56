"""``reentry plugins new NAME``: a ready plugin project to start from.

The project is complete and green from the first minute: an entry point in the
``reentry.plugins`` group, a command group, a table with its own Alembic branch (whose
first revision depends on the core's), a permission, a report indicator, a subscriber to
the ``grant_approved`` event (optional: it still loads without microgrants), a Gherkin
feature with its steps, unit tests on SQLite and PostgreSQL through
``reentry_core.testing``, and a README. ``pip install -e`` it, run its tests, and
``reentry plugins list`` shows it.
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path
from string import Template

from .errors import Conflict, InvalidInput
from .i18n import _

_NAME = re.compile(r"^[a-z][a-z0-9_]{1,29}$")


def check_name(name: str) -> str:
    name = name.strip().lower().replace("-", "_")
    if not _NAME.match(name) or keyword.iskeyword(name) or name.endswith("_") or "__" in name:
        raise InvalidInput(_("plugin name {name!r}: use 2 to 30 lower-case letters, digits and underscores, "
                             "starting with a letter (e.g. savings_groups)").format(name=name))
    if name in {"core", "reentry"}:
        raise InvalidInput(_("plugin name {name!r} is reserved").format(name=name))
    return name


def create(name: str, folder: Path | str = ".") -> Path:
    """Write the plugin project ``reentry-<name>`` inside ``folder``; returns its path."""
    name = check_name(name)
    folder = Path(folder)
    if not folder.is_dir():
        raise InvalidInput(_("folder {folder} does not exist").format(folder=folder))
    root = folder / f"reentry-{name.replace('_', '-')}"
    if root.exists():
        raise Conflict(_("{path} already exists; choose another --dir or name").format(path=root))
    values = {
        "name": name,
        "package": f"reentry_{name}",
        "command": name.replace("_", "-"),
        "title": name.replace("_", " ").capitalize(),
        "revision": f"{name}_0001",
    }
    for relative, text in FILES.items():
        path = root / Template(relative).substitute(values)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Template(text).substitute(values), encoding="utf-8")
    return root


FILES: dict[str, str] = {}

FILES["pyproject.toml"] = '''[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "reentry-$command"
version = "0.1.0"
description = "$title: a plugin for reentry"
requires-python = ">=3.11"
dependencies = ["reentry"]

[project.optional-dependencies]
test = ["reentry[test]"]

# This is how reentry finds the plugin: the same door the built-in plugins use.
[project.entry-points."reentry.plugins"]
$name = "$package.plugin"

[tool.setuptools]
packages = ["$package", "$package.migrations", "$package.migrations.versions"]

[tool.setuptools.package-data]
# the plugin's own message catalogue (gettext domain "$package"): reentry's docs/translating.md
$package = ["locale/*.pot", "locale/*/LC_MESSAGES/*.po", "locale/*/LC_MESSAGES/*.mo"]

[tool.pytest.ini_options]
testpaths = ["tests"]
bdd_features_base_dir = "features"

# The plugin imports only reentry_core.sdk of the core (tests/test_layers.py runs this
# contract; so does `lint-imports`): the rest of reentry_core may change under you.
[tool.importlinter]
root_packages = ["$package", "reentry_core"]

[[tool.importlinter.contracts]]
id = "sdk-only"
name = "$package imports only reentry_core.sdk of the core"
type = "forbidden"
source_modules = ["$package"]
forbidden_modules = ["reentry_core"]
ignore_imports = ["$package.** -> reentry_core.sdk"]
unmatched_ignore_imports_alerting = "none"
allow_indirect_imports = true
'''

FILES["README.md"] = '''# $title — a reentry plugin

Adds `reentry $command`: notes kept about a participant in this plugin's own table.
It also counts them in the programme report and writes a note by itself when a grant is
approved (when the microgrants plugin is installed).

```sh
pip install -e ".[test]"          # into the environment where reentry is installed
reentry db upgrade                 # creates this plugin's table (its own Alembic branch)
reentry plugins list               # shows "$name" as loaded
reentry --as CW1 $command add DSH-2026-0001 --note "visited the market stall"
reentry --as CW1 $command list DSH-2026-0001
python -m pytest                   # SQLite; PostgreSQL too with REENTRY_TEST_DATABASE_URL
```

Where things are:

| file | what |
| --- | --- |
| `$package/plugin.py` | the entry point: hook implementations only (keep it light, it is imported on every `reentry` call) |
| `$package/tables.py` | the plugin's table, on the SDK's `metadata`, prefixed `${name}_` |
| `$package/migrations/versions/` | the plugin's Alembic branch `$name`; its first revision depends on the core's `c0001` |
| `$package/services.py` | the rules, one transaction per action, audited; reached as `ctx.$name` |
| `$package/cli.py` | the `reentry $command` commands: parse, call the service, print |
| `$package/locale/` | the plugin's own message catalogue (domain `$package`): Russian and Tajik go in `ru/LC_MESSAGES/$package.po` and `tg/…` (reentry's `docs/translating.md`) |
| `features/`, `tests/` | a Gherkin feature with its steps, and unit tests, using `reentry_core.testing` |

The plugin imports one module of reentry: `reentry_core.sdk` (`from reentry_core.sdk import
hookimpl, core, InvalidInput, ...`). `tests/test_layers.py` fails if a module of the plugin
imports anything else of `reentry_core`. The hooks and the SDK are documented in reentry's
`docs/plugins.md`.
'''

FILES["$package/locale/$package.pot"] = '''# The messages of the $name plugin (gettext domain "$package"), English source.
# Update it with Babel after changing messages:
#   pybabel extract -k _ -k ngettext:1,2 -o $package/locale/$package.pot $package
# then start or update each language:
#   pybabel init -i $package/locale/$package.pot -d $package/locale -D $package -l ru
#   pybabel update -i $package/locale/$package.pot -d $package/locale -D $package
#   pybabel compile -d $package/locale -D $package
msgid ""
msgstr ""
"Content-Type: text/plain; charset=utf-8\\n"
'''

FILES["$package/__init__.py"] = '''"""$title: a plugin for reentry."""

__version__ = "0.1.0"
'''

FILES["$package/plugin.py"] = '''"""Entry point of the $name plugin (group ``reentry.plugins``).

Imported on every ``reentry`` call: only click and the hook marker at the top; the
rest loads inside the hooks and commands that need it.
"""

from __future__ import annotations

from pathlib import Path

from reentry_core.sdk import hookimpl

from . import __version__  # noqa: F401  (shown by ``reentry plugins list``)


@hookimpl
def register_commands(cli):
    from .cli import group

    cli.add_command(group)


@hookimpl
def register_tables():
    from .tables import TABLES

    return list(TABLES)


@hookimpl
def register_migrations():
    return Path(__file__).parent / "migrations" / "versions"


@hookimpl
def register_permissions(register):
    from reentry_core.sdk import Role

    register("$name.manage", "keep $title notes", [Role.ADMIN, Role.CASE_WORKER, Role.MENTOR])


@hookimpl
def register_services(register):
    from .services import NoteService

    register("$name", NoteService)


@hookimpl
def register_indicators(register):
    from .services import notes_written

    register("$name.notes", "$title notes", "Notes written in the period, about any participant.",
             notes_written, aggregate="count", unit="notes")


@hookimpl(optionalhook=True)
def grant_approved(tx, application):
    """microgrants approved a grant: keep a note of it (optional: loads without microgrants)."""
    from .services import note_grant

    note_grant(tx, application)
'''

FILES["$package/tables.py"] = '''"""The plugin's table, declared on the one shared metadata."""

from __future__ import annotations

import sqlalchemy as sa

from reentry_core.sdk import metadata

note = sa.Table(
    "${name}_note",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("participant_id", sa.ForeignKey("participant.id"), nullable=False, index=True),
    sa.Column("written_on", sa.Date, nullable=False),
    sa.Column("author", sa.String(20), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)

TABLES = (note,)
'''

FILES["$package/migrations/__init__.py"] = ""
FILES["$package/migrations/versions/__init__.py"] = ""
FILES["$package/migrations/versions/${revision}.py"] = '''"""$name: the notes table

Revision ID: $revision
Revises:
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa


revision = '$revision'
down_revision = None
branch_labels = ('$name',)
depends_on = 'c0001'


def upgrade():
    op.create_table('${name}_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('written_on', sa.Date(), nullable=False),
    sa.Column('author', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'],
                            name=op.f('fk_${name}_note_participant_id_participant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_${name}_note'))
    )
    with op.batch_alter_table('${name}_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_${name}_note_participant_id'), ['participant_id'], unique=False)


def downgrade():
    op.drop_table('${name}_note')
'''

FILES["$package/services.py"] = '''"""Notes about participants: the rules, one transaction per action, every change audited."""

from __future__ import annotations

from datetime import date

import attrs
import sqlalchemy as sa

from reentry_core.sdk import InvalidInput, parse_date, participant_id

from .tables import note


@attrs.frozen
class Note:
    participant: str
    written_on: date
    author: str
    text: str
    id: int | None = None


def _write(tx, code: str, text: str, on: date) -> Note:
    text = " ".join((text or "").split())
    if not text:
        raise InvalidInput("note: the text is empty")
    if on > tx.today:
        raise InvalidInput(f"note: the date {on.isoformat()} is in the future")
    pid = participant_id(tx.conn, code)  # NotFound names an unknown code
    new_id = tx.conn.execute(note.insert().values(participant_id=pid, written_on=on, author=tx.actor.code,
                                                  text=text)).inserted_primary_key[0]
    written = Note(code, on, tx.actor.code, text, new_id)
    tx.audit("$name.note", "participant", code, after=written)
    return written


def note_grant(tx, application) -> None:
    """Called inside the transaction that approved a grant (the ``grant_approved`` event)."""
    _write(tx, application.participant, f"grant {application.code} approved: {application.amount_approved} "
           f"{application.currency}", tx.today)


def notes_written(period):
    """The unit records of the ``$name.notes`` indicator: one row per note."""
    return sa.select(note.c.participant_id).where(period.covers(note.c.written_on))


class NoteService:
    """Reached as ``ctx.$name`` in the Python API."""

    def __init__(self, ctx):
        self.ctx = ctx

    def add(self, participant: str, text: str, on: date | str | None = None) -> Note:
        with self.ctx.transaction() as tx:
            tx.require("$name.manage")
            return _write(tx, participant.strip().upper(), text, parse_date(on) if on else tx.today)

    def list(self, participant: str) -> list[Note]:
        self.ctx.require("participants.view")
        code = participant.strip().upper()
        with self.ctx.reading() as conn:
            pid = participant_id(conn, code)
            rows = conn.execute(sa.select(note).where(note.c.participant_id == pid).order_by(note.c.id))
            return [Note(code, r.written_on, r.author, r.text, r.id) for r in rows]
'''

FILES["$package/cli.py"] = '''"""reentry $command: the commands. Each parses its options, calls the service, prints."""

from __future__ import annotations

import click

from reentry_core.sdk import CliState, done, emit_rows, pass_state


@click.group("$command")
def group():
    """$title: notes about participants."""


@group.command("add")
@click.argument("participant")
@click.option("--note", "text", required=True, help="What to note.")
@click.option("--on", metavar="DATE", help="Date of the note (default today).")
@pass_state
def add(state: CliState, participant, text, on):
    """Write a note about PARTICIPANT.

    \\b
    Example:
      reentry --as CW1 $command add DSH-2026-0001 --note "visited the market stall"
    """
    from reentry_core.sdk import unstructure

    note = state.ctx().$name.add(participant, text, on)
    done(f"Noted for {note.participant} (note {note.id}).", state.format, unstructure(note))


@group.command("list")
@click.argument("participant")
@pass_state
def list_(state: CliState, participant):
    """The notes about PARTICIPANT, oldest first.

    \\b
    Example:
      reentry --as CW1 $command list DSH-2026-0001
    """
    from reentry_core.sdk import unstructure

    notes = state.ctx().$name.list(participant)
    emit_rows([unstructure(n) for n in notes], ["id", "written_on", "author", "text"], state.format,
              empty="No notes.")
'''

FILES["features/$name/notes.feature"] = '''Feature: $title notes
  A case worker keeps short notes about a participant. Every note is in the audit trail.

  Background:
    Given the programme has a case worker CW1 at DSH
    And "Зарина Ашурова", female, born 1991-07-04, is registered at DSH as DSH-2026-0001

  Scenario: A case worker writes a note and reads it back
    When the case worker types "reentry --as CW1 $command add DSH-2026-0001 --note 'opened a sewing stall'"
    Then they read "Noted for DSH-2026-0001 (note 1)."
    When the case worker types "reentry --as CW1 $command list DSH-2026-0001"
    Then they see "opened a sewing stall"

  Scenario: An empty note is refused and nothing is written
    When the case worker types "reentry --as CW1 $command add DSH-2026-0001 --note '  '"
    Then the command fails with "note: the text is empty"
    And DSH-2026-0001 has no notes
'''

FILES["tests/conftest.py"] = '''"""reentry's fixtures: a fresh migrated database per test (SQLite, and PostgreSQL when
REENTRY_TEST_DATABASE_URL is set), staff to act as, the CLI bound to the database."""

pytest_plugins = ["reentry_core.testing"]
'''

FILES["tests/test_features.py"] = '''"""The steps of features/$name/*.feature."""

from __future__ import annotations

import shlex

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

pytestmark = pytest.mark.usefixtures("database_url")  # each scenario on every backend

scenarios("$name")


@pytest.fixture
def world():
    return {}


@given(parsers.parse("the programme has a case worker {code} at {centre}"))
def _(staff_as, code, centre):
    staff_as("case_worker", code=code, centre=centre)


@given(parsers.parse('"{name}", {sex}, born {born}, is registered at {centre} as {code}'))
def _(admin, name, sex, born, centre, code):
    person = admin.participants.register(full_name=name, sex=sex, birth_date=born, centre=centre)
    assert person.code == code


@when(parsers.parse('the {who} types "{command}"'))
def _(run_cli, world, who, command):
    args = shlex.split(command)
    assert args[0] == "reentry"
    world["result"] = run_cli(*args[1:])


@then(parsers.parse('they read "{text}"'))
def _(world, text):
    result = world["result"]
    assert result.exit_code == 0, result.output
    assert text in [line.strip() for line in result.output.splitlines()], result.output


@then(parsers.parse('they see "{text}"'))
def _(world, text):
    assert world["result"].exit_code == 0 and text in world["result"].output, world["result"].output


@then(parsers.parse('the command fails with "{text}"'))
def _(world, text):
    result = world["result"]
    assert result.exit_code != 0 and f"Error: {text}" in result.output, result.output


@then(parsers.parse("{code} has no notes"))
def _(admin, code):
    assert admin.$name.list(code) == []
'''

FILES["tests/test_layers.py"] = '''"""The plugin imports only reentry_core.sdk of the core: the contract in pyproject.toml."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_the_plugin_imports_only_the_sdk(capsys):
    pytest.importorskip("importlinter")
    import importlinter.api  # noqa: F401  (configures import-linter)
    from importlinter.application import use_cases

    passed = use_cases.lint_imports(str(Path(__file__).resolve().parents[1] / "pyproject.toml"), no_logo=True,
                                    cache_dir=None)
    assert passed, capsys.readouterr().out
'''

FILES["tests/test_plugin.py"] = '''"""The plugin's own rules, hooks and figures."""

from __future__ import annotations

import pytest

from reentry_core.plugins import load_plugins
from reentry_core.reporting import compute
from reentry_core.sdk import InvalidInput, NotFound, Period, PermissionDenied
from reentry_core.storage import schema


@pytest.fixture
def person(admin):
    return admin.participants.register(full_name="Зарина Ашурова", sex="female", birth_date="1991-07-04",
                                       centre="DSH")


def test_the_plugin_is_loaded_with_its_hooks():
    info = load_plugins().infos["$name"]
    assert info.state == "loaded" and info.error is None
    assert {"register_commands", "register_tables", "register_migrations", "register_permissions",
            "register_indicators", "register_services"} <= set(info.hooks)


def test_its_migration_gives_exactly_the_declared_table(programme):
    assert schema.schema_differences(programme.engine, programme.pm) == []
    assert any(b.label == "$name" and b.up_to_date for b in programme.schema_status().branches)


def test_a_note_is_written_audited_and_counted(admin, staff_as, person, reentry_today):
    worker = staff_as("case_worker")
    note = worker.$name.add(person.code, "  opened   a stall ")
    assert (note.text, note.author, note.written_on) == ("opened a stall", worker.code, reentry_today)
    assert [e.action for e in admin.audit.log(key=person.code)][0] == "$name.note"
    with admin.programme.engine.connect() as conn:
        figures = compute(conn, admin.programme.indicators, "$name.notes", Period(), by=("sex",),
                          today=reentry_today)
    assert figures[("female",)].value == 1


@pytest.mark.parametrize("code, text, error", [("DSH-2026-0001", "", InvalidInput),
                                               ("DSH-2099-0001", "hello", NotFound)])
def test_bad_notes_are_refused(admin, person, code, text, error):
    with pytest.raises(error):
        admin.$name.add(code, text)
    assert admin.$name.list(person.code) == []


def test_only_holders_of_the_permission_write_notes(staff_as, person):
    with pytest.raises(PermissionDenied, match="keep $title notes"):
        staff_as("trainer").$name.add(person.code, "hello")
'''
