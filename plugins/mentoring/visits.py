"""Visits: logging what a mentor found, fulfilling due visits, turning risks into referrals,
verifying a business for microgrants, and each mentor's caseload.

Only the mentor assigned on the visit's date logs it (or someone who may log for any
participant, e.g. an admin). A risk flag opens a core referral of the type the settings
map it to, only with consent on file; otherwise the visit is still logged and the
answer says plainly why no referral was opened.
"""

from __future__ import annotations

from datetime import date

import attrs

from reentry_core.sdk import (
    _, Conflict, consent_in_force, ConsentScope, InvalidInput, NotFound, open_referral, parse_date,
    PermissionDenied, record_access, redact, ReferralStatus, required_reason, Role, structure, unstructure,
)
from reentry_core.sdk import date_text

from . import store
from .domain import (
    OWED, BusinessStatus, CaseloadRow, EndReason, Fulfilment, RiskFlag, RiskOutcome, RiskResult, Schedule,
    Visit, VisitEvidence, VisitReport, evidence_of, place_visit, split_list, visit_label,
)
from .schedules import end

#: The fields of :class:`Visit` a caller gives to :meth:`VisitsMixin.log_visit`.
VISIT_FIELDS = ("mode", "business_status", "revenue", "costs", "owners", "family_workers", "hired_workers",
                "equipment_seen", "discussed", "advice", "next_steps", "risk_flags", "risk_note")

_OPEN_REFERRAL = (ReferralStatus.OPEN.value, ReferralStatus.ACCEPTED.value)


def flag_label(flag: RiskFlag) -> str:
    return flag.label.replace("_", " ")


def covering_schedule(schedules: list[Schedule], code: str, day: date) -> Schedule:
    """Of a participant's schedules, the one a visit on ``day`` belongs to, or a one-line
    refusal saying why none does."""
    started = [s for s in schedules if s.started_on is not None]
    if not started:
        raise Conflict(_("{code} has no follow-up schedule yet; it starts when the first tranche is released, or "
                         "by hand: reentry mentoring schedule {code} --from DATE").format(code=code))
    covering = [s for s in started if s.started_on <= day and (s.ended_on is None or day <= s.ended_on)]
    if covering:
        return max(covering, key=lambda s: (s.started_on, s.id))
    first = min(started, key=lambda s: s.started_on)
    if day < first.started_on:
        raise InvalidInput(_("visit date {d} is before {code}'s follow-up started ({on})").format(
            d=date_text(day), code=code, on=date_text(first.started_on)))
    last = max(started, key=lambda s: (s.ended_on or date.max, s.id))
    raise Conflict(_("{code}'s follow-up ended on {on} ({why}); a visit on {d} cannot be logged").format(
        code=code, on=date_text(last.ended_on), d=date_text(day),
        why=": ".join(filter(None, [last.ended_because.label.replace("_", " "), last.end_note]))))


def _visiting_mentor(tx, code: str, day: date, mentor: str | None, assigned, staff=store.staff):
    """The staff row of the mentor a visit is logged for (``assigned``: the assignment on
    ``day``); refuses anyone else. ``staff`` looks a staff member up (a cache, in an import)."""
    actor = tx.actor.code
    if not tx.ctx.can("mentoring.visit_any"):
        if mentor and mentor.strip().upper() != actor:
            raise PermissionDenied(_("{actor} may log only their own visits, not {mentor}'s").format(
                actor=actor, mentor=mentor.strip().upper()))
        if assigned is None or assigned.mentor != actor:
            who = (_("{mentor} is, since {on}").format(mentor=assigned.mentor, on=date_text(assigned.started_on))
                   if assigned else _("nobody is assigned on {d}").format(d=date_text(day)))
            raise PermissionDenied(_("{actor} is not the mentor of {code} ({who}); only the assigned mentor or "
                                     "an admin logs visits").format(actor=actor, code=code, who=who))
        return staff(tx.conn, actor)[0]
    chosen = (mentor or "").strip() or (assigned.mentor if assigned else actor)
    row, roles = staff(tx.conn, chosen)
    if not roles & {Role.MENTOR, Role.ADMIN}:
        raise Conflict(_("{code} ({roles}) is not a mentor").format(
            code=row.code, roles=", ".join(sorted(r.label for r in roles))))
    return row


