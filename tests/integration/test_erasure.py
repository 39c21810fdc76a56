"""Issue 14, point 5: a person who left is erased on request or after the retention
period — identifying details gone everywhere, audit payloads included; counts unchanged;
the audit chain still verifies; admin-only, audited, with a dry run."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from reentry_core import hookimpl
from reentry_core.errors import Conflict, InvalidInput, PermissionDenied
from reentry_core.services.audit import GENESIS, _as_utc, event_hash
from reentry_core.storage import tables as t
from reentry_core.testing import TODAY

NAME = "Ҷамшед Раҳимов"
PHONE = "+992935551234"
FACILITY = "ИК-3/1 Ёвон"


def _everything(programme) -> str:
    """Every text the database holds in the participant, referral and audit tables."""
    with programme.engine.connect() as conn:
        rows = [conn.execute(sa.select(table)).all() for table in (t.participant, t.referral, t.audit_event)]
    return json.dumps([[list(map(str, row)) for row in table] for table in rows], ensure_ascii=False)


def _counts(admin):
    """Every count of the programme report, small ones shown (by sex, age and centre)."""
    report = admin.reports.programme(by="sex", suppress=False)
    counts = [(row.label, row.cells) if hasattr(row, "cells") else row for row in report.rows()]
    assert any("1" in str(c) for c in counts)  # real numbers, not hidden marks
    return counts, report.funnel


@pytest.fixture
def left(admin, case_worker, tmp_path):
    """Two people registered by hand and one imported with others; one referral; the first
    person left the programme."""
    code = case_worker.participants.register(full_name=NAME, sex="male", birth_date="1985-03-12", centre="DSH",
                                             phone="+992 93 555 12 34", facility=FACILITY, release_date="2025-02-01",
                                             offence_category="property").code
    case_worker.participants.record_consent(code, scope=["programme", "referrals"])
    case_worker.referrals.add(code, "legal", "адвокат Рустамов", f"appeal for {NAME}")
    case_worker.participants.update(code, phone="+992 93 555 12 35")
    other = case_worker.participants.register(full_name="Мадина Сафарова", sex="female", birth_date="1992-07-01",
                                              centre="DSH").code
    sheet = tmp_path / "intake.csv"
    sheet.write_text("full_name,sex,birth_date,centre\nЗарина Ашурова,female,1990-01-02,DSH\n"
                     "Фарҳод Саидов,male,1979-05-06,DSH\n", encoding="utf-8")
    case_worker.participants.import_file(sheet)
    case_worker.participants.exit(code, "withdrew", note=f"{NAME} moved to Moscow")
    return code, other


def test_erasure_removes_the_person_everywhere_keeps_counts_and_the_chain(programme, admin, left):
    code, other = left
    before_counts = _counts(admin)
    assert NAME in _everything(programme)
    done = admin.participants.erase(code, "asked on 2026-11-20")
    assert done.fields == ("full_name", "phone", "release_date", "facility", "offence_category", "exit_note")
    assert done.referrals == 1 and len(done.events) >= 5 and not done.dry_run
    stored = _everything(programme)
    for secret in (NAME, "Ҷамшед", PHONE, "+992935551235", FACILITY, "адвокат Рустамов", "Moscow"):
        assert secret not in stored, secret
    person = admin.participants.get(code)
    assert (person.full_name, person.phone, person.facility, person.sex.value, person.birth_date) == (
        "(erased)", None, None, "male", date(1985, 3, 12))
    assert _counts(admin) == before_counts  # every count the same
    assert admin.participants.get(other).full_name == "Мадина Сафарова"  # nobody else touched
    result = admin.audit.verify()
    assert result.ok, result.problems
    erasure = admin.audit.log(key=code)[0]
    assert (erasure.action, erasure.actor, erasure.after["reason"]) == ("participant.erase", "ADM", "asked on 2026-11-20")
    assert erasure.after["erased_events"] == list(done.events)


def test_an_imported_persons_record_is_erased_from_the_batch_and_the_rest_still_checks(programme, admin, left):
    code = next(p.code for p in admin.participants.list() if p.full_name == "Зарина Ашурова")
    admin.participants.exit(code, "moved_away")
    done = admin.participants.erase(code, "asked")
    batch = next(e for e in admin.audit.log(action="participant.import"))
    with programme.engine.connect() as conn:
        text = conn.execute(sa.select(t.audit_event.c.after).where(t.audit_event.c.seq == batch.seq)).scalar_one()
    records = json.loads(text)["records"]
    assert list(records[code]) == ["~erased"] and records[code]["~erased"]["by"] == done.event
    assert "Фарҳод Саидов" in text and "Зарина" not in text
    assert admin.audit.verify().ok


def test_a_dry_run_lists_what_would_go_and_changes_nothing(programme, admin, left):
    code, _other = left
    before = _everything(programme)
    plan = admin.participants.erase(code, "asked", dry_run=True)
    assert plan.dry_run and plan.referrals == 1 and plan.events and plan.event is None
    assert _everything(programme) == before


def test_erasure_is_refused_for_someone_still_in_the_programme_twice_without_a_reason_or_right(admin, left,
                                                                                            case_worker):
    code, other = left
    with pytest.raises(Conflict, match=f"{other} is still in the programme: record their exit first"):
        admin.participants.erase(other, "asked")
    with pytest.raises(PermissionDenied):
        case_worker.participants.erase(code, "asked")
    with pytest.raises(InvalidInput, match="say why they are erased"):
        admin.participants.erase(code, " ")
    admin.participants.erase(code, "asked")
    with pytest.raises(Conflict, match=f"{code} was already erased on {TODAY.isoformat()}"):
        admin.participants.erase(code, "asked")


def test_a_payload_erased_without_an_audited_erasure_is_caught(programme, admin, left):
    code, _other = left
    from reentry_core.services.audit import canonical_json, erased, single_digest

    event = admin.audit.log(key=code, action="participant.update")[0]
    with programme.engine.begin() as conn:
        text = conn.execute(sa.select(t.audit_event.c.after).where(t.audit_event.c.seq == event.seq)).scalar_one()
        conn.execute(t.audit_event.update().where(t.audit_event.c.seq == event.seq).values(
            after=canonical_json(erased(single_digest(text)[0], 1))))
    assert admin.audit.verify().problems[0] == (
        f"event {event.seq} was erased without an audited erasure (event 1 is not one that names it)")


def test_events_of_the_older_form_are_erased_and_counted_as_no_longer_checkable(programme, admin, left):
    """A trail written before payload digests: its erased events' seals cannot be re-checked,
    the links around them still are, and verify says so instead of calling them changed."""
    code, _other = left
    with programme.engine.begin() as conn:  # the whole trail as the versions before c0006 chained it
        prev = GENESIS
        for row in conn.execute(sa.select(t.audit_event).order_by(t.audit_event.c.seq)).all():
            digest = event_hash(row.seq, _as_utc(row.at), row.actor, row.action, row.entity, row.entity_key,
                                row.before, row.after, prev, row.record_keys)
            conn.execute(t.audit_event.update().where(t.audit_event.c.seq == row.seq).values(
                form=None, prev_hash=prev, hash=digest))
            prev = digest
        conn.execute(t.audit_head.update().values(hash=prev))
    assert admin.audit.verify().ok
    done = admin.participants.erase(code, "asked")
    result = admin.audit.verify()
    assert result.ok, result.problems
    assert result.notes[0].startswith(f"{len(done.events)} events written before payload digests")


def test_the_retention_period_erases_those_who_left_long_enough_ago(programme, admin, left, case_worker):
    code, other = left
    assert admin.participants.retention() is None
    with pytest.raises(Conflict, match="no retention period is set"):
        admin.participants.erase_due()
    with pytest.raises(InvalidInput, match="between 1 and 50 years"):
        admin.participants.set_retention(0)
    with pytest.raises(PermissionDenied):
        case_worker.participants.set_retention(5)
    admin.participants.set_retention(1)
    assert admin.participants.erase_due() == []  # left today: kept for a year
    with programme.engine.begin() as conn:  # the first person left more than a year ago
        conn.execute(t.participant.update().where(t.participant.c.code == code).values(
            exited_on=TODAY - timedelta(days=400)))
        conn.execute(t.audit_event.update().where(t.audit_event.c.action == "participant.exit").values(
            after=sa.func.replace(t.audit_event.c.after, TODAY.isoformat(), (TODAY - timedelta(days=400)).isoformat())))
    plan = admin.participants.erase_due(dry_run=True)
    assert [e.code for e in plan] == [code]
    done = admin.participants.erase_due()
    assert [e.code for e in done] == [code]
    assert admin.audit.log(key=code)[0].after["reason"] == "retention period: 1 years after leaving"
    assert [e.action for e in admin.audit.log(action="participant.retention")] == ["participant.retention"]


def test_cli_erase_with_a_dry_run_then_for_real(run_cli, admin, left):
    code, other = left
    dry = run_cli("--as", "ADM", "participants", "erase", code, "--reason", "asked on 2026-11-20", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "1 person would be erased; nothing was changed (dry run)." in dry.output
    assert admin.participants.get(code).full_name == NAME
    real = run_cli("--as", "ADM", "--format", "json", "participants", "erase", code, "--reason", "asked")
    assert real.exit_code == 0, real.output
    row = json.loads(real.stdout)[0]
    assert row["code"] == code and row["referrals"] == 1 and row["fields"].startswith("full_name, phone")
    refused = run_cli("--as", "ADM", "participants", "erase", other, "--reason", "asked")
    assert refused.exit_code != 0 and f"Error: {other} is still in the programme" in refused.stderr
    both = run_cli("--as", "ADM", "participants", "erase", code, "--due")
    assert both.exit_code == 2 and "give the codes of the people to erase, or --due (not both)" in both.stderr
    shown = run_cli("--as", "ADM", "participants", "retention", "5")
    assert shown.exit_code == 0 and "now 5 years after leaving" in shown.stdout
    assert "kept 5 years after they leave" in run_cli("--as", "ADM", "participants", "retention").stdout
    verify = run_cli("--as", "ADM", "audit", "verify")
    assert verify.exit_code == 0, verify.output


class NotesPlugin:
    """A plugin keeping a free-text note about people: erasure asks it to clear them."""

    def __init__(self):
        self.notes: dict[str, str] = {}

    @hookimpl
    def participant_erased(self, tx, participant, dry_run):
        if participant.code not in self.notes:
            return []
        if not dry_run:
            del self.notes[participant.code]
        return ["1 note"]

    @hookimpl
    def participant_audit_keys(self, conn, participant):
        return [f"NOTE-{participant.code}"] if participant.code in self.notes else []


def test_plugins_clear_their_free_text_and_say_what_they_cleared(programme_with):
    from reentry_core.testing import set_up

    plugin = NotesPlugin()
    prog = programme_with(("notes", plugin), installed=True)
    admin = set_up(prog)
    code = admin.participants.register(full_name=NAME, sex="male", birth_date="1985-03-12", centre="DSH").code
    plugin.notes[code] = f"{NAME} lives with his brother"
    admin.participants.exit(code, "withdrew")
    assert admin.participants.erase(code, "asked", dry_run=True).plugins == ("1 note",)
    assert code in plugin.notes
    assert admin.participants.erase(code, "asked").plugins == ("1 note",)
    assert code not in plugin.notes
    assert admin.audit.log(key=code)[0].after["plugins"] == ["1 note"]
