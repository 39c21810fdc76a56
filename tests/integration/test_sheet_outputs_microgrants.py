"""The sheets microgrants writes (the agenda's tally sheet, finance's payment sheet, each as
CSV and XLSX) write a formula-like text as an inert cell.

A participant's name is the text an outsider types into these sheets; the core refuses
``= + @ |`` in a name, so the test hands the writer items whose name starts with each
trigger, as it is (tab and CR too), the way a name from an older or imported record would
come."""

from __future__ import annotations

import attrs
import pytest

from reentry_core.sheets import TRIGGERS
from reentry_microgrants.meetings import MeetingsMixin
from reentry_microgrants.payments import PaymentsMixin
from tests.grants_support import desk, fakes, grants_pm, programme  # noqa: F401  (fixtures)
from tests.integration.test_sheet_outputs import RAW, inert_cells


def _named(monkeypatch, cls, method: str, value: str) -> None:
    """Every item ``method`` returns carries ``value`` as its name."""
    real = getattr(cls, method)

    def named(self, *args, **kwargs):
        return [attrs.evolve(item, name=value) for item in real(self, *args, **kwargs)]

    monkeypatch.setattr(cls, method, named)


def tally_sheet(desk, monkeypatch, tmp_path, value, suffix):
    desk.apply(0, "6000")
    _named(monkeypatch, MeetingsMixin, "agenda", value)
    out = tmp_path / f"agenda.{suffix}"
    assert desk.admin.grants.write_tally_sheet("R2026", out) == 4
    return out


def payment_sheet(desk, monkeypatch, tmp_path, value, suffix):
    desk.approved(0, "6000")
    _named(monkeypatch, PaymentsMixin, "ready_tranches", value)
    out = tmp_path / f"payments.{suffix}"
    assert desk.grants("FO1").write_payment_sheet(out) == 1
    return out


OUTPUTS = [(tally_sheet, "csv"), (tally_sheet, "xlsx"), (payment_sheet, "csv"), (payment_sheet, "xlsx")]


@pytest.mark.parametrize(("output", "suffix", "value"), [
    pytest.param(output, suffix, value, id=f"{output.__name__}-{suffix}-{TRIGGERS.index(value[0])}")
    for output, suffix in OUTPUTS for value in RAW])
def test_microgrants_sheets_write_formula_like_text_as_an_inert_cell(desk, monkeypatch, tmp_path, output, suffix,
                                                                      value):
    made = output(desk, monkeypatch, tmp_path, value, suffix)
    assert inert_cells(made, value), f"{value!r} is not in the output"
