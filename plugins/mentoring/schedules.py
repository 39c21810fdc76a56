"""The follow-up schedule: visits due at month offsets after a grant's first tranche.

Started by microgrants' ``tranche_released`` (the first tranche), prepared by its
``grant_approved`` (a pending schedule that remembers the grant and its sector), or
started by hand when microgrants is not there. One schedule per grant; a participant
follows one schedule at a time. The hooks are forgiving (a repeated event changes
nothing, a new grant's follow-up replaces the old one), the commands are strict.
"""

from __future__ import annotations

from datetime import date, timedelta

import attrs

from reentry_core.sdk import _, Conflict, InvalidInput, ParticipantStatus, record_access, redact, param
from reentry_core.sdk import date_text

from . import store
from .domain import (
    OWED, DueRow, DueState, EndReason, Schedule, ScheduleSource, ScheduleStatus, grant_reference, normalise_sector,
    plan_due_visits,
)
from .mentors import action_date, required_reason, require_active


def _insert_schedule(tx, participant_id: int, schedule: Schedule) -> Schedule:
    return attrs.evolve(schedule, id=store.insert_schedule(tx.conn, participant_id, schedule))


def _activate(tx, schedule: Schedule, start: date, source: ScheduleSource) -> Schedule:
    """Give a pending (or new) schedule its start and its due visits, from the settings in force."""
    settings = store.settings(tx.conn)
    due = plan_due_visits(start, settings.offsets, settings.window_days)
    store.insert_due_visits(tx.conn, schedule.id, due)
    store.start_schedule(tx.conn, schedule.id, source, start)
    after = attrs.evolve(schedule, status=ScheduleStatus.ACTIVE, source=source, started_on=start, due_visits=due)
    tx.audit("mentoring.schedule.start", "participant", schedule.participant, before=schedule, after=after)
    return after


def end(tx, schedule: Schedule, on: date, because: EndReason, note: str | None, *, audit: bool = True) -> Schedule:
    """End a schedule (pending or active) on ``on``; due visits whose window had not opened
    are cancelled. ``audit=False``: the caller records it (the exit's one event)."""
    on = max(on, schedule.started_on) if schedule.started_on else on
    after = attrs.evolve(schedule, status=ScheduleStatus.ENDED, ended_on=on, ended_because=because, end_note=note)
    store.end_schedule(tx.conn, after)
    if audit:
        tx.audit("mentoring.schedule.end", "participant", schedule.participant, before=schedule, after=after)
    return after


def _update_sector(tx, participant_id: int, code: str, sector) -> None:
    """A grant's sector is the funded business's: it becomes the mentee's sector."""
    if sector in (None, ""):
        return
    try:
        key = normalise_sector(sector)
    except InvalidInput:
        return  # a sector mentoring cannot read does not stop the grant
    before = store.mentee(tx.conn, participant_id, code)
    if before.sector != key:
        after = attrs.evolve(before, sector=key)
        store.save_mentee(tx.conn, participant_id, after)
        tx.audit("mentoring.mentee", "participant", code, before=before, after=after)


# --- microgrants' events --------------------------------------------------------------------


def on_grant_approved(tx, application) -> None:
    """Remember the approved grant: its sector goes to the mentee profile, and a pending
    schedule waits for the first tranche. A repeated event changes nothing."""
    grant = grant_reference(application.code)
    row = store.participant(tx.conn, application.participant)
    _update_sector(tx, row.id, row.code, application.sector)
    if store.schedule_for_grant(tx.conn, grant) is not None:
        return
    pending = Schedule(row.code, ScheduleStatus.PENDING, ScheduleSource.TRANCHE, grant=grant,
                       sector=_sector_or_none(application.sector))
    pending = _insert_schedule(tx, row.id, pending)
    tx.audit("mentoring.schedule.pending", "participant", row.code, after=pending)


def _sector_or_none(sector) -> str | None:
    try:
        return normalise_sector(sector) if sector not in (None, "") else None
    except InvalidInput:
        return None


