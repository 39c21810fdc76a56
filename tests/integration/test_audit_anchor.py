"""Issue 15, point 4: an audit trail emptied, cut back, or recomputed after an edit still
verifies as intact on its own; an anchor kept outside the database catches each, and an
audit key kept outside it stops a chain being rebuilt by someone who has only the database."""

from __future__ import annotations

import os
import stat

import pytest
import sqlalchemy as sa

from reentry_core.errors import AuditTampered, Conflict, DatabaseError, InvalidInput
from reentry_core.services import FixedClock, open_programme
from reentry_core.services.audit import (GENESIS, Anchor, as_audit_key, audit_key_from_env, parse_anchor,
                                         read_anchor, row_hash)
from reentry_core.storage import tables as t
from reentry_core.testing import TODAY

KEY = "k3y-0f-the-dushanbe-programme-kept-on-a-usb-stick"
PERSON = {"full_name": "Ҷамшед Раҳимов", "sex": "male", "birth_date": "1985-03-12", "centre": "DSH"}
NAMES = ["Ҷамшед Раҳимов", "Нигора Саидова", "Мадина Сафарова", "Зарина Ашурова", "Фарҳод Саидов"]


def execute(programme, *statements):
    with programme.engine.begin() as conn:
        for statement in statements:
            conn.execute(statement)


def events(programme):
    with programme.engine.connect() as conn:
        return conn.execute(sa.select(t.audit_event).order_by(t.audit_event.c.seq)).all()


def register(ctx, n: int) -> None:
    for i in range(n):
        ctx.participants.register(**{**PERSON, "full_name": NAMES[i % len(NAMES)]}, allow_same_name=True)


# --- what a forger with the database does --------------------------------------------------


def empty_the_trail(programme):
    execute(programme, t.audit_event_key.delete(), t.audit_event.delete(),
            t.audit_head.update().values(seq=0, hash=GENESIS))


def cut_back_to(programme, seq: int):
    """Delete the events after ``seq`` and move the head back: a consistent shorter chain."""
    kept = next(e for e in events(programme) if e.seq == seq)
    execute(programme, t.audit_event_key.delete().where(t.audit_event_key.c.seq > seq),
            t.audit_event.delete().where(t.audit_event.c.seq > seq),
            t.audit_head.update().values(seq=seq, hash=kept.hash))


def rechain(programme, *, start: int = 1, audit_key=None, key_id="same"):
    """Recompute every hash from event ``start`` on and the head, as a forger would:
    unkeyed (``key_id`` None) unless given a key, or claiming another key's id."""
    rows = events(programme)
    prev = GENESIS if start == 1 else rows[start - 2].hash
    with programme.engine.begin() as conn:
        for e in rows[start - 1:]:
            digest = row_hash(e, prev, audit_key=audit_key)[0]
            new_key_id = (audit_key.id if audit_key else None) if key_id == "same" else key_id
            conn.execute(t.audit_event.update().where(t.audit_event.c.seq == e.seq)
                         .values(prev_hash=prev, hash=digest, key_id=new_key_id))
            prev = digest
        conn.execute(t.audit_head.update().values(seq=rows[-1].seq, hash=prev))


def forget_people(programme):
    """The forger's second step after cutting the trail: delete the people whose registration
    is no longer in it, so the data agrees with the shorter trail (``audit verify`` compares
    the participants with their audited changes)."""
    with programme.engine.begin() as conn:
        kept = set(conn.execute(sa.select(t.audit_event.c.entity_key).where(
            t.audit_event.c.action == "participant.register")).scalars())
        conn.execute(t.participant.delete().where(t.participant.c.code.not_in(kept)))


def rename_person(programme, seq: int, new: str):
    """The forger's second step after editing the name in event ``seq``: the same name in the
    data, for the person that event is about."""
    from reentry_core.services.participant_store import name_key

    code = next(e.entity_key for e in events(programme) if e.seq == seq)
    execute(programme, t.participant.update().where(t.participant.c.code == code)
            .values(full_name=new, name_key=name_key(new)))


