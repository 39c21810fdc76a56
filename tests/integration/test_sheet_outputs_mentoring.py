"""Mentoring's outputs follow the formula-safe rule (see ``test_sheet_outputs``): the visit
sheet (CSV and XLSX) with a participant's name, and the visits listed as CSV with what the
mentor wrote, each read back inert when the text starts like a formula.

A name typed today cannot start like a formula (names are letters), but the sheet writes
whatever name is stored, so the test stores one as it is, tab and CR included."""

from __future__ import annotations

from datetime import date

import pytest

from reentry_core.sheets import TRIGGERS
from reentry_core.storage import tables as core
from tests.integration.mentoring_support import (  # noqa: F401  (fixtures)
    add_mentor, clock, grants, grants_pm, programme, register, run_cli,
)
from tests.integration.test_sheet_outputs import RAW, STORED, inert_cells


def _followed(admin, grants, clock, name: str) -> str:
    """A participant named ``name`` whose follow-up by MN1 started on 10 June."""
    add_mentor(admin, "MN1", "Фарида Каримова", "female")
    code = register(admin, name, "female")
    clock.move_to(date(2026, 5, 4))
    app = grants.approve(admin, code, code="G-2026-001")
    admin.mentoring.assign(code, "MN1")
    clock.move_to(date(2026, 6, 10))
    grants.release(admin, app, 1, date(2026, 6, 10))
    clock.move_to(date(2026, 7, 1))
    return code


def _visit_sheet(suffix):
    def output(programme, admin, grants, clock, run_cli, tmp_path, value):
        code = _followed(admin, grants, clock, "Мадина Сафарова")
        with programme.engine.begin() as conn:
            conn.execute(core.participant.update().where(core.participant.c.code == code).values(full_name=value))
        path = tmp_path / f"visits{suffix}"
        assert programme.act_as("MN1").mentoring.visit_sheet(path) == 1
        return path
    output.__name__ = f"visit_sheet_{suffix[1:]}"
    return output


def visits_format_csv(programme, admin, grants, clock, run_cli, tmp_path, value):
    code = _followed(admin, grants, clock, "Мадина Сафарова")
    programme.act_as("MN1").mentoring.log_visit(code, mode="phone", business_status="operating", discussed=value,
                                                advice=value, next_steps=value)
    result = run_cli("--as", "MN1", "--format", "csv", "mentoring", "visits", code)
    assert result.exit_code == 0, result.output
    return result.stdout


#: (output, the values it can carry): notes typed in are normalised (no leading tab or CR)
OUTPUTS = [(_visit_sheet(".csv"), RAW), (_visit_sheet(".xlsx"), RAW), (visits_format_csv, STORED)]
CASES = [pytest.param(output, value, id=f"{output.__name__}-{TRIGGERS.index(value[0])}")
         for output, values in OUTPUTS for value in values]


@pytest.mark.parametrize(("output", "value"), CASES)
def test_mentoring_outputs_write_formula_like_text_as_an_inert_cell(programme, admin, grants, clock, run_cli,
                                                                    tmp_path, output, value):
    made = output(programme, admin, grants, clock, run_cli, tmp_path, value)
    assert inert_cells(made, value), f"{value!r} is not in the output"

