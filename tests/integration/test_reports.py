"""The programme report: figures by sex, age band and centre, small counts hidden in every
form (table, JSON, CSV, XLSX), and showing them only for an admin, audited."""

from __future__ import annotations

import csv
import re
import itertools
import json

import pytest

from reentry_core.errors import InvalidInput, NotFound, PermissionDenied
from reentry_core.services.reports import ReportCell

FIRST = ["Зарина", "Мадина", "Нигина", "Ситора", "Гулноза", "Фарангис", "Шабнам", "Манижа", "Тахмина", "Дилором"]
MALE_FIRST = ["Ҷамшед", "Фирдавс", "Сорбон", "Умед", "Алишер", "Бахтиёр", "Дилшод", "Фаррух", "Ҳамид", "Қодир"]
SURNAMES = ["Раҳимов", "Назаров", "Саидов", "Каримов", "Давлатов", "Шарипов"]


def names(sex: str):
    firsts = FIRST if sex == "female" else MALE_FIRST
    ending = "а" if sex == "female" else ""
    for first, surname in itertools.product(firsts, SURNAMES):
        yield f"{surname}{ending} {first}"


@pytest.fixture
def programme_data(admin, case_worker):
    """DSH: 12 women, 9 men; KHJ: 2 women, 8 men. Referrals: 3 legal (DSH men), 6 psychological."""
    made = {}
    people = {("DSH", "female"): 12, ("DSH", "male"): 9, ("KHJ", "female"): 2, ("KHJ", "male"): 8}
    pools = {"female": names("female"), "male": names("male")}
    for (centre, sex), n in people.items():
        for _i in range(n):
            p = admin.participants.register(full_name=next(pools[sex]), sex=sex, birth_date="1990-05-05",
                                                  centre=centre)
            admin.participants.record_consent(p.code)
            made.setdefault((centre, sex), []).append(p.code)
    for code in made[("DSH", "male")][:3]:
        admin.referrals.add(code, "legal", "Legal aid centre", "documents")
    for code in made[("DSH", "female")][:6]:
        admin.referrals.add(code, "psychological", "Dr. Sharipova", "sleep")
    return made


@pytest.fixture
def me_officer(staff_as):
    return staff_as("me_officer", code="ME1")


def cell(report, key, by, category=None):
    for section in report.sections:
        for row in section.rows:
            if row.key == key and row.category == category:
                return row.cells[by]
    raise KeyError(key)


def test_figures_by_sex_and_centre_with_small_counts_hidden_and_why(programme_data, me_officer):
    report = me_officer.reports.programme(by="sex,centre")
    assert report.levels == (("female", "male"), ("DSH", "KHJ"))
    registered = lambda key: cell(report, "participants.registered", key)  # noqa: E731
    # the 2 KHJ women are a small count; the service never hands out its value
    assert registered(("female", "KHJ")) == ReportCell(None, "small")
    # the women's total (14) and the KHJ total (10) would give them away: the other cell
    # of each is hidden too, as "x" (hidden to protect another), and then men at DSH
    assert {key: registered(key).suppressed for key in [("female", "DSH"), ("male", "DSH"), ("male", "KHJ")]} == {
        ("female", "DSH"): "secondary", ("male", "DSH"): "secondary", ("male", "KHJ"): "secondary"}
    assert (registered(("female", None)).value, registered((None, "KHJ")).value, registered((None, None)).value) == (
        14, 10, 31)
    legal = cell(report, "referrals.by_type", ("male", "DSH"), "legal")
    assert legal == ReportCell(None, "small")
    assert all(c.value is None for row in report.rows() for c in row.cells.values() if c.hidden)


