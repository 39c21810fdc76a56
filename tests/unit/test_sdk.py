"""reentry_core.sdk: every name it offers exists, is told in its docstring and in
docs/plugins.md, and loads lazily (a plugin's entry module stays as light as pluggy)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import reentry_core.sdk as sdk
from reentry_core.errors import NotFound

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


def test_every_name_exists():
    missing = [name for name in sdk.__all__ if getattr(sdk, name, None) is None]
    assert missing == []


def test_an_unknown_name_is_refused_with_the_list():
    with pytest.raises(AttributeError, match="reentry_core.sdk has no 'tables'"):
        sdk.tables  # noqa: B018


@pytest.mark.parametrize("where", ["docstring", "docs/plugins.md"])
def test_every_name_is_told(where):
    text = sdk.__doc__ if where == "docstring" else DOCS.read_text(encoding="utf-8")
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    assert [name for name in sdk.__all__ if name not in words] == []


def test_importing_the_sdk_loads_nothing_heavy():
    code = ("import sys, reentry_core.sdk; from reentry_core.sdk import hookimpl; "
            "print(sorted(m for m in ('sqlalchemy', 'attrs', 'cattrs', 'openpyxl') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_centres_are_looked_up_by_code(programme_with):
    from reentry_core.testing import set_up

    programme = programme_with()
    set_up(programme)
    with programme.reading() as conn:
        assert sdk.centre(conn, " dsh ").city == "Dushanbe"
        assert sdk.centre_id(conn, "KHJ") == programme.centre_id(conn, "KHJ")
        with pytest.raises(NotFound, match=r"centre 'XXX' does not exist \(known: DSH, KHJ\)"):
            sdk.centre_id(conn, "xxx")
