"""Mentoring's part of ``reentry demo``: mentors set up, businesses followed month by month.

Everything goes through ``ctx.mentoring`` (and the core's staff service, to hire a
mentor when a centre's mentors are full); the database is only read to choose whom to
act on. Schedules are started by microgrants' ``tranche_released`` (or by anyone who
starts them by hand); every month the businesses whose follow-up started get a mentor
(the best-ranked mentor of their centre with a free place), the due visits of the month
go on that mentor's visit sheet (most on time, some a month late, some missed), which
the mentor imports at the month's end (``import_visits``); closures end
the follow-up now and then, risks raised at visits open referrals when consent allows,
and a follow-up whose last due visit is behind it ends and frees the mentor's place.
"""

from __future__ import annotations

import random
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import attrs

from reentry_core.sdk import Demo, person_name, write_sheet

from . import store
from .domain import BusinessStatus, Schedule, place_visit
from .visit_sheets import VISIT_COLUMNS

#: The demo's sheets: what a mentor fills in, and the due visit a row was printed for.
SHEET_COLUMNS = (*VISIT_COLUMNS, "due_visit")

#: Business sectors mentors know (the trades the programme funds).
SECTORS = ["sewing", "car_repair", "cooking", "confectionery", "carpentry", "welding", "hairdressing", "trade",
           "agriculture"]
SECTOR_WEIGHTS = [22, 14, 14, 8, 9, 8, 10, 10, 5]
#: Centres of the north (Sughd), where many people speak Uzbek; Jaihun borders Uzbekistan too.
UZBEK_CENTRES = {"KHJ", "BGF", "PNJ", "DVS", "JHN"}

#: Monthly revenue in TJS once a business runs (low, high) and the share of it spent on costs.
TRADE = {
    "sewing": ((2500, 7000), (0.45, 0.65)),
    "car_repair": ((4000, 12000), (0.40, 0.60)),
    "cooking": ((3000, 9000), (0.55, 0.70)),
    "confectionery": ((2500, 8000), (0.50, 0.65)),
    "carpentry": ((3000, 10000), (0.45, 0.60)),
    "welding": ((4000, 11000), (0.45, 0.60)),
    "hairdressing": ((2000, 6000), (0.35, 0.50)),
    "trade": ((5000, 15000), (0.70, 0.85)),
    "agriculture": ((1500, 6000), (0.40, 0.60)),
}
#: The chance a business is found operating at its due visit, by months after the first tranche.
OPERATING = {1: 0.95, 3: 0.92, 6: 0.90, 12: 0.82}
#: How often a due visit is done in its window; of the rest, how often a month late.
ON_TIME, LATE = 0.82, 0.5
RISKS = [("debt", 25, "owes a supplier for materials bought on credit"),
         ("police_harassment", 18, "the district police keep asking for papers at the stall"),
         ("family_conflict", 20, "quarrels at home about the money the business brings"),
         ("health", 15, "has been ill for weeks and could not work"),
         ("relapse", 10, "signs of drinking again"),
         ("housing", 12, "the landlord wants the room back")]
CLOSURE_REASONS = ["business closed: lost the rented premises", "business closed: the participant left for work "
                   "in Russia", "business closed: not enough customers", "business closed: equipment sold to "
                   "repay debts"]
DISCUSSED = {"operating": ["customers and prices", "bookkeeping", "buying materials in bulk", "a second product",
                           "saving for new equipment"],
             "temporarily_closed": ["why the work stopped", "when to reopen"],
             "closed": ["what went wrong", "other work"],
             "not_started": ["finding premises", "registering the business"]}
ADVICE = ["keep a sales book every day", "agree prices with the bazaar traders", "ask the centre about the next "
          "training", "put money aside for repairs", "take orders by phone"]


def mentor_capacity(demo: Demo) -> int:
    """Mentees a mentor follows at once: a real caseload at national scale, a few in a small demo."""
    return 6 if demo.scale.grants <= 100 else 60