def test_every_breakdown_shows_the_same_cells_hidden_for_the_same_reasons(programme_data, me_officer):
    """A cell hidden in one breakdown is not published in another: each is cut from the
    same protected tables (here the breakdowns by one dimension against the full one)."""
    full = me_officer.reports.programme(by="sex,age_band,centre")
    position = {name: i for i, name in enumerate(full.by)}
    for by in ("sex", "centre", "age_band", "sex,centre", "centre,age_band"):
        narrow = me_officer.reports.programme(by=by)
        for row in narrow.rows():
            wide = next(r for r in full.rows() if (r.key, r.category) == (row.key, row.category))
            for key, shown in row.cells.items():
                wide_key = [None, None, None]
                for name, value in zip(narrow.by, key):
                    wide_key[position[name]] = value
                assert wide.cells[tuple(wide_key)] == shown, (by, row.key, row.category, key)
    khj = me_officer.reports.programme(by="sex", centre="KHJ")
    assert cell(khj, "participants.registered", ("female",)) == cell(full, "participants.registered",
                                                                     ("female", None, "KHJ"))


def test_no_cell_is_labelled_for_a_reason_its_true_count_does_not_have(programme_data, me_officer, admin):
    """"<5" only ever stands for fewer than five; "x" for five or more."""
    shown = me_officer.reports.programme(by="sex,age_band,centre")
    true = admin.reports.programme(by="sex,age_band,centre", suppress=False)
    for row, truth in zip(shown.rows(), true.rows()):
        if row.aggregate not in ("people", "count"):
            continue
        for key, published in row.cells.items():
            value = truth.cells[key].value
            if published.suppressed == "small":
                assert value < 5, (row.key, key)
            elif published.suppressed == "secondary":
                assert value >= 5, (row.key, key)
            elif published.suppressed is None:
                assert published.value == value and not 0 < value < 5, (row.key, key)


def test_the_audit_finds_no_hidden_cell_that_can_be_worked_out(programme_data, me_officer):
    audit = me_officer.reports.audit()
    assert audit.threshold == 5 and audit.findings and not audit.exposed
    khj_women = next(f for f in audit.findings if f.table == "participants.registered"
                     and f.group == {"sex": "female", "age_band": None, "centre": "KHJ"})
    assert khj_women.suppressed == "small" and khj_women.low < khj_women.high  # not pinned
    assert not any(hasattr(f, "value") for f in audit.findings)  # the audit never tells the true value


def test_the_audit_finds_what_a_weaker_protection_would_give_away(programme_data, me_officer, monkeypatch):
    """Only the small counts hidden (no other cell hidden with them): the audit names them."""
    from reentry_core.protection import suppression
    from reentry_core.services import reports

    monkeypatch.setattr(reports, "protect", lambda grids, relations, threshold: suppression.primary(
        grids, relations, threshold))
    audit = me_officer.reports.audit()
    exposed = {(f.table, tuple(f.group.values())) for f in audit.exposed}
    assert ("participants.registered", ("female", None, "KHJ")) in exposed  # 14 - 12, or 10 - 8


def test_the_threshold_is_the_programmes_raised_by_a_report_never_lowered(programme_data, me_officer, admin):
    assert me_officer.reports.threshold() == 5
    with pytest.raises(PermissionDenied, match="may not set the small-count threshold"):
        me_officer.reports.set_threshold(3)
    with pytest.raises(InvalidInput, match="must be between 3 and 100"):
        admin.reports.set_threshold(2)
    with pytest.raises(InvalidInput, match="may raise the small-count threshold \\(5\\), never lower it"):
        me_officer.reports.programme(threshold=3)
    raised = me_officer.reports.programme(by="centre", threshold=11)
    assert raised.threshold == 11 and cell(raised, "participants.registered", ("KHJ",)) == ReportCell(None, "small")
    assert admin.reports.set_threshold(" 11 ") == 11
    events = admin.audit.log(action="report.threshold")
    assert [(e.actor, e.before, e.after) for e in events] == [("ADM", {"threshold": 5}, {"threshold": 11})]
    report = me_officer.reports.programme(by="centre")
    assert report.threshold == 11 and cell(report, "participants.registered", ("KHJ",)).suppressed == "small"


