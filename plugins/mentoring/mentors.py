"""Mentors, mentees, matching and assignment.

A mentor is a staff member with the mentor role and a profile (centre, sex, capacity,
languages, sectors). A participant has at most one active mentor; a reassignment ends
the previous one with a reason, and a mentor's capacity holds unless someone allowed
to override it gives a reason.
"""

from __future__ import annotations

from datetime import date

import attrs

from reentry_core.sdk import (
    _, check_centre, Conflict, in_scope, InvalidInput, ngettext, NotFound, parse_date, ParticipantStatus,
    param, PermissionDenied, required_reason, Role, scope_of, structure, unstructure,
)
from reentry_core.sdk import date_text

from . import store
from .domain import Assignment, MenteeProfile, MentorProfile, Suggestion, rank, score_mentor, split_list


@attrs.frozen
class Assigned:
    """The answer to :meth:`MentorsMixin.assign`: the new assignment and the one it ended, if any."""

    assignment: Assignment
    previous: Assignment | None = None


@attrs.frozen
class WaitingMatched:
    """The answer to :meth:`MentorsMixin.match_waiting`: who got a mentor, and who still waits
    because no mentor of their centre has a place."""

    assigned: tuple[Assignment, ...]
    waiting: tuple[str, ...]


def require_active(row) -> None:
    """Refuse to act for a participant who left the programme."""
    if row.status != ParticipantStatus.ACTIVE.value:
        raise Conflict(_("{code} left the programme on {on}").format(
            code=row.code, on=date_text(row.exited_on) if row.exited_on else "?"))


def action_date(value, tx, what: str, not_before: date | None = None, before_what: str = "") -> date:
    """A date of an action (default today): never in the future, never before ``not_before``."""
    day = parse_date(value) if value not in (None, "") else tx.today
    if day > tx.today:
        raise InvalidInput(_("{what} {d} is in the future").format(what=what, d=date_text(day)))
    if not_before is not None and day < not_before:
        raise InvalidInput(_("{what} {d} is before {before} ({b})").format(
            what=what, d=date_text(day), before=before_what, b=date_text(not_before)))
    return day


def centre_in_scope(ctx, conn, centre: str | None) -> str | None:
    """The centre a mentoring list or figure keeps to: ``centre`` when the acting member may
    see it (refused in one line otherwise), else their own centre when they work at one and
    see no other (issue 14: staff of one centre see their centre); ``None``: every centre."""
    if centre:
        code = centre.strip().upper()
        check_centre(conn, ctx.programme.centre_id(conn, code), code)  # an unknown centre is named
        return code
    scope = scope_of(conn)
    if scope is None or scope.everywhere:
        return None
    if scope.centre is None:
        raise PermissionDenied(_("{code} works at no centre; only staff who see every centre see mentoring "
                                 "across centres").format(code=scope.staff))
    return scope.centre


def with_mentor_role(conn, code: str):
    """The staff row of ``code``, who must hold the mentor role."""
    row, roles = store.staff(conn, code)
    if Role.MENTOR not in roles:
        held = ", ".join(sorted(r.value for r in roles))
        raise Conflict(_("{code} ({roles}) is not a mentor; give them the role first: "
                         "reentry staff roles {code} --add mentor").format(code=row.code, roles=held))
    return row


def mentor_staff(conn, code: str):
    """The staff row of a mentor who can take mentees: mentor role, active, with a profile."""
    row = with_mentor_role(conn, code)
    if not row.active:
        raise Conflict(_("staff member {code} is deactivated").format(code=row.code))
    profile = store.mentor(conn, row.code)
    if profile is None:
        raise Conflict(_("{code} has no mentor profile yet; set one up: reentry mentoring profile {code} "
                         "--sex SEX --capacity N --languages tg,ru").format(code=row.code))
    return row, profile