def _place(tx, schedule: Schedule, visit: Visit) -> tuple[Visit, int | None, Schedule]:
    """Fulfil the due visit this visit falls in; a late visit it takes the place of becomes extra.
    Returns the placed visit, the displaced visit's id, and the schedule with the due visit fulfilled."""
    placed = place_visit(schedule.due_visits, visit.visited_on)
    if placed is None:
        return visit, None, schedule
    index, how = placed
    due = schedule.due_visits[index]
    store.fulfil_due_visit(tx.conn, due.id, visit.id, how)
    dues = list(schedule.due_visits)
    dues[index] = attrs.evolve(due, visit_id=visit.id, fulfilment=how)
    return (attrs.evolve(visit, due_months=due.months, fulfilment=how), due.visit_id,
            attrs.evolve(schedule, due_visits=tuple(dues)))


def _raise_risk(tx, participant_id: int, visit: Visit, flag: RiskFlag, settings) -> RiskResult:
    """Open the referral ``flag`` maps to, or say plainly why none was opened."""
    code, label = visit.participant, flag_label(flag)
    target = settings.referral_for(flag)
    if target is None:
        return RiskResult(flag, RiskOutcome.NOT_MAPPED, None, _(
            "No referral opened for {flag}: the mentoring settings open none for it.").format(flag=label))
    reason = _("{flag} raised at mentoring visit {id} on {on} by {mentor}").format(
        flag=label, id=visit.id, on=date_text(visit.visited_on), mentor=visit.mentor)
    # the risk note stays with the visit (health data, read by roles with referrals.view_health);
    # it is not copied into the referral, which travels to another service
    consent = consent_in_force(tx.conn, participant_id, tx.today)
    if consent is None or ConsentScope.REFERRALS not in consent.scope:
        return RiskResult(flag, RiskOutcome.NO_CONSENT, None, _(
            "No referral opened for {flag}: {code} has no consent on file for referrals. Record it first "
            "(reentry participants consent {code} --scope programme,referrals), then: reentry referrals add {code} "
            "--service {service} --to \"{to}\" --reason \"{reason}\"").format(
            flag=label, code=code, service=target.service_type.label, to=target.to_whom, reason=reason))
    already = store.open_referral_of(tx.conn, participant_id, target.service_type.value, _OPEN_REFERRAL)
    if already is not None:
        return RiskResult(flag, RiskOutcome.ALREADY_OPEN, already.id, _(
            "No new referral for {flag}: referral {id} ({service} → {to}) is still open.").format(
            flag=label, id=already.id, service=target.service_type.label, to=already.to_whom))
    referral = open_referral(tx, code, target.service_type.value, target.to_whom, reason)
    return RiskResult(flag, RiskOutcome.OPENED, referral.id, _(
        "Opened referral {id} for {flag}: {service} → {to}.").format(
        id=referral.id, flag=label, service=target.service_type.label, to=target.to_whom))


def verifying_visit(conn, today: date, participant: str, since: date | None) -> VisitEvidence | None:
    """The latest visit on or after ``since`` (any time, when ``None``) that found the
    business operating with the grant's equipment there (microgrants'
    ``tranche_verification``), or ``None``."""
    found = store.verifying_visit(conn, participant, today, since or date.min)
    return evidence_of(found.id, found.visited_on, found.mentor, found.mode) if found else None


def verifying_visits(conn, today: date, asked: list[tuple[str, date | None]]) -> list[VisitEvidence | None]:
    """:func:`verifying_visit` for each ``(participant, since)`` of ``asked``, in order, in
    one query per 500 people (microgrants' ``tranche_verifications``)."""
    found = store.verifying_visits(conn, today, [(code, since or date.min) for code, since in asked])
    return [evidence_of(f.id, f.visited_on, f.mentor, f.mode) if f else None for f in found]


@attrs.frozen
class CheckedVisit:
    """A visit that passed every check and can be written: who, by whom, in which follow-up."""

    participant_id: int
    mentor_id: int
    visit: Visit
    schedule: Schedule
    end_follow_up: str | None