def test_an_admin_may_see_small_counts_and_that_is_audited(programme_data, admin, me_officer):
    with pytest.raises(PermissionDenied, match="ME1 \\(me_officer\\) may not make programme reports showing"):
        me_officer.reports.programme(by="sex", suppress=False)
    report = admin.reports.programme(by="sex,centre", suppress=False)
    assert report.threshold is None
    assert not cell(report, "participants.registered", ("female", "KHJ")).hidden
    events = admin.audit.log(action="report.unsuppressed")
    assert len(events) == 1 and events[0].actor == "ADM" and events[0].after["by"] == ["sex", "centre"]


@pytest.mark.parametrize("kwargs, error, message", [
    ({"by": "sex,religion"}, InvalidInput, "'religion' is not one of sex, age_band, centre"),
    ({"by": "sex,sex"}, InvalidInput, "names a dimension twice"),
    ({"threshold": 1}, InvalidInput, "may raise the small-count threshold (5), never lower it"),
    ({"centre": "XYZ"}, NotFound, "centre 'XYZ' does not exist"),
    ({"start": "2026-12-01", "end": "2026-01-01"}, InvalidInput, "starts (2026-12-01) after it ends (2026-01-01)"),
    ({"start": "31.02.2026"}, InvalidInput, "'31.02.2026' is not a date"),
])
def test_bad_report_requests_are_refused_in_one_line(me_officer, kwargs, error, message):
    with pytest.raises(error) as err:
        me_officer.reports.programme(**kwargs)
    assert message in err.value.message and "\n" not in err.value.message


def test_only_admins_and_me_officers_make_reports(staff_as):
    with pytest.raises(PermissionDenied, match="may not make programme reports"):
        staff_as("trainer").reports.programme()


def test_the_period_and_the_centre_narrow_the_figures(programme_data, me_officer):
    assert cell(me_officer.reports.programme(centre="KHJ"), "participants.registered", ()).value == 10
    assert cell(me_officer.reports.programme(end="2026-11-22"), "participants.registered", ()).value == 0
    report = me_officer.reports.programme(start="2026-11-23", end="2026-11-23", by="age_band")
    assert cell(report, "participants.registered", ("35-44",)).value == 31


def test_the_funnel_follows_the_people_registered_in_the_period(programme_data, me_officer):
    report = me_officer.reports.programme()
    stages = report.funnel["sex"]
    assert stages[0].key == "participants.registered"
    assert (stages[0].cells[("female",)].value, stages[0].cells[("male",)].value) == (14, 17)
    assert [row.cells[(None,)].value for row in report.funnel["centre"]][:1] == [31]


# --- the CLI --------------------------------------------------------------------------


def test_cli_table_shows_hidden_counts_as_less_than_five(run_cli, programme_data, me_officer):
    result = run_cli("--as", "ME1", "report", "programme", "--by", "sex,centre")
    assert result.exit_code == 0, result.output
    assert "Counts below 5 are shown as <5" in result.output
    # a cross-table: centres down the rows under each indicator, sex across
    lines = result.stdout.splitlines()
    header = next(line for line in lines if "indicator / centre" in line)
    assert [c.strip() for c in header.strip("┃ ").split("┃")] == ["indicator / centre", "female", "male", "total"]
    at = next(i for i, line in enumerate(lines) if "Participants registered " in line)
    assert [c.strip() for c in lines[at + 2].strip("│ ").split("│")] == ["KHJ", "<5", "x", "10"]  # 2 women: small
    assert [c.strip() for c in lines[at + 1].strip("│ ").split("│")] == ["DSH", "x", "x", "21"]  # 12 and 9: not small
    # the period is always stated, an open start as the first registration
    assert re.search(r"Programme report, \d{4}-\d\d-\d\d \(the first registration\) – \d{4}-", result.stdout)
    assert "hidden so that a small count cannot be worked out" in result.output  # the legend