def mentor_profile(demo: Demo, rng: random.Random, code: str, centre: str) -> None:
    """Set up ``code``'s mentor profile: sex, languages of the centre, three or four trades."""
    languages = ["tg"] + (["ru"] if rng.random() < 0.7 else []) + (
        ["uz"] if centre in UZBEK_CENTRES and rng.random() < 0.6 else [])
    sectors = sorted(set(rng.choices(SECTORS, SECTOR_WEIGHTS, k=rng.randint(3, 4))))
    demo.act_as("ADM").mentoring.set_profile(code, centre=centre, sex="female" if rng.random() < 0.4 else "male",
                                             capacity=mentor_capacity(demo), languages=",".join(languages),
                                             sectors=",".join(sectors))


def setup(demo: Demo) -> None:
    rng = demo.rng("mentoring")
    for centre in demo.centres:
        for code in demo.staff_codes("mentor", centre):
            mentor_profile(demo, rng, code, centre)


def hire(demo: Demo, rng: random.Random, centre: str) -> str:
    """A centre whose mentors are all full takes on another mentor."""
    code = f"{centre}-MN{len(demo.staff_codes('mentor', centre)) + 1}"
    demo.add_staff(demo.act_as("ADM"), code, person_name(rng, rng.random() < 0.4), ["mentor"], centre)
    mentor_profile(demo, rng, code, centre)
    return code


def _followed(demo: Demo) -> tuple[list[tuple[Schedule, object]], set[int]]:
    """The active follow-ups (started by today), each with its participant and current mentor; and
    the follow-ups whose business a visit already found closed."""
    with demo.programme.reading() as conn:
        schedules, people, closed = store.followed_for_demo(conn, demo.today)
    return [(schedule, people[schedule.participant]) for schedule in schedules], closed


def _match(demo: Demo, rng: random.Random, waiting: list[tuple[Schedule, object]], month: date) -> dict[str, tuple]:
    """Record what matching needs for the newly followed, then let each centre's case worker give
    them the best mentor of the centre with a place (hiring a mentor when all are full).
    Returns participant → (mentor, assigned on, sector)."""
    sectors = {}
    for schedule, person in waiting:
        worker = demo.as_role("case_worker", person.centre, rng)
        sector = person.sector
        if not person.sector or not person.languages:
            sector = sector or rng.choices(SECTORS, SECTOR_WEIGHTS)[0]
            languages = ["tg"] + (["ru"] if rng.random() < 0.25 else []) + (
                ["uz"] if person.centre in UZBEK_CENTRES and rng.random() < 0.3 else [])
            worker.mentoring.set_mentee(
                schedule.participant, languages=None if person.languages else ",".join(languages),
                sector=None if person.sector else sector,
                same_sex_mentor=person.sex == "female" and rng.random() < 0.5)
        sectors[schedule.participant] = sector
    matched = {}
    for centre in sorted({person.centre for _schedule, person in waiting}):
        worker = demo.as_role("case_worker", centre, rng)
        while True:
            result = worker.mentoring.match_waiting(centre=centre, on=month)
            matched.update({a.participant: (a.mentor, a.started_on, sectors.get(a.participant))
                            for a in result.assigned})
            if not result.waiting:
                break
            hire(demo, rng, centre)
    return matched