def visit_from(fields: dict, participant: str, mentor: str, day: date) -> Visit:
    """The visit ``fields`` (as typed: empty ones left out, risk flags comma-separated) describe,
    or the ``InvalidInput`` naming the field that is wrong."""
    data = {k: v for k, v in fields.items() if v is not None and v != ""}
    if "risk_flags" in data:
        data["risk_flags"] = split_list(data["risk_flags"])
    return structure({**data, "participant": participant, "mentor": mentor, "visited_on": day}, Visit)


def check_visit(tx, row, schedules: list[Schedule], assignments, visited_on, mentor: str | None,
                end_follow_up: str | None, fields: dict, staff=store.staff) -> CheckedVisit:
    """Every rule a visit must pass before anything is written (``row``: the participant's
    row; ``schedules`` and ``assignments``: theirs, as they stand now)."""
    unknown = set(fields) - set(VISIT_FIELDS)
    if unknown:
        raise InvalidInput(_("unknown visit field(s): {names}").format(names=", ".join(sorted(unknown))))
    end_follow_up = (end_follow_up or "").strip() or None
    day = parse_date(visited_on) if visited_on not in (None, "") else tx.today
    if day > tx.today:
        raise InvalidInput(_("visit date {d} is in the future").format(d=date_text(day)))
    if row.status != "active" and (row.exited_on is None or day > row.exited_on):
        raise Conflict(_("{code} left the programme on {on}; no visit after that is logged (readmit them first)")
                       .format(code=row.code, on=date_text(row.exited_on) if row.exited_on else "?"))
    mentor_row = _visiting_mentor(tx, row.code, day, mentor, covering_assignment(assignments, day), staff)
    visit = visit_from(fields, row.code, mentor_row.code, day)
    if end_follow_up and visit.business_status is not BusinessStatus.CLOSED:
        raise InvalidInput(_("end_follow_up: only a visit that finds the business closed ends the "
                             "follow-up (this one found it {status})").format(
            status=visit.business_status.label.replace("_", " ")))
    schedule = covering_schedule(schedules, row.code, day)
    if end_follow_up:
        later = store.last_visit_on(tx.conn, schedule.id)
        if later is not None and later > day:
            raise Conflict(_("end_follow_up: a later visit ({on}) is logged; the follow-up cannot end on "
                             "{d}").format(on=date_text(later), d=date_text(day)))
    return CheckedVisit(row.id, mentor_row.id, visit, schedule, end_follow_up)


def covering_assignment(assignments, day: date):
    """Of a participant's assignments, the one that covered ``day`` (the latest one if two meet that day)."""
    covering = [a for a in assignments if a.started_on <= day and (a.ended_on is None or a.ended_on >= day)]
    return max(covering, key=lambda a: (a.started_on, a.id)) if covering else None


def record_visit(tx, checked: CheckedVisit, settings) -> tuple[VisitReport, Schedule]:
    """Write a checked visit: fulfil its due visit, open the referrals its risks call for,
    end the follow-up if it says so, tell the other plugins. Returns what it did and the
    follow-up as it stands after it (the caller audits the visit)."""
    visit, schedule = checked.visit, checked.schedule
    new_id = store.insert_visit(tx.conn, checked.participant_id, checked.mentor_id, schedule.id, visit)
    visit, displaced, schedule = _place(tx, schedule, attrs.evolve(visit, id=new_id))
    risks = tuple(_raise_risk(tx, checked.participant_id, visit, flag, settings) for flag in sorted(visit.risk_flags))
    if risks:
        store.insert_visit_risks(tx.conn, new_id, risks)
    ended = False
    if checked.end_follow_up:
        schedule = end(tx, schedule, visit.visited_on, EndReason.BUSINESS_CLOSED, checked.end_follow_up)
        ended = True
    tx.emit("visit_logged", visit=visit)
    return VisitReport(visit, risks, displaced, ended,
                       visit.business_status is BusinessStatus.CLOSED and not ended), schedule


#: The findings of a visit that :meth:`VisitsMixin.correct_visit` corrects.
CORRECTABLE = tuple(field for field in VISIT_FIELDS if field != "risk_flags")


def _not_relied_on(tx, visit: Visit, refusal: str) -> None:
    """Refuse with ``refusal`` (``{id}``, ``{rests}``) when another plugin relies on
    ``visit`` (a tranche released on its strength)."""
    relied = [line for answer in tx.ask("visit_relied_on", visit=visit) or () for line in answer or ()]
    if relied:
        raise Conflict(refusal.format(id=visit.id, rests="; ".join(relied)))


