"""Training: cohorts, their trainers and sessions, enrolment, attendance and completion.

A session counts as *held* once attendance has been recorded for it; completion is
the share of held sessions a participant was present at (an excused absence is kept on
record but, like any absence, is not attendance), against the cohort's threshold.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import attrs
import sqlalchemy as sa

from reentry_core.sdk import (
    _, Conflict, InvalidInput, NotFound, param, parse_date, ParticipantStatus, record_access, required_reason, shown,
    structure,
)
from reentry_core.sdk import date_text

from . import store
from .domain import AttendanceMark, Cohort, Completion, TrainingSession, parse_rubric_ref


def _codes(values) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [c.strip().upper() for v in values for c in str(v).split(",") if c.strip()]


class SessionFinder:
    """A cohort's sessions read once; called with a session's number or date, gives its number."""

    def __init__(self, conn: sa.Connection, row):
        self.cohort = row.code
        self.sessions: dict[int, tuple] = {}  # number: (id, day)
        self.days: dict = {}
        for session_id, number, day in store.session_rows(conn, row.id):
            self.sessions[number] = (session_id, day)
            self.days.setdefault(day, number)
        self.numbers = set(self.sessions)

    def __call__(self, session) -> int:
        text = str(session).strip()
        if text.lstrip("+-").isdigit() and int(text) < 1:
            raise InvalidInput(_("session {text}: a session is named by its number (1, 2, …) or its date").format(
                text=text))
        if text.lstrip("+").isdigit():
            found = int(text) if int(text) in self.numbers else None
            what = _("no session {n}").format(n=text)
        else:
            day = parse_date(text)
            found = self.days.get(day)
            what = _("no session on {d}").format(d=date_text(day))
        if found is None:
            raise NotFound(_("cohort {cohort} has {what}; see: reentry plans cohort show {cohort}").format(
                cohort=self.cohort, what=what))
        return found


class TrainingService:
    """Cohorts, sessions, enrolment, attendance (part of ``ctx.plans``)."""

    ctx = None  # set by PlansService

    # --- cohorts ------------------------------------------------------------------------
    def add_cohort(self, code: str, centre: str, title: str, start_date, end_date, trainers, *,
                   lead_trainer: str | None = None, sessions: Iterable = (), rubric: str | None = None,
                   completion_threshold=None, min_sheets=None, spread_limit=None, normalise: bool = False) -> Cohort:
        """Open a cohort with its trainers (staff with the trainer role) and planned sessions
        (``TrainingSession`` objects, dicts or ``"DATE:TOPIC"`` texts). ``rubric`` is
        ``KEY`` (its newest version) or ``KEY@VERSION``; default: the shipped default rubric."""
        from .rubrics import ensure_default_rubric

        planned = [s if isinstance(s, TrainingSession) else
                   structure(s, TrainingSession) if isinstance(s, Mapping) else TrainingSession.parse(s)
                   for s in sessions]
        options = {k: v for k, v in {"completion_threshold": completion_threshold, "min_sheets": min_sheets,
                                     "spread_limit": spread_limit}.items() if v is not None}
        cohort = structure({"code": code, "centre": centre, "title": title, "start_date": start_date,
                            "end_date": end_date, "trainers": _codes(trainers), "lead_trainer": lead_trainer,
                            "normalise": normalise, **options}, Cohort)
        planned.sort(key=lambda s: s.on)
        for session in planned:
            cohort.check_session_date(session.on)
        with self.ctx.transaction() as tx:
            tx.require("plans.cohorts")
            conn = tx.conn
            if store.cohort_exists(conn, cohort.code):
                raise Conflict(_("cohort {code} already exists").format(code=cohort.code))
            centre_id = tx.centre_id(cohort.centre)
            if rubric:
                key, version = parse_rubric_ref(rubric)
                rid = store.rubric_id(conn, key, version)
                if rid is None:
                    raise NotFound(_("rubric {ref!r} does not exist; see: reentry plans rubric list").format(ref=rubric))
            else:
                rid = ensure_default_rubric(tx)
            trainer_ids = self._trainer_ids(conn, cohort.trainers)
            store.insert_cohort(conn, cohort, centre_id, rid, trainer_ids, planned)
            made = store.load_cohort(conn, cohort.code)
            tx.audit("cohort.add", "cohort", made.code, after=made)
        return made

    def _trainer_id(self, conn: sa.Connection, code: str) -> int:
        return self._trainer_ids(conn, [code])[0]

    def _trainer_ids(self, conn: sa.Connection, codes) -> list[int]:
        """The staff ids of ``codes``, each an active staff member with the trainer role (one
        query); the first that is not is named."""
        found = store.trainer_rows(conn, codes)
        ids = []
        for code in codes:
            row = found.get(code.strip().upper())
            if row is None:
                store.staff_row(conn, code)  # raises NotFound naming the code
            if not row.trainer or not row.active:
                raise InvalidInput(_("{code} is not an active staff member with the trainer role").format(
                    code=row.code))
            ids.append(row.id)
        return ids

    def cohort(self, code: str) -> Cohort:
        self.ctx.require("plans.view")
        with self.ctx.reading() as conn:
            return store.load_cohort(conn, code)

    def cohorts(self, centre: str | None = None) -> list[Cohort]:
        self.ctx.require("plans.view")
        with self.ctx.reading() as conn:
            centre_id = self.ctx.programme.centre_id(conn, centre) if centre else None
            return [store.load_cohort(conn, code) for code in store.cohort_codes(conn, centre_id)]

    def enrolled_count(self, cohort: str) -> int:
        self.ctx.require("plans.view")
        with self.ctx.reading() as conn:
            row = store.cohort_row(conn, cohort)
            return store.enrolled_count(conn, row.id)

    def update_cohort(self, code: str, *, title: str | None = None, completion_threshold=None, spread_limit=None,
                      normalise: bool | None = None) -> Cohort:
        """Change a cohort's title or its settings: the completion threshold, the spread that
        needs moderation, per-trainer normalisation. Rankings follow at once; decisions
        already taken (shortlisted, not selected) keep the score they were taken with."""
        changes = {k: v for k, v in {"title": title, "completion_threshold": completion_threshold,
                                     "spread_limit": spread_limit, "normalise": normalise}.items() if v is not None}
        if not changes:
            raise InvalidInput(_("say what changes, e.g. {normalise} or {spread} 25").format(
                normalise=param("normalise"), spread=param("spread_limit")))
        with self.ctx.transaction() as tx:
            tx.require("plans.cohorts")
            row = store.cohort_row(tx.conn, code)
            before = store.load_cohort(tx.conn, code, row)
            from reentry_core.sdk import unstructure

            data = {k: v for k, v in unstructure(before).items() if k != "sessions"}
            after = structure({**data, **changes}, Cohort)
            after = attrs.evolve(after, sessions=before.sessions)
            store.update_cohort(tx.conn, row.id, after)
            tx.audit("cohort.update", "cohort", row.code, before={k: str(getattr(before, k)) for k in changes},
                     after={k: str(getattr(after, k)) for k in changes})
        return after

    def add_session(self, cohort: str, on, topic: str) -> TrainingSession:
        """Plan one more session; sessions are numbered by date."""
        session = structure({"on": on, "topic": topic}, TrainingSession)
        with self.ctx.transaction() as tx:
            tx.require("plans.cohorts")
            row = store.cohort_row(tx.conn, cohort)
            before = store.load_cohort(tx.conn, cohort, row)
            before.check_session_date(session.on)
            existing = before.sessions
            if any(s.held and s.on > session.on for s in existing):
                raise Conflict(_("a session on {on} would come before sessions already held; sessions are numbered "
                                 "by date").format(on=date_text(session.on)))
            ordered = sorted([*existing, session], key=lambda s: (s.on, s.number or 10**6))
            # renumber by date: later sessions move up one
            for n, s in reversed(list(enumerate(ordered, 1))):
                if s.number is not None and s.number != n:
                    store.renumber_session(tx.conn, row.id, s.number, n)
            number = ordered.index(session) + 1
            store.insert_session(tx.conn, row.id, number, session)
            made = attrs.evolve(session, number=number)
            tx.audit("cohort.session", "cohort", row.code, after=made)
        return made

    def move_session(self, cohort: str, session, on, reason: str) -> TrainingSession:
        """Move a session planned on the wrong day (``session``: its number or date). Only a
        session not yet held, with no held session after it, moves (sessions are numbered
        by date, and a held session's number is in its attendance record); the sessions are
        renumbered by date. The earlier date and ``reason`` go into the audit trail."""
        why = required_reason(reason, _("the session moves"))
        day = parse_date(on)
        with self.ctx.transaction() as tx:
            tx.require("plans.cohorts")
            row, before, old = self._open_session(tx, cohort, session, _("moved"))
            before.check_session_date(day)
            if any(s.held and s.on > day for s in before.sessions):
                raise Conflict(_("a session on {on} would come before sessions already held; sessions are numbered "
                                 "by date").format(on=date_text(day)))
            moved = attrs.evolve(old, on=day)
            store.move_session(tx.conn, row.id, old.number, day)
            numbers = self._renumber(tx.conn, row.id)
            moved = attrs.evolve(moved, number=numbers[old.number])
            tx.audit_correction("cohort.session.move", "cohort", row.code, before=old, after=moved, reason=why)
        return moved

    def cancel_session(self, cohort: str, session, reason: str) -> TrainingSession:
        """Cancel a session planned by mistake (its number or date): as :meth:`move_session`,
        only one not yet held with no held session after it; the later ones move up one.
        The session and ``reason`` go into the audit trail."""
        why = required_reason(reason, _("the session is cancelled"))
        with self.ctx.transaction() as tx:
            tx.require("plans.cohorts")
            row, _before, old = self._open_session(tx, cohort, session, _("cancelled"))
            store.delete_session(tx.conn, row.id, old.number)
            self._renumber(tx.conn, row.id)
            tx.audit_correction("cohort.session.cancel", "cohort", row.code, before=old,
                                after={"cancelled": old.number}, reason=why)
        return old

    def _open_session(self, tx, cohort: str, session, done: str):
        """``(cohort row, cohort, session)`` for a session that may still change: not held,
        no held session after it."""
        row = store.cohort_row(tx.conn, cohort)
        store.lock(tx.conn, store.bp_cohort, row.id)
        before = store.load_cohort(tx.conn, cohort, row)
        number = self._session_number(tx.conn, row, session)
        old = next(s for s in before.sessions if s.number == number)
        if old.held:
            raise Conflict(_("session {n} of {cohort} already has attendance; a session that was held is not "
                             "{done}").format(n=number, cohort=row.code, done=done))
        later = [str(s.number) for s in before.sessions if s.held and s.number > number]
        if later:
            raise Conflict(_("session {n} of {cohort} comes before sessions already held ({later}); it is not {done} "
                             "(their numbers are in their attendance)").format(
                n=number, cohort=row.code, later=", ".join(later), done=done))
        return row, before, old

    @staticmethod
    def _renumber(conn: sa.Connection, cohort_id: int) -> dict[int, int]:
        """Number the cohort's sessions by date again: ``{old number: new number}``."""
        rows = sorted(store.session_rows(conn, cohort_id), key=lambda r: (r.day, r.number))
        numbers = {r.number: n for n, r in enumerate(rows, 1)}
        store.renumber_sessions(conn, {r.id: numbers[r.number] for r in rows if numbers[r.number] != r.number})
        return numbers

    def set_trainers(self, cohort: str, add=(), remove=(), lead: str | None = None) -> Cohort:
        """Add or remove trainers, or name another lead trainer. A trainer who has scored
        in the cohort stays (their sheets keep their name)."""
        add, remove = _codes(add), _codes(remove)
        with self.ctx.transaction() as tx:
            tx.require("plans.cohorts")
            conn = tx.conn
            row = store.cohort_row(conn, cohort)
            before = store.load_cohort(conn, cohort, row)
            trainers = [c for c in before.trainers if c not in remove]
            for code in add:
                self._trainer_id(conn, code)
                if code not in trainers:
                    trainers.append(code)
            for code in remove:
                if code not in before.trainers:
                    raise InvalidInput(_("{code} is not a trainer of cohort {cohort}").format(code=code, cohort=row.code))
                sid = store.staff_row(conn, code).id
                scored = store.sheets_by(conn, row.id, sid)
                if scored:
                    raise Conflict(_("{code} has scored {n} plan(s) of cohort {cohort} and stays on its panel").format(
                        code=code, n=scored, cohort=row.code))
            lead_code = (lead.strip().upper() if lead else before.lead_trainer)
            if lead_code in remove and not lead:
                raise InvalidInput(_("{code} is the lead trainer; name another lead with {lead} first").format(
                    code=lead_code, lead=param("lead")))
            after = attrs.evolve(before, trainers=tuple(trainers), lead_trainer=lead_code)
            store.write_trainers(conn, row.id, [(store.staff_row(conn, code).id, code == after.lead_trainer)
                                                for code in after.trainers])
            tx.audit("cohort.trainers", "cohort", row.code, before={"trainers": list(before.trainers),
                                                                    "lead": before.lead_trainer},
                     after={"trainers": list(after.trainers), "lead": after.lead_trainer})
        return after

    # --- enrolment ---------------------------------------------------------------------------
    def enrol(self, cohort: str, participants, on=None) -> list[str]:
        """Enrol participants (codes); returns the codes enrolled. Someone already enrolled,
        who left the programme, or who belongs to another centre is refused, naming them."""
        codes = _codes(participants)
        if not codes:
            raise InvalidInput(_("name at least one participant to enrol"))
        with self.ctx.transaction() as tx:
            tx.require("plans.cohorts")
            conn = tx.conn
            row = store.cohort_row(conn, cohort)
            day = parse_date(on) if on else tx.today
            if day > tx.today:
                raise InvalidInput(_("enrolment date {d} is in the future").format(d=date_text(day)))
            codes = list(dict.fromkeys(codes))  # a code named twice is enrolled once
            found = store.participant_rows(conn, codes)  # one query, not one per person
            already = store.enrolled_ids(conn, row.id)
            problems, rows = [], []
            for code in codes:
                person = found.get(code)
                if person is None:
                    problems.append(_("participant {code!r} does not exist").format(code=code))
                elif person.status != ParticipantStatus.ACTIVE.value:
                    problems.append(_("{code} has left the programme").format(code=person.code))
                elif person.id in already:
                    problems.append(_("{code} is already enrolled in {cohort}").format(code=person.code, cohort=row.code))
                elif person.registered_on is not None and day < person.registered_on:
                    problems.append(_("{code} was registered on {r}, after the enrolment date {d}").format(
                        code=person.code, r=date_text(person.registered_on), d=date_text(day)))
                else:
                    already.add(person.id)
                    rows.append(person)
            if problems:
                raise InvalidInput("; ".join(problems) + _("; nobody was enrolled"))
            store.enrol(conn, row.id, [p.id for p in rows], day)
            # one event for the group (audit log --key COHORT/PARTICIPANT shows each person)
            tx.audit_batch("cohort.enrol", "enrolment", {
                f"{row.code}/{person.code}": {"cohort": row.code, "participant": person.code,
                                              "enrolled_on": day.isoformat()} for person in rows})
        return [p.code for p in rows]

    def unenrol(self, cohort: str, participant: str, reason: str) -> str:
        """Take back an enrolment made by mistake (the wrong person, the wrong cohort). Their
        attendance marks in the cohort go with it and are kept in the audit trail with the
        enrolment and ``reason``; refused once they have a business plan in the cohort."""
        why = required_reason(reason, _("the enrolment is taken back"))
        code = participant.strip().upper()
        with self.ctx.transaction() as tx:
            tx.require("plans.cohorts")
            row = store.cohort_row(tx.conn, cohort)
            store.lock(tx.conn, store.bp_cohort, row.id)
            enrolment = store.enrolment(tx.conn, row.id, code)
            if enrolment is None:
                raise NotFound(_("{code} is not enrolled in {cohort}").format(code=code, cohort=row.code))
            plan = store.plan_in_cohort(tx.conn, row.id, enrolment.participant_id)
            if plan is not None:
                raise Conflict(_("{code} has business plan {plan} in {cohort}; an enrolment with a plan is not "
                                 "taken back").format(code=code, plan=plan, cohort=row.code))
            marks = store.unenrol(tx.conn, row.id, enrolment.participant_id)
            tx.audit_correction("cohort.unenrol", "enrolment", f"{row.code}/{code}",
                                before={"cohort": row.code, "participant": code, "enrolled_on": enrolment.enrolled_on,
                                        "marks": {str(n): mark for n, mark in sorted(marks.items())}},
                                after={"unenrolled": True}, reason=why)
        return code

    # --- attendance ----------------------------------------------------------------------
    def attend(self, cohort: str, session, marks: Mapping[str, str] | None = None, *, present=(), absent=(),
               excused=(), others: str | None = None) -> dict[str, AttendanceMark]:
        """Record attendance at one session (its number, or its date). ``marks`` maps
        participant codes to present/absent/excused; ``present``/``absent``/``excused``
        list codes; ``others`` marks every enrolled participant not yet marked for this
        session. A mark given again replaces the old one (audited)."""
        wanted: dict[str, str] = {}
        for mark, codes in (("present", present), ("absent", absent), ("excused", excused)):
            for code in _codes(codes):
                wanted[code] = mark
        for code, mark in (marks or {}).items():
            wanted[code.strip().upper()] = mark
        with self.ctx.transaction() as tx:
            tx.require("plans.attendance")
            row = store.cohort_row(tx.conn, cohort)
            number = self._session_number(tx.conn, row, session)
            recorded = self._record_marks(tx, row, [(number, code, mark) for code, mark in wanted.items()],
                                          others=others, session_for_others=number)
        return {code: mark for (_n, code), mark in recorded.items()}

    def _session_number(self, conn: sa.Connection, row, session) -> int:
        return SessionFinder(conn, row)(session)

    def _record_marks(self, tx, row, entries, others: str | None = None,
                      session_for_others: int | None = None) -> dict[tuple[int, str], AttendanceMark]:
        """Check every entry ``(session number, participant, mark)`` given at the command line;
        write all or raise naming every bad one (a register file is :class:`sheets.AttendanceImport`)."""
        conn = tx.conn
        sessions = SessionFinder(conn, row).sessions
        enrolled = store.enrolled(conn, row.id)
        problems: list[str] = []
        marks: dict[tuple[int, str], AttendanceMark] = {}
        for number, code, mark in entries:
            _session_id, day = sessions[number]
            if day > tx.today:
                problems.append(_("session {s} is on {d}, in the future").format(s=number, d=date_text(day)))
                continue
            if code not in enrolled:
                problems.append(_("participant: {code} is not enrolled in {cohort}").format(code=code, cohort=row.code))
                continue
            try:
                marks[(number, code)] = AttendanceMark.parse(mark)
            except InvalidInput as exc:
                problems.append(_("mark: {reason}").format(reason=exc.message))
        if others is not None and session_for_others is not None:
            try:
                fill = AttendanceMark.parse(others)
            except InvalidInput as exc:
                raise InvalidInput(_("others: {reason}").format(reason=exc.message)) from None
            session_id, day = sessions[session_for_others]
            future = _("session {s} is on {d}, in the future").format(s=session_for_others, d=date_text(day))
            if day > tx.today and future not in problems:
                problems.append(future)
            known = store.marked_codes(conn, session_id)
            for code in enrolled:
                if code not in known:
                    marks.setdefault((session_for_others, code), fill)
        if problems:
            raise InvalidInput("; ".join(problems) + _("; nothing was recorded"))
        if not marks:
            raise InvalidInput(_("give at least one mark, e.g. {present} DSH-2026-0001, or {others} present").format(
                present=param("present"), others=param("others")))
        old = store.recorded_marks(conn, {sessions[s][0] for s, _c in marks})
        changes = []
        for (number, code), mark in sorted(marks.items()):
            key = (sessions[number][0], enrolled[code])
            before = old.get(key)
            if before == mark.value:
                continue
            changes.append((key, mark.value, before))
            tx.audit("attendance.record", "attendance", f"{row.code}/{number}/{code}",
                     before={"mark": before} if before else None, after={"mark": mark.value})
        store.write_marks(conn, changes)
        return marks

    def completion(self, cohort: str) -> list[Completion]:
        """Each enrolled participant's attendance and whether they completed the training."""
        self.ctx.require("plans.view")
        with self.ctx.reading() as conn:
            row = store.cohort_row(conn, cohort)
            found = shown(conn, store.completions(conn, row.id, row.completion_threshold), full_name="full_name")
        record_access(self.ctx, "plans.completion", [c.participant for c in found if c.full_name])
        return found