def _between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _visit_row(rng: random.Random, participant: str, day: date, sector: str | None, closed_before: bool,
               months: int, mode: str | None = None, check_in: bool = False) -> dict:
    """The line of the mentor's visit sheet for the visit made on ``day``, ``months`` into the
    follow-up: what it found, and whether it ends the follow-up. A check-in between due visits
    seldom finds a change."""
    milestone = min([m for m in OPERATING if m >= months] or [max(OPERATING)])
    chance = 0.3 if closed_before else 0.98 if check_in else OPERATING[milestone]
    if rng.random() < chance:
        status = BusinessStatus.OPERATING
    elif months <= 1 and rng.random() < 0.3:
        status = BusinessStatus.NOT_STARTED
    else:
        status = BusinessStatus.CLOSED if rng.random() < 0.4 else BusinessStatus.TEMPORARILY_CLOSED
    mode = mode or rng.choices(["on_site", "phone", "video"], [70, 25, 5])[0]
    fields = {"participant": participant, "visited_on": day.isoformat(), "mode": mode,
              "business_status": status.value, "discussed": rng.choice(DISCUSSED[status.value]),
              "advice": rng.choice(ADVICE)}
    if status is BusinessStatus.OPERATING:
        (low, high), (c_low, c_high) = TRADE.get(sector or "", TRADE["trade"])
        growth = 0.7 + 0.4 * min(months, 12) / 12
        revenue = round(rng.uniform(low, high) * growth, -1)
        fields.update(revenue=Decimal(revenue), costs=Decimal(round(revenue * rng.uniform(c_low, c_high), -1)),
                      owners=2 if rng.random() < 0.1 else 1,
                      family_workers=rng.choices([0, 1, 2], [50, 35, 15])[0],
                      hired_workers=rng.choices([0, 1, 2, 3], [70 - 2 * min(months, 12), 20, 7, 3])[0],
                      equipment_seen="yes" if mode != "phone" and rng.random() < 0.93 else "no")
    elif mode == "on_site":
        fields["equipment_seen"] = "yes" if rng.random() < 0.4 else "no"
    if rng.random() < 0.07:
        flag, _weight, note = rng.choices(RISKS, [r[1] for r in RISKS])[0]
        fields.update(risk_flags=flag, risk_note=note)
    if status is BusinessStatus.CLOSED and rng.random() < 0.6:
        fields["end_follow_up"] = rng.choice(CLOSURE_REASONS)
    return fields


def _visits_so_far(demo: Demo) -> int:
    with demo.programme.reading() as conn:
        return store.visit_count(conn)


class VisitSheets:
    """The month's visit sheets, one per mentor: filled in as the month goes, imported at its end."""

    def __init__(self):
        self.rows: dict[str, list[dict]] = {}

    def add(self, mentor: str, row: dict) -> None:
        self.rows.setdefault(mentor, []).append(row)

    def import_all(self, demo: Demo, month: date) -> int:
        """Each mentor imports their sheet; returns the visits logged."""
        logged = 0
        with tempfile.TemporaryDirectory(prefix="reentry-demo-visits-") as folder:
            for mentor, rows in sorted(self.rows.items()):
                path = Path(folder) / f"visits-{mentor}-{month:%Y-%m}.csv"
                write_sheet(path, SHEET_COLUMNS, [[row.get(c, "") for c in SHEET_COLUMNS] for row in rows])
                logged += len(demo.act_as(mentor).mentoring.import_visits(path))
        return logged


def _finish(demo: Demo, rng: random.Random, schedule: Schedule, centre: str, reason: str, day: date) -> None:
    """The follow-up is over: end it and free the mentor's place."""
    worker = demo.as_role("case_worker", centre, rng)
    worker.mentoring.end_schedule(schedule.participant, reason, on=day)
    worker.mentoring.unassign(schedule.participant, reason, on=day)


def month(demo: Demo, month: date) -> None:
    """The month's follow-up: mentors for new follow-ups, the due visits, extra check-ins up to
    the scale's share of visits (each mentor's sheet imported at the month's end), and the
    follow-ups that are over."""
    rng = demo.rng("mentoring", month)
    followed, closed = _followed(demo)
    sheets = VisitSheets()
    logged, visiting = 0, []
    matched = _match(demo, rng, [(schedule, person) for schedule, person in followed if person.mentor is None], month)
    for schedule, person in followed:
        mentor, assigned_on, sector = person.mentor, person.assigned_on, person.sector
        if mentor is None:
            mentor, assigned_on, sector = matched[schedule.participant]
        visit = Visiting(schedule, person.centre, mentor, assigned_on, sector, schedule.id in closed)
        logged += visit.due(demo, rng, month, sheets)
        visiting.append(visit)
    open_ = [visit for visit in visiting if not visit.ended]
    # extra visits and calls keep the programme on course for the scale's visits (the months before
    # the first businesses opened have none, so the later months make up for them)
    months = demo.scale.months
    planned = round(demo.scale.visits * (months.index(month) + 1) / len(months))
    extra = planned - _visits_so_far(demo) - logged
    for visit in rng.sample(open_, min(len(open_), max(extra, 0))):
        visit.check_in(demo, rng, month, sheets)
    sheets.import_all(demo, month)
    for visit in visiting:
        visit.close(demo, rng)


