"""Issue 14: each person sees only whom they work with, and only what their role needs.

Scope (a centre's staff see that centre; head-office roles what their work reaches; plugins
say what through ``participant_scope``), transfer, exit means exit, field rules on every
path, and a leak test that walks every read command × role × output format on the demo.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from datetime import date

import pytest
import sqlalchemy as sa

from reentry_core import hookimpl, privacy
from reentry_core.errors import Conflict, PermissionDenied, RowErrors
from reentry_core.storage import tables as t

PERSON = {"full_name": "Ҷамшед Раҳимов", "sex": "male", "birth_date": "1985-03-12", "centre": "DSH",
          "phone": "+992 93 123 4567", "release_date": "2026-09-30", "facility": "Yavan 3/6",
          "offence_category": "property"}


@pytest.fixture
def two_centres(admin, staff_as):
    """A Dushanbe participant with consent, and a case worker at each centre."""
    dsh = staff_as("case_worker", code="CW1")
    khj = staff_as("case_worker", code="CW2", centre="KHJ")
    person = dsh.participants.register(**PERSON)
    dsh.participants.record_consent(person.code)
    return dsh, khj, person.code


# --- scope ----------------------------------------------------------------------------------


def test_a_khujand_case_worker_cannot_open_or_change_a_dushanbe_file(two_centres):
    dsh, khj, code = two_centres
    refused = "DSH-2026-0001 belongs to Dushanbe; you work at Khujand"
    for attempt in (lambda: khj.participants.get(code),
                    lambda: khj.participants.update(code, phone="+992 93 000 0000"),
                    lambda: khj.participants.withdraw_consent(code),
                    lambda: khj.participants.record_consent(code),
                    lambda: khj.participants.consents(code),
                    lambda: khj.participants.exit(code, "deceased"),
                    lambda: khj.referrals.add(code, "legal", "Legal aid", "documents"),
                    lambda: khj.participants.transfer(code, "KHJ", "asked to")):
        with pytest.raises(PermissionDenied, match=refused):
            attempt()
    assert khj.participants.list() == [] and khj.participants.list(centre="DSH") == []
    with pytest.raises(PermissionDenied, match="DSH is not your centre; you work at Khujand"):
        khj.participants.register(**{**PERSON, "full_name": "Другой Человек"})
    # nothing changed
    assert dsh.participants.get(code).phone == "+992931234567"


def test_a_case_worker_exports_and_imports_only_her_own_centre(two_centres, admin, tmp_path):
    dsh, khj, code = two_centres
    khj.participants.register(**{**PERSON, "full_name": "Нигора Саидова", "sex": "female", "centre": "KHJ"})
    out = tmp_path / "khj.csv"
    assert khj.participants.export_file(out) == 1
    exported = out.read_text(encoding="utf-8-sig")
    assert "Нигора Саидова" in exported and code not in exported
    assert admin.participants.export_file(tmp_path / "all.csv") == 2
    assert [e.action for e in admin.access.log(staff="CW2")][:1] == ["participants.export"]
    sheet = tmp_path / "intake.csv"
    sheet.write_text("full_name,sex,birth_date,centre\nФарҳод Олимов,male,1990-01-01,DSH\n", encoding="utf-8")
    with pytest.raises(RowErrors, match="nothing was imported") as refused:
        khj.participants.import_file(sheet)
    assert refused.value.problems == ["row 2: DSH is not your centre; you work at Khujand"]


def test_a_referral_of_another_centre_is_neither_listed_nor_changed(two_centres, staff_as):
    dsh, _khj, code = two_centres
    referral = dsh.referrals.add(code, "legal", "Legal aid", "documents")
    mentor = staff_as("mentor", code="MN9", centre="KHJ")
    assert mentor.referrals.list() == []
    with pytest.raises(PermissionDenied, match="belongs to Dushanbe; you work at Khujand"):
        mentor.referrals.update(referral.id, "declined")
    with pytest.raises(PermissionDenied, match="belongs to Dushanbe; you work at Khujand"):
        mentor.referrals.get(referral.id)


class Reach:
    """A plugin whose work brings head-office staff to chosen people (as mentoring brings a
    mentor to her mentees), and that hears transfers and readmissions."""

    def __init__(self):
        self.reached: dict[str, list[int]] = {}
        self.heard: list[tuple] = []

    @hookimpl
    def participant_scope(self, conn, staff):
        ids = self.reached.get(staff.code)
        return None if ids is None else list(ids)

    @hookimpl
    def participant_transferred(self, tx, participant, from_centre, to_centre):
        self.heard.append(("transferred", participant.code, from_centre, to_centre))

    @hookimpl
    def participant_readmitted(self, tx, participant):
        self.heard.append(("readmitted", participant.code, participant.status.value))


@pytest.fixture
def reach(programme_with):
    plugin = Reach()
    prog = programme_with(("reach", plugin), installed=True)
    from reentry_core.testing import set_up

    admin = set_up(prog)
    admin.staff.add("CW1", "Staff Member", ["case_worker"], "DSH")
    admin.staff.add("MN1", "Staff Member", ["mentor"], None)  # head office
    cw = prog.act_as("CW1")
    codes = [cw.participants.register(**{**PERSON, "full_name": name}).code
             for name in ("Ҷамшед Раҳимов", "Мадина Сафарова", "Фирӯза Қодирова")]
    return prog, plugin, admin, codes


def test_a_head_office_mentor_sees_only_the_people_her_work_is_with(reach):
    prog, plugin, _admin, codes = reach
    mentor = prog.act_as("MN1")
    assert mentor.participants.list() == []
    with pytest.raises(PermissionDenied, match="you work at head office"):
        mentor.participants.get(codes[0])
    with prog.reading() as conn:
        plugin.reached["MN1"] = [conn.execute(sa.select(t.participant.c.id).where(
            t.participant.c.code == codes[1])).scalar()]
    assert [p.code for p in mentor.participants.list()] == [codes[1]]
    assert mentor.participants.get(codes[1]).full_name == "Мадина Сафарова"
    assert mentor.participants.get(codes[1]).phone == "+992931234567"  # mentors call their mentees


def test_m_and_e_sees_every_centre_but_no_name_phone_or_sensitive_field(two_centres, admin, staff_as):
    _dsh, _khj, code = two_centres
    admin.participants.register(**{**PERSON, "full_name": "Нигора Саидова", "centre": "KHJ"})
    me = staff_as("me_officer", code="ME1", centre="KHJ")  # a centre does not limit M&E
    people = me.participants.list()
    assert [p.code for p in people] == [code, "KHJ-2026-0001"]
    for p in people + [me.participants.get(code)]:
        assert (p.full_name, p.birth_date, p.phone, p.facility, p.release_date, p.offence_category) == (None,) * 6
    # searching by name would tell whether the name is there
    assert me.participants.list(search="раҳим") == []


# --- transfer -------------------------------------------------------------------------------


def test_a_transfer_moves_the_file_to_the_receiving_centre_and_is_audited(reach):
    prog, plugin, admin, codes = reach
    admin.staff.add("CW2", "Staff Member", ["case_worker"], "KHJ")
    cw1, cw2 = prog.act_as("CW1"), prog.act_as("CW2")
    with pytest.raises(PermissionDenied, match="belongs to Dushanbe; you work at Khujand"):
        cw2.participants.transfer(codes[0], "KHJ", "moved")  # the receiving centre cannot pull
    moved = cw1.participants.transfer(codes[0], "khj", "moved to Khujand for work")
    assert moved.centre == "KHJ" and moved.code == codes[0]
    assert cw2.participants.get(codes[0]).centre == "KHJ"
    with pytest.raises(PermissionDenied, match="belongs to Khujand; you work at Dushanbe"):
        cw1.participants.get(codes[0])
    (event,) = admin.audit.log(action="participant.transfer")
    assert (event.actor, event.before, event.after) == (
        "CW1", {"centre": "DSH"}, {"centre": "KHJ", "reason": "moved to Khujand for work"})
    assert plugin.heard == [("transferred", codes[0], "DSH", "KHJ")]
    with pytest.raises(Conflict, match="already at KHJ"):
        admin.participants.transfer(codes[0], "KHJ", "again")


# --- exit means exit ------------------------------------------------------------------------


def test_exit_cancels_open_referrals_refuses_new_ones_and_readmission_is_explicit(reach):
    prog, plugin, admin, codes = reach
    cw = prog.act_as("CW1")
    cw.participants.record_consent(codes[0])
    open_one = cw.referrals.add(codes[0], "legal", "Legal aid", "documents")
    accepted = cw.referrals.add(codes[0], "documents", "Passport office", "passport")
    cw.referrals.update(accepted.id, "accepted")
    cw.participants.exit(codes[0], "deceased")
    assert {r.id: r.status.value for r in cw.referrals.list(participant=codes[0])} == {
        open_one.id: "cancelled", accepted.id: "cancelled"}
    (event,) = admin.audit.log(action="participant.exit")
    assert event.after["referrals_cancelled"] == [open_one.id, accepted.id]
    with pytest.raises(Conflict, match="has left the programme; no new referral"):
        cw.referrals.add(codes[0], "legal", "Legal aid", "again")
    back = cw.participants.readmit(codes[0], "the exit was recorded by mistake")
    assert back.status.value == "active" and back.exited_on is None
    assert plugin.heard == [("readmitted", codes[0], "active")]
    assert cw.referrals.add(codes[0], "legal", "Legal aid", "again").status.value == "open"


# --- the audit log shows what the role may read ---------------------------------------------


def test_the_audit_log_hides_what_the_reader_may_not_read_and_still_verifies(two_centres, admin, staff_as):
    dsh, _khj, code = two_centres
    dsh.participants.update(code, phone="+992 93 555 0101")
    dsh.referrals.add(code, "drug_treatment", "Narcology centre", "asked for help with heroin")
    me = staff_as("me_officer", code="ME1")
    text = json.dumps([[e.before, e.after] for e in me.audit.log(key=code)], ensure_ascii=False)
    for secret in ("Ҷамшед", "1985-03-12", "+99293", "Yavan", "2026-09-30", "property"):
        assert secret not in text, secret
    referral = next(e for e in me.audit.log(entity="referral"))
    assert "heroin" not in json.dumps(referral.after) and "drug_treatment" not in json.dumps(referral.after)
    assert "(hidden)" in text
    # the admin reads everything, and the stored trail is untouched
    assert any("+992935550101" in json.dumps(e.after) for e in admin.audit.log(key=code))
    assert admin.audit.verify().ok


# --- every read command × role × format on the demo -----------------------------------------

ROLES = ["ADM", "DSH-CW1", "DSH-TR1", "DSH-MN1", "COM1", "FIN1", "ME1"]
FORMATS = ["table", "json", "csv"]
CODE = re.compile(r"\b[A-Z]{2,6}-20\d\d-\d{4}\b")
SENTINEL = {"facility": "Zzyzx colony 9/9", "release_date": "2003-02-01"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory, sqlite_template, plugin_manager):
    """The small demo, once for the module, with one person's facility and release date made
    unmistakable; and what each kind of secret is in it."""
    from reentry_core.demo import run
    from reentry_core.services import open_programme

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    prog = open_programme(url, plugins=plugin_manager)
    run(prog, "small", seed=3)
    today = prog.clock.today()
    P, A = t.participant, sa.table("mg_application", sa.column("participant_id"), sa.column("approved_on"),
                                   sa.column("code"), sa.column("round_id"))
    with prog.engine.begin() as conn:
        probe = conn.execute(
            sa.select(P.c.code).where(P.c.centre_id == sa.select(t.centre.c.id).where(t.centre.c.code == "DSH")
                                      .scalar_subquery(), P.c.id.in_(sa.select(A.c.participant_id)
                                                                     .where(A.c.approved_on.is_not(None))))
            .order_by(P.c.code)).scalars().first()
        conn.execute(P.update().where(P.c.code == probe).values(
            facility=SENTINEL["facility"], release_date=date.fromisoformat(SENTINEL["release_date"])))
        people = conn.execute(sa.select(P.c.code, P.c.full_name, P.c.birth_date, P.c.phone, P.c.facility,
                                        t.centre.c.code.label("centre")).select_from(P.join(t.centre))).all()
        application = conn.execute(sa.select(A.c.code).where(
            A.c.participant_id == sa.select(P.c.id).where(P.c.code == probe).scalar_subquery())).scalar()
        r = t.referral
        health = conn.execute(sa.select(r.c.reason, r.c.to_whom).where(
            r.c.service_type.in_(sorted(privacy.HEALTH_SERVICES)))).all()
        cohort = conn.execute(sa.text("SELECT code FROM bp_cohort WHERE code LIKE 'DSH-%' ORDER BY code")).scalar()
    prog.close()
    secrets = {
        "names": {p.full_name for p in people} | {p.birth_date.isoformat() for p in people},
        "contact": {p.phone for p in people if p.phone},
        "sensitive": {p.facility for p in people if p.facility} | set(SENTINEL.values()),
        "health": {"drug_treatment", "Narcology centre", "psychological", "Psychologist"}
        | {row.reason for row in health},
    }
    return {"url": url, "today": today, "probe": probe, "application": application, "cohort": cohort,
            "people": people, "secrets": secrets}


def read_commands(demo) -> list[list[str]]:
    code, app, cohort = demo["probe"], demo["application"], demo["cohort"]
    return [
        ["participants", "list"], ["participants", "show", code], ["participants", "consent", code, "--history"],
        ["referrals", "list"], ["referrals", "list", "--participant", code],
        ["audit", "log", "--key", code], ["audit", "log", "--limit", "400"],
        ["grants", "list"], ["grants", "show", app], ["grants", "tranches", "--due"],
        ["mentoring", "due"], ["mentoring", "caseload"], ["mentoring", "visits"],
        ["plans", "list"], ["plans", "cohort", "show", cohort], ["plans", "ranking", cohort],
        ["plans", "completion", cohort],
    ]


def invoke(demo, role: str, fmt: str, args: list[str], columns: int = 4000):
    from click.testing import CliRunner

    from reentry_core.cli import build_cli
    from reentry_core.services import FixedClock

    cli = build_cli(clock=FixedClock(demo["today"]))
    return CliRunner(env={"COLUMNS": str(columns), "REENTRY_LANG": "en"}).invoke(
        cli, ["--db", demo["url"], "--as", role, "--format", fmt, *args], catch_exceptions=False)


def forbidden(demo, role: str) -> dict[str, set[str]]:
    """What ``role`` must never read, by kind (from the permissions the role holds)."""
    from reentry_core.services import open_programme

    prog = open_programme(demo["url"])
    try:
        ctx = prog.act_as(role)
        need = {"names": "participants.view_names", "contact": "participants.view_contact",
                "sensitive": "participants.view_sensitive", "health": "referrals.view_health"}
        found = {kind: demo["secrets"][kind] for kind, permission in need.items() if not ctx.can(permission)}
        # whom the role may see: its centre, else everyone (admin, M&E) or what its work reaches
        member = ctx.member
        if member.centre is not None and not ctx.can("participants.all_centres"):
            found["people"] = {p.code for p in demo["people"] if p.centre != member.centre}
        elif not ctx.can("participants.all_centres"):
            with ctx.reading() as conn:
                allowed = privacy.in_scope(conn, [p.code for p in demo["people"]])
            found["people"] = {p.code for p in demo["people"]} - allowed
        return found
    finally:
        prog.close()


def leaks(output: str, secrets: dict[str, set[str]]) -> list[str]:
    """Every secret that ``output`` shows, as ``kind: value``."""
    found = [f"{kind}: {value}" for kind, values in secrets.items() if kind != "people"
             for value in values if value and value in output]
    found += [f"people: {code}" for code in CODE.findall(output) if code in secrets.get("people", ())]
    return sorted(set(found))


@pytest.mark.parametrize("role", ROLES)
def test_no_read_command_shows_a_role_what_it_may_not_read(demo, role):
    secrets = forbidden(demo, role)
    problems, answered = [], 0
    for args in read_commands(demo):
        for fmt in FORMATS:
            result = invoke(demo, role, fmt, args)
            if result.exit_code == 0:
                answered += 1
                if fmt == "json" and result.stdout.strip().startswith(("[", "{")):
                    json.loads(result.stdout)
                if fmt == "csv" and result.stdout.strip():
                    list(csv.reader(io.StringIO(result.stdout)))
            for leak in leaks(result.output, secrets):
                problems.append(f"reentry --as {role} --format {fmt} {' '.join(args)}: {leak}")
    assert not problems, "\n".join(problems[:40])
    assert answered >= 3 * 3  # the walk read something, not only refusals


def test_a_removed_field_rule_makes_the_leak_test_find_the_leak(demo, monkeypatch):
    """The leak test is not vacuous: without the rule for phones, M&E reads phone numbers,
    and the checker says so."""
    args = ["participants", "show", demo["probe"]]
    assert leaks(invoke(demo, "ME1", "json", args).output, forbidden(demo, "ME1")) == []
    monkeypatch.delitem(privacy.FIELD_RULES["participant"], "phone")
    found = leaks(invoke(demo, "ME1", "json", args).output, forbidden(demo, "ME1"))
    assert found and all(leak.startswith("contact: +992") for leak in found)


def test_every_read_command_at_80_columns_shows_codes_and_names_whole(demo):
    """Issue 20, point 4: the tables staff read most fit an 80-column window; a code or a
    name is never cut (other columns wrap, or are left out with a hint)."""
    from reentry_core.cli.output import KEY_MOST, is_key

    problems, checked = [], 0
    for args in read_commands(demo):
        data = invoke(demo, "ADM", "json", args)
        if data.exit_code != 0 or not data.stdout.strip().startswith("["):
            continue  # a refusal or a one-record show (a two-column table, never cut)
        rows = json.loads(data.stdout)[:30]
        table = invoke(demo, "ADM", "table", args, columns=80).stdout
        for row in rows:
            for index, (column, value) in enumerate(row.items()):
                text = "" if value is None else str(value)
                if text and is_key(column, index, len(text)) and len(text) <= KEY_MOST:
                    checked += 1
                    if text not in table:
                        problems.append(f"reentry {' '.join(args)}: {column} {text!r} is cut")
    assert not problems, "\n".join(problems[:20])
    assert checked > 100


def test_finance_reads_the_grant_it_pays_without_the_grantees_name(demo):
    result = invoke(demo, "FIN1", "json", ["grants", "show", demo["application"]])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["participant"] == demo["probe"] and shown["name"] is None


# --- who looked -----------------------------------------------------------------------------


def test_views_are_logged_apart_from_the_trail_and_an_admin_asks_who_looked(two_centres, admin, staff_as, programme):
    dsh, _khj, code = two_centres
    me = staff_as("me_officer", code="ME1")
    changes = len(admin.audit.log(limit=None))
    dsh.participants.get(code)
    dsh.participants.list(centre="DSH")
    me.participants.list()
    assert len(admin.audit.log(limit=None)) == changes  # a view is not a change
    about = admin.access.log(key=code)
    assert [(e.actor, e.action, e.people) for e in about] == [
        ("ME1", "participants.list", 1), ("CW1", "participants.list", 1), ("CW1", "participants.show", 1)]
    assert about[1].detail == "centre=DSH"
    assert [e.action for e in admin.access.log(staff="ME1")] == ["participants.list"]
    with pytest.raises(PermissionDenied, match="read the log of who looked"):
        me.access.log(key=code)
    assert admin.access.verify().ok
    with programme.engine.begin() as conn:  # someone hides that CW1 looked
        conn.execute(t.access_event.update().where(t.access_event.c.seq == 1).values(actor="ADM"))
    check = admin.access.verify()
    assert not check.ok and "access entry 1 (participants.show by ADM) was changed" in check.problems[0]


def test_cli_audit_access_answers_by_participant_and_by_staff(run_cli, two_centres):
    _dsh, _khj, code = two_centres
    assert run_cli("--as", "CW1", "participants", "show", code).exit_code == 0
    shown = json.loads(run_cli("--as", "ADM", "--format", "json", "audit", "access", "--key", code).stdout)
    assert [(e["actor"], e["action"], e["people"]) for e in shown] == [("CW1", "participants.show", 1)]
    assert run_cli("--as", "ADM", "audit", "access", "--verify").stdout.startswith("The access log is intact: 1 ")
    refused = run_cli("--as", "CW1", "audit", "access", "--staff", "CW1")
    assert refused.exit_code != 0 and "read the log of who looked" in refused.output


def test_a_view_during_a_long_import_is_logged_without_waiting_for_it(database_url, two_centres, admin,
                                                                     plugin_manager, reentry_today):
    """Readers never wait for a writer (issue 15): the entry waits beside the database and
    the next entry chains it, in order."""
    import sqlite3
    import time

    from reentry_core.services import FixedClock, open_programme

    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL: a viewer never waits for an import")
    _dsh, _khj, code = two_centres
    other = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    try:
        with open_programme(database_url, plugins=plugin_manager, clock=FixedClock(reentry_today)) as prog:
            start = time.perf_counter()
            assert prog.act_as("CW1").participants.get(code).code == code
            assert time.perf_counter() - start < 2
            assert prog.act_as("ADM").access.verify().waiting == 1
    finally:
        other.execute("ROLLBACK")
        other.close()
    admin.participants.get(code)  # chains the one waiting first
    assert [(e.actor, e.action) for e in admin.access.log(key=code)] == [
        ("ADM", "participants.show"), ("CW1", "participants.show")]
    check = admin.access.verify()
    assert check.ok and check.waiting == 0 and check.checked == 2


# --- the research export --------------------------------------------------------------------


def test_the_research_export_holds_only_people_with_research_consent_in_groups_of_k(admin, staff_as, tmp_path):
    cw = staff_as("case_worker", code="CW1")
    codes = []
    for n in range(9):
        p = cw.participants.register(full_name=f"Зарина Ашурова {chr(0x430 + n)}", sex="female",
                                     birth_date="1991-07-04", centre="DSH", registered_on="2026-03-10")
        cw.participants.record_consent(p.code, scope="programme,research" if n < 7 else "programme")
        codes.append(p.code)
    loner = cw.participants.register(full_name="Ҷамшед Раҳимов", sex="male", birth_date="1950-01-01", centre="DSH",
                                     registered_on="2026-03-10")
    cw.participants.record_consent(loner.code, scope="programme,research")
    me = staff_as("me_officer", code="ME1")
    summary = me.participants.research_export(tmp_path / "research.json")
    rows = json.loads((tmp_path / "research.json").read_text(encoding="utf-8"))
    assert (summary.rows, summary.without_consent, summary.left_out, summary.k) == (7, 2, 1, 5)
    assert len(rows) == 7 and {r["sex"] for r in rows} == {"female"}  # the one man would stand out alone
    # one person in eight is more than the 5% a level may leave out: the file was made as
    # coarse as it goes before he was left out
    assert (rows[0]["registered"], rows[0]["age_band"], rows[0]["centre"]) == ("2026", "20-39", "all")
    assert not any(code in json.dumps(rows) for code in codes)
    again = me.participants.research_export(tmp_path / "again.json")
    assert again == summary
    assert json.loads((tmp_path / "again.json").read_text(encoding="utf-8")) == rows  # stable pseudonyms
    (event,) = admin.audit.log(action="participants.export", limit=1)
    assert event.after["without_research_consent"] == 2 and event.after["left_out_small_groups"] == 1


def test_cli_research_export_says_what_was_generalised_and_left_out(run_cli, admin, staff_as, tmp_path):
    staff_as("me_officer", code="ME1")
    target = tmp_path / "research.csv"
    result = run_cli("--as", "ME1", "participants", "export", str(target), "--pseudonymise")
    assert result.exit_code == 0, result.output
    assert "Wrote 0 participants" in result.output and "groups smaller than 5" in result.output
    assert target.read_text(encoding="utf-8-sig").splitlines()[0] == (
        "pseudonym,sex,age_band,centre,registered,status,exit_reason,exited")


def test_the_plugins_views_with_names_are_in_the_access_log(demo):
    """Issue 14, point 3: a grant, the grants list, finance's worklist, a cohort's ranking
    and completion show names, and are logged like the core's views."""
    from reentry_core.services import open_programme

    for args in (["grants", "show", demo["application"]], ["grants", "list"], ["grants", "tranches", "--due"],
                 ["plans", "ranking", demo["cohort"]], ["plans", "completion", demo["cohort"]]):
        assert invoke(demo, "ADM", "json", args).exit_code == 0
    prog = open_programme(demo["url"])
    try:
        actions = {e.action for e in prog.act_as("ADM").access.log(staff="ADM", limit=None)}
    finally:
        prog.close()
    assert {"grants.show", "grants.list", "plans.ranking", "plans.completion"} <= actions