class VisitsMixin:
    """``ctx.mentoring``: visits, verification and caseloads."""

    ctx: object

    def log_visit(self, participant: str, *, visited_on: date | str | None = None, mentor: str | None = None,
                  end_follow_up: str | None = None, **fields) -> VisitReport:
        """Log a visit (fields: see :class:`reentry_mentoring.domain.Visit`; ``mode`` and
        ``business_status`` are required). ``visited_on`` defaults to today; ``mentor`` to the
        actor (to the assigned mentor when an admin logs). ``end_follow_up``: a reason, when a
        visit that found the business closed ends the follow-up."""
        with self.ctx.transaction() as tx:
            tx.require("mentoring.visit")
            row = store.participant(tx.conn, participant)
            schedules = store.schedules_of(tx.conn, [row.id], lock=True)
            checked = check_visit(tx, row, schedules, store.assignments(tx.conn, row.id), visited_on, mentor,
                                  end_follow_up, fields)
            report, _schedule = record_visit(tx, checked, store.settings(tx.conn))
            tx.audit("mentoring.visit", "participant", row.code, after=report.visit)
        return report

    def correct_visit(self, visit_id: int, reason: str, **fields) -> Visit:
        """Correct what a mentor found at a visit (``fields``: the findings of
        :data:`CORRECTABLE`); its day, participant and risk flags stay (a visit logged on the
        wrong day or person is cancelled and logged again; a risk's referral is corrected
        in referrals). Refused when the visit verified a tranche already released and would
        no longer verify it. The earlier findings and ``reason`` go into the audit trail."""
        why = required_reason(reason, _("the visit is corrected"))
        wrong = sorted(set(fields) - set(CORRECTABLE))
        if wrong:
            raise InvalidInput(_("{fields}: a visit's day, participant and risk flags are not corrected; cancel the "
                                 "visit and log it again").format(fields=", ".join(wrong)))
        changes = {key: value for key, value in fields.items() if value is not None and value != ""}
        if not changes:
            raise InvalidInput(_("nothing to correct: give at least one finding, e.g. revenue or business_status"))
        with self.ctx.transaction() as tx:
            before = self._own_visit(tx, visit_id)
            after = structure({**unstructure(before), **changes}, Visit)
            if after == before:
                raise Conflict(_("visit {id} already says that; nothing was changed").format(id=visit_id))
            if before.verifies and not after.verifies:
                _not_relied_on(tx, before, _("visit {id} verified {rests}; it cannot be corrected so that it no "
                                             "longer verifies the business (reverse that first)"))
            store.correct_visit(tx.conn, before.id, after)
            tx.audit_correction("mentoring.visit.correct", "participant", before.participant, before=before,
                                after=after, reason=why)
        return after

    def cancel_visit(self, visit_id: int, reason: str) -> Visit:
        """Cancel a visit logged by mistake (the wrong day, the wrong person, never made): the
        due visit it fulfilled is owed again; referrals its risks opened stay (close them in
        referrals if they were wrong too). Refused when it verified a tranche already
        released: reverse the tranche first. The visit and ``reason`` go into the audit trail."""
        why = required_reason(reason, _("the visit is cancelled"))
        with self.ctx.transaction() as tx:
            visit = self._own_visit(tx, visit_id)
            _not_relied_on(tx, visit, _("visit {id} verified {rests}; it cannot be cancelled (reverse that first)"))
            store.delete_visit(tx.conn, visit.id)
            tx.audit_correction("mentoring.visit.cancel", "participant", visit.participant, before=visit,
                                after={"cancelled": visit.id}, reason=why)
        return visit

    def _own_visit(self, tx, visit_id: int) -> Visit:
        """Visit ``visit_id``, for the mentor who logged it or someone who may log any visit."""
        tx.require("mentoring.visit")
        found = store.visit_by_id(tx.conn, int(visit_id))
        if found is None:
            raise NotFound(_("visit {id} does not exist").format(id=visit_id))
        if not tx.ctx.can("mentoring.visit_any") and found.mentor != tx.actor.code:
            raise PermissionDenied(_("{actor} may correct only their own visits; visit {id} was logged for "
                                     "{mentor}").format(actor=tx.actor.code, id=found.id, mentor=found.mentor))
        return found

    def visits(self, participant: str | None = None, *, mentor: str | None = None, centre: str | None = None,
               since: date | str | None = None, until: date | str | None = None) -> list[Visit]:
        """Visits, oldest first, each with the due visit it fulfilled (``due_months``, ``fulfilment``)."""
        self.ctx.require("mentoring.view")
        with self.ctx.reading() as conn:
            found = store.visit_list(
                conn, participant_id=store.participant(conn, participant).id if participant else None,
                mentor_id=store.staff(conn, mentor)[0].id if mentor else None,
                centre_id=self.ctx.programme.centre_id(conn, centre) if centre else None,
                since=parse_date(since) if since else None, until=parse_date(until) if until else None)
            shown = [redact(conn, visit, risk_note="health") for visit in found]
        record_access(self.ctx, "mentoring.visits", [v.participant for v in shown])
        return shown

    def verification(self, participant: str, since: date | str) -> VisitEvidence | None:
        """What mentoring answers microgrants before a tranche that needs a verified visit."""
        self.ctx.require("mentoring.view")
        with self.ctx.reading() as conn:
            return verifying_visit(conn, self.ctx.today, participant.strip().upper(),
                                   parse_date(since) if since not in (None, "") else None)

    def caseload(self, mentor: str | None = None) -> list[CaseloadRow]:
        """Each mentor's current mentees with their last visit, next due visit and open risks
        (the risks flagged at the last visit, with their referral's status)."""
        self.ctx.require("mentoring.view")
        today = self.ctx.today
        with self.ctx.reading() as conn:
            mentor_id = store.staff(conn, mentor)[0].id if mentor else None
            followed = store.followed_now(conn, mentor_id)
            people = store.people_in(conn, followed)
            current = [a for a in store.assignments(conn, mentor_id=mentor_id, active=True) if a.participant in people]
            if not current:
                return []
            shown = redact(conn, {code: row.full_name for code, row in people.items()},
                           **{code: "full_name" for code in people})
            last = _last_visits(conn, followed)
            schedules = store.active_schedules_in(conn, followed)
            names = store.staff_names(conn, {a.mentor for a in current})
        rows = []
        for a in sorted(current, key=lambda a: (a.mentor, a.participant)):
            person = people[a.participant]
            visit, risks = last.get(person.id, (None, ()))
            schedule = schedules.get(a.participant)
            upcoming = [(d, s) for d, s in schedule.states(today) if s in OWED] if schedule else []
            nxt, state = upcoming[0] if upcoming else (None, None)
            rows.append(CaseloadRow(
                a.mentor, names.get(a.mentor), a.participant, shown[a.participant], a.started_on,
                visit.visited_on if visit else None, BusinessStatus(visit.business_status) if visit else None,
                nxt.due_on if nxt else None, nxt.months if nxt else None, state, risks))
        record_access(self.ctx, "mentoring.caseload", [r.participant for r in rows if r.full_name])
        return rows


