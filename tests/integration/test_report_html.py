"""The programme report as one self-contained HTML file: every chart drawn, nothing wider
than A4, nothing fetched, and no hidden value anywhere in its source."""

from __future__ import annotations

import os
import re
import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from reentry_core.reporting import Period
from reentry_core.services import reports as report_service
from reentry_core.services.report_html import render
from reentry_core.services.reports import build_report

CHROMIUM = os.environ.get("REENTRY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
A4_WIDTH_PX = 794  # 210 mm at 96 dpi
CHARTS = {"funnel", "survival", "visits", "rounds", "score"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The small demo programme (every plugin has data), built once for the module."""
    from reentry_core import open_programme
    from reentry_core.demo import run

    url = f"sqlite:///{tmp_path_factory.mktemp('html') / 'demo.db'}"
    with open_programme(url) as programme:
        run(programme, "small", seed=3)
    return url


def report_of(url: str, by=("sex", "centre")):
    from reentry_core import open_programme

    with open_programme(url) as programme, programme.reading() as conn:
        return build_report(conn, programme, Period(), None, by, 5, "ME1")


@pytest.fixture(scope="module")
def demo_html(demo, tmp_path_factory) -> Path:
    report, _build = report_of(demo)
    path = tmp_path_factory.mktemp("html-out") / "report.html"
    path.write_text(render(report), encoding="utf-8")
    return path


def test_the_html_has_every_section_chart_and_definition(demo, demo_html):
    report, _build = report_of(demo)
    html = demo_html.read_text(encoding="utf-8")
    assert set(re.findall(r'<figure data-chart="(\w+)"', html)) == CHARTS
    for section in report.sections:
        assert f"<h2>{section.title}</h2>" in html
    assert "Definitions" in html and "People registered in the period" in html
    assert re.search(r"<dd>\d{4}-\d\d-\d\d \(the first registration\) – \d{4}-\d\d-\d\d</dd>", html)
    # text stays text in the charts (searchable, translatable), and the ids are fixed
    assert "<text" in html and "<script" not in html.lower()
    assert html == render(report_of(demo)[0])


def test_nothing_in_the_file_points_outside_it(demo_html):
    html = demo_html.read_text(encoding="utf-8")
    lowered = html.lower()
    for needle in ("<script", "<link", "<img", "<iframe", "@import", "src=", "href=\"http"):
        assert needle not in lowered, needle
    assert all(ref.startswith("url(#") for ref in re.findall(r"url\([^)]*\)", lowered))  # the SVG's own clip paths
    # the only addresses are the SVG namespaces (names, never fetched)
    addresses = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    assert addresses <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, addresses


def _perturbed_protect(original):
    """``_Builder.protect``, then every hidden cell's true value changed: what is rendered
    must not change with it."""
    def protect(self):
        original(self)
        for name, key in self.hidden:
            grid = self.grids[name]
            value = grid.values.get(key, 0)
            grid.values[key] = value + (Decimal("7919.13") if isinstance(value, Decimal) else 7919)
    return protect


def test_the_html_does_not_depend_on_any_hidden_value(demo, monkeypatch):
    """The strongest form of "no hidden value in the source": change every hidden cell's
    true value after the protection has decided, and the file is the same, byte for byte
    (tables, charts' geometry and text, captions, embedded data alike)."""
    report, build = report_of(demo)
    assert len(build.hidden) > 50  # the demo has plenty hidden
    before = render(report)
    monkeypatch.setattr(report_service._Builder, "protect",
                        _perturbed_protect(report_service._Builder.protect))
    changed, changed_build = report_of(demo)
    assert changed_build.hidden == build.hidden
    assert any(changed_build.grids[n].values.get(k) != build.grids[n].values.get(k) for n, k in build.hidden)
    assert render(changed) == before


@pytest.fixture
def distinctive(admin):
    """Counts that are easy to look for: DSH 23 women and 37 men, KHJ 2 women and 29 men.
    The 2 women at KHJ are a small count; 23, 37 and 29 are hidden to protect them."""
    import itertools

    numbers = itertools.count(1)
    for centre, women, men in (("DSH", 23, 37), ("KHJ", 2, 29)):
        for sex, n in (("female", women), ("male", men)):
            for _i in range(n):
                born = date(1990, 1, 1) + timedelta(days=next(numbers))  # one age band, no two alike
                admin.participants.register(full_name="Karimova Zarina", sex=sex, birth_date=born.isoformat(),
                                            centre=centre)
    return {("female", "DSH"): 23, ("male", "DSH"): 37, ("male", "KHJ"): 29, ("female", "KHJ"): 2}


def test_no_hidden_value_appears_anywhere_in_the_source(distinctive, programme, tmp_path, run_cli, staff_as):
    staff_as("me_officer", code="ME1")
    with programme.reading() as conn:
        report, build = build_report(conn, programme, Period(), None, ("sex", "centre"), 5, "ME1")
    grid = build.grids["participants.registered"]
    hidden = {key: grid.value(key) for (name, key) in build.hidden if name == "participants.registered"}
    assert {(k[0], k[2]): v for k, v in hidden.items() if k[1] is None} == distinctive
    out = tmp_path / "report.html"
    assert run_cli("--as", "ME1", "report", "programme", "--by", "sex,centre", "--out", str(out)).exit_code == 0
    html = out.read_text(encoding="utf-8")
    # every hidden value the protection computed, of every grid, looked for as a number
    # anywhere in the source: text, attributes, the charts' geometry and embedded data
    values = {value for (name, key) in build.hidden
              if (value := build.grids[name].value(key)) and Decimal(value) >= 10}
    assert {23, 37, 29} <= values
    for value in values:
        found = re.findall(rf"(?<![\w.\-:]){re.escape(str(value))}(?![\w.%\-:])", html)
        assert not found, f"hidden value {value} appears in the HTML"
    # the published cells are there, and the hidden ones by their marks
    assert ">60</td>" in html and ">31</td>" in html and ">&lt;5</td>" in html


# --- in a browser ------------------------------------------------------------------------------


def _chromium():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (.ci/run installs Debian's chromium)")
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    return playwright


def _open(playwright, p, url: str, requests: list):
    browser = p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
                                args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": A4_WIDTH_PX, "height": 1123})
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return browser, page


def test_in_chromium_every_chart_is_drawn_and_nothing_is_wider_than_a4(demo_html, tmp_path):
    playwright = _chromium()
    with playwright.sync_playwright() as p:
        browser, page = _open(playwright, p, demo_html.resolve().as_uri(), [])
        try:
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            charts = page.evaluate("""() => [...document.querySelectorAll('figure[data-chart]')].map(f => {
                const svg = f.querySelector('svg'); const box = svg ? svg.getBoundingClientRect() : null;
                return [f.dataset.chart, box ? box.width : 0, box ? box.height : 0]; })""")
            assert {name for name, _w, _h in charts} == CHARTS
            assert all(width > 300 and height > 100 for _n, width, height in charts), charts
            widest = page.evaluate("""() => Math.max(document.documentElement.scrollWidth,
                ...[...document.querySelectorAll('body *')].map(e => e.getBoundingClientRect().right))""")
            assert widest <= A4_WIDTH_PX, f"something is {widest}px wide, wider than A4 ({A4_WIDTH_PX}px)"
            assert page.pdf(format="A4").startswith(b"%PDF")  # prints to A4
        finally:
            browser.close()


def test_in_chromium_the_file_makes_no_network_request(demo_html):
    playwright = _chromium()
    url = demo_html.resolve().as_uri()
    requests: list[str] = []
    with playwright.sync_playwright() as p:
        browser, page = _open(playwright, p, url, requests)
        try:
            page.pdf(format="A4")  # printing fetches nothing either
        finally:
            browser.close()
    assert requests == [url], f"the report fetched more than itself: {requests}"
