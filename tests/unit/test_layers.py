"""The layers, as import-linter checks them (``[tool.importlinter]`` in pyproject.toml).

- plugins import nothing of the core but ``reentry_core.sdk`` (what the SDK imports is its
  own business: indirect imports are allowed);
- the core imports no plugin;
- no import cycles among the modules of the core or of a plugin.

The contracts in pyproject.toml name the built-in plugins; this test adds the proof plugin
(tests/proof_plugin, a plugin written as an outsider would) whether or not it is installed,
so the first CI pass checks it too.
"""

from __future__ import annotations

import copy
import sys
import textwrap
from pathlib import Path

import pytest

importlinter = pytest.importorskip("importlinter")

import importlinter.api  # noqa: E402,F401  (configures import-linter: readers, graph builder)
from importlinter.application import output, use_cases  # noqa: E402
from importlinter.application.user_options import UserOptions  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PROOF = ROOT / "tests" / "proof_plugin"
PROOF_PACKAGE = "reentry_savings_groups"


def configured() -> UserOptions:
    """The contracts of pyproject.toml."""
    return use_cases.read_user_options(str(ROOT / "pyproject.toml"))


def contract(options: UserOptions, contract_id: str) -> dict:
    return next(found for found in options.contracts_options if found["id"] == contract_id)


def with_plugin(options: UserOptions, package: str) -> UserOptions:
    """The same contracts, with ``package`` checked as one more plugin."""
    options = copy.deepcopy(options)
    options.session_options["root_packages"] = [*options.session_options["root_packages"], package]
    sdk = contract(options, "plugins-use-sdk")
    sdk["source_modules"] = [*sdk["source_modules"], package]
    sdk["ignore_imports"] = [*sdk["ignore_imports"], f"{package}.** -> reentry_core.sdk"]
    no_plugin = contract(options, "core-knows-no-plugin")
    no_plugin["forbidden_modules"] = [*no_plugin["forbidden_modules"], package]
    cycles = contract(options, "no-cycles")
    cycles["ancestors"] = [*cycles["ancestors"], package]
    return options


def broken(options: UserOptions) -> dict[str, str]:
    """Contract name → import-linter's own account of why it is broken (empty: all kept)."""
    use_cases._register_built_in_contract_types()
    report = use_cases.create_report(options, cache_dir=None)
    assert not report.could_not_run, "import-linter could not run the contracts (see the options)"
    found = {}
    for one, check in report.get_contracts_and_checks():
        if not check.kept:
            with output.console.capture() as captured:
                one.render_broken_contract(check)
            found[one.name] = captured.get()
    return found


@pytest.fixture
def on_path(monkeypatch):
    """Put a folder first on ``sys.path`` (import-linter finds packages there)."""

    def put(folder: Path) -> None:
        monkeypatch.syspath_prepend(str(folder))

    return put


def test_the_core_and_every_plugin_keep_the_layers(on_path):
    on_path(PROOF)  # found there even when the proof plugin is not installed
    problems = broken(with_plugin(configured(), PROOF_PACKAGE))
    assert not problems, "\n".join(f"{name}:\n{why}" for name, why in problems.items())


def test_a_plugin_importing_core_tables_is_caught(tmp_path, on_path):
    package = tmp_path / "reentry_layer_probe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "fine.py").write_text("from reentry_core.sdk import core, hookimpl\n")
    (package / "store.py").write_text(textwrap.dedent("""\
        from reentry_core.storage import tables as t


        def centres(conn):
            return conn.execute(t.centre.select()).all()
        """))
    (package / "plugin.py").write_text("from reentry_core import hookimpl\n")
    on_path(tmp_path)
    sys.modules.pop("reentry_layer_probe", None)

    problems = broken(with_plugin(configured(), "reentry_layer_probe"))

    assert set(problems) == {contract(configured(), "plugins-use-sdk")["name"]}
    why = problems[contract(configured(), "plugins-use-sdk")["name"]]
    assert "reentry_layer_probe.store -> reentry_core.storage.tables" in why
    assert "reentry_layer_probe.plugin -> reentry_core" in why  # the core's root package is no door either
    assert "reentry_layer_probe.fine" not in why


def test_a_cycle_in_a_plugin_is_caught(tmp_path, on_path):
    package = tmp_path / "reentry_cycle_probe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from . import b\n")
    (package / "b.py").write_text("from . import a\n")
    on_path(tmp_path)

    problems = broken(with_plugin(configured(), "reentry_cycle_probe"))

    assert set(problems) == {contract(configured(), "no-cycles")["name"]}
    assert "reentry_cycle_probe" in problems[contract(configured(), "no-cycles")["name"]]


def test_the_contracts_cover_every_built_in_plugin():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    plugins = {name for name in project["tool"]["setuptools"]["package-dir"] if name != "reentry_core"}
    options = configured()
    assert set(options.session_options["root_packages"]) == {"reentry_core", *plugins}
    assert set(contract(options, "plugins-use-sdk")["source_modules"]) == plugins
    assert contract(options, "plugins-use-sdk")["forbidden_modules"] == ["reentry_core"]
    assert str(contract(options, "plugins-use-sdk")["allow_indirect_imports"]).lower() == "true"
    assert set(contract(options, "core-knows-no-plugin")["forbidden_modules"]) == plugins
    assert set(contract(options, "no-cycles")["ancestors"]) == {"reentry_core", *plugins}
