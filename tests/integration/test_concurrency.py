"""Two desks writing at once: codes stay unique and the audit chain never forks."""

from __future__ import annotations

import multiprocessing
from datetime import date

PER_WORKER = 15


def _register_many(url: str, worker: int) -> list[str]:
    from reentry_core import open_programme

    programme = open_programme(url)
    ctx = programme.act_as("CW1")
    codes = []
    for i in range(PER_WORKER):
        p = ctx.participants.register(
            full_name=f"Worker {'ABCDEFGH'[worker]} Person {'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[i]}",
            sex="female" if i % 3 == 0 else "male", birth_date=date(1980 + i, 1, 1 + worker), centre="DSH",
        )
        codes.append(p.code)
    programme.close()
    return codes


def test_parallel_registrations_get_unique_codes_and_one_chain(database_url, case_worker, admin):
    workers = 3
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        results = pool.starmap(_register_many, [(database_url, w) for w in range(workers)])
    codes = [code for batch in results for code in batch]
    assert len(codes) == len(set(codes)) == workers * PER_WORKER
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    assert numbers == list(range(1, workers * PER_WORKER + 1))
    result = admin.audit.verify()
    assert result.ok, result.problems
    assert result.checked == result.head_seq


# --- the concurrency suite: N desks at once on each family of changes -------------------------
#
# Each worker process opens the programme itself, waits at a barrier with the others and then
# makes its change. The reads of the services under test are slowed (a test-side wrapper) so
# that every desk has read before any has written: the window a lost update needs. What must
# hold: no change lost silently (each desk either wrote or was told why not), the database's
# rules kept (one exit, one move from a status, one person per centre), and the audit trail
# saying what the data says.

SLOW_READ = 0.4


def _slow_reads(locks: bool) -> None:
    """In a worker: hold every locked read a moment, and take row locks or (once, to prove the
    suite sees it) not."""
    import time

    from reentry_core.services import participants, referrals
    from reentry_core.storage import locks as lock_rules

    lock_rules.ROW_LOCKS = locks
    load = participants.load_participant

    def slow_load(conn, code, *, lock=False):
        found = load(conn, code, lock=lock)
        if lock:
            time.sleep(SLOW_READ)
        return found

    participants.load_participant = slow_load
    referral_load = referrals.ReferralService._load

    def slow_referral(conn, referral_id, ctx=None, *, lock=False):
        found = referral_load(conn, referral_id, ctx, lock=lock)
        if lock:
            time.sleep(SLOW_READ)
        return found

    referrals.ReferralService._load = staticmethod(slow_referral)


def _desk(url: str, barrier, actor: str, action: str, arg, locks: bool = True) -> str:
    """One desk: ``action`` with ``arg`` as ``actor``; "ok" or the refusal's message."""
    from reentry_core import open_programme
    from reentry_core.errors import ReentryError

    _slow_reads(locks)
    programme = open_programme(url)
    ctx = programme.act_as(actor)
    barrier.wait(timeout=60)
    try:
        if action == "update":
            ctx.participants.update(arg[0], **arg[1])
        elif action == "register":
            ctx.participants.register(**arg)
        elif action == "referral":
            ctx.referrals.update(arg[0], arg[1])
        elif action == "exit":
            ctx.participants.exit(arg, "moved_away")
        elif action == "consent":
            ctx.participants.record_consent(arg[0], scope=arg[1])
        elif action == "visit_sheet":
            logged = ctx.mentoring.import_visits(arg)
            return f"ok: {len(logged)} logged, {logged.unchanged} unchanged"
        else:
            raise AssertionError(action)
        return "ok"
    except ReentryError as exc:
        return exc.message
    finally:
        programme.close()


def _race(url: str, desks: list[tuple[str, str, object]], locks: bool = True) -> list[str]:
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        barrier = manager.Barrier(len(desks))
        with context.Pool(len(desks)) as pool:
            return pool.starmap(_desk, [(url, barrier, actor, action, arg, locks) for actor, action, arg in desks])


def _person(ctx, name="Фарҳод Назаров"):
    return ctx.participants.register(full_name=name, sex="male", birth_date="1988-04-02", centre="DSH").code


def _events(admin, code: str, action: str) -> list:
    return [e for e in admin.audit.log(key=code) if e.action == action]


def _trail_intact(admin) -> None:
    result = admin.audit.verify()
    assert result.ok, result.problems


def test_two_desks_changing_one_person_keep_both_changes(database_url, case_worker, admin):
    code = _person(case_worker)
    outcomes = _race(database_url, [("CW1", "update", (code, {"phone": "+992 93 555 12 34"})),
                                    ("ADM", "update", (code, {"facility": "ИК-3/1 Ёвон"}))])
    assert outcomes == ["ok", "ok"]
    person = admin.participants.get(code)
    assert (person.phone, person.facility) == ("+992935551234", "ИК-3/1 Ёвон")
    updates = _events(admin, code, "participant.update")
    assert len(updates) == 2
    last = max(updates, key=lambda e: e.seq)
    assert (last.after["phone"], last.after["facility"]) == (person.phone, person.facility)
    _trail_intact(admin)


