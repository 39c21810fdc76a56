"""The audit trail: hash-chained, tamper-evident, written in the same transaction as the change."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from reentry_core import hookimpl
from reentry_core.errors import Conflict, InvalidInput
from reentry_core.plugins import load_plugins
from reentry_core.services import FixedClock, open_programme
from reentry_core.services.audit import DIGESTS, GENESIS, _as_utc, event_hash, row_hash, single_digest, verify_chain
from reentry_core.storage import tables as t
from reentry_core.testing import TODAY

PERSON = {"full_name": "Ҷамшед Раҳимов", "sex": "male", "birth_date": "1985-03-12", "centre": "DSH"}


def rows(programme, table):
    with programme.engine.connect() as conn:
        return conn.execute(sa.select(table)).all()


def count(programme, table) -> int:
    with programme.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def head(programme):
    with programme.engine.connect() as conn:
        return conn.execute(sa.select(t.audit_head.c.seq, t.audit_head.c.hash)).one()


def execute(programme, statement):
    with programme.engine.begin() as conn:
        conn.execute(statement)


def verify(programme):
    with programme.engine.connect() as conn:
        return verify_chain(conn)


@pytest.fixture
def history(admin, case_worker):
    """A few audited changes: bootstrap, centres, staff, participants, an update."""
    case_worker.participants.register(**PERSON)
    admin.participants.register(full_name="Нигора Саидова", sex="female", birth_date="1990-07-01", centre="KHJ")
    case_worker.participants.update("DSH-2026-0001", phone="+992 93 123 4567")
    return admin


def test_every_change_is_one_chained_event(programme, history):
    events = sorted(rows(programme, t.audit_event), key=lambda r: r.seq)
    assert [e.action for e in events] == [
        "staff.bootstrap", "centre.add", "centre.add", "staff.add",
        "participant.register", "participant.register", "participant.update",
    ]
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    prev = GENESIS
    for e in events:
        assert e.prev_hash == prev
        prev = e.hash
    assert tuple(head(programme)) == (events[-1].seq, events[-1].hash)
    update = events[-1]
    assert (update.actor, update.entity, update.entity_key) == ("CW1", "participant", "DSH-2026-0001")
    assert json.loads(update.before)["phone"] is None
    assert json.loads(update.after)["phone"] == "+992931234567"


def test_the_untouched_chain_verifies(programme, history):
    result = history.audit.verify()
    assert result.ok and result.problems == ()
    assert result.checked == result.head_seq == 7


def test_an_empty_chain_verifies(programme):
    with programme.engine.connect() as conn:
        result = verify_chain(conn)
    assert result.ok and result.checked == 0 and result.head_hash == GENESIS


def test_stored_hash_is_recomputable(programme, history):
    e = sorted(rows(programme, t.audit_event), key=lambda r: r.seq)[4]
    assert e.form == DIGESTS  # the hash covers the payload's SHA-256, so erasure keeps the chain
    assert e.hash == event_hash(e.seq, _as_utc(e.at), e.actor, e.action, e.entity, e.entity_key,
                                single_digest(e.before)[0], single_digest(e.after)[0], e.prev_hash)
    assert row_hash(e)[0] == e.hash


def test_editing_an_events_after_text_is_detected(programme, history):
    event = next(r for r in rows(programme, t.audit_event) if r.action == "participant.update")
    forged = json.loads(event.after)
    forged["phone"] = "+992900000000"
    execute(programme, t.audit_event.update().where(t.audit_event.c.seq == event.seq)
            .values(after=json.dumps(forged, sort_keys=True, ensure_ascii=False, separators=(",", ":"))))
    result = verify(programme)
    assert not result.ok
    assert result.problems == (
        f"event {event.seq} (participant.update DSH-2026-0001) was changed after it was written",)


@pytest.mark.parametrize("column, value", [
    ("actor", "ME1"), ("action", "participant.view"), ("entity_key", "DSH-2026-0009"), ("before", None),
])
def test_editing_any_field_is_detected(programme, history, column, value):
    execute(programme, t.audit_event.update().where(t.audit_event.c.seq == 7).values({column: value}))
    result = verify(programme)
    assert not result.ok and any("event 7" in p and "changed" in p for p in result.problems)


def test_rehashing_an_edited_event_breaks_the_next_link(programme, history):
    """A forger who recomputes the edited event's hash still breaks the event after it."""
    e = next(r for r in rows(programme, t.audit_event) if r.seq == 5)
    after = e.after.replace("Ҷамшед", "Ҷамшедҷон")
    new_hash = row_hash(e, after=after)[0]
    execute(programme, t.audit_event.update().where(t.audit_event.c.seq == 5).values(after=after, hash=new_hash))
    result = verify(programme)
    assert result.problems == ("event 6 does not follow the event before it",)


