"""Issue 16: Russian and Tajik wherever a person reads.

``--help`` of every command in Russian and in Tajik holds no English word but codes (a
choice's values, a command's name, a sheet's column keys), the literal values of examples
and names; every column a read command prints has its heading in both languages; a table
shows a choice's value, a number and a date in the reader's words."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from reentry_core import i18n
from reentry_core.cli import build_cli
from tests.integration.test_data_protection import demo, read_commands  # noqa: F401  (the fixture)

ROOT = Path(__file__).resolve().parents[2]
BUILT_IN = ("reentry_core", "reentry_business_plans", "reentry_microgrants", "reentry_mentoring")
#: Names and literals help may hold in any language: products, formats, the statistics' authors.
NAMES = {"reentry", "SQLite", "PostgreSQL", "Alembic", "Gherkin", "csv", "json", "xlsx", "en", "ru", "tg", "uz",
         "Shrout", "Fleiss", "Koo", "Li", "Krippendorff", "Alpha", "alpha", "Rahimov", "small", "national", "seed",
         "yes", "no", "microgrants", "mentoring", "db", "backup", "scores", "calibration", "loaded", "disabled",
         "failed", "cash", "verified", "phone", "video",
         "mark", "autumn", "eu", "bmz"}  # a register's column key; an example's title, quoted over two lines
WORD = re.compile(r"[A-Za-z][A-Za-z']*[A-Za-z]")  # one letter (x, c: a legend's marks) is no word
LITERALS = (
    re.compile(r"--?[a-z][\w-]*(/--?[\w-]+)?"),  # options
    re.compile(r"\S*_\S*"),  # codes with underscores (on_site, released_on)
    re.compile(r"\[[^\]]*\|[^\]]*\]"),  # [a|b|c]
    re.compile(r"\b[A-Z][A-Z0-9_]+\b"),  # metavars and codes (CODE, DSH)
    re.compile(r"\S*\d\S*"),  # anything with a digit (DSH-2026-0001, R2026Q1)
    re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`"),  # quoted examples
    re.compile(r"\S*[;:=/.@]\S*[A-Za-z]\S*"),  # paths, dotted actions, key=value
)


def _tool():
    spec = importlib.util.spec_from_file_location("extract_messages", ROOT / "tools" / "extract_messages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def codes() -> set[str]:
    """Every word of a choice's value or of a column key the built-in packages declare."""
    tool = _tool()
    found = set()
    for package in BUILT_IN:
        for words in tool.words_of(package).values():
            found.update(w for word in words for w in word.split())
    return found


@pytest.fixture
def speaking(monkeypatch):
    def speak(lang: str):
        monkeypatch.setenv("REENTRY_LANG", lang)
        i18n.set_language(lang)
    yield speak
    i18n.set_language("en")


#: Walks every command's --help in a fresh process: option help is translated when the
#: modules that declare it are imported, after the language is known (as ``reentry`` does).
HELPS = """
import json, sys
from click.testing import CliRunner
from reentry_core.i18n import set_language
set_language(sys.argv[1])
from reentry_core.cli.click_words import speak
speak()
from reentry_core.cli import build_cli
from reentry_core.plugins import load_plugins
cli = build_cli(load_plugins(disabled={"savings_groups"}))
found = []
def walk(command, path):
    result = CliRunner(env={"COLUMNS": "120"}).invoke(cli, [*path, "--help"])
    found.append([path, result.exit_code, result.output])
    for name, sub in getattr(command, "commands", {}).items():
        walk(sub, [*path, name])
walk(cli, [])
print(json.dumps(found))
"""


def helps(lang: str) -> list[tuple[list[str], str]]:
    """``(command path, help text)`` of every command, the built-in plugins' included."""
    import subprocess
    import sys

    import os

    done = subprocess.run([sys.executable, "-c", HELPS, lang], capture_output=True, text=True, check=True,
                          env={**os.environ, "REENTRY_LANG": lang})
    found = json.loads(done.stdout)
    assert all(code == 0 for _path, code, _text in found), [path for path, code, _text in found if code]
    return [(path, text) for path, _code, text in found]


