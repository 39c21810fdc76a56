"""Issue 14, scope: staff of one centre see their centre's mentors and mentoring figures,
not every centre's; head office (admin, M&E) sees every centre."""

from __future__ import annotations

import pytest

from reentry_core.errors import PermissionDenied
from tests.integration.mentoring_support import (  # noqa: F401  (fixtures)
    add_mentor, clock, grants, grants_pm, programme, register, run_cli,
)
from tests.integration.test_mentoring_indicators import followed  # noqa: F401  (a fixture)


@pytest.fixture
def staffed(admin):
    """Mentors at Dushanbe and Khujand, a case worker at each, and an M&E officer."""
    add_mentor(admin, "MN1", "Фарида Каримова", "female")
    add_mentor(admin, "MN3", "Нилуфар Юсупова", "female", centre="KHJ")
    admin.staff.add("CW1", "Зарина Назарова", ["case_worker"], "DSH")
    admin.staff.add("KHJ-CW1", "Дилноза Каримова", ["case_worker"], "KHJ")
    admin.staff.add("ME1", "Саида Раҳимова", ["me_officer"], None)


def _mentors(programme, who, centre=None):
    return [(p.mentor, p.centre) for p, _n in programme.act_as(who).mentoring.mentors(centre)]


def test_staff_of_one_centre_list_their_centre_s_mentors(programme, staffed):
    assert _mentors(programme, "CW1") == [("MN1", "DSH")]
    assert _mentors(programme, "KHJ-CW1") == [("MN3", "KHJ")]
    assert _mentors(programme, "MN3") == [("MN3", "KHJ")]
    assert _mentors(programme, "ADM") == _mentors(programme, "ME1") == [("MN1", "DSH"), ("MN3", "KHJ")]
    assert _mentors(programme, "ADM", "KHJ") == [("MN3", "KHJ")]
    with pytest.raises(PermissionDenied, match="^KHJ is not your centre; you work at Dushanbe$"):
        programme.act_as("CW1").mentoring.mentors("KHJ")


def test_staff_of_one_centre_get_their_centre_s_mentoring_figures(programme, admin, followed):
    admin.staff.add("KHJ-CW1", "Дилноза Каримова", ["case_worker"], "KHJ")
    admin.staff.add("CW1", "Зарина Назарова", ["case_worker"], "DSH")

    def shown(who, **options):
        return [(o.key, o.group, o.value, o.suppressed) for o in programme.act_as(who).mentoring.outcomes(**options)]

    assert shown("KHJ-CW1") == shown("ADM", centre="KHJ") != shown("ADM")
    assert shown("CW1") == shown("ADM", centre="DSH")
    groups = {o.group for o in programme.act_as("KHJ-CW1").mentoring.outcomes(by=["centre"])}
    assert groups == {("KHJ",)}
    with pytest.raises(PermissionDenied, match="^KHJ is not your centre; you work at Dushanbe$"):
        programme.act_as("CW1").mentoring.outcomes(centre="KHJ")


def test_the_cli_lists_and_refuses_the_same(run_cli, staffed):
    result = run_cli("--as", "CW1", "--format", "csv", "mentoring", "mentors")
    assert result.exit_code == 0, result.output
    assert "MN1" in result.output and "MN3" not in result.output
    result = run_cli("--as", "CW1", "mentoring", "outcomes", "--centre", "KHJ")
    assert result.exit_code != 0 and "KHJ is not your centre; you work at Dushanbe" in result.output


def test_the_mentoring_views_with_names_or_risk_notes_are_in_the_access_log(programme, admin, followed):
    """Issue 14, point 3: who looked at whose records, plugin views included."""
    mentor = programme.act_as("MN1")
    due = mentor.mentoring.due()
    visits = mentor.mentoring.visits(followed["A"])
    caseload = mentor.mentoring.caseload()
    entries = {e.action: e for e in admin.access.log(staff="MN1")}
    assert set(entries) >= {"mentoring.due", "mentoring.visits", "mentoring.caseload"}
    assert entries["mentoring.visits"].people == 1 and followed["A"] in entries["mentoring.visits"].record_keys
    assert entries["mentoring.due"].people == len({r.participant for r in due})
    assert entries["mentoring.caseload"].people == len(caseload) and visits
    assert any(e.action == "mentoring.visits" for e in admin.access.log(key=followed["A"]))


def test_erasing_a_mentee_clears_what_mentors_wrote_and_keeps_the_visits(programme, admin, followed):
    """Issue 14, point 5, the mentoring plugin's part: notes and risk notes go, the visits and
    the figures the indicators count stay."""
    import json

    import sqlalchemy as sa

    from reentry_mentoring import tables as t

    code = followed["A"]
    admin.mentoring.log_visit(code, visited_on="2026-10-01", mode="on_site", business_status="operating",
                              discussed="lives with her brother in Vahdat", risk_note="owes the neighbour 3000")
    before = [(o.key, o.group, o.value) for o in admin.mentoring.outcomes()]
    admin.participants.exit(code, "withdrew")
    done = admin.participants.erase(code, "asked")
    assert "1 visit's notes" in done.plugins, done.plugins
    with programme.engine.connect() as conn:
        visits = conn.execute(sa.select(t.visit).where(t.visit.c.participant_id == sa.select(
            sa.literal_column("id")).select_from(sa.table("participant")).where(
            sa.literal_column("code") == code).scalar_subquery())).all()
        trail = json.dumps([list(map(str, r)) for r in conn.execute(sa.text("select before, after from audit_event"))],
                           ensure_ascii=False)
    assert len(visits) == 5 and all(v.discussed is None and v.risk_note is None for v in visits)
    assert "Vahdat" not in trail and "neighbour" not in trail
    assert [(o.key, o.group, o.value) for o in admin.mentoring.outcomes()] == before
    assert admin.audit.verify().ok


def test_exit_is_one_audit_event_that_says_what_mentoring_ended(programme, admin, followed):
    """Issue 14, point 7: leaving the programme ends the mentor and the follow-up in the same
    transaction, recorded in the one participant.exit event."""
    code = followed["A"]
    before = max(e.seq for e in admin.audit.log(limit=None))
    admin.participants.exit(code, "withdrew")
    written = [e for e in admin.audit.log(limit=None) if e.seq > before]
    assert [e.action for e in written] == ["participant.exit"]
    ended = written[0].after["ended"]["mentoring"]
    assert ended["mentor_unassigned"]["mentor"] == "MN1" and len(ended["follow_ups_ended"]) == 1
    assert admin.mentoring.caseload() == [] or all(r.participant != code for r in admin.mentoring.caseload())
