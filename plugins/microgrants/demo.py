"""microgrants in ``reentry demo``: a grant round each quarter, applications from the
people the programme's funnel has just brought to the stage before a grant (shortlisted,
when business_plans is loaded), a committee that meets monthly (the secretary enters its
tally sheet; the meeting decides within the budget, best plans first), and finance paying
from its worklist in a monthly payment run: 60% on signing, 40% after a mentor's verified
visit (or an admin's override when no visit came). Everything through ``ctx.grants``.

One quarter's round (``EU2026Q2``) is the EU's own, held in euros: its budget, limits and
budget lines are in EUR, and finance records on each of its tranches the month's somoni
rate (``tjs_rate``), so the report's TJS totals count it converted, as they would a real
donor's round in another currency."""

from __future__ import annotations

import math
import random
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from reentry_core.sdk import core, Period, ReentryError, write_sheet

from . import tables as t
from .domain import GrantRound

#: Equipment and stock people ask for, with a typical unit cost in TJS.
ITEMS = [("sewing machine", 3500), ("overlock machine", 4200), ("fabric and thread", 900), ("oven", 4800),
         ("dough mixer", 3200), ("baking trays and moulds", 700), ("welding inverter", 3800),
         ("angle grinder", 900), ("car lift", 6500), ("tool set", 1500), ("hairdressing chair", 2600),
         ("hair dryer and clippers", 800), ("woodworking bench", 2400), ("circular saw", 2100),
         ("display counter", 1900), ("stock of goods", 2500), ("seeds and fertiliser", 1200), ("greenhouse film", 1600)]
SUPPLIERS = ["Корвон bazaar", "Sadbarg market", "Tojik Tekhnika LLC", "Shohmansur bazaar", "Panjshanbe bazaar"]
REJECT_REASONS = ["weak_plan", "not_viable", "costs_unrealistic", "low_contribution"]
MIN_GRANT, MAX_GRANT = Decimal("2000"), Decimal("10000")
AVERAGE_GRANT = 6500
#: The quarter whose round the EU funds itself, in euros (in both scales' timelines).
EU_QUARTER = (2026, 2)
#: Somoni per euro the EU's round was planned at: its budget and the prices in its
#: applications are the TJS ones over this (so the same people apply, are decided and paid
#: as in a TJS round, and the rest of the demo is the same); what a tranche is worth in
#: somoni is the month's rate (``_tjs_rate``).
PLANNING_RATE = Decimal(12)
EUR_MIN_GRANT, EUR_MAX_GRANT = Decimal("165"), Decimal("835")  # 2,000 and 10,000 TJS, with room to round
CENT = Decimal("0.01")


def _money(value: float) -> Decimal:
    return Decimal(str(round(value / 10) * 10))


def _in(currency: str, somoni: Decimal, places: Decimal = CENT) -> Decimal:
    """An amount worked out in somoni, in the round's currency (at the planning rate)."""
    return somoni if currency == "TJS" else (somoni / PLANNING_RATE).quantize(places)


def _lines_in(currency: str, lines: list[str]) -> list[str]:
    """Budget lines priced in somoni, with their unit costs in the round's currency."""
    if currency == "TJS":
        return lines
    parts = [line.split(";") for line in lines]
    return [";".join([item, quantity, str(_in(currency, Decimal(cost))), *rest])
            for item, quantity, cost, *rest in parts]


def _quarter(month: date) -> tuple[int, int]:
    return month.year, (month.month - 1) // 3 + 1


def _round_code(month: date) -> str:
    year, quarter = _quarter(month)
    return f"{'EU' if (year, quarter) == EU_QUARTER else 'R'}{year}Q{quarter}"


def _tjs_rate(demo, month: date) -> Decimal:
    """Somoni per euro in ``month`` (the National Bank's rate finance writes on a tranche of
    the EU's round): about 11.95, drifting up and down by a few tenths over the months."""
    drift = 0.3 * math.sin(((month.year - 2025) * 12 + month.month) / 2.5)
    noise = demo.rng("microgrants-rate", month).uniform(-0.04, 0.04)
    # four places always: "12.091" would read as ambiguous (twelve thousand and ninety-one?)
    return Decimal(str(11.95 + drift + noise)).quantize(Decimal("0.0001"))


def _month_end(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1) - timedelta(days=1)


def _candidates(demo, month: date) -> list[tuple[str, str]]:
    """(code, centre) of the people who reached the funnel stage just before a grant in the
    last two months; without such a stage, people who registered four to nine months ago."""
    programme = demo.programme
    ours = [i.funnel_stage for i in programme.indicators if i.plugin == "microgrants" and i.funnel_stage]
    before = [i for i in programme.indicators if i.funnel_stage is not None and i.plugin != "microgrants"
              and i.funnel_stage < min(ours)]
    p, c = core.participant, core.centre
    start = (month - timedelta(days=35)).replace(day=1)
    with programme.reading() as conn:
        if before and max(before, key=lambda i: i.funnel_stage).plugin != "core":
            stage = max(before, key=lambda i: i.funnel_stage)
            units = stage.query(Period(start, _month_end(month))).subquery()
            query = sa.select(p.c.code, c.c.code).select_from(units.join(p, p.c.id == units.c.participant_id).join(c))
        else:
            query = (sa.select(p.c.code, c.c.code).select_from(p.join(c))
                     .where(p.c.registered_on.between(month - timedelta(days=270), month - timedelta(days=120))))
        applied = sa.select(t.application.c.participant_id)
        rows = conn.execute(query.where(p.c.status == "active", p.c.id.not_in(applied)).distinct()
                            .order_by(p.c.code)).all()
    return [tuple(r) for r in rows]


