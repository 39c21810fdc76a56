"""Every message goes through one translation function, and --lang picks the catalogue."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

babel = pytest.importorskip("babel")


def _msgids(data: bytes) -> set[str]:
    from io import BytesIO

    from babel.messages.pofile import read_po

    return {m.id for m in read_po(BytesIO(data)) if m.id}


def test_catalogue_template_is_up_to_date():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import extract_messages
    finally:
        sys.path.pop(0)
    fresh = _msgids(extract_messages.render(extract_messages.build_catalog()))
    committed = _msgids(extract_messages.POT.read_bytes())
    assert fresh - committed == set(), "run: python tools/extract_messages.py"
    assert committed - fresh == set(), "run: python tools/extract_messages.py"


def _compile(tmp_path: Path, lang: str, translations: dict[str, str]) -> Path:
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    catalog = Catalog(locale="ru")
    for source, target in translations.items():
        catalog.add(source, target)
    folder = tmp_path / "locale" / lang / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "reentry.mo", "wb") as handle:
        write_mo(handle, catalog)
    return tmp_path / "locale"


def test_lang_option_picks_the_catalogue(tmp_path, monkeypatch):
    locale_dir = _compile(tmp_path, "ru", {
        "Error: {message}": "Ошибка: {message}",
        "staff code {code!r}: no such staff member": "нет сотрудника с кодом {code!r}",
        "The database: schema upgrades, where it is, backups.": "База данных: обновления схемы, резервные копии.",
    })
    env = {"REENTRY_LOCALE_DIR": str(locale_dir), "REENTRY_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
           "PATH": "/usr/bin:/bin"}
    run = lambda *args, **kw: subprocess.run([sys.executable, "-m", "reentry_core", *args], capture_output=True,  # noqa: E731
                                             text=True, env={**env, **kw.get("extra", {})})
    result = run("--lang", "ru", "--as", "NOBODY", "centres", "list")
    assert result.returncode != 0
    assert "Ошибка: нет сотрудника с кодом 'NOBODY'" in result.stderr
    assert "База данных: обновления схемы" in run("--lang", "ru", "--help").stdout
    # REENTRY_LANG does the same; English stays the default
    assert "Ошибка" in run("--as", "NOBODY", "centres", "list", extra={"REENTRY_LANG": "ru"}).stderr
    assert "Error: staff code 'NOBODY'" in run("--as", "NOBODY", "centres", "list").stderr