def on_tranche_released(tx, application, tranche) -> None:
    """The first tranche starts the grant's schedule from its release date.

    A repeat of the event (or a later tranche) changes nothing. A schedule the
    participant follows that was started by hand without a grant becomes this grant's;
    one of another grant ends, replaced by this one.
    """
    if tranche.number != 1:
        return
    grant = grant_reference(application.code)
    row = store.participant(tx.conn, application.participant)
    schedule = store.schedule_for_grant(tx.conn, grant, lock=True)
    if schedule is not None and schedule.status is not ScheduleStatus.PENDING:
        return
    if row.status != ParticipantStatus.ACTIVE.value:
        return  # they left: nobody will visit; the grant stays remembered as pending
    start = tranche.released_on
    current = store.active_schedule(tx.conn, row.id, lock=True)
    if current is not None and current.grant is None:
        if schedule is not None:  # the pending row gives way to the schedule already running
            store.delete_schedule(tx.conn, schedule.id)
        sector = current.sector or _sector_or_none(application.sector)
        store.link_schedule(tx.conn, current.id, grant, sector)
        tx.audit("mentoring.schedule.link", "participant", row.code, before=current,
                 after=attrs.evolve(current, grant=grant, sector=sector))
        return
    if current is not None:
        end(tx, current, start, EndReason.REPLACED,
            _("replaced by the follow-up of grant {grant}").format(grant=grant))
    if schedule is None:
        schedule = _insert_schedule(tx, row.id, Schedule(
            row.code, ScheduleStatus.PENDING, ScheduleSource.TRANCHE, grant=grant,
            sector=_sector_or_none(application.sector)))
    _activate(tx, schedule, start, ScheduleSource.TRANCHE)


def on_participant_exited(tx, participant) -> dict | None:
    """Someone who left the programme has no mentor and no follow-up any more. What ended
    is returned for the exit's one audit event (``participant_exited``)."""
    row = store.participant(tx.conn, participant.code)
    day = participant.exited_on or tx.today
    note = _("left the programme ({reason})").format(
        reason=participant.exit_reason.label if participant.exit_reason else "?")
    ended: dict = {}
    current = store.active_assignment(tx.conn, row.id, lock=True)
    if current is not None:
        finished = attrs.evolve(current, ended_on=max(day, current.started_on), end_reason=note)
        store.end_assignment(tx.conn, current.id, finished.ended_on, finished.end_reason)
        ended["mentor_unassigned"] = {"mentor": current.mentor, "on": finished.ended_on.isoformat()}
    schedules = [end(tx, schedule, day, EndReason.LEFT_PROGRAMME, note, audit=False)
                 for schedule in store.schedules_of(tx.conn, [row.id], lock=True, open_only=True)]
    if schedules:
        ended["follow_ups_ended"] = [{"grant": s.grant, "on": s.ended_on.isoformat()} for s in schedules]
    return ended or None


# --- the service --------------------------------------------------------------------------


