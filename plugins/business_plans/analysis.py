""""Does the plan score predict survival?": the programme report's analysis of business_plans.

For every business whose 12-month outcome is known (asked of the plugin that follows the
businesses, through ``business_outcomes``) and whose owner has a shortlisted plan: how many
are still operating, by the panel score the plan was shortlisted with, and the Spearman
rank correlation between that score and survival.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Sequence

import sqlalchemy as sa

from reentry_core.sdk import _, Analysis, AnalysisTable, ChartHint, count_grid, share

from . import store

MONTHS = 12
#: Panel-score bands: label and lowest score of the band (each runs up to the next one's).
BANDS = [("<60", Decimal(0)), ("60–69", Decimal(60)), ("70–79", Decimal(70)), ("80–89", Decimal(80)),
         ("90+", Decimal(90))]
MIN_FOR_CORRELATION = 10
KEY = "business_plans.score_survival"
OPERATING, NOT_OPERATING = "operating", "not_operating"


def band_of(score: Decimal) -> str:
    return [label for label, low in BANDS if score >= low][-1]


def average_ranks(values: Sequence) -> list[Decimal]:
    """Ranks from 1, tied values sharing the average of their ranks."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks: list[Decimal] = [Decimal(0)] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        shared = Decimal(start + end + 2) / 2
        for i in order[start:end + 1]:
            ranks[i] = shared
        start = end + 1
    return ranks


def spearman(xs: Sequence, ys: Sequence) -> Decimal | None:
    """Spearman's rank correlation (Pearson's on average ranks); ``None`` when either side
    has no variation."""
    rx, ry = average_ranks(xs), average_ranks(ys)
    n = len(xs)
    mx, my = sum(rx) / n, sum(ry) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    if not sxx or not syy:
        return None
    return sxy / (sxx * syy).sqrt()


def pairs(conn: sa.Connection, outcomes) -> list[tuple[Decimal, bool, str]]:
    """(panel score of the shortlisted plan, operating, centre) for each business with a
    known outcome."""
    return [(Decimal(s), bool(operating), centre) for s, operating, centre in store.shortlisted_outcomes(conn, outcomes)]


def survival_table(found: list[tuple[Decimal, bool, str]], centres: Sequence[str]) -> AnalysisTable:
    """The businesses by score band × outcome × centre, for the core to protect, and how
    the table reads once protected: per band, the businesses and the share operating."""
    labels = [label for label, _low in BANDS]
    counts: dict[tuple, int] = {}
    for score, alive, centre in found:
        key = (band_of(score), OPERATING if alive else NOT_OPERATING, centre)
        counts[key] = counts.get(key, 0) + 1
    grid = count_grid(KEY, (labels, (OPERATING, NOT_OPERATING), centres), counts, ("panel score", "outcome", "centre"))

    def render(cell, centre: str | None) -> Analysis:
        rows = []
        for band in [*labels, None]:
            businesses = cell((band, None, centre))
            rows.append([band if band is not None else _("all"), businesses,
                         share(cell((band, OPERATING, centre)), businesses)])
        mine = [(s, alive) for s, alive, c in found if centre is None or c == centre]
        return Analysis(KEY, _("Does the plan score predict survival?"),
                        [_("panel score"), _("businesses"), _("operating at {months} months").format(months=MONTHS)],
                        rows, note(mine, cell.text(cell((None, None, centre)))), ("text", "count", "rate"),
                        short_title=_("Plan score and survival"),
                        chart=ChartHint("score", "rate", _("Plan score against survival")))

    return AnalysisTable(KEY, grid, render)


def note(found: list[tuple[Decimal, bool]], shown: str) -> str:
    """The correlation, said in words; the number of businesses only as the table shows it
    (``shown``)."""
    n = len(found)
    if n < MIN_FOR_CORRELATION:
        text = _("Spearman rank correlation between panel score and survival: too little data (n = {n}; at least "
                 "{m} businesses are needed).").format(n=shown, m=MIN_FOR_CORRELATION)
    else:
        rho = spearman([s for s, _alive in found], [a for _s, a in found])
        if rho is None:
            text = _("Spearman rank correlation between panel score and survival: not defined, every business had "
                     "the same outcome or every plan the same score (n = {n}).").format(n=shown)
        else:
            text = _("Spearman rank correlation between panel score and survival: {rho} (n = {n}).").format(
                rho=f"{rho:.2f}", n=shown)
    return text + " " + _("Businesses with a known {months}-month outcome whose owner has a shortlisted plan, by the "
                          "panel score the plan was shortlisted with.").format(months=MONTHS)


def analyses(conn: sa.Connection, hook, participants=None) -> list[AnalysisTable]:
    """``participants``: a select of the ids a report for one donor's grants keeps."""
    outcomes = hook.business_outcomes(conn=conn, months=MONTHS)
    if outcomes is None:  # nobody follows the businesses: no outcome to compare with
        return []
    if participants is not None:
        known = outcomes.subquery("known")
        outcomes = sa.select(known.c.participant_id, known.c.operating).where(
            known.c.participant_id.in_(participants))
    centres = store.centre_codes(conn)
    return [survival_table(pairs(conn, outcomes), centres)]
