"""Exit means exit for a grant (issue 14, point 3): the unpaid tranches of someone who left
are held, finance's worklist says why, nothing pays them; readmission releases them."""

from __future__ import annotations

import pytest

from reentry_core.errors import Conflict, RowErrors
from tests.grants_support import (  # noqa: F401  (fixtures)
    ROUND, desk, fakes, grants_pm, line, programme, run_cli,
)


def test_a_grant_of_someone_who_left_is_held_until_they_are_readmitted(desk, tmp_path):
    code = desk.approved(0, "8000")
    person = desk.people[0]
    finance = desk.grants("FO1")
    assert [(d.application, d.ready) for d in finance.due_tranches()] == [(code, True)]
    desk.programme.act_as("CW1").participants.exit(person, "deceased")
    (held,) = finance.due_tranches()
    assert not held.ready and held.waiting == (
        f"held: {person} left the programme on 2026-11-23 (deceased); readmitting them releases it")
    assert finance.ready_tranches() == []
    with pytest.raises(Conflict, match=f"{code} is held: {person} left the programme on 2026-11-23"):
        finance.disburse(code)
    sheet = tmp_path / "run.csv"
    sheet.write_text(f"application,amount\n{code},4800\n", encoding="utf-8")
    with pytest.raises(RowErrors) as refused:
        finance.record_payments(sheet)
    assert "held:" in refused.value.problems[0]
    desk.programme.act_as("CW1").participants.readmit(person, "recorded by mistake")
    assert finance.disburse(code).amount == 4800


def test_the_worklist_says_held_in_the_cli(desk, run_cli):
    code = desk.approved(0, "8000")
    desk.programme.act_as("CW1").participants.exit(desk.people[0], "withdrew")
    result = run_cli("--as", "FO1", "--format", "csv", "grants", "tranches", "--due")
    assert result.exit_code == 0 and code in result.output and "held:" in result.output