def test_the_same_person_registered_at_three_desks_at_once_is_registered_once(database_url, case_worker, admin,
                                                                             staff_as):
    staff_as("case_worker", code="CW2")
    person = {"full_name": "Зарина Раҳимова", "sex": "female", "birth_date": "1990-03-15", "centre": "DSH"}
    outcomes = _race(database_url, [(actor, "register", person) for actor in ("CW1", "CW2", "ADM")])
    assert outcomes.count("ok") == 1
    registered = admin.participants.list(centre="DSH")
    assert len(registered) == 1
    for refused in (o for o in outcomes if o != "ok"):
        assert refused.startswith(f"Зарина Раҳимова, born 1990-03-15, is already registered at DSH as {registered[0].code}")
    assert len(_events(admin, registered[0].code, "participant.register")) == 1
    _trail_intact(admin)


def test_a_referral_accepted_and_declined_at_once_takes_one_of_them(database_url, case_worker, admin):
    code = _person(case_worker)
    case_worker.participants.record_consent(code, scope=["programme", "referrals"])
    referral = case_worker.referrals.add(code, "legal", "Lawyer Rahimov", "appeal")
    outcomes = _race(database_url, [("CW1", "referral", (referral.id, "accepted")),
                                    ("ADM", "referral", (referral.id, "declined"))])
    assert outcomes.count("ok") == 1
    refused = next(o for o in outcomes if o != "ok")
    assert refused.startswith(f"referral {referral.id} is ")  # it read the other desk's status and was refused
    final = admin.referrals.get(referral.id)
    moves = [e for e in admin.audit.log(key=str(referral.id)) if e.action == "referral.update"]
    assert len(moves) == 1 and moves[0].after["status"] == final.status.value
    _trail_intact(admin)


def test_a_person_exited_at_two_desks_at_once_leaves_once(database_url, case_worker, admin):
    code = _person(case_worker)
    outcomes = _race(database_url, [("CW1", "exit", code), ("ADM", "exit", code)])
    assert outcomes.count("ok") == 1
    assert any(o.startswith(f"{code} already left the programme") for o in outcomes)
    assert len(_events(admin, code, "participant.exit")) == 1
    _trail_intact(admin)


def test_consent_recorded_at_two_desks_at_once_leaves_one_in_force(database_url, case_worker, admin):
    code = _person(case_worker)
    outcomes = _race(database_url, [("CW1", "consent", (code, ["programme"])),
                                    ("ADM", "consent", (code, ["programme", "referrals", "research"]))])
    assert outcomes == ["ok", "ok"]
    history = admin.participants.consents(code)
    assert len(history) == 2 and sum(c.withdrawn_on is None for c in history) == 1
    assert len(_events(admin, code, "consent.record")) == 2
    _trail_intact(admin)


def test_the_suite_catches_a_missing_lock(database_url, case_worker, admin):
    """Proof that the suite tests the locks: without them, two desks changing one person on
    PostgreSQL lose one change while the audit trail records both."""
    if not database_url.startswith("postgresql"):
        import pytest

        pytest.skip("SQLite: one writer at a time (BEGIN IMMEDIATE) is the lock; there is no row lock to remove")
    code = _person(case_worker)
    outcomes = _race(database_url, [("CW1", "update", (code, {"phone": "+992 93 555 12 34"})),
                                    ("ADM", "update", (code, {"facility": "ИК-3/1 Ёвон"}))], locks=False)
    assert outcomes == ["ok", "ok"]
    person = admin.participants.get(code)
    assert (person.phone, person.facility) != ("+992935551234", "ИК-3/1 Ёвон")  # one change lost
    assert len(_events(admin, code, "participant.update")) == 2                 # while the trail says two


def test_the_database_refuses_the_same_person_twice_when_the_look_up_was_passed(case_worker, monkeypatch):
    """The unique identity key, not the look-up, is the rule: with the look-up before the
    insert blind (a desk that looked just before another desk's insert), the second
    registration is still refused, naming the person already registered."""
    import pytest

    from reentry_core.errors import Conflict
    from reentry_core.services import participants

    first = _person(case_worker)
    real, calls = participants.find_duplicates, []

    def blind_first_look(conn, keys):
        calls.append(keys)
        return {} if len(calls) == 1 else real(conn, keys)

    monkeypatch.setattr(participants, "find_duplicates", blind_first_look)
    with pytest.raises(Conflict, match=f"already registered at DSH as {first}"):
        _person(case_worker, "ФАРҲОД НАЗАРОВ")
    assert len(calls) == 2  # the look-up passed; the insert was refused by the key
    twin = case_worker.participants.register(full_name="Фарҳод Назаров", sex="male", birth_date="1988-04-02",
                                             centre="DSH", allow_same_name=True)
    assert twin.code != first  # knowingly the same name and birth date: twin number 1