def english_words(text: str, allowed: set[str], names: set[str]) -> set[str]:
    found = set()
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(("reentry ", "\\")) or line.startswith("    ") or " cli " in stripped[:30]:
            continue  # an example, or the usage line
        first = stripped.split(" ")[0]
        if first in names:  # a command in a group's list
            stripped = stripped[len(first):]
        for literal in LITERALS:
            stripped = literal.sub(" ", stripped)
        found.update(w for w in WORD.findall(stripped) if w not in allowed and w.lower() not in allowed)
    return found


@pytest.mark.parametrize("lang", ["ru", "tg"])
def test_help_in_russian_and_tajik_has_no_english_but_codes_examples_and_names(codes, lang):
    found = helps(lang)
    commands = {name for path, _text in found for name in path}
    commands |= {part for name in commands for part in name.split("-")}  # set-password, import-visits
    leaks = {}
    for path, text in found:
        words = english_words(text, codes | NAMES | commands, commands)
        if words:
            leaks[" ".join(path) or "reentry"] = sorted(words)
    assert leaks == {}


def test_every_column_a_read_command_prints_has_its_heading_in_each_language(demo):  # noqa: F811
    from babel.messages.mofile import read_mo  # noqa: F401  (babel reads the compiled catalogues below)
    from babel.messages.pofile import read_po

    headings = set()
    runner = CliRunner(env={"COLUMNS": "4000", "REENTRY_LANG": "en"})
    for args in read_commands(demo):
        result = runner.invoke(build_cli(), ["--db", demo["url"], "--as", "ADM", "--format", "json", *args])
        if result.exit_code == 0 and result.stdout.strip():
            data = json.loads(result.stdout)
            for record in data if isinstance(data, list) else [data]:
                if isinstance(record, dict):
                    headings.update(key.replace("_", " ") for key in record)
    for lang in ("ru", "tg"):
        known = set()
        for po in list((ROOT / "reentry_core" / "locale").glob(f"{lang}/LC_MESSAGES/*.po")) + list(
                (ROOT / "plugins").glob(f"*/locale/{lang}/LC_MESSAGES/*.po")):
            with open(po, "rb") as f:
                known.update(m.id for m in read_po(f) if m.context == "column" and m.string and not m.fuzzy)
        assert sorted(headings - known) == [], lang


def test_a_table_in_tajik_shows_words_numbers_and_dates_as_people_write_them(demo, speaking):  # noqa: F811
    speaking("tg")
    result = CliRunner(env={"COLUMNS": "4000", "REENTRY_LANG": "tg"}).invoke(
        build_cli(), ["--db", demo["url"], "--as", "ADM", "participants", "show", demo["probe"]])
    assert result.exit_code == 0, result.output
    assert "санаи таваллуд" in result.output  # the heading "birth date"
    assert re.search(r"\b\d\d\.\d\d\.\d{4}\b", result.output)  # a date as 04.12.2026
    assert not re.search(r"\b\d{4}-\d\d-\d\d\b", result.output)


def test_a_sheet_written_in_tajik_has_tajik_headings_and_is_read_back_in_english(tmp_path):
    """A mentor's visit sheet printed in Tajik is filled in and imported by a colleague
    whose reentry speaks English: the headings of any language are read."""
    import csv

    from reentry_core.demo import run
    from reentry_core.services import FixedClock, open_programme

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    prog = open_programme(url)
    try:
        run(prog, "small", seed=3)
        today = prog.clock.today()
        with prog.engine.connect() as conn:
            mentor = conn.exec_driver_sql(
                "SELECT s.code FROM mn_due_visit d JOIN mn_schedule c ON c.id = d.schedule_id "
                "JOIN mn_assignment a ON a.participant_id = c.participant_id AND a.ended_on IS NULL "
                "JOIN staff s ON s.id = a.mentor_id WHERE d.visit_id IS NULL ORDER BY d.window_start LIMIT 1").scalar()
    finally:
        prog.close()

    def reentry(lang: str, *args: str):
        return CliRunner(env={"REENTRY_LANG": lang, "COLUMNS": "200"}).invoke(
            build_cli(clock=FixedClock(today)), ["--db", url, "--as", mentor, *args])

    sheet = tmp_path / "visits.csv"
    written = reentry("tg", "mentoring", "visitsheet", "--within", "400", "-o", str(sheet))
    assert written.exit_code == 0, written.output
    rows = list(csv.reader(sheet.open(encoding="utf-8-sig")))
    header, first = rows[0], rows[1]
    assert {"иштирокчӣ", "санаи ташриф", "вазъи тиҷорат"} <= set(header)
    first[header.index("санаи ташриф")] = today.isoformat()
    first[header.index("шакл")] = "on_site"
    first[header.index("вазъи тиҷорат")] = "operating"
    with sheet.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, first])
    imported = reentry("en", "mentoring", "import-visits", str(sheet))
    assert imported.exit_code == 0, imported.output
    assert "1 visit logged" in imported.output


