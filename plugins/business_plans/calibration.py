"""Calibration rounds: before a cohort is scored, its lead trainer picks a few plans of
earlier cohorts; every trainer of the panel scores them, anonymised (C1, C2, …), on
the cohort's rubric; the round shows each trainer's deviation per criterion from the
panel and from the earlier panel's consensus, flagged past the lead's band.

Rules: the cohort's lead trainer (or an admin) opens a round; the plans come from
cohorts that started before this one, scored with the same rubric version by at least
two trainers (the earlier panel's consensus is the mean of those sheets, per
criterion); only the cohort's trainers score, on the rubric's scale, a correction
replaces their earlier values. Calibration scores live in their own table: they never
change a plan's sheets, ranking or status.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Mapping

import attrs
import sqlalchemy as sa

from reentry_core.sdk import _, Conflict, InvalidInput, NotFound

from . import aggregation, store
from .domain import (
    DEFAULT_BAND, CalibrationPlan, CalibrationRound, PlanStatus, Rubric, calibration_label, parse_band,
)
from .agreement import CriterionAlpha, criterion_alphas
from .panel import require_moderator, require_panel_member
from .tables import bp_cohort

#: Statuses of an earlier plan version that a panel has scored.
SCORED = (PlanStatus.SCORED.value, PlanStatus.SHORTLISTED.value, PlanStatus.NOT_SELECTED.value)

@attrs.frozen
class CalibrationResult:
    """A round's results: how many plans each trainer of the panel has scored, each
    trainer's deviations per criterion (:class:`aggregation.CalibrationDeviation`), and
    the panel's alpha per criterion on the calibration plans."""

    round: CalibrationRound
    scored: dict[str, int]
    deviations: list[aggregation.CalibrationDeviation]
    criteria: list[CriterionAlpha]
    least_agreement: str | None

    @property
    def outside(self) -> list[str]:
        """The trainers with a criterion outside the band."""
        return sorted({d.trainer for d in self.deviations if d.outside})


def load_round(conn: sa.Connection, row) -> tuple[CalibrationRound, Rubric, dict[str, int], dict[str, int]]:
    """The round, its rubric, its plans' version ids by label and its trainers' ids by code."""
    rubric = store.rubric_by_id(conn, row.rubric_id)
    plans = {calibration_label(p): vid for p, vid in store.round_plans(conn, row.id)}
    trainers = {code: sid for code, _lead, sid in store.cohort_trainers(conn, row.cohort_id)}
    found = CalibrationRound(row.code, row.cohort_code, row.band, rubric.ref, tuple(plans), tuple(trainers),
                             row.creator, row.created_on)
    return found, rubric, plans, trainers