def test_deleting_a_middle_event_is_detected(programme, history):
    execute(programme, t.audit_event.delete().where(t.audit_event.c.seq == 4))
    result = verify(programme)
    assert not result.ok
    assert "events 4–4 are missing (deleted)" in result.problems
    assert "event 5 does not follow the event before it" in result.problems


def test_deleting_the_last_event_is_detected_by_the_head(programme, history):
    execute(programme, t.audit_event.delete().where(t.audit_event.c.seq == 7))
    result = verify(programme)
    assert result.problems == ("events 7–7 at the end are missing (deleted)",)


def test_deleting_the_last_event_and_lowering_only_the_head_number_is_detected(programme, history):
    execute(programme, t.audit_event.delete().where(t.audit_event.c.seq == 7))
    execute(programme, t.audit_head.update().values(seq=6))  # the hash still names event 7
    result = verify(programme)
    assert result.problems == ("the chain's recorded end (event 6) does not match its last event",)


def test_deleting_the_last_event_and_resetting_the_head_consistently_changes_the_head_hash(programme, history):
    """A consistent cut (event and head both rewound) leaves a valid shorter chain: only a head
    hash noted elsewhere (``audit verify`` prints it) shows that the end was cut."""
    noted = history.audit.verify().head_hash
    sixth = next(r for r in rows(programme, t.audit_event) if r.seq == 6)
    execute(programme, t.audit_event.delete().where(t.audit_event.c.seq == 7))
    execute(programme, t.audit_head.update().values(seq=6, hash=sixth.hash))
    result = verify(programme)
    assert (result.checked, result.head_seq) == (6, 6)
    assert result.head_hash != noted


def test_writing_after_tampering_does_not_heal_the_chain(programme, history):
    execute(programme, t.audit_event.delete().where(t.audit_event.c.seq == 3))
    history.centres.add("KLB", "Kulob centre", "Kulob")
    result = verify(programme)
    assert "events 3–3 are missing (deleted)" in result.problems


# --- same transaction ---------------------------------------------------------------


def snapshot(programme):
    return (count(programme, t.participant), count(programme, t.audit_event), tuple(head(programme)),
            count(programme, t.participant_code_counter))


def test_refused_duplicate_writes_neither_row_nor_audit(programme, case_worker):
    case_worker.participants.register(**PERSON)
    before = snapshot(programme)
    with pytest.raises(Conflict, match="already registered at DSH as DSH-2026-0001"):
        case_worker.participants.register(**{**PERSON, "full_name": "ҶАМШЕД  РАҲИМОВ"})
    assert snapshot(programme) == before
    assert case_worker.participants.register(**PERSON, allow_same_name=True).code == "DSH-2026-0002"


def test_an_error_after_tx_audit_rolls_back_row_and_event(programme, admin):
    before = (count(programme, t.centre), count(programme, t.audit_event), tuple(head(programme)))
    with pytest.raises(RuntimeError, match="power cut"):
        with admin.transaction() as tx:
            tx.conn.execute(t.centre.insert().values(code="KLB", name="Kulob centre", city="Kulob"))
            tx.audit("centre.add", "centre", "KLB", after={"code": "KLB"})
            raise RuntimeError("power cut")
    assert (count(programme, t.centre), count(programme, t.audit_event), tuple(head(programme))) == before
    assert verify(programme).ok