class SchedulesMixin:
    """``ctx.mentoring``: follow-up schedules and the visits owed."""

    ctx: object

    def start_schedule(self, participant: str, start: date | str, *, grant: str | None = None) -> Schedule:
        """Start a follow-up by hand from ``start`` (the first tranche's date), for when
        microgrants is not there to say so. ``grant`` names the grant it follows, if any;
        a grant is followed once, and a participant follows one schedule at a time."""
        if start in (None, ""):
            raise InvalidInput(_("say when the follow-up starts: {start} (the first tranche's release)").format(
                start=param("start")))
        grant = grant_reference(grant)
        with self.ctx.transaction() as tx:
            tx.require("mentoring.schedule")
            row = store.participant(tx.conn, participant)
            require_active(row)
            day = action_date(start, tx, _("start date"), row.registered_on,
                              _("{code}'s registration").format(code=row.code))
            existing = store.schedule_for_grant(tx.conn, grant, lock=True) if grant else None
            if existing is not None and (existing.participant != row.code
                                         or existing.status is not ScheduleStatus.PENDING):
                raise Conflict(_("grant {grant} already has a follow-up schedule ({code}, {status})").format(
                    grant=grant, code=existing.participant, status=existing.status.label))
            current = store.active_schedule(tx.conn, row.id, lock=True)
            if current is not None:
                raise Conflict(_("{code} already follows a schedule ({what}, started {on}); end it first: "
                                 "reentry mentoring schedule {code} --end REASON").format(
                    code=row.code, what=_describe(current), on=date_text(current.started_on)))
            if existing is None:
                sector = store.mentee(tx.conn, row.id, row.code).sector
                existing = _insert_schedule(tx, row.id, Schedule(
                    row.code, ScheduleStatus.PENDING, ScheduleSource.HAND, grant=grant, sector=sector))
            return _activate(tx, existing, day, ScheduleSource.HAND)

    def end_schedule(self, participant: str, reason: str, *, on: date | str | None = None) -> Schedule:
        """End the participant's follow-up by hand (a business that closed is better ended at
        the visit that found it closed: ``log_visit(..., end_follow_up=REASON)``)."""
        reason = required_reason(reason, _("the follow-up ends"))
        with self.ctx.transaction() as tx:
            tx.require("mentoring.schedule")
            row = store.participant(tx.conn, participant)
            current = store.active_schedule(tx.conn, row.id, lock=True)
            if current is None:
                raise Conflict(_("{code} follows no schedule to end").format(code=row.code))
            last = store.last_visit_on(tx.conn, current.id)
            day = action_date(on, tx, _("end date"), max(filter(None, [current.started_on, last])),
                              _("the last visit or the start of the follow-up"))
            return end(tx, current, day, EndReason.OTHER, reason)

    def schedules(self, participant: str) -> list[Schedule]:
        """The participant's schedules, oldest first, each with its due visits (states:
        ``schedule.states(today)``)."""
        self.ctx.require("mentoring.view")
        with self.ctx.reading() as conn:
            row = store.participant(conn, participant)
            return store.schedules_of(conn, [row.id])

    def due(self, *, mentor: str | None = None, centre: str | None = None, overdue: bool = False,
            within: int | None = None) -> list[DueRow]:
        """The visits owed, soonest first: upcoming, open (window open) and overdue (window
        closed, still counted late until the next window opens). ``mentor``: only the
        participants that mentor follows now; ``within``: due in the next DAYS days (and
        every overdue one)."""
        self.ctx.require("mentoring.view")
        if within is not None and int(within) < 0:
            raise InvalidInput(_("within: {n} days is negative").format(n=within))
        today = self.ctx.today
        with self.ctx.reading() as conn:
            found, people = store.active_schedules(
                conn, centre_id=self.ctx.programme.centre_id(conn, centre) if centre else None,
                mentor_id=store.staff(conn, mentor)[0].id if mentor else None)
            names = redact(conn, {code: row.full_name for code, row in people.items()},
                           **{code: "full_name" for code in people})
        rows = []
        horizon = today + timedelta(days=int(within)) if within is not None else None
        for schedule in found:
            person = people[schedule.participant]
            for visit, state in schedule.states(today):
                if state not in OWED or (overdue and state is not DueState.OVERDUE):
                    continue
                if horizon is not None and visit.due_on > horizon and state is not DueState.OVERDUE:
                    continue
                rows.append(DueRow(schedule.participant, names.get(schedule.participant), person.centre, person.mentor,
                                   visit.months, visit.due_on, visit.window_start, visit.window_end, state,
                                   (visit.due_on - today).days))
        record_access(self.ctx, "mentoring.due", [r.participant for r in rows if r.full_name])
        return sorted(rows, key=lambda r: (r.due_on, r.participant, r.months))


def _describe(schedule: Schedule) -> str:
    return (_("grant {grant}").format(grant=schedule.grant) if schedule.grant
            else _("started by hand") if schedule.source is ScheduleSource.HAND else _("no grant"))

