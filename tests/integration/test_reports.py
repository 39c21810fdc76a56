"""The programme report: figures by sex, age band and centre, small counts hidden in every
form (table, JSON, CSV, XLSX), and showing them only for an admin, audited."""

from __future__ import annotations

import csv
import itertools
import json

import pytest

from reentry_core.errors import InvalidInput, NotFound, PermissionDenied

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
            p = case_worker.participants.register(full_name=next(pools[sex]), sex=sex, birth_date="1990-05-05",
                                                  centre=centre)
            case_worker.participants.record_consent(p.code)
            made.setdefault((centre, sex), []).append(p.code)
    for code in made[("DSH", "male")][:3]:
        case_worker.referrals.add(code, "legal", "Legal aid centre", "documents")
    for code in made[("DSH", "female")][:6]:
        case_worker.referrals.add(code, "psychological", "Dr. Sharipova", "sleep")
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


def test_figures_by_sex_and_centre_with_small_counts_hidden(programme_data, me_officer):
    report = me_officer.reports.programme(by="sex,centre")
    assert report.levels == (("female", "male"), ("DSH", "KHJ"))
    registered = lambda key: cell(report, "participants.registered", key)  # noqa: E731
    assert registered(("female", "KHJ")).hidden and registered(("female", "KHJ")).value == 2
    # the 2 KHJ women could be worked out from the women's total and the KHJ total: the other
    # cell of each is hidden too (women at DSH, men at KHJ), and then men at DSH
    hidden = {key for key in [("female", "DSH"), ("male", "DSH"), ("male", "KHJ"), ("female", None),
                              ("male", None), (None, "DSH"), (None, "KHJ")] if registered(key).hidden}
    assert hidden == {("female", "DSH"), ("male", "DSH"), ("male", "KHJ")}
    assert (registered(("female", None)).value, registered((None, "KHJ")).value) == (14, 10)
    assert registered((None, None)).value == 31 and not registered((None, None)).hidden
    legal = cell(report, "referrals.by_type", ("male", "DSH"), "legal")
    assert legal.value == 3 and legal.hidden
    # the categories add up to all referrals: that is one more total the hidden cells must survive
    from reentry_core.suppression import equations

    rows = {row.category: row for s in report.sections for row in s.rows if row.key == "referrals.by_type"}
    levels = (tuple(rows) [:-1], *report.levels)
    for total, parts in equations(levels):
        members = [total, *parts]
        assert sum(rows[m[0]].cells[m[1:]].hidden for m in members) != 1 or all(
            rows[m[0]].cells[m[1:]].value == 0 for m in parts), (total, parts)


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
    ({"threshold": 1}, InvalidInput, "at least 2"),
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
    line = next(line for line in result.stdout.splitlines() if "Participants registered — female" in line)
    assert "<5" in line and "│ 2 " not in line


def test_cli_json_never_carries_a_hidden_value(run_cli, programme_data, me_officer):
    result = run_cli("--as", "ME1", "report", "programme", "--by", "sex,centre", "--format", "json")
    report = json.loads(result.stdout)
    assert report["by"] == ["sex", "centre"] and report["threshold"] == 5 and report["small_counts_hidden"]
    registered = next(i for s in report["sections"] for i in s["indicators"] if i["key"] == "participants.registered")
    khj_women = next(c for c in registered["cells"] if c["sex"] == "female" and c["centre"] == "KHJ")
    assert khj_women == {"sex": "female", "centre": "KHJ", "value": None, "shown": "<5", "hidden": True}
    assert next(c for c in registered["cells"] if c["sex"] is None and c["centre"] is None)["value"] == 31


def test_cli_writes_csv_and_xlsx_with_the_same_protection(run_cli, programme_data, me_officer, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "report.csv"
    assert run_cli("--as", "ME1", "report", "programme", "--by", "sex,centre", "--out", str(out)).exit_code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    khj_women = next(r for r in rows if r["indicator"] == "participants.registered" and r["sex"] == "female"
                     and r["centre"] == "KHJ")
    assert (khj_women["value"], khj_women["shown"]) == ("", "<5")

    book_path = tmp_path / "report.xlsx"
    result = run_cli("--as", "ME1", "report", "programme", "--by", "sex,centre", "--out", str(book_path))
    assert result.exit_code == 0 and "Wrote the programme report to" in result.output
    book = load_workbook(book_path)
    assert book.sheetnames[:2] == ["About", "Participants and referrals"]
    sheet = book["Participants and referrals"]
    assert [c.value for c in sheet[1]] == ["indicator", "DSH", "KHJ", "total", "unit"]
    women = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "Participants registered — female")
    assert women[1:] == ("<5", "<5", 14, "people")
    everyone = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "Participants registered — all")
    assert everyone[1:] == (21, 10, 31, "people")
    assert not list(tmp_path.glob(".*.part"))


def test_cli_refuses_xlsx_on_the_terminal_and_an_unknown_file_kind(run_cli, me_officer, tmp_path):
    result = run_cli("--as", "ME1", "report", "programme", "--format", "xlsx")
    assert result.exit_code == 2 and "needs --out FILE" in result.output
    result = run_cli("--as", "ME1", "report", "programme", "--out", str(tmp_path / "report.pdf"))
    assert result.exit_code == 1 and "give a .csv, .json or .xlsx file" in result.output
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