class CalibrationService:
    """Calibration rounds of a cohort's panel (part of ``ctx.plans``)."""

    ctx = None

    def new_calibration(self, cohort: str, plans, band: Any = DEFAULT_BAND) -> CalibrationRound:
        """Open a calibration round for ``cohort`` (its lead trainer or an admin) with the
        current versions of ``plans`` (codes of plans of earlier cohorts, scored with the
        cohort's rubric version by two or more trainers), shown to the panel as C1, C2, …
        in the order given. ``band``: rubric points per criterion (default 1)."""
        band = parse_band(band)
        codes = [c.strip().upper() for c in ([plans] if isinstance(plans, str) else plans) if c.strip()]
        if not codes:
            raise InvalidInput(_("plans: name at least one plan of an earlier cohort"))
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise InvalidInput(_("plans: {codes} named more than once").format(codes=", ".join(twice)))
        with self.ctx.transaction() as tx:
            tx.require("plans.calibrate")
            conn = tx.conn
            row = store.cohort_row(conn, cohort)
            require_moderator(tx, row.id, row.code)
            rubric = store.rubric_by_id(conn, row.rubric_id)
            if band > rubric.scale_max - rubric.scale_min:
                raise InvalidInput(_("band: {band} is wider than the rubric's scale {scale}").format(
                    band=band, scale=rubric.scale))
            store.lock(conn, bp_cohort, row.id)  # rounds are numbered in order
            versions = [self._earlier_version(conn, code, row, rubric) for code in codes]
            me = store.staff_row(conn, tx.actor.code)
            code = store.insert_round(conn, row, band, me.id, tx.today, [v.id for v in versions])
            found, _rubric, _plans, _trainers = load_round(conn, store.round_row(conn, code))
            # the audit trail keeps which plan each label stands for; the panel never sees it
            tx.audit("calibration.new", "calibration_round", code, after={
                "cohort": row.code, "band": band, "rubric": rubric.ref,
                "plans": {calibration_label(i): f"{v.code}@{v.version}" for i, v in enumerate(versions, 1)}})
        return found

    @staticmethod
    def _earlier_version(conn: sa.Connection, code: str, cohort, rubric: Rubric):
        """The current version of plan ``code`` if it may be calibrated on in ``cohort``."""
        version = store.plan_row(conn, code)
        earlier = store.cohort_row(conn, version.cohort_code)
        if earlier.id == cohort.id or earlier.start_date >= cohort.start_date:
            raise Conflict(_("plan {code} is not from an earlier cohort than {cohort}; pick plans of cohorts that "
                             "started before it").format(code=version.code, cohort=cohort.code))
        if version.status not in SCORED or version.sheets < 2:
            raise Conflict(_("plan {code} has {n} score sheet(s) as {status}; a calibration plan needs an earlier "
                             "panel of 2 or more").format(code=version.code, n=version.sheets,
                                                          status=version.status))
        if earlier.rubric_id != cohort.rubric_id:
            raise Conflict(_("plan {code} was scored with rubric {theirs}, cohort {cohort} scores with {ours}; "
                             "criteria compare only on the same rubric version").format(
                code=version.code, theirs=earlier.rubric_ref, cohort=cohort.code, ours=rubric.ref))
        return version

    def calibrations(self, cohort: str) -> list[CalibrationRound]:
        """The calibration rounds of a cohort, oldest first."""
        self.ctx.require("plans.view")
        with self.ctx.reading() as conn:
            row = store.cohort_row(conn, cohort)
            return [load_round(conn, store.round_row(conn, code))[0] for code in store.round_codes(conn, row.id)]

    def calibration(self, code: str) -> CalibrationRound:
        self.ctx.require("plans.view")
        with self.ctx.reading() as conn:
            return load_round(conn, store.round_row(conn, code))[0]

    def calibration_plans(self, code: str) -> list[CalibrationPlan]:
        """The round's plans as the panel sees them: anonymised, as C1, C2, …"""
        self.ctx.require("plans.view")
        with self.ctx.reading() as conn:
            _found, _rubric, plans, _trainers = load_round(conn, store.round_row(conn, code))
            rows = store.version_rows(conn, plans.values())
            costs = store.cost_items(conn, list(plans.values()))
        return [CalibrationPlan(label, r.title, r.sector, r.summary, tuple(costs.get(vid, [])), r.total_cost,
                                r.own_contribution, r.requested_funding, r.monthly_revenue, r.monthly_costs,
                                r.currency) for label, vid in plans.items() for r in [rows[vid]]]

    # --- the panel's scores -------------------------------------------------------------
    def calibration_score(self, code: str, plan: str, values: Mapping[str, Any]) -> dict[str, int]:
        """The acting trainer's values for one plan of the round (``plan`` its label, C1):
        a value for every criterion on the rubric's scale; again replaces them (audited)."""
        with self.ctx.transaction() as tx:
            tx.require("plans.score")
            row = store.round_row(tx.conn, code)
            found, rubric, plans, _trainers = load_round(tx.conn, row)
            me = panel_member(tx.conn, row, self.ctx.code, self.ctx.member.roles)
            label = plan.strip().upper()
            if label not in plans:
                raise NotFound(_("round {code} has no plan {label} (its plans: {labels})").format(
                    code=found.code, label=label, labels=", ".join(found.plans)))
            checked = rubric.check_values(values, where=label)
            write_scores(tx, row, me, {label: checked}, values_of(tx.conn, row.id, me.code))
        return checked

    # --- results ----------------------------------------------------------------------------
    def calibration_results(self, code: str) -> CalibrationResult:
        """Each trainer's deviation per criterion from the round's panel and from the earlier
        panel's consensus, flagged outside the band; the panel's alpha per criterion."""
        self.ctx.require("plans.view")
        with self.ctx.reading() as conn:
            row = store.round_row(conn, code)
            found, rubric, plans, _trainers = load_round(conn, row)
            scores = [(calibration_label(p), trainer, key, value)
                      for p, trainer, key, value in store.calibration_scores(conn, row.id)]
            label_of = {vid: label for label, vid in plans.items()}
            consensus = {(label_of[vid], key): Fraction(int(total), count) for vid, key, total, count
                         in store.consensus(conn, plans.values())}
        deviations = aggregation.calibration_deviations(scores, consensus, found.band, rubric.keys)
        criteria, least = criterion_alphas(rubric, [(plan, key, value) for plan, _t, key, value in scores])
        full = len(rubric.keys)
        counts: dict[tuple[str, str], int] = {}
        for plan, trainer, _key, _value in scores:
            counts[trainer, plan] = counts.get((trainer, plan), 0) + 1
        scored = {trainer: sum(1 for plan in found.plans if counts.get((trainer, plan)) == full)
                  for trainer in found.trainers}
        return CalibrationResult(found, scored, deviations, criteria, least)


def panel_member(conn: sa.Connection, row, code: str, roles):
    """The row of the staff member ``code`` (with ``roles``), if they are a trainer of the
    round's cohort."""
    me = store.staff_row(conn, code)
    require_panel_member(conn, store.cohort_row(conn, row.cohort_code), me, code, roles)
    return me


def values_of(conn: sa.Connection, round_id: int, trainer: str) -> dict[str, dict[str, int]]:
    """A trainer's calibration values in a round: ``{label: {criterion: value}}``."""
    mine: dict[str, dict[str, int]] = {}
    for position, code, key, value in store.calibration_scores(conn, round_id):
        if code == trainer:
            mine.setdefault(calibration_label(position), {})[key] = value
    return mine


def write_scores(tx, row, me, checked: dict[str, dict[str, int]], earlier: dict[str, dict[str, int]],
                 file: str | None = None) -> int:
    """Replace the trainer's values for the plans ``checked`` (label → values), ``earlier``
    being what they held before; one audit event per plan, a replacement with its earlier
    values. Returns how many plans had values before."""
    store.write_calibration_scores(tx.conn, row.id, me.id, row.rubric_id,
                                   {int(label[1:]): values for label, values in checked.items()}, tx.today)
    for label, values in checked.items():
        key = f"{row.code}/{label}/{me.code}"
        after = {"values": values, **({"file": file} if file else {})}
        if label in earlier:
            tx.audit("calibration.score_replace", "calibration_score", key, before={"values": earlier[label]},
                     after=after)
        else:
            tx.audit("calibration.score", "calibration_score", key, after=after)
    return sum(1 for label in checked if label in earlier)