class FailingListener:
    """Hears participant_registered after the row and its audit event exist, then fails."""

    seen: list

    def __init__(self):
        self.seen = []

    @hookimpl
    def participant_registered(self, tx, participant):
        in_tx = tx.conn.execute(sa.select(t.participant.c.code).where(t.participant.c.code == participant.code))
        self.seen.append((participant.code, in_tx.scalar_one_or_none()))
        raise InvalidInput("the listener refuses")


def test_a_failing_hook_after_the_insert_leaves_nothing_behind(programme, database_url, case_worker):
    listener = FailingListener()
    pm = load_plugins(extra=[("failing_listener", listener)])
    other = open_programme(database_url, plugins=pm, clock=FixedClock(TODAY))
    try:
        before = snapshot(programme)
        with pytest.raises(InvalidInput, match="the listener refuses"):
            other.act_as("CW1").participants.register(**PERSON)
        # the row was written (the hook saw it inside the transaction) and then rolled back
        assert listener.seen == [("DSH-2026-0001", "DSH-2026-0001")]
        assert snapshot(programme) == before
        assert count(programme, t.participant) == 0
    finally:
        other.close()
    assert case_worker.participants.register(**PERSON).code == "DSH-2026-0001"  # the number was not used up
    assert verify(programme).ok


def test_each_service_call_is_audited_with_before_and_after(programme, case_worker):
    case_worker.participants.register(**PERSON, registered_on="2026-10-01")
    case_worker.participants.record_consent("DSH-2026-0001", "2026-11-20", "programme,referrals")
    referral = case_worker.referrals.add("DSH-2026-0001", "legal", "Legal aid", "passport")
    case_worker.referrals.update(referral.id, "accepted")
    case_worker.participants.exit("DSH-2026-0001", "completed")
    events = case_worker.programme.act_as("ADM").audit.log(actor="cw1")  # newest first
    assert [e.action for e in reversed(events)] == [
        "participant.register", "consent.record", "referral.open", "referral.update", "participant.exit",
    ]
    exit_event = events[0]
    assert exit_event.before["status"] == "active" and exit_event.after["status"] == "exited"
    assert exit_event.after["exit_reason"] == "completed"


# --- batch events (imports) ---------------------------------------------------------


@pytest.fixture
def imported(programme, admin, tmp_path):
    """Three people of two centres imported in one file by head office (a case worker
    imports only her own centre's), the first two with consent: two batch events."""
    intake = tmp_path / "intake.csv"
    intake.write_text(
        "full_name,sex,birth_date,centre,consent_given_on\n"
        "Ҷамшед Раҳимов,male,1985-03-12,DSH,2026-11-20\n"
        "Мадина Сафарова,female,1992-07-01,DSH,2026-11-21\n"
        "Нигора Саидова,female,1990-07-01,KHJ,\n", encoding="utf-8")
    admin.participants.import_file(intake)
    return admin


def batch_events(programme):
    return sorted((r for r in rows(programme, t.audit_event) if r.record_keys), key=lambda r: r.seq)


def test_an_import_batch_is_one_event_that_names_every_record(programme, imported):
    people, consents = batch_events(programme)
    assert (people.action, people.entity, people.entity_key) == (
        "participant.import", "participant", "DSH-2026-0001…KHJ-2026-0001")
    assert people.record_keys == "DSH-2026-0001,DSH-2026-0002,KHJ-2026-0001"
    after = json.loads(people.after)
    assert after["file"].endswith("intake.csv")
    assert list(after["records"]) == ["DSH-2026-0001", "DSH-2026-0002", "KHJ-2026-0001"]
    assert after["records"]["KHJ-2026-0001"]["full_name"] == "Нигора Саидова"
    assert consents.action == "consent.record" and consents.record_keys == "DSH-2026-0001,DSH-2026-0002"
    assert sorted(rows(programme, t.audit_event_key)) == sorted(
        [(k, people.seq) for k in people.record_keys.split(",")] + [(k, consents.seq) for k in
                                                                   consents.record_keys.split(",")])
    assert verify(programme).ok