def test_every_message_is_said_where_the_extractor_finds_it():
    """Babel does not look inside f-strings: a ``_()`` there never reaches a catalogue and
    stays English for everybody (the HTML report's "At a glance" did)."""
    import ast

    hidden = []
    for folder in [ROOT / "reentry_core", *(ROOT / "plugins").iterdir()]:
        for path in folder.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.JoinedStr):
                    hidden += [f"{path.relative_to(ROOT)}:{inner.lineno}" for inner in ast.walk(node)
                               if isinstance(inner, ast.Call)
                               and getattr(inner.func, "id", None) in ("_", "ngettext", "pgettext")]
    assert hidden == []


def _visible_text(html: str) -> str:
    """What a reader of an HTML file sees: the text of every element, the charts' included
    (their labels are SVG text), not the styles."""
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts, self.styling = [], False

        def handle_starttag(self, tag, attrs):
            self.styling = tag == "style"

        def handle_endtag(self, tag):
            self.styling = False

        def handle_data(self, data):
            if not self.styling:
                self.parts.append(data)

    reader = Text()
    reader.feed(html)
    return "\n".join(reader.parts)


@pytest.mark.parametrize("lang", ["ru", "tg"])
def test_the_programme_report_in_russian_and_tajik_has_every_label_translated(demo, speaking, tmp_path,  # noqa: F811
                                                                                lang):
    """The table, the workbook (every sheet's name and every text cell) and the HTML file
    (its charts' labels included) hold no English word but names: no indicator, section,
    dimension, choice (``legal``, ``female``) or unit left in English; numbers, months and
    the period written as the reader writes them."""
    from openpyxl import load_workbook

    from reentry_core.plugins import load_plugins

    speaking(lang)
    cli = build_cli(load_plugins(disabled={"savings_groups"}))  # a third party's words are its own
    runner = CliRunner(env={"COLUMNS": "250", "REENTRY_LANG": lang})

    def report(*args: str) -> str:
        result = runner.invoke(cli, ["--db", demo["url"], "--lang", lang, "--as", "ME1", "report", "programme", *args])
        assert result.exit_code == 0, result.output
        return result.output

    allowed = NAMES | {"Spearman"}
    table = report("--by", "sex,age_band")
    assert english_words(table, allowed, set()) == set()
    assert re.search(r"\d\d\.\d\d\.\d{4} \(.+\) – \d\d\.\d\d\.\d{4}", table)  # the period
    assert re.search(r"\d,\d %", table) and not re.search(r"\d\.\d{1,2}(?![\d.])", table)  # 92,6 %, not 92.6

    report("--by", "sex,centre", "--out", str(tmp_path / "report.xlsx"))
    book = load_workbook(tmp_path / "report.xlsx", read_only=True)
    texts = [sheet.title for sheet in book.worksheets]
    for sheet in book.worksheets:
        texts += [value for row in sheet.iter_rows(values_only=True) for value in row if isinstance(value, str)]
    assert english_words("\n".join(texts), allowed, set()) == set()

    report("--out", str(tmp_path / "report.html"))
    html = _visible_text((tmp_path / "report.html").read_text(encoding="utf-8"))
    assert "<svg" not in html and english_words(html, allowed, set()) == set()