def test_cli_json_never_carries_a_hidden_value(run_cli, programme_data, me_officer):
    result = run_cli("--as", "ME1", "report", "programme", "--by", "sex,centre", "--format", "json")
    report = json.loads(result.stdout)
    assert report["by"] == ["sex", "centre"] and report["threshold"] == 5 and report["small_counts_hidden"]
    registered = next(i for s in report["sections"] for i in s["indicators"] if i["key"] == "participants.registered")
    khj_women = next(c for c in registered["cells"] if c["sex"] == "female" and c["centre"] == "KHJ")
    assert khj_women == {"sex": "female", "centre": "KHJ", "value": None, "shown": "<5", "hidden": True,
                         "suppressed": "small"}
    khj_men = next(c for c in registered["cells"] if c["sex"] == "male" and c["centre"] == "KHJ")
    assert (khj_men["value"], khj_men["shown"], khj_men["suppressed"]) == (None, "x", "secondary")
    assert report["legend"]["x"].startswith("hidden so that a small count cannot be worked out")
    assert next(c for c in registered["cells"] if c["sex"] is None and c["centre"] is None)["value"] == 31


def test_cli_writes_csv_and_xlsx_with_the_same_protection(run_cli, programme_data, me_officer, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "report.csv"
    assert run_cli("--as", "ME1", "report", "programme", "--by", "sex,centre", "--out", str(out)).exit_code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    khj_women = next(r for r in rows if r["indicator"] == "participants.registered" and r["sex"] == "female"
                     and r["centre"] == "KHJ")
    assert (khj_women["value"], khj_women["shown"], khj_women["suppressed"]) == ("", "<5", "small")

    book_path = tmp_path / "report.xlsx"
    result = run_cli("--as", "ME1", "report", "programme", "--by", "sex,centre", "--out", str(book_path))
    assert result.exit_code == 0 and "Wrote the programme report to" in result.output
    book = load_workbook(book_path)
    assert book.sheetnames[:2] == ["About", "Participants and referrals"]
    sheet = book["Participants and referrals"]
    assert [c.value for c in sheet[1]] == ["indicator", "centre", "female", "male", "total", "unit"]
    registered = [r for r in sheet.iter_rows(values_only=True) if r[0] == "Participants registered"]
    assert registered == [("Participants registered", "all", 14, 17, 31, "people"),
                          ("Participants registered", "DSH", "x", "x", 21, "people"),
                          ("Participants registered", "KHJ", "<5", "x", 10, "people")]
    # the funnel: counts and shares in numeric columns of their own
    funnel = book["Funnel by sex"]
    assert [c.value for c in funnel[1]][:3] == ["stage", "female", "female (% of registered)"]
    first, *_rest = [r for r in funnel.iter_rows(min_row=2, values_only=True)]
    assert first[:3] == ("Participants registered", 14, None)
    assert all(isinstance(v, (int, float)) or v is None or v in ("<5", "x", "c")
               for r in funnel.iter_rows(min_row=2, values_only=True) for v in r[1:])
    assert not list(tmp_path.glob(".*.part"))


def test_cli_refuses_xlsx_on_the_terminal_and_an_unknown_file_kind(run_cli, me_officer, tmp_path):
    result = run_cli("--as", "ME1", "report", "programme", "--format", "xlsx")
    assert result.exit_code == 2 and "needs --out FILE" in result.output
    result = run_cli("--as", "ME1", "report", "programme", "--out", str(tmp_path / "report.pdf"))
    assert result.exit_code == 1 and "give a .csv, .json, .xlsx or .html file" in result.output
    assert not (tmp_path / "report.pdf").exists()


def test_cli_lists_the_indicators_with_their_definitions(run_cli, me_officer):
    result = run_cli("--as", "ME1", "--format", "json", "report", "indicators")
    keys = {row["key"]: row for row in json.loads(result.stdout)}
    assert "participants.registered" in keys and keys["referrals.by_type"]["plugin"] == "core"
    assert keys["participants.registered"]["definition"].startswith("People registered in the period")


@pytest.mark.skipif(not __import__("shutil").which("soffice"), reason="LibreOffice is not installed (.ci/run installs it)")
def test_the_workbook_opens_in_libreoffice(run_cli, programme_data, me_officer, tmp_path):
    """LibreOffice reads the workbook and saves it again with every sheet and value intact."""
    import subprocess

    from openpyxl import load_workbook

    made = tmp_path / "report.xlsx"
    assert run_cli("--as", "ME1", "report", "programme", "--by", "sex,centre", "--out", str(made)).exit_code == 0
    out = tmp_path / "converted"
    profile = tmp_path / "lo-profile"
    done = subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                           "xlsx", "--outdir", str(out), str(made)], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    ours, theirs = load_workbook(made), load_workbook(out / "report.xlsx")
    assert theirs.sheetnames == ours.sheetnames
    for name in ours.sheetnames:
        mine = [[c for c in row] for row in ours[name].iter_rows(values_only=True)]
        read = [[c for c in row] for row in theirs[name].iter_rows(values_only=True)]
        assert read == mine, name