def edit_event(programme, seq: int, old: str, new: str):
    e = next(e for e in events(programme) if e.seq == seq)
    assert old in e.after
    execute(programme, t.audit_event.update().where(t.audit_event.c.seq == seq).values(after=e.after.replace(old, new)))


@pytest.fixture
def anchored(programme, admin, case_worker):
    """Three people registered, an anchor made by the admin, then two more registered."""
    register(case_worker, 3)
    anchor = admin.audit.anchor()
    register(case_worker, 2)
    return anchor


# --- the anchor ---------------------------------------------------------------------------


def test_an_anchor_is_a_few_lines_that_cover_its_own_audited_event(programme, admin):
    anchor = admin.audit.anchor()
    last = events(programme)[-1]
    assert (last.action, last.actor, last.entity) == ("audit.anchor", "ADM", "audit")
    assert (anchor.seq, anchor.head, anchor.key_id, anchor.signature) == (last.seq, last.hash, None, None)
    lines = anchor.text.splitlines()
    assert lines[0] == "reentry audit anchor v1" and len(lines) <= 8
    assert f"events: {last.seq}" in lines and f"head: {last.hash}" in lines and "signature: none" in lines
    assert any(line.startswith("# unsigned") for line in lines)
    assert anchor.at.isoformat() == f"{TODAY.isoformat()}T12:00:00+00:00"
    assert parse_anchor(anchor.text) == anchor
    again = admin.audit.anchor()
    assert again.programme == anchor.programme and again.seq == anchor.seq + 1  # the database's id is kept