def _lines(rng: random.Random) -> list[str]:
    """One to three things to buy, one or two of each, priced in somoni. A request above the
    round's maximum is cut down with the case worker before it is filed: one of each instead
    of two, the dearest first, then the dearest thing left out, until it fits."""
    chosen = rng.sample(ITEMS, rng.randint(1, 3))
    lines = []
    for item, cost in chosen:
        kind = "in_kind" if rng.random() < 0.5 else "cash"
        lines.append([item, rng.randint(1, 2), _money(cost * rng.uniform(0.85, 1.15)), kind, rng.choice(SUPPLIERS)])
    by_cost = sorted(lines, key=lambda line: line[2], reverse=True)
    for line in by_cost:
        if _requested(lines) > MAX_GRANT and line[1] > 1:
            line[1] = 1
    for line in by_cost:
        if _requested(lines) > MAX_GRANT and len(lines) > 1:
            lines.remove(line)
    return [";".join(str(part) for part in line) for line in lines]


def _requested(lines: list) -> Decimal:
    """What budget lines (typed, or as their parts) add up to: the case worker's own sum."""
    parts = (line.split(";") if isinstance(line, str) else line for line in lines)
    return sum((Decimal(q) * Decimal(c) for _item, q, c, *_rest in parts), Decimal(0))


def _open_round(demo, month: date, rng: random.Random) -> str:
    admin = demo.act_as("ADM")
    code = _round_code(month)
    year, quarter = _quarter(month)
    # the EU's round is its own, in euros; the others are the programme's, in somoni
    currency, donors, title = (("EUR", ["EU"], f"EU start-up grants {year}, quarter {quarter}")
                               if (year, quarter) == EU_QUARTER else
                               ("TJS", ["EU", "BMZ"], f"Start-up grants {year}, quarter {quarter}"))
    # the scale's grants over the rounds after the first (its quarter goes to training: nobody
    # is shortlisted yet), at about what a grant comes to
    per_round = max(2, round(demo.scale.grants / max(1, len(demo.scale.months) / 3 - 1)))
    budget = _in(currency, _money(per_round * AVERAGE_GRANT * rng.uniform(0.9, 1.0)), Decimal(1))
    lowest, highest = (MIN_GRANT, MAX_GRANT) if currency == "TJS" else (EUR_MIN_GRANT, EUR_MAX_GRANT)
    closes = _month_end(date(month.year + (month.month + 1 > 12), (month.month + 1 - 1) % 12 + 1, 1))
    requirements = {"require_shortlisted_plan": True, "require_training": True} if _rules_known(demo) else {}
    admin.grants.add_round(code, title, budget=budget, currency=currency, min_grant=lowest, max_grant=highest,
                           opens_on=month, closes_on=closes, donors=donors, tranche_plan="60,40:verified",
                           **requirements)
    admin.grants.add_committee_members(code, demo.staff_codes("committee_member"))
    admin.grants.open_round(code)
    return code


def _rules_known(demo) -> bool:
    from reentry_core.sdk import eligibility_rules

    return {"shortlisted_plan", "training_completed"} <= set(eligibility_rules(demo.programme))


def month(demo, month: date) -> None:
    rng = demo.rng("microgrants", month)
    admin = demo.act_as("ADM")
    code = _round_code(month)
    if month.month % 3 == 1 or month == demo.scale.months[0]:
        if not any(r.code == code for r in admin.grants.rounds()):
            _open_round(demo, month, rng)
    days = [month + timedelta(days=d) for d in range((_month_end(month) - month).days + 1)]
    open_rounds = admin.grants.rounds(status="open")
    # applications from the people just shortlisted, made with their case worker
    candidates = _candidates(demo, month)
    rng.shuffle(candidates)
    for person, centre in candidates if open_rounds else []:
        worker = demo.as_role("case_worker", centre, rng)
        lines, contribution = _lines(rng), _money(rng.uniform(200, 1500))
        if not MIN_GRANT <= _requested(lines) <= MAX_GRANT:
            continue  # too small a request for the round: the case worker does not file it
        currency = open_rounds[-1].currency  # the EU's round: the same request, in euros
        try:
            worker.grants.apply(open_rounds[-1].code, person, _lines_in(currency, lines),
                                own_contribution=_in(currency, contribution), submit=True)
        except ReentryError:
            continue
    _decide(demo, rng, open_rounds)
    _disburse(demo, rng, days, _tjs_rate(demo, month))
    for rnd in admin.grants.rounds(status="open"):
        if rnd.closes_on <= _month_end(month):
            admin.grants.close_round(rnd.code)


