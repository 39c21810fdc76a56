"""How far a cohort's panel agrees: ICC forms on the weighted totals of a complete plans ×
trainers block, Krippendorff's alpha per criterion and on the totals, and each trainer's
deviation from the panel."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import attrs

from reentry_core.sdk import _

from . import aggregation, store
from .domain import Rubric


@attrs.frozen
class CriterionAlpha:
    """Krippendorff's alpha of one criterion (``key`` ``"total"`` for the weighted totals)."""

    key: str
    label: str
    alpha: aggregation.Alpha


@attrs.frozen
class Agreement:
    """The panel's agreement on one cohort: the ICC forms with their F tests, intervals and
    readings on the complete block (see :func:`aggregation.complete_block`), and
    Krippendorff's alpha on every sheet (incomplete panels too): ordinal per criterion of
    the rubric, interval on the weighted totals. ``least_agreement`` is the criterion
    with the lowest alpha (``None`` if no alpha is defined)."""

    cohort: str
    icc: aggregation.Icc | None
    trainers: tuple[str, ...]
    plans: int
    plans_left_out: int
    trainers_left_out: tuple[str, ...]
    deviations: list[aggregation.Deviation]
    note: str | None = None
    forms: list[aggregation.IccForm] = attrs.field(factory=list)
    criteria: list[CriterionAlpha] = attrs.field(factory=list)
    total: CriterionAlpha | None = None
    least_agreement: str | None = None


def criterion_alphas(rubric: Rubric, values) -> tuple[list[CriterionAlpha], str | None]:
    """Ordinal alpha per criterion of ``rubric`` from ``values`` — ``(unit, criterion key,
    value)``, a unit being one plan (version) — and the key of the least agreed criterion."""
    units: dict[str, dict[Any, list[int]]] = {key: {} for key in rubric.keys}
    for unit, key, value in values:
        if key in units:
            units[key].setdefault(unit, []).append(value)
    found = [CriterionAlpha(c.key, c.label, aggregation.krippendorff_alpha(units[c.key].values(), "ordinal"))
             for c in rubric.criteria]
    defined = [a for a in found if a.alpha.value is not None]
    least = min(defined, key=lambda a: a.alpha.value).key if defined else None
    return found, least



class AgreementService:
    """The panel's agreement (part of ``ctx.plans``)."""

    ctx = None

    def agreement(self, cohort: str) -> Agreement:
        """How far the panel agrees: ICC(1,1), ICC(2,1), ICC(3,1) and ICC(1,k), ICC(2,k),
        ICC(3,k) on the weighted totals of a complete plans × trainers block, and each
        trainer's mean deviation from the panel over all their sheets."""
        self.ctx.require("plans.view")
        with self.ctx.reading() as conn:
            row = store.cohort_row(conn, cohort)
            rubric = store.rubric_by_id(conn, row.rubric_id)
            sheets = list(map(aggregation.Sheet._make, store.sheet_rows(conn, row.id)))
            values = store.criterion_values(conn, row.id)
        block = aggregation.complete_block(sheets)
        deviations = aggregation.deviations(sheets)
        criteria, least = criterion_alphas(rubric, values)
        by_plan: dict[Any, list] = {}
        for sheet in sheets:
            by_plan.setdefault(sheet.plan, []).append(Fraction(sheet.cents, 100))
        total = CriterionAlpha("total", _("weighted total"),
                               aggregation.krippendorff_alpha(by_plan.values(), "interval"))
        alphas = {"criteria": criteria, "total": total, "least_agreement": least}
        if len(block.plans) < 2:
            return Agreement(row.code, None, (), 0, block.plans_left_out, block.trainers_left_out, deviations,
                             _("agreement needs at least 2 plans scored by the same 2 or more trainers"), **alphas)
        result = aggregation.icc(block.matrix)
        return Agreement(row.code, result, tuple(block.trainers), len(block.plans), block.plans_left_out,
                         tuple(block.trainers_left_out), deviations, forms=aggregation.icc_forms(result), **alphas)