@attrs.define
class Visiting:
    """One follow-up as the month goes by: its mentor, what the visits found, whether it ended."""

    schedule: Schedule
    centre: str
    mentor: str
    assigned_on: date
    sector: str | None
    closed_before: bool
    ended: bool = False
    last_visit: date | None = None
    #: after the sheets are in: the mentor's place to free ("business closed") or the follow-up to end
    closing: str | None = None
    finishing: date | None = None

    def _add(self, rng: random.Random, sheets: VisitSheets, day: date, mode: str | None = None,
             due_visit: int | None = None) -> None:
        """Put a visit on the mentor's sheet: a due visit's row says which (as a printed sheet
        does), so two visits of one day are two rows, not one row twice."""
        months = round((day - self.schedule.started_on).days / 30.44)
        row = _visit_row(rng, self.schedule.participant, day, self.sector, self.closed_before, max(months, 1),
                         mode, check_in=mode is not None)
        if due_visit is not None:
            row["due_visit"] = due_visit
        sheets.add(self.mentor, row)
        self.closed_before = self.closed_before or row["business_status"] == BusinessStatus.CLOSED.value
        self.last_visit = max(day, self.last_visit or day)
        if "end_follow_up" in row:
            self.ended, self.closing = True, day.isoformat()

    def due(self, demo: Demo, rng: random.Random, month: date, sheets: VisitSheets) -> int:
        """Put the due visits of the month on the mentor's sheet (most in their window; a missed
        one, perhaps, a month late); the follow-up ends when its last due visit is behind.
        Returns the visits put on the sheet."""
        today, previous = demo.today, (month - timedelta(days=1)).replace(day=1)
        dues, logged = list(self.schedule.due_visits), 0
        for i, due in enumerate(dues):
            if due.fulfilled or due.window_start > today:
                continue
            following = dues[i + 1] if i + 1 < len(dues) else None
            if month <= due.due_on <= today:  # due this month: done in its window, or not (yet)
                if rng.random() >= ON_TIME:
                    continue
                first, last = max(due.window_start, self.assigned_on), min(due.window_end, today)
            elif previous <= due.window_end < month:  # its window closed last month: a late visit, or missed
                if rng.random() >= LATE:
                    continue
                first = max(due.window_end + timedelta(days=1), month, self.assigned_on)
                last = min(today, following.window_start - timedelta(days=1)) if following else today
            else:
                continue
            if first > last:
                continue
            day = _between(rng, first, last)
            dues[i] = attrs.evolve(due, visit_id=0)
            self._add(rng, sheets, day, due_visit=due.months)
            logged += 1
            if self.ended:
                return logged
        self.schedule = attrs.evolve(self.schedule, due_visits=tuple(dues))
        last = dues[-1] if dues else None
        if last is not None and (last.window_end < previous or (last.fulfilled and last.window_end < month)):
            # the last due visit is behind (done, or missed for good): the follow-up is over
            self.ended, self.finishing = True, max(month, self.last_visit or month)
        return logged

    def close(self, demo: Demo, rng: random.Random) -> None:
        """Once the sheets are in: free the mentor's place of a business a visit found closed, or
        end a follow-up whose last due visit is behind."""
        if self.closing:
            demo.as_role("case_worker", self.centre, rng).mentoring.unassign(
                self.schedule.participant, "follow-up ended: business closed", on=self.closing)
        elif self.finishing:
            _finish(demo, rng, self.schedule, self.centre, "follow-up completed", self.finishing)

    def check_in(self, demo: Demo, rng: random.Random, month: date, sheets: VisitSheets) -> None:
        """An extra visit or call between due visits, on a day no due visit is waiting for."""
        first = max(month, self.assigned_on, self.last_visit or month)
        if first > demo.today:
            return
        for _try in range(3):
            day = _between(rng, first, demo.today)
            if place_visit(self.schedule.due_visits, day) is None:
                self._add(rng, sheets, day, mode=rng.choice(["phone", "on_site"]))
                return
