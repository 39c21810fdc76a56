"""The pages in a real headless Chromium on a phone's screen (360×740): each role's main
task done by tapping through the pages, a screenshot kept in the test's folder, and
nothing wider than the screen. Debian's ``chromium`` is driven by Playwright for Python
(``executable_path``: no browser download); skipped, saying why, without them."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time

import pytest

from .conftest import PASSWORD

CHROMIUM = os.environ.get("REENTRY_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine (apt-get install chromium)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(web_app):
    """The web workspace under uvicorn, in a thread, on a free loopback port."""
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(web_app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def phone(browser, server, tmp_path):
    """A 360×740 phone signed in as ``code``: ``phone("DSH-MN1")`` → a Playwright page."""
    contexts = []

    def open_as(code: str):
        context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1,
                                      is_mobile=True, has_touch=True, java_script_enabled=False)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{server}/signin")
        page.get_by_label("Staff code").fill(code)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        assert page.locator(".who").inner_text() == code
        return page

    yield open_as
    for context in contexts:
        context.close()


def fits(page) -> None:
    """Nothing on the page is wider than the screen."""
    page.wait_for_load_state("load")
    page.wait_for_function("document.documentElement !== null && document.readyState === 'complete'")
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, f"{page.url}: {width}px wide on a {inner}px screen"


def shot(page, tmp_path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000


def test_a_mentor_logs_a_visit_on_a_phone(phone, tmp_path, web_programme):
    page = phone("DSH-MN1")
    page.get_by_role("link", name="Visits due").first.click()
    fits(page)
    page.locator("a[href='/mentoring/visit/DSH-2026-0020']").first.click()
    fits(page)
    page.get_by_label("On site").check()
    page.get_by_label("Operating").check()
    page.get_by_label("Yes, I saw the grant's equipment").check()
    page.get_by_label("Monthly revenue (TJS)").fill("6500")
    page.get_by_label("Monthly costs (TJS)").fill("4100")
    page.get_by_label("What was discussed").fill("winter orders")
    shot(page, tmp_path, "mentor-visit-form")
    page.get_by_role("button", name="Save the visit").click()
    page.wait_for_load_state()
    assert "Logged visit" in page.locator(".flash").inner_text()
    fits(page)
    shot(page, tmp_path, "mentor-visit-logged")
    assert web_programme.act_as("DSH-MN1").mentoring.visits("DSH-2026-0020")[-1].discussed == "winter orders"


def test_a_committee_member_reads_an_application_and_votes(phone, tmp_path, web_programme):
    page = phone("COM3")
    page.get_by_role("link", name="Committee agenda").first.click()
    page.locator("a[href='/grants/agenda?round=R2026Q3']").first.click()
    fits(page)
    page.locator("a[href^='/grants/application/']").first.click()
    fits(page)
    code = page.url.rsplit("/", 1)[1]
    assert page.get_by_text("Budget lines").is_visible()
    page.get_by_label("Approve").check()
    page.get_by_label("Replace my earlier vote (the change is audited)").check()
    shot(page, tmp_path, "committee-application")
    page.get_by_role("button", name="Cast my vote").click()
    page.wait_for_load_state()
    assert "COM3 votes approve" in page.locator(".flash").inner_text()
    fits(page)
    shot(page, tmp_path, "committee-voted")
    assert [v.choice.value for v in web_programme.act_as("COM3").grants.votes(code) if v.member == "COM3"] == [
        "approve"]


def test_a_trainer_scores_a_plan(phone, tmp_path, web_programme):
    plans = web_programme.act_as("DSH-TR1").plans
    with_plan = {p.participant for p in plans.list(cohort="DSH-2607-01")}
    free = next(p.participant for p in plans.completion("DSH-2607-01") if p.participant not in with_plan)
    code = plans.add_plan(free, "DSH-2607-01", submit=True, title="Sewing workshop", sector="sewing",
                          costs=["Sewing machine:2:3000"], own_contribution="500", requested_funding="5500",
                          monthly_revenue="4000", monthly_costs="2500").code
    page = phone("DSH-TR1")
    page.get_by_role("link", name="Training cohorts").first.click()
    page.locator("a[href='/plans/cohort/DSH-2607-01']").first.click()
    fits(page)
    page.locator(f"a[href='/plans/plan/{code}/score']").click()
    fits(page)
    for criterion in plans.rubric_to_score(code).criteria:
        page.locator(f"input[name='value-{criterion.key}'][value='4']").check()
    page.get_by_label("Overall comment").fill("a clear, costed plan")
    shot(page, tmp_path, "trainer-score-form")
    page.get_by_role("button", name="Save the score sheet").click()
    page.wait_for_load_state()
    assert f"DSH-TR1 scored {code} v1" in page.locator(".flash").inner_text()
    fits(page)
    shot(page, tmp_path, "trainer-scored")


def test_a_finance_officer_records_a_tranche(phone, tmp_path, web_programme):
    web_programme.act_as("DSH-MN1").mentoring.log_visit("DSH-2026-0020", mode="on_site",
                                                         business_status="operating", equipment_seen=True)
    page = phone("FIN1")
    page.get_by_role("link", name="Tranches to release").first.click()
    fits(page)
    page.locator("a[href='/grants/tranche/R2026Q3-006']").click()
    fits(page)
    page.get_by_label("Bank transfer").check()
    page.get_by_label("Payment reference").fill("TR-2026-118")
    shot(page, tmp_path, "finance-tranche-form")
    page.get_by_role("button", name="Record the tranche").click()
    page.wait_for_load_state()
    assert "Tranche 2 of R2026Q3-006" in page.locator(".flash").inner_text()
    fits(page)
    shot(page, tmp_path, "finance-recorded")


@pytest.mark.parametrize("code", ["ADM", "DSH-CW1", "DSH-TR1", "COM1", "FIN1", "DSH-MN1", "ME1"])
def test_every_page_a_role_opens_fits_a_phone(phone, server, code, tmp_path):
    from .test_pages import PAGES

    page = phone(code)
    opened = 0
    for path in PAGES:
        if path.endswith("tally-sheet"):
            continue  # a download, not a page
        response = page.goto(f"{server}{path}")
        if response.status != 200:
            continue
        opened += 1
        fits(page)
    assert opened >= 3
    shot(page, tmp_path, f"last-page-{code}")
