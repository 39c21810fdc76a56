"""Every sheet business_plans writes (the plans sheet, the score sheet, the calibration
sheet, in CSV and XLSX, and its lists as ``--format csv``) writes formula-like text as an
inert cell: a participant's name, a plan's title or a trainer's comment starting with
``= + - @`` is read back as text, never run as a formula."""

from __future__ import annotations

import attrs
import pytest

from reentry_core.sheets import TRIGGERS

from tests.integration.test_business_plans import GOOD, world  # noqa: F401  (world is a fixture)
from tests.integration.test_sheet_outputs import STORED, inert_cells


def _plan(world, value: str, n: int = 0, cohort: str = "DSH-26A"):
    return world.act("TR1").add_plan(world.codes[n], cohort, submit=True, title=value, sector="sewing",
                                     costs=["Sewing machine:1:1800"], own_contribution="0",
                                     requested_funding="1800", monthly_revenue="900", monthly_costs="300",
                                     summary=value)


def plansheet(world, run_cli, tmp_path, value, suffix, monkeypatch):
    """A name cannot hold ``= + - @`` today (letters, spaces, hyphens, apostrophes), so the
    completions the plans sheet lists are given one that does: were the name rules ever
    loosened, the sheet would still be safe."""
    import reentry_business_plans.store as store

    real = store.completions
    monkeypatch.setattr(store, "completions", lambda *args: [
        attrs.evolve(c, full_name=value, present=c.held) for c in real(*args)])
    world.act("TR1").attend("DSH-26A", 1, present=world.codes[:3])
    world.act("TR1").plansheet("DSH-26A", tmp_path / f"plans.{suffix}")
    return tmp_path / f"plans.{suffix}", value


def scoresheet(world, run_cli, tmp_path, value, suffix, monkeypatch):
    _plan(world, value)
    world.act("TR2").score("DSH-26A-P001", GOOD, comment=value)  # the earlier comment is written back
    world.act("TR2").scoresheet("DSH-26A", tmp_path / f"scores.{suffix}")
    return tmp_path / f"scores.{suffix}", value


def calibration_sheet(world, run_cli, tmp_path, value, suffix, monkeypatch):
    """The round's plans are earlier plans: their titles and summaries carry the text."""
    tr1 = world.act("TR1")
    tr1.add_cohort("DSH-26S", "DSH", "Spring 2026", "2026-03-02", "2026-05-29", ["TR1", "TR2"])
    tr1.enrol("DSH-26S", world.codes[:2])
    for n in range(2):
        plan = _plan(world, value, n, "DSH-26S")
        for trainer in ("TR1", "TR2"):
            world.act(trainer).score(plan.code, GOOD)
    tr1.new_calibration("DSH-26A", ["DSH-26S-P001", "DSH-26S-P002"])
    world.act("TR3").calibration_sheet("DSH-26A-CAL1", tmp_path / f"cal.{suffix}")
    return tmp_path / f"cal.{suffix}", value


def plans_list_csv(world, run_cli, tmp_path, value, suffix, monkeypatch):
    _plan(world, value)
    result = run_cli("--as", "TR1", "--format", "csv", "plans", "list", "--cohort", "DSH-26A")
    assert result.exit_code == 0, result.output
    return result.stdout, value


OUTPUTS = [(plansheet, ("csv", "xlsx")), (scoresheet, ("csv", "xlsx")), (calibration_sheet, ("csv", "xlsx")),
           (plans_list_csv, ("csv",))]
CASES = [pytest.param(output, suffix, value, id=f"{output.__name__}-{suffix}-{TRIGGERS.index(value[0])}")
         for output, suffixes in OUTPUTS for suffix in suffixes for value in STORED]


@pytest.mark.parametrize(("output", "suffix", "value"), CASES)
def test_every_business_plans_sheet_writes_formula_like_text_as_an_inert_cell(world, run_cli, tmp_path, monkeypatch,
                                                                                 output, suffix, value):
    made, text = output(world, run_cli, tmp_path, value, suffix, monkeypatch)
    assert inert_cells(made, text), f"{text!r} is not in the output"
