"""The Russian and Tajik catalogues of the core and of each built-in plugin are complete:
every message translated, none fuzzy, the same placeholders as the English, each .mo
compiled from its .po (tools/check_catalogues.py names what is wrong)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("babel")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import check_catalogues  # noqa: E402

sys.path.pop(0)


@pytest.mark.parametrize("package", list(check_catalogues.PACKAGES))
@pytest.mark.parametrize("lang", check_catalogues.LANGUAGES)
def test_the_catalogue_is_complete(lang, package):
    assert check_catalogues.problems(lang, package) == []


def test_a_changed_placeholder_is_caught():
    assert check_catalogues.placeholders("{n} of {total} {name!r}") == ["n!:", "name!r:", "total!:"]
    assert check_catalogues.placeholders("{n} из {total} {name!r}") == check_catalogues.placeholders(
        "{n} of {total} {name!r}")
    assert check_catalogues.placeholders("{n} из {всего}") != check_catalogues.placeholders("{n} of {total}")


def test_russian_and_tajik_speak_in_the_cli(tmp_path):
    import subprocess

    env = {"REENTRY_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "PATH": "/usr/bin:/bin"}
    for lang, words in (("ru", ("Использование:", "Участники")), ("tg", ("Истифода:", "Иштирокчиён"))):
        out = subprocess.run([sys.executable, "-m", "reentry_core", "--lang", lang, "--help"], capture_output=True,
                             text=True, env=env).stdout
        assert all(word in out for word in words), (lang, out[:400])