def test_a_persons_log_finds_the_batch_and_shows_only_that_person(imported):
    events = imported.audit.log(key="DSH-2026-0002")
    assert [e.action for e in events] == ["consent.record", "participant.import"]
    assert list(events[1].after["records"]) == ["DSH-2026-0002"]
    assert events[1].after["records"]["DSH-2026-0002"]["full_name"] == "Мадина Сафарова"
    assert events[0].after["records"]["DSH-2026-0002"]["given_on"] == "2026-11-21"
    assert [e.action for e in imported.audit.log(key="KHJ-2026-0001", entity="participant")] == ["participant.import"]


def test_a_record_edited_inside_a_batch_event_is_reported(programme, imported):
    people = batch_events(programme)[0]
    after = json.loads(people.after)
    after["records"]["DSH-2026-0002"]["full_name"] = "Someone Else"
    execute(programme, t.audit_event.update().where(t.audit_event.c.seq == people.seq)
            .values(after=json.dumps(after, ensure_ascii=False)))
    assert verify(programme).problems == (
        f"event {people.seq} (participant.import DSH-2026-0001…KHJ-2026-0001) was changed after it was written",)


def test_a_record_key_cut_from_a_batch_event_is_reported(programme, imported):
    people = batch_events(programme)[0]
    execute(programme, t.audit_event.update().where(t.audit_event.c.seq == people.seq)
            .values(record_keys="DSH-2026-0001,DSH-2026-0002"))
    problems = verify(programme).problems
    assert f"event {people.seq} (participant.import DSH-2026-0001…KHJ-2026-0001) was changed after it was written" \
        in problems


@pytest.mark.parametrize("damage", ["delete", "add", "move"])
def test_a_key_index_that_no_longer_matches_its_events_is_reported(programme, imported, damage):
    people, consents = batch_events(programme)
    k = t.audit_event_key
    if damage == "delete":  # hides a person's import from `audit log --key`
        execute(programme, k.delete().where(k.c.entity_key == "KHJ-2026-0001"))
        wrong = people.seq
    elif damage == "add":
        execute(programme, k.insert().values(entity_key="KHJ-2026-0001", seq=consents.seq))
        wrong = consents.seq
    else:  # the index of a whole event removed
        execute(programme, k.delete().where(k.c.seq == consents.seq))
        wrong = consents.seq
    assert verify(programme).problems == (f"the key index of event {wrong} does not match the records it holds",)


def test_a_batch_is_one_event_per_thousand_records_and_each_record_is_found_by_its_key(programme, admin):
    from datetime import date

    from reentry_core.domain import Centre
    from reentry_core.services.context import BATCH_RECORDS

    records = {f"R-{n:04d}": {"n": n, "centre": Centre("DSH", "Dushanbe centre", "Dushanbe"),
                             "tags": {"b", "a"}, "on": [date(2026, 1, 2)]} for n in range(2 * BATCH_RECORDS + 5)}
    before = count(programme, t.audit_event)
    with admin.transaction() as tx:
        tx.audit_batch("test.batch", "thing", records, file="things.csv")
    events = sorted(rows(programme, t.audit_event), key=lambda r: r.seq)[before:]
    assert [len(json.loads(e.after)["records"]) for e in events] == [1000, 1000, 5]
    assert [e.entity_key for e in events] == ["R-0000…R-0999", "R-1000…R-1999", "R-2000…R-2004"]
    assert verify(programme).ok
    (found,) = admin.audit.log(key="R-1500")
    record = json.loads(found.after)["records"] if isinstance(found.after, str) else found.after["records"]
    assert record == {"R-1500": {"n": 1500, "centre": {"code": "DSH", "name": "Dushanbe centre", "city": "Dushanbe"},
                                 "tags": ["a", "b"], "on": ["2026-01-02"]}}
