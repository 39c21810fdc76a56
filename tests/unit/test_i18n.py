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


def _extractor():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import extract_messages
    finally:
        sys.path.pop(0)
    return extract_messages


def test_each_package_owns_an_up_to_date_catalogue_template():
    """The core and each built-in plugin: their own domain, their own messages."""
    extract_messages = _extractor()
    for package, catalog in extract_messages.build_catalogs().items():
        fresh = _msgids(extract_messages.render(catalog))
        committed = _msgids(extract_messages.template_path(package).read_bytes())
        assert fresh - committed == set(), f"{package}: run python tools/extract_messages.py"
        assert committed - fresh == set(), f"{package}: run python tools/extract_messages.py"
    core = _msgids(extract_messages.template_path("reentry_core").read_bytes())
    mentoring = _msgids(extract_messages.template_path("reentry_mentoring").read_bytes())
    assert "Error: {message}" in core and "Error: {message}" not in mentoring
    assert "Mentor matching, follow-up visits, risks and outcomes." in mentoring
    assert "Mentor matching, follow-up visits, risks and outcomes." not in core


def _compile(tmp_path: Path, lang: str, translations: dict[str, str], domain: str = "reentry") -> Path:
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    catalog = Catalog(locale="ru")
    for source, target in translations.items():
        catalog.add(source, target)
    folder = tmp_path / "locale" / lang / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{domain}.mo", "wb") as handle:
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


def test_a_language_without_a_catalogue_is_refused_naming_those_there_are(tmp_path):
    env = {"REENTRY_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "PATH": "/usr/bin:/bin"}
    for args, extra in ((["--lang", "xx", "--help"], {}), (["--help"], {"REENTRY_LANG": "de"})):
        result = subprocess.run([sys.executable, "-m", "reentry_core", *args], capture_output=True, text=True,
                                env={**env, **extra})
        assert result.returncode == 2
        from reentry_core.i18n import available_languages

        assert result.stderr.strip().splitlines()[-1].endswith(f"available: {', '.join(available_languages())}")
    # the system's language without a catalogue: English, without a word
    result = subprocess.run([sys.executable, "-m", "reentry_core", "--help"], capture_output=True, text=True,
                            env={**env, "LANG": "de_DE.UTF-8"})
    assert result.returncode == 0 and "Usage: reentry" in result.stdout


def test_the_system_language_a_plugin_catalogue_and_the_root_examples(tmp_path):
    """LANG=ru_RU picks Russian when there is a catalogue; a plugin's own domain is looked
    in after the core's; the root's examples are translated too (they were made before
    the language was known)."""
    from reentry_core.cli import examples

    locale_dir = _compile(tmp_path, "ru", {"Error: {message}": "Ошибка: {message}",
                                           examples(): "Примеры: reentry --as ADM participants list"})
    _compile(tmp_path, "ru", {"Mentor matching, follow-up visits, risks and outcomes.":
                              "Подбор наставников, визиты сопровождения, риски и итоги."}, domain="reentry_mentoring")
    env = {"REENTRY_LOCALE_DIR": str(locale_dir), "REENTRY_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
           "PATH": "/usr/bin:/bin", "LANG": "ru_RU.UTF-8"}
    result = subprocess.run([sys.executable, "-m", "reentry_core", "--help"], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert "Примеры: reentry --as ADM participants list" in result.stdout
    assert "--lang LANG" in result.stdout and "en, ru" in " ".join(result.stdout.split("--lang", 1)[1].split()[:12])
    help_of = subprocess.run([sys.executable, "-m", "reentry_core", "mentoring", "--help"], capture_output=True,
                             text=True, env=env).stdout
    assert "Подбор наставников, визиты сопровождения" in help_of