def _last_visits(conn, participants) -> dict[int, tuple]:
    """Participant id → (their last visit's row, its risk flags described with their referral),
    for the participants the subquery ``participants`` selects."""
    latest, flagged = store.last_visits(conn, participants)
    risks: dict[int, list[str]] = {}
    for row in flagged:
        flag = row.flag.replace("_", " ")
        if row.referral_id is not None:
            text = _("{flag} (referral {id}: {status})").format(flag=flag, id=row.referral_id, status=row.status)
        elif row.outcome == RiskOutcome.NO_CONSENT.value:
            text = _("{flag} (no referral: no consent)").format(flag=flag)
        else:
            text = _("{flag} (no referral)").format(flag=flag)
        risks.setdefault(row.visit_id, []).append(text)
    return {row.participant_id: (row, tuple(risks.get(row.id, ()))) for row in latest.values()}


def describe_placement(visit: Visit) -> str:
    """``the 1-month visit, on time`` or ``an extra visit``: for the answer to a logged visit."""
    if visit.due_months is None:
        return _("an extra visit (no due visit is waiting on {d})").format(d=date_text(visit.visited_on))
    how = _("on time") if visit.fulfilment is Fulfilment.ON_TIME else _("late")
    return _("the {label}, {how}").format(label=visit_label(visit.due_months), how=how)
