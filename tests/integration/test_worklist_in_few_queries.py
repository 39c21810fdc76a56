"""Issue 17, speed: finance's worklist asks the verifier once for every grant waiting for a
verified visit (``tranche_verifications``) and builds each grant it asks about from its own
row. These pin the set-based answers to the one-by-one ones they replace, on the small demo."""

from __future__ import annotations

from datetime import date, timedelta

import attrs
import pytest
import sqlalchemy as sa

from reentry_core.demo import run
from reentry_core.services.context import Transaction
from reentry_mentoring import store as mentoring_store
from reentry_mentoring import tables as mt
from reentry_microgrants import store
from reentry_microgrants.payments import AskedGrant

PROTOCOL = ("code", "participant", "round", "amount_approved", "currency", "decided_on", "plan", "sector")


def _visit(row):
    return row and (row.id, row.visited_on, row.mode, row.mentor)


@pytest.fixture
def demo(programme):
    return run(programme, "small", seed=3)


def test_the_verifying_visits_of_many_people_are_each_what_one_question_answers(programme, demo):
    with programme.engine.connect() as conn:
        visits = conn.execute(sa.select(mt.visit.c.participant_id, mt.visit.c.visited_on)).all()
        codes = dict(conn.execute(sa.text("SELECT id, code FROM participant")).all())
        asked = [("NOBODY-0000-0000", date.min)]
        for person, day in visits:
            for since in (date.min, day - timedelta(days=1), day, day + timedelta(days=1)):
                asked.append((codes[person], since))
        assert len({code for code, _since in asked}) > 10
        for today in (demo.today, demo.today - timedelta(days=90)):
            one_by_one = [_visit(mentoring_store.verifying_visit(conn, code, today, since)) for code, since in asked]
            assert [_visit(v) for v in mentoring_store.verifying_visits(conn, today, asked)] == one_by_one
            assert any(one_by_one) and not all(one_by_one)


def test_the_worklist_is_the_same_asked_in_one_question_or_grant_by_grant(programme, demo, monkeypatch):
    for who in ("FIN1", "ADM", "BGF-CW1"):
        finance = demo.act_as(who).grants
        batch = finance.due_tranches()
        with monkeypatch.context() as m:  # nobody answers the batch question: one question per grant
            m.setattr(Transaction, "answering", lambda self, hook: frozenset())
            assert finance.due_tranches() == batch
        assert finance.due_tranches(ready=True) == [d for d in batch if d.ready]
        for due in batch[:5]:  # the tranche form asks about its one grant (lower case as typed)
            assert finance.due_tranches(application=due.application.lower()) == [due]
    hidden = next(d for d in demo.act_as("FIN1").grants.due_tranches() if not d.participant.startswith("BGF"))
    assert demo.act_as("BGF-CW1").grants.due_tranches(application=hidden.application) == []  # out of reach


def test_a_grant_asked_about_is_the_application_a_verifier_reads(programme, demo):
    ctx = demo.act_as("FIN1")
    with ctx.reading_transaction() as tx:
        rows = store.payable(tx.conn)
        apps = store.applications_by_ids(tx.conn, [row.id for row in rows])
    assert rows
    for row in rows:
        assert attrs.astuple(AskedGrant.of(row)) == tuple(getattr(apps[row.code], name) for name in PROTOCOL)


def test_the_page_reads_the_first_pending_tranches_and_how_many_wait(programme, demo):
    for who in ("FIN1", "BGF-CW1"):
        grants = demo.act_as(who).grants
        every = grants.pending_tranches()
        assert grants.pending_tranches(limit=2) == every[:2]
        assert grants.pending_count() == len(every)
    assert len(demo.act_as("FIN1").grants.pending_tranches()) > 2
