"""The README's role-by-role tour really runs on the demo database, line by line."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from reentry_core.cli import build_cli
from reentry_core.demo import run
from reentry_core.services import open_programme

README = Path(__file__).resolve().parents[2] / "README.md"


def tour_lines() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- tour -->\s*```sh\n(.*?)```\s*<!-- /tour -->", text, re.S).group(1)
    return [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_the_tour_is_there():
    lines = tour_lines()
    assert len(lines) >= 15 and all(line.startswith("reentry --as ") for line in lines)
    roles = {shlex.split(line)[2] for line in lines}
    assert {"DSH-CW1", "DSH-TR1", "COM1", "FIN1", "DSH-MN1", "ME1"} <= roles


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory, plugin_manager):
    url = f"sqlite:///{tmp_path_factory.mktemp('readme') / 'demo.db'}"
    with open_programme(url, plugins=plugin_manager) as programme:
        run(programme, "small", seed=1)  # what `reentry demo` builds
    return url


@pytest.mark.parametrize("line", tour_lines())
def test_each_line_of_the_tour_runs_on_the_demo(demo_url, plugin_manager, line, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(build_cli(plugin_manager), ["--db", demo_url, *shlex.split(line)[1:]],
                                catch_exceptions=False)
    assert result.exit_code == 0, f"$ {line}\n{result.output}"
    assert "Error" not in result.output


def test_the_mentors_visit_in_the_tour_is_what_lets_finance_pay_the_tranche_it_names(demo_url, plugin_manager,
                                                                                   tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    lines = tour_lines()
    visit = next(line for line in lines if " mentoring visit " in line)
    ready = next(line for line in lines if "tranches --ready" in line)
    named = re.search(r"second tranche of (\S+) go", README.read_text(encoding="utf-8")).group(1)

    def run_line(line):
        result = CliRunner().invoke(build_cli(plugin_manager), ["--db", demo_url, *shlex.split(line)[1:]],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    run_line(visit)
    assert named in run_line(ready)
