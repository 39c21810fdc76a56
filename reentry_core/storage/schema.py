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

from ..errors import PluginError, SchemaBehind
from ..i18n import _
from .engine import display_url
from .tables import metadata

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


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
    for impl in pm.hook.register_migrations.get_hookimpls():
        folder = impl.function()
        if folder is None:
            continue
        folder = Path(folder)
        if not folder.is_dir():
            raise PluginError(
                _("plugin {name!r}: migrations folder {folder} does not exist").format(
                    name=impl.plugin_name, folder=folder
                )
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
    branches = []
    for head in sorted(script.get_revisions("heads"), key=lambda r: _label(r)):
        lineage = {r.revision for r in script.iterate_revisions(head.revision, "base")}
        here = next((rev for rev in current if rev in lineage), None)
        branches.append(BranchStatus(_label(head), here, head.revision))
    return SchemaStatus(tuple(branches), empty)


def _label(revision) -> str:
    """The branch label (``core``, ``microgrants`` …); Alembic gives it to every revision
    of the branch."""
    labels = sorted(revision.branch_labels or ())
    return labels[0] if labels else revision.revision


def upgrade(engine: Engine, pm) -> None:
    """Bring the database to the head of every branch, in one transaction."""
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(alembic_config(pm, conn), "heads")


def ensure_current(engine: Engine, pm) -> None:
    """Create the schema of a brand-new database; refuse one that is behind."""
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

