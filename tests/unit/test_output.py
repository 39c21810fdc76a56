"""Printing results: every decimal in plain notation, whatever its exponent."""

from __future__ import annotations

import json
from decimal import Decimal

from click.testing import CliRunner
import click

from reentry_core.cli.output import emit_record, emit_rows, plain


def test_plain_never_prints_an_exponent():
    assert plain(Decimal("2760").normalize()) == "2760"  # str() would give '2.76E+3'
    assert plain(Decimal("75.00")) == "75.00" and plain(Decimal("1E-7")) == "0.0000001"
    assert plain(Decimal("-0.50")) == "-0.50"


def _printed(fmt, record):
    @click.command()
    def show():
        emit_record(record, fmt)
        emit_rows([record], list(record), fmt)

    return CliRunner().invoke(show).output


def test_json_csv_and_tables_print_a_round_average_in_plain_notation():
    record = {"average": Decimal("2760").normalize(), "tiny": Decimal("1E-7"), "nested": [Decimal("1E+2")]}
    out = _printed("json", record)
    first = json.loads(out[:out.index("}") + 1])
    assert first == {"average": "2760", "tiny": "0.0000001", "nested": ["100"]}
    assert "E+" not in out and "E-" not in out
    for fmt in ("csv", "table"):
        assert "2760" in _printed(fmt, record) and "E+" not in _printed(fmt, record)