def test_an_anchor_file_is_owner_only_and_reads_back(programme, admin, tmp_path):
    path = tmp_path / "anchor.txt"
    anchor = admin.audit.anchor(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert read_anchor(path) == anchor
    assert events(programme)[-1].after == f'{{"file":"{path.resolve()}","key":null}}'


def test_a_hand_copied_anchor_reads_the_same(admin):
    anchor = admin.audit.anchor()
    copied = "\n\n".join("  " + line.upper().replace("REENTRY AUDIT ANCHOR V1", "reentry audit anchor v1")
                         .replace("PROGRAMME:", "programme:").replace("EVENTS:", "events:").replace("HEAD:", "head:")
                         .replace("AT:", "at:").replace("KEY:", "key:").replace("SIGNATURE:", "signature:")
                         .replace("NONE", "none") for line in anchor.text.splitlines() if not line.startswith("#"))
    assert parse_anchor(copied) == anchor


def test_the_untouched_trail_holds_what_its_anchors_saw(programme, admin, anchored):
    later = admin.audit.anchor()
    result = admin.audit.verify(anchor=[anchored, later])
    assert result.ok and result.anchors == 2 and result.unchecked == 0


def test_a_case_worker_may_not_anchor(case_worker):
    from reentry_core.errors import PermissionDenied

    with pytest.raises(PermissionDenied, match="may not read the audit trail"):
        case_worker.audit.anchor()


# --- the three rewrites: intact on their own, caught with the anchor --------------------------


def test_an_emptied_trail_with_its_head_reset_is_caught_by_the_anchor(programme, admin, anchored):
    empty_the_trail(programme)
    assert not admin.audit.verify().ok  # the people in the data were never registered by the trail …
    forget_people(programme)
    alone = admin.audit.verify()  # … and with them deleted too, the staff and centres still show
    assert alone.checked == 0 and alone.problems and all(
        p.startswith(("staff member ", "centre ")) and p.endswith("is in the data but no audited change made it: "
                                                                 "the row was added outside reentry")
        for p in alone.problems)
    result = admin.audit.verify(anchor=anchored)
    assert result.problems[0] == (
        f"the trail ends at event 0, but the anchor of 2026-11-23 12:00 UTC (event {anchored.seq}) saw "
        f"{anchored.seq} events: the trail was emptied or cut back since")


def test_a_cut_tail_with_the_head_moved_back_is_caught_by_the_anchor(programme, admin, anchored):
    cut_back_to(programme, anchored.seq - 2)
    forget_people(programme)
    assert admin.audit.verify().ok
    result = admin.audit.verify(anchor=anchored)
    assert not result.ok and "the trail was emptied or cut back since" in result.problems[0]


def test_a_cut_tail_written_over_again_is_caught_by_the_anchor(programme, admin, case_worker, anchored):
    cut_back_to(programme, anchored.seq - 2)
    forget_people(programme)
    register(case_worker, 4)  # the trail grows past the anchor again, with other events
    assert admin.audit.verify().ok
    result = admin.audit.verify(anchor=anchored)
    assert len(result.problems) == 1
    assert result.problems[0].startswith(f"event {anchored.seq} is not the one the anchor of 2026-11-23 12:00 UTC")


def test_an_edit_before_the_anchor_with_the_chain_recomputed_is_caught_by_the_anchor(programme, admin, anchored):
    register_event = next(e for e in events(programme) if e.action == "participant.register")
    edit_event(programme, register_event.seq, "Ҷамшед Раҳимов", "Ҷаҳонгир Раҳимов")
    rename_person(programme, register_event.seq, "Ҷаҳонгир Раҳимов")
    assert not admin.audit.verify().ok  # the plain edit shows …
    rechain(programme)
    assert admin.audit.verify().ok  # … but not once the unkeyed chain is recomputed
    result = admin.audit.verify(anchor=anchored)
    assert result.problems == (
        f"event {anchored.seq} is not the one the anchor of 2026-11-23 12:00 UTC (event {anchored.seq}) saw: the "
        f"trail up to it was rewritten (hash {events(programme)[anchored.seq - 1].hash[:12]}…, the anchor has "
        f"{anchored.head[:12]}…)",)


def test_an_edit_after_the_newest_anchor_is_not_caught_by_it(programme, admin, anchored):
    """What an anchor cannot do: events after it are only as safe as the chain."""
    edit_event(programme, anchored.seq + 1, "Ҷамшед Раҳимов", "Ҷаҳонгир Раҳимов")
    rename_person(programme, anchored.seq + 1, "Ҷаҳонгир Раҳимов")
    rechain(programme, start=anchored.seq + 1)
    assert admin.audit.verify(anchor=anchored).ok


# --- anchors that are refused --------------------------------------------------------------


def test_an_anchor_of_another_database_is_refused(programme, admin, anchored):
    other = Anchor("0" * 32, anchored.seq, anchored.head, anchored.at, None, None, "other.txt")
    with pytest.raises(Conflict, match=r"^other.txt is an anchor of another database \(programme 0{32}; this one "
                                       rf"is {anchored.programme}\)$"):
        admin.audit.verify(anchor=other)


@pytest.mark.parametrize("text, reason", [
    ("", "it does not start with 'reentry audit anchor v1'"),
    ("reentry audit anchor v1\nprogramme: 12\nevents: 3\nhead: " + "a" * 64 + "\nat: 2026-11-23T12:00:00Z\n"
     "key: none\nsignature: none\n", "programme '12' is not 32 hexadecimal digits"),
    ("reentry audit anchor v1\nprogramme: " + "a" * 32 + "\nevents: 3\nhead: " + "a" * 64 + "\nat: 23.11.2026\n"
     "key: none\nsignature: none\n", "at '23.11.2026' is not a time like 2026-12-04T09:30:00Z"),
    ("reentry audit anchor v1\nevents: 3\n", "no programme line"),
    ("reentry audit anchor v1\nwho: me\n", "unexpected line 'who: me'"),
])
def test_a_file_that_is_no_anchor_is_refused_in_one_line(admin, tmp_path, text, reason):
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as err:
        admin.audit.verify(anchor=path)
    assert err.value.message == f"{path} is not a reentry audit anchor: {reason}"


def test_a_missing_anchor_file_is_refused(admin, tmp_path):
    with pytest.raises(InvalidInput, match="^cannot read the anchor .*nothing.txt: No such file or directory$"):
        admin.audit.verify(anchor=tmp_path / "nothing.txt")


# --- the audit key -------------------------------------------------------------------------


@pytest.fixture
def keyed(database_url, plugin_manager, programme, admin, case_worker):
    """The same database opened with the audit key; three people registered through it."""
    prog = open_programme(database_url, plugins=plugin_manager, clock=FixedClock(TODAY), audit_key=KEY)
    yield prog
    prog.close()


def keyed_events(keyed_programme, n=3):
    register(keyed_programme.act_as("CW1"), n)
    return keyed_programme.act_as("ADM")


def test_with_a_key_new_events_are_macs_and_verify_with_it(programme, keyed):
    admin = keyed_events(keyed)
    key = as_audit_key(KEY)
    rows = events(programme)
    assert {e.key_id for e in rows[-3:]} == {key.id} and rows[0].key_id is None
    e = rows[-1]
    assert e.hash == row_hash(e, audit_key=key)[0]
    result = admin.audit.verify()
    assert result.ok and result.unchecked == 0
    assert result.notes == (f"{len(rows) - 3} of {len(rows)} events are not keyed: written before the audit key "
                            "was set, or rebuilt without it; an anchor made after the key was set tells which",)


def test_without_the_key_keyed_events_are_counted_not_called_intact(programme, keyed):
    keyed_events(keyed)
    result = programme.act_as("ADM").audit.verify()
    assert result.ok and result.unchecked == 3 and result.checked == len(events(programme))


def test_nobody_without_the_key_can_write_after_keyed_events(programme, keyed, case_worker):
    keyed_events(keyed)
    before = len(events(programme))
    with pytest.raises(DatabaseError, match=r"^this audit trail is keyed \(key [0-9a-f]{8}\) but no audit key is set "
                                            "here: set REENTRY_AUDIT_KEY_FILE"):
        register(case_worker, 1)
    assert len(events(programme)) == before


def test_an_edit_with_the_tail_rechained_without_the_key_is_caught(programme, keyed):
    """The forger cannot make MACs, so the rebuilt tail is plain SHA-256 after keyed events:
    seen with the key and even without it."""
    admin = keyed_events(keyed)
    first_keyed = next(e.seq for e in events(programme) if e.key_id)
    edit_event(programme, first_keyed + 1, "Нигора Саидова", "Нигора Каримова")
    rename_person(programme, first_keyed + 1, "Нигора Каримова")
    rechain(programme, start=first_keyed + 1)  # SHA-256, key_id dropped
    problem = (f"event {first_keyed + 1} is not keyed though event {first_keyed} before it is: it was written without "
               "the audit key, or the trail from there was rebuilt")
    assert admin.audit.verify().problems == (problem,)
    assert programme.act_as("ADM").audit.verify().problems == (problem,)


def test_a_tail_rechained_under_a_made_up_key_id_is_caught_by_the_key(programme, keyed):
    admin = keyed_events(keyed)
    first_keyed = next(e.seq for e in events(programme) if e.key_id)
    rechain(programme, start=first_keyed + 1, key_id="0badc0de")
    assert admin.audit.verify().problems == (
        f"event {first_keyed + 1} is keyed with another audit key (0badc0de) though events before it are keyed with "
        f"this one ({as_audit_key(KEY).id}): the trail from there was rebuilt",)


def test_keyed_events_recomputed_with_sha256_are_caught_by_the_key(programme, keyed):
    admin = keyed_events(keyed)
    rechain(programme, key_id=as_audit_key(KEY).id)  # keeps the key's id, but plain SHA-256
    problems = admin.audit.verify().problems
    assert problems and all("was changed after it was written" in p for p in problems)


def test_a_whole_trail_rechained_without_the_key_is_caught_by_a_signed_anchor(programme, keyed):
    admin = keyed_events(keyed)
    anchor = admin.audit.anchor()
    assert anchor.key_id == as_audit_key(KEY).id and anchor.signature and "# signed" in anchor.text
    rechain(programme)  # every event plain SHA-256: looks like a trail never keyed
    alone = admin.audit.verify()
    assert alone.ok and "are not keyed" in alone.notes[0]
    assert "the trail up to it was rewritten" in admin.audit.verify(anchor=anchor).problems[0]


def test_a_forged_anchor_signature_is_refused(keyed):
    admin = keyed_events(keyed)
    anchor = admin.audit.anchor()
    forged = parse_anchor(anchor.text.replace(f"events: {anchor.seq}", f"events: {anchor.seq - 1}"), "forged.txt")
    with pytest.raises(AuditTampered, match="^forged.txt was changed after it was made: its signature does not match$"):
        admin.audit.verify(anchor=forged)


def test_an_anchor_with_its_signature_stripped_is_caught(keyed):
    admin = keyed_events(keyed)
    anchor = admin.audit.anchor()
    stripped = Anchor(anchor.programme, anchor.seq, anchor.head, anchor.at, None, None, "stripped.txt")
    assert admin.audit.verify(anchor=stripped).problems == (
        f"the anchor of 2026-11-23 12:00 UTC (event {anchor.seq}) is unsigned, but reentry signs every anchor of a "
        "keyed trail: its signature was removed, or it was not made by reentry",)


def test_an_anchor_signed_with_another_key_is_refused(database_url, plugin_manager, keyed):
    anchor = keyed_events(keyed).audit.anchor()
    with open_programme(database_url, plugins=plugin_manager, clock=FixedClock(TODAY),
                        audit_key="another-key-of-another-programme") as other:
        with pytest.raises(InvalidInput, match=rf"^the anchor was signed with another audit key \({anchor.key_id}\); "
                                               r"the key here is [0-9a-f]{8}$"):
            other.act_as("ADM").audit.verify(anchor=anchor)


def test_without_the_key_a_signed_anchor_is_checked_but_not_its_signature(programme, keyed):
    anchor = keyed_events(keyed).audit.anchor()
    result = programme.act_as("ADM").audit.verify(anchor=anchor)
    assert result.ok and result.notes == (
        "the signature of the anchor was not checked: no audit key is set here (REENTRY_AUDIT_KEY_FILE)",)


def test_the_key_comes_from_a_file_or_the_environment_never_both(tmp_path):
    path = tmp_path / "audit.key"
    path.write_text(KEY + "\n", encoding="utf-8")
    assert audit_key_from_env({"REENTRY_AUDIT_KEY_FILE": str(path)}) == as_audit_key(KEY)
    assert audit_key_from_env({"REENTRY_AUDIT_KEY": KEY}).id == as_audit_key(KEY).id
    assert audit_key_from_env({}) is None
    with pytest.raises(InvalidInput, match="^set either REENTRY_AUDIT_KEY_FILE or REENTRY_AUDIT_KEY, not both$"):
        audit_key_from_env({"REENTRY_AUDIT_KEY_FILE": str(path), "REENTRY_AUDIT_KEY": KEY})
    with pytest.raises(InvalidInput, match="^the audit key is too short: it needs at least 16 characters"):
        audit_key_from_env({"REENTRY_AUDIT_KEY": "secret"})
    with pytest.raises(InvalidInput, match="^cannot read the audit key file .*missing.key"):
        audit_key_from_env({"REENTRY_AUDIT_KEY_FILE": str(tmp_path / "missing.key")})
    assert KEY not in repr(as_audit_key(KEY))


# --- the CLI -------------------------------------------------------------------------------


@pytest.fixture
def cli(run_cli, monkeypatch, staff_as, case_worker):
    for name in ("REENTRY_AUDIT_KEY", "REENTRY_AUDIT_KEY_FILE", "REENTRY_USER"):
        monkeypatch.delenv(name, raising=False)
    staff_as("me_officer", code="ME1", centre=None)
    register(case_worker, 2)
    return run_cli


def errors(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Error:")]


def test_cli_anchor_prints_it_and_verify_checks_it(cli, tmp_path):
    printed = cli("--as", "ME1", "audit", "anchor")
    assert printed.exit_code == 0 and printed.stdout.startswith("reentry audit anchor v1\n")
    path = tmp_path / "anchor.txt"
    path.write_text(printed.stdout, encoding="utf-8")
    written = cli("--as", "ME1", "audit", "anchor", "--out", str(tmp_path / "second.txt"))
    assert written.exit_code == 0 and written.stdout.startswith(f"Anchor written to {tmp_path / 'second.txt'}: ")
    ok = cli("--as", "ME1", "audit", "verify", "--anchor", str(path), "--anchor", str(tmp_path / "second.txt"))
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.splitlines()[1] == "It still holds what the 2 anchors given saw."


def test_cli_verify_with_the_anchor_of_an_emptied_trail_exits_6(cli, programme, tmp_path):
    path = tmp_path / "anchor.txt"
    cli("--as", "ME1", "audit", "anchor", "--out", str(path))
    empty_the_trail(programme)
    forget_people(programme)
    alone = cli("--as", "ME1", "audit", "verify")
    assert alone.exit_code == 6 and "staff member ME1 is in the data but no audited change made it" in alone.stderr
    result = cli("--as", "ME1", "audit", "verify", "--anchor", str(path))
    assert result.exit_code == 6
    assert "the trail was emptied or cut back since" in result.stderr


def test_cli_refuses_a_bad_anchor_in_one_line(cli, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("hello\n", encoding="utf-8")
    result = cli("--as", "ME1", "audit", "verify", "--anchor", str(bad))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: {bad} is not a reentry audit anchor: it does not start with 'reentry audit anchor v1'"]


def test_cli_refuses_a_forged_signature_with_exit_6(cli, monkeypatch, tmp_path):
    monkeypatch.setenv("REENTRY_AUDIT_KEY", KEY)
    path = tmp_path / "anchor.txt"
    assert cli("--as", "ME1", "audit", "anchor", "--out", str(path)).exit_code == 0
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("at: 2026-11-23T12:00:00Z", "at: 2026-11-24T12:00:00Z"), encoding="utf-8")
    result = cli("--as", "ME1", "audit", "verify", "--anchor", str(path))
    assert result.exit_code == 6
    assert result.stderr.strip().splitlines() == [
        f"Error: {path} was changed after it was made: its signature does not match"]


def test_cli_without_the_key_says_what_it_could_not_check(cli, monkeypatch):
    monkeypatch.setenv("REENTRY_AUDIT_KEY", KEY)
    assert cli("--as", "ME1", "audit", "anchor").exit_code == 0
    monkeypatch.delenv("REENTRY_AUDIT_KEY")
    result = cli("--as", "ME1", "audit", "verify")
    assert result.exit_code == 0
    assert "intact" not in result.stdout
    assert "1 keyed event could not be checked: it needs an audit key not set here" in result.stdout


def test_cli_new_key_is_owner_only_and_never_overwritten(cli, tmp_path, monkeypatch):
    path = tmp_path / "audit.key"
    made = cli("audit", "new-key", str(path))
    assert made.exit_code == 0 and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    key = audit_key_from_env({"REENTRY_AUDIT_KEY_FILE": str(path)})
    assert made.stdout == f"A new audit key (fingerprint {key.id}) is in {path}.\n"
    again = cli("audit", "new-key", str(path))
    assert again.exit_code == 8 and errors(again) == [
        f"Error: {path} exists already: an audit key is never overwritten"]
    monkeypatch.setenv("REENTRY_AUDIT_KEY_FILE", str(path))
    assert cli("--as", "ME1", "audit", "anchor").stdout.splitlines()[5] == f"key: {key.id}"


@pytest.mark.parametrize("command, example", [
    ("anchor", "reentry --as ME1 audit anchor --out anchor-2026-12.txt"),
    ("verify", "reentry --as ME1 audit verify --anchor anchor-2026-11.txt"),
    ("new-key", "reentry audit new-key ~/reentry-audit.key"),
])
def test_cli_help_shows_an_example(cli, command, example):
    result = cli("audit", command, "--help")
    assert result.exit_code == 0 and example in result.output


def test_a_keyed_trail_is_backed_up_restored_and_checked_with_the_key(cli, monkeypatch, programme, database_url,
                                                                     tmp_path):
    if not database_url.startswith("sqlite"):
        pytest.skip("db restore replaces a SQLite file")
    monkeypatch.setenv("REENTRY_AUDIT_KEY", KEY)
    backup = tmp_path / "monday.db"
    assert cli("--as", "ADM", "db", "backup", str(backup)).exit_code == 0  # a keyed event
    programme.close()
    restored = cli("--as", "ADM", "db", "restore", str(backup))
    assert restored.exit_code == 0, restored.output
    verify = cli("--as", "ADM", "audit", "verify")
    assert verify.exit_code == 0 and verify.stdout.startswith("The audit trail is intact"), verify.output
    last = events(programme)[-1]  # the backup never holds its own event; the restore's is keyed
    assert (last.action, last.key_id) == ("db.restore", as_audit_key(KEY).id)


# --- a row of the data changed directly, outside reentry ----------------------------------------


def test_a_participant_changed_added_or_deleted_in_the_database_is_caught(programme, admin, case_worker):
    register(case_worker, 3)
    first, second, third = (p.code for p in admin.participants.list())
    case_worker.participants.update(first, phone="+992 93 111 22 33")
    case_worker.participants.exit(third, "moved_away")
    admin.participants.transfer(second, "KHJ", "moved to Khujand")
    assert admin.audit.verify().ok  # every audited change replays to the data as it is
    execute(programme, t.participant.update().where(t.participant.c.code == first).values(phone="+992900000000"),
            t.participant.update().where(t.participant.c.code == third).values(status="active", exited_on=None,
                                                                                exit_reason=None))
    problems = admin.audit.verify().problems
    update = next(e.seq for e in events(programme) if e.action == "participant.update")
    assert problems[0] == (f"participant {first}: phone is '+992900000000' in the data but '+992931112233' after its "
                           f"last audited change (event {update}): the row was changed outside reentry")
    assert [p.split(":")[1].split(" is ")[0].strip() for p in problems[1:]] == ["status", "exit_reason", "exited_on"]
    execute(programme, t.participant.delete().where(t.participant.c.code == second),
            t.participant.insert().values(code="DSH-2026-0099", centre_id=1, full_name="Н. Н.", name_key="н. н.",
                                          sex="male", birth_date=TODAY.replace(year=1985), registered_on=TODAY,
                                          status="active"))
    problems = admin.audit.verify().problems
    assert ("participant DSH-2026-0099 is in the data but no audited change made it: the row was added "
            "outside reentry") in problems
    assert any(p.startswith(f"participant {second} is in the trail (event ") and p.endswith(
        "but not in the data: the row was deleted outside reentry") for p in problems)


def test_consents_referrals_staff_and_centres_changed_in_the_database_are_caught(programme, admin, case_worker):
    register(case_worker, 2)
    first, second = (p.code for p in admin.participants.list())
    case_worker.participants.record_consent(first, scope="programme")
    case_worker.participants.record_consent(first, scope="programme,referrals")  # ends the first one
    case_worker.participants.record_consent(second, scope="programme,referrals")
    referral = case_worker.referrals.add(first, "documents", "Passport office", "a new passport")
    case_worker.referrals.add(second, "legal", "Legal aid", "a fine to appeal")
    case_worker.participants.exit(second, "moved_away")  # cancels the second referral
    assert admin.audit.verify().ok  # every audited change replays to the data as it is
    c, r, s = t.consent, t.referral, t.staff
    execute(programme,
            c.update().where(c.c.scope == "programme").values(withdrawn_on=None),
            r.update().where(r.c.id == referral.id).values(status="closed"),
            s.update().where(s.c.code == "CW1").values(active=False),
            t.centre.update().where(t.centre.c.code == "KHJ").values(city="Душанбе"))
    problems = admin.audit.verify().problems
    assert [p.split(" in the data")[0] for p in problems] == [
        f"consent {first}/1: withdrawn_on is None",
        f"referral {referral.id}: status is 'closed'",
        "staff member CW1: active is False",
        "centre KHJ: city is 'Душанбе'",
    ]
    assert all(p.endswith("the row was changed outside reentry") for p in problems)


def test_cli_verify_names_a_row_changed_in_the_database(cli, programme):
    code = programme.act_as("ADM").participants.list()[0].code
    execute(programme, t.participant.update().where(t.participant.c.code == code).values(facility="ИК-1"))
    result = cli("--as", "ME1", "audit", "verify")
    assert result.exit_code == 6
    assert f"participant {code}: facility is 'ИК-1' in the data but" in result.stderr


def test_grants_visits_and_score_sheets_changed_in_the_database_are_caught(programme):
    """The plugins' tables where money and scores live, through their ``audited_tables``."""
    from reentry_core.demo import run

    demo = run(programme, "small", seed=3)
    me = demo.act_as("ME1")
    assert me.audit.verify().ok  # the whole demo replays to its data
    with programme.engine.connect() as conn:
        tranche = conn.execute(sa.text(
            "SELECT a.code, tr.number, tr.amount FROM mg_tranche tr JOIN mg_application a ON a.id = tr.application_id "
            "ORDER BY tr.id LIMIT 1")).one()
        visit = conn.execute(sa.text(
            "SELECT id, revenue FROM mn_visit WHERE revenue IS NOT NULL ORDER BY id LIMIT 1")).one()
        sheet = conn.execute(sa.text(
            "SELECT p.code, v.version, st.code, s.id FROM bp_sheet s JOIN bp_plan_version v ON v.id = s.version_id "
            "JOIN bp_plan p ON p.id = v.plan_id JOIN staff st ON st.id = s.trainer_id ORDER BY s.id LIMIT 1")).one()
        round_code = conn.execute(sa.text("SELECT code FROM mg_round ORDER BY id LIMIT 1")).scalar_one()
        granted = conn.execute(sa.text(
            "SELECT code FROM mg_application WHERE amount_granted IS NOT NULL ORDER BY id LIMIT 1")).scalar_one()
    execute(programme,
            sa.text("UPDATE mg_tranche SET amount = amount * 2 WHERE number = :n AND application_id = "
                    "(SELECT id FROM mg_application WHERE code = :app)").bindparams(app=tranche[0], n=tranche[1]),
            sa.text("UPDATE mn_visit SET revenue = revenue + 1000 WHERE id = :id").bindparams(id=visit[0]),
            sa.text("UPDATE bp_sheet SET total = 100 WHERE id = :id").bindparams(id=sheet[3]),
            sa.text("UPDATE mg_round SET budget = budget * 10 WHERE code = :code").bindparams(code=round_code),
            sa.text("UPDATE mg_application SET amount_granted = amount_granted + 500 WHERE code = :code")
            .bindparams(code=granted))
    problems = me.audit.verify().problems
    changed = sorted(p.split(" is ")[0] for p in problems)
    assert changed == sorted([
        f"grant round {round_code}: budget", f"grant application {granted}: amount_granted",
        f"tranche {tranche[0]}/{tranche[1]}: amount", f"visit {visit[0]}: revenue",
        f"score sheet {sheet[0]}/{sheet[1]}/{sheet[2]}: total",
    ])
    assert all(p.endswith("the row was changed outside reentry") for p in problems)
    execute(programme, sa.text("DELETE FROM mg_tranche WHERE number = :n AND application_id = (SELECT id FROM "
                               "mg_application WHERE code = :app)").bindparams(app=tranche[0], n=tranche[1]))
    assert any(p.startswith(f"tranche {tranche[0]}/{tranche[1]} is in the trail (event ")
               for p in me.audit.verify().problems)