class MentorsMixin:
    """``ctx.mentoring``: mentor and mentee profiles, suggestions, assignments."""

    ctx: object

    # --- mentor profiles ----------------------------------------------------------------
    def set_profile(self, mentor: str, *, centre: str | None = None, sex: str | None = None,
                    capacity: int | None = None, languages=None, sectors=None) -> MentorProfile:
        """Create or change a mentor's profile; ``None`` leaves a field as it is, ``sectors=""``
        clears the sectors. A new profile needs ``sex``, ``capacity`` and ``languages``; the
        centre defaults to the staff member's."""
        with self.ctx.transaction() as tx:
            tx.require("mentoring.mentors")
            row = with_mentor_role(tx.conn, mentor)
            before = store.mentor(tx.conn, row.code)
            data = unstructure(attrs.evolve(before, full_name=None)) if before else {"mentor": row.code}
            data.pop("full_name", None)
            changes = {"centre": centre, "sex": sex, "capacity": capacity, "languages": languages}
            data.update({k: v for k, v in changes.items() if v is not None})
            if sectors is not None:
                data["sectors"] = split_list(sectors)
            data.setdefault("centre", row.centre)
            if before is None:
                missing = [name for name in ("sex", "capacity", "languages") if data.get(name) in (None, "")]
                if missing:
                    raise InvalidInput(_("{code} has no mentor profile yet; give {fields}").format(
                        code=row.code, fields=", ".join(param(m) for m in missing)))
            if not data.get("centre"):
                raise InvalidInput(_("{centre}: {code} works at no centre; say which").format(centre=param("centre"), code=row.code))
            profile = structure({k: v for k, v in data.items() if v is not None}, MentorProfile)
            values = {"centre_id": tx.centre_id(profile.centre), "sex": profile.sex.value,
                      "capacity": profile.capacity, "languages": store.keys(profile.languages),
                      "sectors": store.keys(profile.sectors)}
            after = attrs.evolve(profile, full_name=row.full_name)
            if before == after:
                return after
            store.save_mentor(tx.conn, row.id, values, new=before is None)
            tx.audit("mentoring.profile", "mentor", row.code, before=before, after=after)
        return after

    def profile(self, mentor: str) -> MentorProfile:
        self.ctx.require("mentoring.view")
        with self.ctx.reading() as conn:
            row, _roles = store.staff(conn, mentor)
            found = store.mentor(conn, row.code)
        if found is None:
            raise NotFound(_("{code} has no mentor profile").format(code=row.code))
        return found

    def mentors(self, centre: str | None = None) -> list[tuple[MentorProfile, int]]:
        """Every mentor profile (of ``centre``; for staff of one centre, of theirs) with the
        number of people each follows now."""
        self.ctx.require("mentoring.view")
        with self.ctx.reading() as conn:
            centre = centre_in_scope(self.ctx, conn, centre)
            counts = store.active_mentee_counts(conn)
            return [(store.mentor_from_row(row), counts.get(row.staff_id, 0))
                    for row in store.mentor_rows(conn, centre)]

    # --- mentee profiles ----------------------------------------------------------------
    def set_mentee(self, participant: str, *, languages=None, sector: str | None = None,
                   same_sex_mentor: bool | str | None = None) -> MenteeProfile:
        """Record what matching needs: languages, business sector, whether a mentor of the
        same sex was asked for. ``None`` leaves a field; ``""`` clears it."""
        with self.ctx.transaction() as tx:
            tx.require("mentoring.mentees")
            row = store.participant(tx.conn, participant)
            before = store.mentee(tx.conn, row.id, row.code)
            data = unstructure(before)
            for field, value in (("languages", languages), ("sector", sector), ("same_sex_mentor", same_sex_mentor)):
                if value is None:
                    continue
                if value == "":
                    data.pop(field, None)
                else:
                    data[field] = split_list(value) if field == "languages" else value
            after = structure({k: v for k, v in data.items() if v is not None}, MenteeProfile)
            if after != before:
                store.save_mentee(tx.conn, row.id, after)
                tx.audit("mentoring.mentee", "participant", row.code, before=before, after=after)
        return after

    def mentee(self, participant: str) -> MenteeProfile:
        self.ctx.require("mentoring.view")
        with self.ctx.reading() as conn:
            row = store.participant(conn, participant)
            return store.mentee(conn, row.id, row.code)

    # --- matching -----------------------------------------------------------------------
    def suggest(self, participant: str, limit: int | None = None) -> list[Suggestion]:
        """Mentors ranked for ``participant`` (see :func:`reentry_mentoring.domain.score_mentor`):
        those with a free place first, then by score. Only active staff holding the mentor role."""
        self.ctx.require("mentoring.view")
        with self.ctx.reading() as conn:
            row = store.participant(conn, participant)
            require_active(row)
            mentee = store.mentee(conn, row.id, row.code)
            current = store.active_assignment(conn, row.id)
            counts = store.active_mentee_counts(conn)
            suggestions = [
                score_mentor(store.mentor_from_row(m), counts.get(m.staff_id, 0), row.centre, row.sex, mentee,
                             current=current is not None and current.mentor == m.staff_code)
                for m in store.mentor_rows(conn) if m.active and m.is_mentor
            ]
        ranked = rank(suggestions)
        return ranked[:limit] if limit else ranked

    # --- assignment ---------------------------------------------------------------------
    def assign(self, participant: str, mentor: str, *, on: date | str | None = None, reason: str | None = None,
               override_capacity: str | None = None) -> Assigned:
        """Make ``mentor`` the participant's mentor from ``on`` (default today).

        A participant who already has a mentor is reassigned only with a ``reason``; the
        previous assignment ends that day. A mentor at capacity takes another mentee only
        with ``override_capacity`` (a reason; needs ``mentoring.override_capacity``).
        """
        reason = (reason or "").strip() or None
        override_capacity = (override_capacity or "").strip() or None
        with self.ctx.transaction() as tx:
            tx.require("mentoring.assign")
            row = store.participant(tx.conn, participant)
            require_active(row)
            staff_row, profile = mentor_staff(tx.conn, mentor)
            current = store.active_assignment(tx.conn, row.id, lock=True)
            day = action_date(on, tx, _("assignment date"), row.registered_on,
                              _("{code}'s registration").format(code=row.code))
            if current is not None:
                if current.mentor == staff_row.code:
                    raise Conflict(_("{mentor} already mentors {code} (since {on})").format(
                        mentor=staff_row.code, code=row.code, on=date_text(current.started_on)))
                if reason is None:
                    raise InvalidInput(_("{code} already has a mentor, {mentor} (since {on}); say why they are "
                                         "reassigned ({reason})").format(code=row.code, mentor=current.mentor,
                                                                         on=date_text(current.started_on),
                                                                         reason=param("reason")))
                if day < current.started_on:
                    raise InvalidInput(_("assignment date {d} is before {mentor}'s assignment began ({on})").format(
                        d=date_text(day), mentor=current.mentor, on=date_text(current.started_on)))
            load = store.mentor_load(tx.conn, staff_row.id)  # locks the profile: two desks, one last place
            used_override = None
            if load >= profile.capacity:
                if override_capacity is None:
                    raise Conflict(ngettext(
                        "{mentor} already follows {n} person, the capacity of their profile; an admin can assign "
                        "anyway with --override-capacity REASON",
                        "{mentor} already follows {n} people, the capacity of their profile; an admin can assign "
                        "anyway with --override-capacity REASON", load).format(mentor=staff_row.code, n=load))
                tx.require("mentoring.override_capacity")
                used_override = override_capacity
            previous = None
            if current is not None:
                previous = attrs.evolve(current, ended_on=day, end_reason=reason)
                store.end_assignment(tx.conn, current.id, day, previous.end_reason)
                tx.audit("mentoring.unassign", "participant", row.code, before=current, after=previous)
            new_id = store.insert_assignment(tx.conn, row.id, staff_row.id, day, used_override)
            assignment = Assignment(row.code, staff_row.code, day, capacity_override=used_override, id=new_id)
            tx.audit("mentoring.assign", "participant", row.code, after=assignment)
        return Assigned(assignment, previous)

    def match_waiting(self, *, centre: str | None = None, on: date | str | None = None) -> WaitingMatched:
        """Give everyone whose follow-up has started and who has no mentor yet the best-ranked
        mentor of their own centre with a free place (the first of :meth:`suggest` there), in
        one action: first come (follow-up started earliest), first served. Each assignment
        starts ``on`` (default today), or the day the follow-up started if that is later.
        Those for whom no mentor of their centre has a place are returned as waiting."""
        with self.ctx.transaction() as tx:
            tx.require("mentoring.assign")
            conn = tx.conn
            day = action_date(on, tx, _("assignment date"))
            people = store.waiting_for_mentor(conn, tx.centre_id(centre) if centre else None, tx.today)
            rows = [m for m in store.mentor_rows(conn, centre, lock=True) if m.active and m.is_mentor]
            counts = store.active_mentee_counts(conn)
            by_centre: dict[str, list] = {}
            for m in rows:
                by_centre.setdefault(m.centre_code, []).append(m)
            mentees = store.mentees(conn, {p.id: p.code for p in people})
            matched, waiting = [], []
            for person in people:
                ranked = rank(score_mentor(store.mentor_from_row(m), counts.get(m.staff_id, 0), person.centre,
                                           person.sex, mentees[person.id]) for m in by_centre.get(person.centre, ()))
                if not ranked or not ranked[0].has_place:
                    waiting.append(person.code)
                    continue
                chosen = next(m for m in by_centre[person.centre] if m.staff_code == ranked[0].mentor)
                start = max(day, person.started_on, person.registered_on)
                matched.append((person, chosen, start))
                counts[chosen.staff_id] = counts.get(chosen.staff_id, 0) + 1
            if matched:
                ids = store.insert_assignments(conn, [
                    {"participant_id": person.id, "mentor_id": chosen.staff_id, "started_on": start}
                    for person, chosen, start in matched])
                assigned = [Assignment(person.code, chosen.staff_code, start, id=new_id)
                            for (person, chosen, start), new_id in zip(matched, ids)]
                tx.audit_batch("mentoring.assign", "participant", {a.participant: a for a in assigned},
                               rule="best-ranked mentor of the centre with a place")
            else:
                assigned = []
        return WaitingMatched(tuple(assigned), tuple(waiting))

    def unassign(self, participant: str, reason: str, *, on: date | str | None = None) -> Assignment:
        """End the participant's current assignment, with a reason."""
        reason = required_reason(reason, _("the assignment ends"))
        with self.ctx.transaction() as tx:
            tx.require("mentoring.assign")
            row = store.participant(tx.conn, participant)
            current = store.active_assignment(tx.conn, row.id, lock=True)
            if current is None:
                raise Conflict(_("{code} has no mentor to unassign").format(code=row.code))
            day = action_date(on, tx, _("end date"), current.started_on, _("the assignment began"))
            ended = attrs.evolve(current, ended_on=day, end_reason=reason)
            store.end_assignment(tx.conn, current.id, day, ended.end_reason)
            tx.audit("mentoring.unassign", "participant", row.code, before=current, after=ended)
        return ended

    def assignments(self, participant: str | None = None, mentor: str | None = None,
                    active: bool = False) -> list[Assignment]:
        """Assignments, oldest first; ``active`` keeps the current ones only."""
        self.ctx.require("mentoring.view")
        with self.ctx.reading() as conn:
            pid = store.participant(conn, participant).id if participant else None
            mid = store.staff(conn, mentor)[0].id if mentor else None
            found = store.assignments(conn, pid, mid, active)
            seen = in_scope(conn, {a.participant for a in found})
            return [a for a in found if a.participant in seen]
