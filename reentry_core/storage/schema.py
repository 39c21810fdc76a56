"""The database schema through Alembic: one environment, a branch per plugin.

``upgrade`` brings any database to all heads; ``status`` says where a database stands;
``ensure_current`` stops a command whose database is behind the code.
"""

from __future__ import annotations

import os
from pathlib import Path

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ..errors import DatabaseError, PluginError, SchemaBehind
from ..i18n import _
from .engine import display_url, writing
from .tables import metadata

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
#: The core revision every plugin branch depends on (``depends_on="c0001"``).
PLUGIN_BASE = "c0001"


@attrs.frozen
class BranchStatus:
    label: str
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


@attrs.frozen
class SchemaStatus:
    branches: tuple[BranchStatus, ...]
    empty: bool  # no tables at all: a brand-new database

    @property
    def up_to_date(self) -> bool:
        return all(b.up_to_date for b in self.branches)

    @property
    def behind(self) -> list[BranchStatus]:
        return [b for b in self.branches if not b.up_to_date]


def full_metadata(pm) -> sa.MetaData:
    """The shared metadata after every loaded plugin has declared its tables."""
    for tables in pm.hook.register_tables():
        for table in tables or ():
            if table.metadata is not metadata:
                raise PluginError(
                    _("table {name!r} is not declared on reentry_core.storage.metadata").format(name=table.name)
                )
    return metadata


def version_locations(pm) -> list[str]:
    locations = []
    for plugin, folder in pm.relay.register_migrations():
        folder = Path(folder)
        if not folder.is_dir():
            raise PluginError(
                _("plugin {name!r}: migrations folder {folder} does not exist").format(name=plugin, folder=folder)
            )
        locations.append(str(folder))
    return locations


def alembic_config(pm, connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", os.pathsep.join(version_locations(pm)))
    cfg.attributes["connection"] = connection
    cfg.attributes["metadata"] = full_metadata(pm)
    return cfg


def _script(pm):
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(pm))


def status(engine: Engine, pm) -> SchemaStatus:
    """Each branch's current revision against its head."""
    from alembic.runtime.migration import MigrationContext

    script = _script(pm)
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
        empty = not sa.inspect(conn).get_table_names()
    # A plugin revision with ``depends_on="c0001"`` stops c0001 being one of Alembic's
    # "heads", and once applied alembic_version holds only the plugin's revision. So: each
    # branch label's own head, and everything applied including what the current
    # revisions depend on.
    labels = {label for rev in script.walk_revisions() for label in rev.branch_labels or ()}
    heads = {script.get_revision(f"{label}@head") for label in labels}
    heads |= {rev for rev in script.get_revisions("heads") if not rev.branch_labels}
    known = {rev for rev in current if _known(script, rev)}
    applied = {r.revision for rev in known for r in script.iterate_revisions(rev, "base")}
    if current - known:
        # revisions of plugins not loaded now (disabled): every plugin branch depends on the
        # core's first revision (docs/plugins.md), so at least that much of the core is there
        applied |= {r.revision for r in script.iterate_revisions(PLUGIN_BASE, "base")}
    branches = []
    for head in sorted(heads, key=lambda r: _label(r)):
        label = _label(head)
        ours = (lambda r: _label(r) == label) if head.branch_labels else (lambda r: not r.branch_labels)
        lineage = script.iterate_revisions(head.revision, "base")  # newest first
        here = next((r.revision for r in lineage if ours(r) and r.revision in applied), None)
        branches.append(BranchStatus(label, here, head.revision))
    return SchemaStatus(tuple(branches), empty)


def _known(script, revision: str) -> bool:
    """Whether ``revision`` is in a loaded plugin's (or the core's) migrations."""
    from alembic.script.revision import ResolutionError
    from alembic.util import CommandError

    try:
        return script.get_revision(revision) is not None
    except (ResolutionError, CommandError):
        return False


def _label(revision) -> str:
    """The branch label (``core``, ``microgrants`` …); Alembic gives it to every revision
    of the branch."""
    labels = sorted(revision.branch_labels or ())
    return labels[0] if labels else revision.revision


def upgrade(engine: Engine, pm) -> None:
    """Bring the database to the head of every branch, in one transaction."""
    from alembic import command

    unknown = unknown_revisions(engine, pm)
    if unknown:
        raise DatabaseError(_(
            "the database {url} has migrations of plugins that are not loaded ({revisions}); load them "
            "(see reentry plugins list and REENTRY_DISABLE_PLUGINS) to upgrade").format(
            url=display_url(engine.url), revisions=", ".join(sorted(unknown))))
    with writing(engine) as conn:
        command.upgrade(alembic_config(pm, conn), "heads")


def unknown_revisions(engine: Engine, pm) -> set[str]:
    """Revisions in ``alembic_version`` that no loaded migrations know (a disabled plugin's)."""
    current = current_revisions(engine) or set()
    if not current:
        return set()
    script = _script(pm)
    return {rev for rev in current if not _known(script, rev)}


def declared_heads(pm) -> set[str] | None:
    """The head revision of every branch, read from the version files without importing
    Alembic (which costs ~150 ms on every command). ``None`` if a file is not plain enough
    to read this way; the caller then asks Alembic."""
    import ast

    revisions: set[str] = set()
    parents: set[str] = set()
    for folder in version_locations(pm):
        for path in Path(folder).glob("*.py"):
            if path.name == "__init__.py":
                continue
            values = {}
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    if node.targets[0].id in {"revision", "down_revision", "depends_on"}:
                        try:
                            values[node.targets[0].id] = ast.literal_eval(node.value)
                        except ValueError:
                            return None
            if not isinstance(values.get("revision"), str):
                return None
            revisions.add(values["revision"])
            for key in ("down_revision", "depends_on"):
                # a revision another one depends on is not a head in alembic_version either
                earlier = values.get(key)
                parents.update([earlier] if isinstance(earlier, str) else (earlier or ()))
    return revisions - parents


def current_revisions(engine: Engine) -> set[str] | None:
    """The revisions recorded in ``alembic_version``; ``None`` if there is no such table."""
    try:
        with engine.connect() as conn:
            return set(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())
    except sa.exc.DBAPIError:
        return None


def ensure_current(engine: Engine, pm) -> None:
    """Create the schema of a brand-new database; refuse one that is behind."""
    heads = declared_heads(pm)
    if heads is not None and heads == current_revisions(engine):
        return  # the common case, decided without importing Alembic
    state = status(engine, pm)
    if state.up_to_date:
        return
    if state.empty:
        upgrade(engine, pm)
        return
    behind = ", ".join(f"{b.label} ({b.current or 'none'} → {b.head})" for b in state.behind)
    raise SchemaBehind(
        _("the database {url} is behind this version of reentry ({behind}); run: reentry db upgrade").format(
            url=display_url(engine.url), behind=behind
        )
    )


def schema_differences(engine: Engine, pm) -> list:
    """What the migrated database lacks or has beyond the declared tables (should be [])."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, full_metadata(pm))