def test_cli_threshold_is_shown_to_anyone_who_reports_and_set_by_an_admin(run_cli, programme_data, me_officer):
    assert run_cli("--as", "ME1", "report", "threshold").output == "Counts below 5 are hidden in every report.\n"
    refused = run_cli("--as", "ME1", "report", "threshold", "8")
    assert refused.exit_code == 3 and "may not set the small-count threshold" in refused.output
    assert run_cli("--as", "ADM", "report", "threshold", "two").exit_code == 1
    done = run_cli("--as", "ADM", "report", "threshold", "8")
    assert done.exit_code == 0 and "now 8" in done.output
    lower = run_cli("--as", "ME1", "report", "programme", "--threshold", "5")
    assert lower.exit_code == 1 and lower.output.startswith("Error: a report may raise the small-count threshold (8)")


def test_cli_audit_says_how_many_cells_it_checked_and_exits_1_when_one_is_exposed(run_cli, programme_data,
                                                                                   me_officer, monkeypatch):
    result = run_cli("--as", "ME1", "report", "audit")
    assert result.exit_code == 0, result.output
    assert re.search(r"\d+ tables, \d+ cells; \d+ hidden cells with somebody in them; 0 exposed\.", result.output)
    data = json.loads(run_cli("--as", "ME1", "--format", "json", "report", "audit", "--all").stdout)
    assert data["exposed"] == 0 and data["hidden"] == len(data["findings"]) > 0
    assert set(data["findings"][0]) == {"table", "label", "group", "suppressed", "low", "high", "exposed"}

    from reentry_core.protection import suppression
    from reentry_core.services import reports

    monkeypatch.setattr(reports, "protect", lambda grids, relations, threshold: suppression.primary(
        grids, relations, threshold))
    weak = run_cli("--as", "ME1", "report", "audit")
    assert weak.exit_code == 1 and "EXPOSED" in weak.output and weak.output.endswith(" exposed.\n")
    data = json.loads(run_cli("--as", "ME1", "--format", "json", "report", "audit").stdout)
    assert data["exposed"] > 0 and {"label": "Participants registered", "group": {
        "sex": "female", "age_band": None, "centre": "KHJ"}}.items() <= next(
        f for f in data["findings"] if f["table"] == "participants.registered" and f["group"]["sex"] == "female"
        and f["group"]["centre"] == "KHJ" and f["group"]["age_band"] is None).items()


def test_a_long_sheet_name_is_cut_at_a_word():
    from reentry_core.sheets import sheet_name

    taken: set[str] = set()
    assert sheet_name("Does the plan score predict survival?", taken) == "Does the plan score predict…"
    assert sheet_name("Participants and referrals", taken) == "Participants and referrals"
    assert all(len(name) <= 31 for name in taken)
