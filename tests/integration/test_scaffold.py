"""``reentry plugins new``: the generated plugin project installs, passes its own tests
(on the same backends as ours) and shows up in ``reentry plugins list``."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from reentry_core.errors import Conflict, InvalidInput
from reentry_core.scaffold import create


@pytest.fixture(scope="module")
def installed_plugin(tmp_path_factory):
    """The generated project, installed into a folder of its own (the test environment
    stays as it is: no fourth plugin leaks into the other tests)."""
    base = tmp_path_factory.mktemp("scaffold")
    root = create("savings_groups", base)
    target = base / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
                           str(root)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), os.environ.get("PYTHONPATH", "")])}
    return root, env


def test_the_generated_plugin_passes_its_own_tests(installed_plugin):
    root, env = installed_plugin
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    expected = 16 if os.environ.get("REENTRY_TEST_DATABASE_URL") else 9  # one backend or two
    assert f"{expected} passed" in done.stdout, done.stdout


def test_reentry_lists_the_generated_plugin_with_its_hooks(installed_plugin):
    _root, env = installed_plugin
    done = subprocess.run([sys.executable, "-m", "reentry_core", "--format", "json", "plugins", "list"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    import json

    plugin = next(p for p in json.loads(done.stdout) if p["name"] == "savings_groups")
    assert plugin["state"] == "loaded" and plugin["error"] is None
    assert {"grant_approved", "register_commands", "register_indicators", "register_migrations",
            "register_permissions", "register_services", "register_tables"} <= set(plugin["hooks"])
    helped = subprocess.run([sys.executable, "-m", "reentry_core", "savings-groups", "add", "--help"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert "reentry --as CW1 savings-groups add DSH-2026-0001" in helped.stdout


def test_names_and_folders_are_checked(tmp_path):
    with pytest.raises(InvalidInput, match="use 2 to 30 lower-case letters"):
        create("Savings Groups!", tmp_path)
    with pytest.raises(InvalidInput, match="reserved"):
        create("core", tmp_path)
    with pytest.raises(InvalidInput, match="does not exist"):
        create("savings", tmp_path / "missing")
    create("savings", tmp_path)
    with pytest.raises(Conflict, match="already exists"):
        create("savings", tmp_path)


def test_the_cli_creates_the_project_and_says_what_next(run_cli, tmp_path):
    result = run_cli("plugins", "new", "job_placement", "--dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    root = tmp_path / "reentry-job-placement"
    assert f"Created {root}" in result.output and 'pip install -e ".[test]"' in result.output
    assert (root / "reentry_job_placement" / "migrations" / "versions" / "job_placement_0001.py").is_file()
    from babel.messages.pofile import read_po

    with open(root / "reentry_job_placement" / "locale" / "reentry_job_placement.pot", "rb") as pot:
        assert read_po(pot).header_comment  # an empty catalogue of its own, ready for ru and tg
    again = run_cli("plugins", "new", "job_placement", "--dir", str(tmp_path))
    assert again.exit_code == 8 and "already exists" in again.output


def test_the_generated_plugin_imports_only_the_sdk_and_its_contract_says_so(tmp_path, monkeypatch):
    from tests.unit.test_layers import broken, use_cases

    root = create("job_notes", tmp_path)
    monkeypatch.syspath_prepend(str(root))
    options = use_cases.read_user_options(str(root / "pyproject.toml"))
    assert broken(options) == {}
    (root / "reentry_job_notes" / "sneaky.py").write_text("from reentry_core.storage import tables\n")
    problems = broken(options)
    assert list(problems) == ["reentry_job_notes imports only reentry_core.sdk of the core"]
    assert "reentry_job_notes.sneaky -> reentry_core.storage.tables" in problems[
        "reentry_job_notes imports only reentry_core.sdk of the core"]
