"""A donor's logframe: the framework file, the periods, actual against target with the
report's protection, and the files it is written to."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from reentry_core import logframe
from reentry_core.errors import InvalidInput, NotFound
from reentry_core.services.logframe_report import logframe as fill_in

SMALL = """
[framework]
donor = "EU"
title = "Test"

[[outcome]]
code = "OC1"
title = "Reached"

  [[outcome.indicator]]
  code = "OC1.1"
  title = "Women registered"
  indicator = "participants.registered"
  sex = "female"
  baseline = 0
  verification = "Register"
  targets = { "2026-Q4" = 10, "2026-Q3" = 8 }

  [[outcome.indicator]]
  code = "OC1.2"
  title = "People registered"
  indicator = "participants.registered"
  cumulative = true
  targets = { "2026-Q4" = 26.5 }

  [[outcome.indicator]]
  code = "OC1.3"
  title = "Share of women"
  indicator = "participants.registered"
  sex = "female"
  share = true
  targets = { "2026-Q4" = 30 }
"""


@pytest.mark.parametrize("label, first, last", [
    ("2026", date(2026, 1, 1), date(2026, 12, 31)), ("2026-H2", date(2026, 7, 1), date(2026, 12, 31)),
    ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)), ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ("2026-01-15/2026-02-14", date(2026, 1, 15), date(2026, 2, 14))])
def test_a_target_period_is_a_year_half_quarter_month_or_two_days(label, first, last):
    assert logframe.period_of(label) == (first, last)


def test_the_previous_period_has_the_same_length():
    assert logframe.previous_period(date(2026, 1, 1), date(2026, 3, 31)) == (date(2025, 10, 1), date(2025, 12, 31))
    assert logframe.previous_period(date(2026, 1, 1), date(2026, 12, 31)) == (date(2025, 1, 1), date(2025, 12, 31))
    assert logframe.previous_period(date(2026, 1, 15), date(2026, 2, 14)) == (date(2025, 12, 15), date(2026, 1, 14))


def test_the_shipped_frameworks_name_only_declared_indicators(programme):
    assert {"eu", "bmz"} <= set(logframe.shipped())
    keys = {indicator.key for indicator in programme.indicators}
    for name in ("eu", "bmz"):
        framework = logframe.load(name)
        assert framework.donor == name.upper()
        assert {i.indicator for i in framework.indicators()} <= keys
        assert all(isinstance(t.value, Decimal) for i in framework.indicators() for t in i.targets)
    eu = logframe.load("eu")
    trained = next(i for i in eu.indicators() if i.indicator == "plans.training_completed")
    assert trained.cumulative and trained.target(date(2027, 1, 1), date(2027, 12, 31)).value == 3735


@pytest.mark.parametrize("text, problem", [
    ("[framework]\ndonor = 'EU'\n", "title is missing"),
    ("[framework]\ndonor='EU'\ntitle='T'\n", "has no outcome or output"),
    ("[framework]\ndonor='EU'\ntitle='T'\n[[output]]\ncode='A'\ntitle='a'\n[[output.indicator]]\ncode='A1'\n"
     "title='x'\nindicator='participants.registered'\ntargets={'2026-Q5'=1}\n", "'2026-Q5' is not a period"),
    ("[framework]\ndonor='EU'\ntitle='T'\n[[output]]\ncode='A'\ntitle='a'\n[[output.indicator]]\ncode='A1'\n"
     "title='x'\nindicator='participants.registered'\nsex='women'\n", "sex must be one of female, male"),
    ("[framework]\ndonor='EU'\ntitle='T'\n[[output]]\ncode='A'\ntitle='a'\n[[output.indicator]]\ncode='A1'\n"
     "title='x'\nindicator='participants.registered'\ntargets={'2026'='many'}\n", "must be a number"),
    ("not toml = = 1", "not valid TOML"),
])
def test_a_wrong_framework_is_refused_naming_the_place(text, problem):
    with pytest.raises(InvalidInput, match=problem):
        logframe.parse(text, "eu.toml")


def test_an_unknown_framework_file_is_named(tmp_path):
    with pytest.raises(NotFound, match="give a .toml file or one of: bmz, eu"):
        logframe.load(tmp_path / "missing.toml")


@pytest.fixture
def few_women(admin, staff_as):
    """3 women and 20 men at DSH: the women are a small count."""
    from datetime import timedelta

    for sex, n in (("female", 3), ("male", 20)):
        for i in range(n):
            admin.participants.register(full_name="Saidova Manija" if sex == "female" else "Saidov Umed", sex=sex,
                                        birth_date=(date(1990, 1, 1) + timedelta(days=i)).isoformat(), centre="DSH")
    return staff_as("me_officer", code="ME1")


def test_actual_against_target_with_the_report_protection(few_women, tmp_path):
    report = fill_in(few_women, logframe.parse(SMALL, "small.toml"), start="2026-10-01", end="2026-12-31")
    assert (report.previous.start, report.previous.end) == (date(2026, 7, 1), date(2026, 9, 30))
    lines = {line.code: line for line in report.lines}
    women = lines["OC1.1"]
    # 3 women: a small count, hidden, and the % of target with it (it would give it away)
    assert women.actual.hidden and women.actual.value is None and women.actual.suppressed == "small"
    assert women.achieved.hidden and women.achieved.value is None
    assert (women.target, women.previous_target) == (Decimal(10), Decimal(8))
    everyone = lines["OC1.2"]
    assert everyone.actual.value == 23 and everyone.achieved.value == Decimal(23) / Decimal("26.5")
    assert lines["OC1.3"].actual.hidden  # a share made of a hidden count
    from reentry_core.services.logframe_report import text_lines
    from reentry_core.services.report_files import write_logframe

    printed = dict((cells[0], cells) for _level, cells in text_lines(report))
    assert printed["OC1.1"][6:8] == ["<5", "<5"]
    assert printed["OC1.2"][5:8] == ["26.5", "23", "86.8%"] or printed["OC1.2"][5:8] == ["27", "23", "86.8%"]
    # the files: JSON without the hidden value, a workbook of numbers, self-contained HTML
    data = json.loads(write_logframe(report, tmp_path / "lf.json").read_text(encoding="utf-8"))
    oc11 = next(line for line in data["lines"] if line["code"] == "OC1.1")
    assert oc11["actual"]["value"] is None and oc11["actual"]["shown"] == "<5" and oc11["target"] == "10"
    from openpyxl import load_workbook

    sheet = load_workbook(write_logframe(report, tmp_path / "lf.xlsx"))["Logframe"]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "OC1.2")
    assert row[5:8] == (26.5, 23, pytest.approx(23 / 26.5))
    html = write_logframe(report, tmp_path / "lf.html").read_text(encoding="utf-8")
    assert 'data-chart="logframe"' in html and "<script" not in html and ">&lt;5</td>" in html


def test_a_logframe_needs_both_ends_of_its_period(few_women):
    with pytest.raises(InvalidInput, match="a logframe is for a stated period"):
        fill_in(few_women, "eu", start="2026-01-01")