def _decide(demo, rng: random.Random, rounds: list[GrantRound]) -> None:
    """The committee meets once a month on every application under review: the secretary
    prints the agenda's tally sheet, the members fill it in (a conflict of interest now
    and then, some reduced amounts, some rejections and abstentions), and the secretary
    enters it, the meeting deciding within the budget, highest plan score first."""
    admin = demo.act_as("ADM")
    members = demo.staff_codes("committee_member")
    for rnd in rounds:
        round_code, rows = rnd.code, []
        for item in admin.grants.agenda(round_code):
            # a deferred or held-over application comes back: its votes and conflicts stand
            conflicted = rng.choice(members) if rng.random() < 0.06 else None
            conflicted = None if len(item.waiting) < len(members) else conflicted
            for member in item.waiting:
                if member == conflicted:
                    rows.append((item.application, member, "conflict", "", rng.choice(["relative", "neighbour"]),
                                 "knows the family from the mahalla"))
                    continue
                roll = rng.random()
                if roll < 0.78:
                    amount = item.requested if rng.random() < 0.8 else max(rnd.min_grant, _in(
                        rnd.currency, _money(float(item.requested * _in_somoni(rnd)) * rng.uniform(0.7, 0.95))))
                    rows.append((item.application, member, "approve", min(amount, item.requested), "", ""))
                elif roll < 0.95:
                    rows.append((item.application, member, "reject", "", rng.choice(REJECT_REASONS),
                                 "the committee's doubts are recorded in the minutes"))
                else:
                    rows.append((item.application, member, "abstain", "", "", ""))
        with tempfile.TemporaryDirectory(prefix="reentry-demo-") as folder:
            sheet = Path(folder) / f"meeting-{round_code}-{demo.today:%Y-%m}.csv"
            write_sheet(sheet, ["application", "member", "vote", "amount", "reason", "note"], rows)
            if rows:
                admin.grants.record_meeting(round_code, sheet, decide=True)
            else:
                admin.grants.decide_round(round_code)  # held over: decided again on the money left


def _in_somoni(rnd: GrantRound) -> Decimal:
    """What one unit of the round's currency was planned at in somoni."""
    return Decimal(1) if rnd.currency == "TJS" else PLANNING_RATE


def _disburse(demo, rng: random.Random, days: list[date], tjs_rate: Decimal) -> None:
    """Finance pays what its worklist says is ready in one payment run: the first tranche
    after approval, the second after a verified visit. The other finance officer confirms
    a run the next month, so the last month's run is still pending. An admin lets the second out without
    a visit now and then when it has waited long. A tranche of a TJS round carries the euro
    rate of its day (for the donors' EUR figures); one of the EU's round, in euros, the
    month's somoni rate (``tjs_rate``), which the TJS totals count it at."""
    admin = demo.act_as("ADM")
    officers = demo.staff_codes("finance_officer")
    # four eyes: last month's run, pending until now, is confirmed by the officer who did not record it
    for tranche in admin.grants.pending_tranches():
        checker = next((code for code in officers if code != tranche.recorded_by), None)
        if checker is not None:
            demo.act_as(checker).grants.confirm_tranche(tranche.application, tranche.number)
    officer = demo.act_as(rng.choice(officers))
    rows = []
    # by the round's opening, then the grant: the order the payment run was always made in
    # (the worklist's is by round code, which would put the EU's round first)
    opened = {rnd.code: rnd.opens_on for rnd in admin.grants.rounds()}
    for due in sorted(admin.grants.due_tranches(), key=lambda d: (opened[d.round], d.application, d.number)):
        if not due.ready:
            if due.number > 1 and (days[-1] - due.approved_on).days > 200 and rng.random() < 0.3:
                admin.grants.override_verification(due.application, "the mentor could not reach the village; "
                                                                    "the business was seen by the case worker")
            continue
        method = rng.choice(["cash", "bank_transfer", "in_kind"])
        kind = ("equipment as listed in the application", rng.choice(SUPPLIERS),
                f"RC-{rng.randint(10000, 99999)}") if method == "in_kind" else ("", "", "")
        # paid in the month's last ten days, not before the approval or the visit that verified it
        earliest = max(due.approved_on, (due.verification and due.verification.visited_on) or due.approved_on)
        on = rng.choice([d for d in days[-10:] if d >= earliest] or days[-1:])
        eur_rate = str(round(rng.uniform(11.6, 12.4), 2))
        rates = (eur_rate, "") if due.currency == "TJS" else ("", str(tjs_rate))
        rows.append((due.application, on.isoformat(), method, *kind, *rates))
    if not rows:
        return
    with tempfile.TemporaryDirectory(prefix="reentry-demo-") as folder:
        sheet = Path(folder) / f"payments-{demo.today:%Y-%m}.csv"
        write_sheet(sheet, ["application", "released_on", "method", "items", "supplier", "receipt", "eur_rate",
                            "tjs_rate"], rows)
        officer.grants.record_payments(sheet)
