"""Rubrics, score sheets, conflicts, ranking, moderation, shortlisting and agreement.

Rules: only the cohort's trainers score, never a participant they declared a conflict
with; one sheet per trainer and plan version (a correction replaces it, audited);
every criterion of the cohort's rubric version, each a whole number on its scale.
"""

from __future__ import annotations

import functools
import tomllib
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any, Mapping, NamedTuple

import attrs
import sqlalchemy as sa

from reentry_core.sdk import (
    _, Conflict, core as t, InvalidInput, normalise_optional_text, NotFound, parse_decimal,
    PermissionDenied, Role, shown, structure,
)

from . import aggregation, store
from .domain import (
    DEFAULT_RUBRIC, SCORABLE, Conflict as ConflictDeclaration, PlanStatus, PlanSummary, Rubric, ScoreSheet,
    parse_rubric_ref, parse_whole, rubric_from_toml,
)
from .tables import (
    bp_cohort, bp_conflict, bp_criterion, bp_moderation, bp_plan, bp_plan_version, bp_rubric, bp_score, bp_sheet,
)

_P = t.participant


# --- rubrics -------------------------------------------------------------------------------


def default_rubric_text() -> str:
    return resources.files("reentry_business_plans").joinpath("rubrics/default.toml").read_text(encoding="utf-8")


def parse_rubric_text(text: str, where: str) -> Rubric:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(_("{file} is not valid TOML: {reason}").format(file=where, reason=str(exc))) from None
    return rubric_from_toml(data, where)


def _store_rubric(tx, rubric: Rubric) -> tuple[int, Rubric]:
    conn = tx.conn
    last = conn.execute(sa.select(sa.func.max(bp_rubric.c.version)).where(bp_rubric.c.key == rubric.key)).scalar()
    rubric = attrs.evolve(rubric, version=(last or 0) + 1)
    rid = conn.execute(bp_rubric.insert().values(
        key=rubric.key, version=rubric.version, title=rubric.title, scale_min=rubric.scale_min,
        scale_max=rubric.scale_max, added_on=tx.today)).inserted_primary_key[0]
    conn.execute(bp_criterion.insert(), [
        {"rubric_id": rid, "position": i, "key": c.key, "label": c.label, "weight": c.weight,
         "description": c.description} for i, c in enumerate(rubric.criteria, 1)])
    tx.audit("rubric.add", "rubric", rubric.ref, after=rubric)
    return rid, rubric


def ensure_default_rubric(tx) -> int:
    """The newest version of the default rubric; the shipped one is stored on first use."""
    rid = store.rubric_id(tx.conn, DEFAULT_RUBRIC, None)
    if rid is None:
        rid, _rubric = _store_rubric(tx, parse_rubric_text(default_rubric_text(), "default.toml"))
    return rid


def moderated_plan(tx, code: str, reason: str, ask: str):
    """The plan ``code`` (current version) and the reason given, if the acting staff member
    may moderate its cohort; ``ask`` is the line shown when the reason is missing."""
    text = normalise_optional_text(reason)
    if not text:
        raise InvalidInput(ask)
    tx.require("plans.moderate")
    row = store.plan_row(tx.conn, code)
    require_moderator(tx, row.cohort_id, row.cohort_code)
    return row, text


def require_moderator(tx, cohort_id: int, cohort_code: str) -> None:
    """An admin, or the cohort's lead trainer."""
    if Role.ADMIN in tx.actor.roles:
        return
    lead = next((code for code, is_lead, _sid in store.cohort_trainers(tx.conn, cohort_id) if is_lead), None)
    if tx.actor.code != lead:
        raise PermissionDenied(_("{code} may not moderate cohort {cohort}: only an admin or its lead trainer "
                                 "({lead}) may").format(code=tx.actor.code, cohort=cohort_code, lead=lead))


class RankedPlan(NamedTuple):
    """One line of a cohort's ranking (a named tuple: a cohort set has thousands)."""

    rank: int | None
    plan: str
    cohort: str
    version: int
    participant: str
    full_name: str
    title: str
    sector: str
    status: str
    sheets: int
    panel_score: Decimal | None
    raw_score: Decimal | None
    spread: Decimal | None
    needs_moderation: bool
    moderated: bool
    requested_funding: Decimal
    currency: str

    @property
    def counted(self) -> bool:
        return self.panel_score is not None

    @property
    def flags(self) -> list[str]:
        flags = []
        if self.needs_moderation:
            flags.append("needs moderation")
        if self.moderated:
            flags.append("moderated")
        return flags

    def summary(self, status: str | None = None) -> PlanSummary:
        return PlanSummary(self.plan, self.participant, self.cohort, self.title, self.sector, self.version,
                           self.panel_score, self.requested_funding, self.currency, status or self.status)


@attrs.frozen
class Shortlist:
    cohort: str
    shortlisted: list[RankedPlan]
    not_selected: list[RankedPlan]
    tie_at_cut: bool = False


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


def _sheet_rows(conn: sa.Connection, cohort_id: int):
    """``(version id, trainer code, total in hundredths)`` of the current versions of a
    cohort's ranked plans."""
    v = bp_plan_version
    return conn.execute(
        sa.select(bp_sheet.c.version_id, t.staff.c.code, sa.type_coerce(bp_sheet.c.total, sa.BigInteger))
        .select_from(bp_sheet.join(v, v.c.id == bp_sheet.c.version_id)
                     .join(bp_plan, sa.and_(bp_plan.c.id == v.c.plan_id, bp_plan.c.current_version == v.c.version))
                     .join(t.staff, t.staff.c.id == bp_sheet.c.trainer_id))
        .where(bp_plan.c.cohort_id == cohort_id, v.c.status.in_(store.RANKED_STATUSES))).all()


def cohort_ranking(conn: sa.Connection, cohort) -> list[RankedPlan]:
    """Every ranked plan of a cohort (``cohort`` is its row): counted plans by panel score,
    best first (ties by code), then the plans with too few sheets, by code.

    Raw panels come from each version's stored sheet count, sum, lowest and highest
    total (in hundredths, kept up to date by every sheet written); with normalisation
    every sheet is read, as the z-scores need them. Rows are plain tuples: a cohort set
    has thousands."""
    v = bp_plan_version
    whole = sa.BigInteger
    rows = conn.execute(
        sa.select(v.c.id, bp_plan.c.code, v.c.version, _P.c.code, _P.c.full_name, v.c.title, v.c.sector, v.c.status,
                  sa.type_coerce(v.c.requested_funding, whole), v.c.currency, bp_moderation.c.version_id,
                  v.c.sheets, sa.type_coerce(v.c.sheet_sum, whole), sa.type_coerce(v.c.sheet_low, whole),
                  sa.type_coerce(v.c.sheet_high, whole))
        .select_from(bp_plan.join(v, sa.and_(v.c.plan_id == bp_plan.c.id, v.c.version == bp_plan.c.current_version))
                     .join(_P, _P.c.id == bp_plan.c.participant_id)
                     .outerjoin(bp_moderation, bp_moderation.c.version_id == v.c.id))
        .where(bp_plan.c.cohort_id == cohort.id, v.c.status.in_(store.RANKED_STATUSES))).all()
    normalised = (aggregation.panels(list(map(aggregation.Sheet._make, _sheet_rows(conn, cohort.id))), normalise=True)
                  if cohort.normalise else None)
    minimum, limit = cohort.min_sheets, int(cohort.spread_limit.scaleb(2))
    mean_cents, points = aggregation.mean_cents, aggregation.Points()
    counted, waiting = [], []
    for row in rows:
        n = row[11]
        if n >= minimum:
            raw = mean_cents(int(row[12]), n)
            score = raw if normalised is None else int(normalised[row[0]].score.scaleb(2))
            counted.append((-score, row[1], score, raw, row))
        else:
            waiting.append((row[1], None, None, mean_cents(int(row[12]), n) if n else None, row))
    counted.sort()
    waiting.sort()
    code = cohort.code
    make = RankedPlan._make
    lines = []
    for rank, (_key, _code, score, raw, row) in enumerate(counted + waiting, 1):
        n, lowest, highest, mod = row[11], row[13], row[14], row[10]
        spread = highest - lowest if n >= 2 else None
        wide = spread is not None and spread > limit
        lines.append(make((
            rank if score is not None else None, row[1], code, row[2], row[3], row[4], row[5], row[6], row[7], n,
            points[score] if score is not None else None, points[raw] if raw is not None else None,
            points[spread] if spread is not None else None, wide and mod is None, wide and mod is not None,
            points[row[8]], row[9])))
    return lines


class ScoringService:
    """Rubrics, conflicts, score sheets, ranking, moderation, shortlist, agreement (``ctx.plans``)."""

    ctx = None

    # --- rubrics ------------------------------------------------------------------------
    def add_rubric(self, path) -> Rubric:
        """Add a rubric from a TOML file; a key already in use gets its next version."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InvalidInput(_("{file} does not exist").format(file=str(path))) from None
        except UnicodeDecodeError:
            raise InvalidInput(_("{file} is not UTF-8 text").format(file=str(path))) from None
        rubric = parse_rubric_text(text, path.name)
        with self.ctx.transaction() as tx:
            tx.require("plans.rubrics")
            if rubric.key != DEFAULT_RUBRIC:
                ensure_default_rubric(tx)
            _rid, rubric = _store_rubric(tx, rubric)
        return rubric

    def rubrics(self) -> list[Rubric]:
        """Every version of every rubric (the shipped default included)."""
        self._ensure_default()
        with self.ctx.reading() as conn:
            ids = conn.execute(sa.select(bp_rubric.c.id).order_by(bp_rubric.c.key, bp_rubric.c.version)).scalars()
            return [store.rubric_by_id(conn, rid) for rid in ids]

    def rubric(self, ref: str = DEFAULT_RUBRIC) -> Rubric:
        """``KEY`` (its newest version) or ``KEY@VERSION``."""
        self._ensure_default()
        key, version = parse_rubric_ref(ref)
        with self.ctx.reading() as conn:
            rid = store.rubric_id(conn, key, version)
            if rid is None:
                raise NotFound(_("rubric {ref!r} does not exist; see: reentry plans rubric list").format(ref=ref))
            return store.rubric_by_id(conn, rid)

    def _ensure_default(self) -> None:
        self.ctx.require("plans.view")
        with self.ctx.reading() as conn:
            if store.rubric_id(conn, DEFAULT_RUBRIC, None) is not None:
                return
        with self.ctx.transaction() as tx:
            ensure_default_rubric(tx)

    def rubric_to_score(self, plan: str) -> Rubric:
        """The rubric (the cohort's version) the acting trainer scores ``plan`` with; refused,
        as ``score`` would be, if they may not score it (a draft, not on the panel, a
        conflict): so nobody is asked for values that will be refused."""
        self.ctx.require("plans.score")
        with self.ctx.reading_transaction() as tx:
            _row, _cohort, rubric = Scorer(tx).target(plan)
            return rubric

    # --- conflicts --------------------------------------------------------------------
    def declare_conflict(self, participant: str, kind: str, note: str | None = None,
                         trainer: str | None = None) -> ConflictDeclaration:
        """Declare a tie to a participant (relative, neighbour, former cellmate …): the
        trainer then cannot score that person's plans. An admin may declare for a trainer."""
        with self.ctx.transaction() as tx:
            tx.require("plans.conflicts")
            who = (trainer or tx.actor.code).strip().upper()
            if who != tx.actor.code and Role.ADMIN not in tx.actor.roles:
                raise PermissionDenied(_("{code} may declare only their own conflicts").format(code=tx.actor.code))
            staff = store.staff_row(tx.conn, who)
            person = store.participant_row(tx.conn, participant)
            declared = structure({"trainer": staff.code, "participant": person.code, "kind": kind, "note": note,
                                  "declared_on": tx.today}, ConflictDeclaration)
            if tx.conn.execute(sa.select(bp_conflict.c.kind).where(bp_conflict.c.staff_id == staff.id,
                                                                   bp_conflict.c.participant_id == person.id)).first():
                raise Conflict(_("{trainer} already declared a conflict with {code}").format(
                    trainer=staff.code, code=person.code))
            tx.conn.execute(bp_conflict.insert().values(staff_id=staff.id, participant_id=person.id,
                                                        kind=declared.kind.value, note=declared.note,
                                                        declared_on=tx.today))
            tx.audit("conflict.declare", "conflict", f"{staff.code}/{person.code}", after=declared)
        return declared

    def conflicts(self, trainer: str | None = None, participant: str | None = None) -> list[ConflictDeclaration]:
        self.ctx.require("plans.view")
        with self.ctx.reading() as conn:
            query = (sa.select(t.staff.c.code.label("trainer"), _P.c.code.label("participant"), bp_conflict.c.kind,
                               bp_conflict.c.note, bp_conflict.c.declared_on)
                     .select_from(bp_conflict.join(t.staff).join(_P)).order_by(t.staff.c.code, _P.c.code))
            if trainer:
                query = query.where(t.staff.c.code == trainer.strip().upper())
            if participant:
                query = query.where(_P.c.code == participant.strip().upper())
            return [ConflictDeclaration(r.trainer, r.participant, r.kind, r.note, r.declared_on)
                    for r in conn.execute(query)]

    # --- scoring ---------------------------------------------------------------------
    def score(self, plan: str, values: Mapping[str, Any], *, comments: Mapping[str, str] | None = None,
              comment: str | None = None, rubric: str | None = None) -> ScoreSheet:
        """Score the current version of ``plan`` as the acting trainer: a value for every
        criterion, optional comments per criterion (``comments``) and overall. Scoring
        the same version again replaces the earlier sheet (audited). ``rubric`` (optional)
        is the rubric version the scorer used; it must be the cohort's."""
        with self.ctx.transaction() as tx:
            tx.require("plans.score")
            scorer = Scorer(tx)
            prepared = scorer.check(plan, values, comments or {}, comment, rubric)
            [(sheet, _replaced)] = scorer.write_many([prepared])
        return sheet

    def sheets(self, plan: str, version: int | None = None) -> list[ScoreSheet]:
        """The score sheets of one plan version (default: the current one)."""
        self.ctx.require("plans.view")
        with self.ctx.reading() as conn:
            row = store.plan_row(conn, plan, version)
            return _load_sheets(conn, row)

    # --- ranking, moderation, shortlist -----------------------------------------------------
    def ranking(self, cohort: str) -> list[RankedPlan]:
        """The cohort's plans by panel score (see :func:`cohort_ranking`)."""
        self.ctx.require("plans.view")
        with self.ctx.reading() as conn:
            return shown(conn, cohort_ranking(conn, store.cohort_row(conn, cohort)), full_name="full_name")

    def moderate(self, plan: str, reason: str) -> RankedPlan:
        """Resolve a plan's needs-moderation flag with a recorded reason (an admin or the
        cohort's lead trainer). Its panel score stands; a trainer who changes their mind
        corrects their sheet instead, which clears the flag once the spread is small."""
        with self.ctx.transaction() as tx:
            row, text = moderated_plan(tx, plan, reason, _(
                "reason: say why the scores stand, e.g. --reason 'discussed; both views fair'"))
            cohort = store.cohort_row(tx.conn, row.cohort_code)
            line = next((r for r in cohort_ranking(tx.conn, cohort) if r.plan == row.code), None)
            if line is None or not line.needs_moderation:
                if line is not None and line.moderated:
                    raise Conflict(_("plan {code} was already moderated").format(code=row.code))
                spread = line.spread if line is not None and line.spread is not None else Decimal("0")
                raise Conflict(_("plan {code} does not need moderation: its sheets differ by {spread} points, "
                                 "the limit is {limit}").format(code=row.code, spread=spread, limit=cohort.spread_limit))
            tx.conn.execute(bp_moderation.insert().values(version_id=row.id, moderator_id=store.staff_row(
                tx.conn, tx.actor.code).id, resolved_on=tx.today, spread=line.spread, reason=text))
            tx.audit("plan.moderate", "plan", row.code, after={"version": row.version, "spread": str(line.spread),
                                                                "panel_score": str(line.panel_score), "reason": text})
        return line._replace(needs_moderation=False, moderated=True)

    def shortlist(self, cohort: str, *, min_score=None, top=None) -> Shortlist:
        """Shortlist the cohort's scored plans with a panel score of at least ``min_score``,
        or the ``top`` best (plans tied at the cut all go in); the other scored plans
        become not_selected. Refused while a plan needs moderation or a submitted plan
        has too few sheets. Fires ``plan_shortlisted`` once per plan shortlisted."""
        if (min_score is None) == (top is None):
            raise InvalidInput(_("give either --min-score N or --top K"))
        if min_score is not None:
            min_score = parse_decimal(min_score)
            if not 0 <= min_score <= 100:
                raise InvalidInput(_("min-score must be between 0 and 100, not {n}").format(n=min_score))
        if top is not None:
            top = parse_whole(top)
            if top < 1:
                raise InvalidInput(_("top must be 1 or more, not {n}").format(n=top))
        with self.ctx.transaction() as tx:
            tx.require("plans.shortlist")
            row = store.cohort_row(tx.conn, cohort)
            require_moderator(tx, row.id, row.code)
            store.lock(tx.conn, bp_cohort, row.id)  # one shortlisting at a time
            lines = cohort_ranking(tx.conn, row)
            flagged = [r.plan for r in lines if r.needs_moderation and r.status in SCORABLE]
            if flagged:
                raise Conflict(_("{n} plan(s) of {cohort} need moderation first: {plans} (reentry plans moderate PLAN "
                                 "--reason ...)").format(n=len(flagged), cohort=row.code, plans=", ".join(flagged)))
            waiting = [f"{r.plan} ({r.sheets}/{row.min_sheets})" for r in lines
                       if r.status == PlanStatus.SUBMITTED and not r.counted]
            if waiting:
                raise Conflict(_("{n} submitted plan(s) of {cohort} have fewer than {m} score sheets: {plans}; "
                                 "score them or return them for revision first").format(
                    n=len(waiting), cohort=row.code, m=row.min_sheets, plans=", ".join(waiting)))
            candidates = [r for r in lines if r.status == PlanStatus.SCORED and r.counted]
            if not candidates:
                raise Conflict(_("cohort {cohort} has no scored plan waiting for a decision").format(cohort=row.code))
            if min_score is not None:
                chosen = [r for r in candidates if r.panel_score >= min_score]
                tie = False
            else:
                cut = candidates[min(top, len(candidates)) - 1].panel_score
                chosen = [r for r in candidates if r.panel_score >= cut]
                tie = len(chosen) > top
            picked = {r.plan for r in chosen}
            rest = [r for r in candidates if r.plan not in picked]
            _decide(tx, row.id, chosen, rest)
            for line in chosen:
                tx.emit("plan_shortlisted", plan=line.summary(PlanStatus.SHORTLISTED.value))
        return Shortlist(row.code, [r._replace(status="shortlisted") for r in chosen],
                         [r._replace(status="not_selected") for r in rest], tie)

    def agreement(self, cohort: str) -> Agreement:
        """How far the panel agrees: ICC(1,1), ICC(2,1), ICC(3,1) and ICC(1,k), ICC(2,k),
        ICC(3,k) on the weighted totals of a complete plans × trainers block, and each
        trainer's mean deviation from the panel over all their sheets."""
        self.ctx.require("plans.view")
        with self.ctx.reading() as conn:
            row = store.cohort_row(conn, cohort)
            rubric = store.rubric_by_id(conn, row.rubric_id)
            sheets = list(map(aggregation.Sheet._make, _sheet_rows(conn, row.id)))
            values = conn.execute(_criterion_values_query(), {"cohort_id": row.id}).all()
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


@functools.cache
def _criterion_values_query():
    """``(version id, criterion key, value)`` of every sheet of the current versions of a
    cohort's ranked plans."""
    v = bp_plan_version
    return (sa.select(bp_sheet.c.version_id, bp_criterion.c.key, bp_score.c.value)
            .select_from(bp_score.join(bp_sheet, bp_sheet.c.id == bp_score.c.sheet_id)
                         .join(bp_criterion, bp_criterion.c.id == bp_score.c.criterion_id)
                         .join(v, v.c.id == bp_sheet.c.version_id)
                         .join(bp_plan, sa.and_(bp_plan.c.id == v.c.plan_id,
                                                bp_plan.c.current_version == v.c.version)))
            .where(bp_plan.c.cohort_id == sa.bindparam("cohort_id"), v.c.status.in_(store.RANKED_STATUSES)))



def _decide(tx, cohort_id: int, chosen: list[RankedPlan], rest: list[RankedPlan]) -> None:
    """Mark the ``chosen`` plans of a cohort shortlisted and the ``rest`` not selected, with the
    panel score they were decided with: one look-up and one statement for them all, audited
    as one event per decision and 1,000 plans (``reentry audit log --key PLAN`` shows each)."""
    v = bp_plan_version
    ids = {(code, version): vid for vid, code, version in tx.conn.execute(_current_versions_query(),
                                                                          {"cohort_id": cohort_id})}
    decided = [(line, PlanStatus.SHORTLISTED) for line in chosen] + [(line, PlanStatus.NOT_SELECTED) for line in rest]
    tx.conn.execute(v.update().where(v.c.id == sa.bindparam("vid")), [
        {"vid": ids[(line.plan, line.version)], "status": status.value, "decided_on": tx.today,
         "panel_score": line.panel_score} for line, status in decided])
    for status, lines in ((PlanStatus.SHORTLISTED, chosen), (PlanStatus.NOT_SELECTED, rest)):
        tx.audit_batch(f"plan.{status.value}", "plan", {
            line.plan: {"status": status.value, "before": line.status, "version": line.version,
                        "panel_score": str(line.panel_score)} for line in lines})


@functools.cache
def _current_versions_query():
    v = bp_plan_version
    return (sa.select(v.c.id, bp_plan.c.code, v.c.version).select_from(v.join(bp_plan, bp_plan.c.id == v.c.plan_id))
            .where(bp_plan.c.cohort_id == sa.bindparam("cohort_id"), v.c.version == bp_plan.c.current_version))


def require_panel_member(conn: sa.Connection, cohort, staff, code: str, roles) -> None:
    """The acting staff member (``staff`` their row, ``roles`` theirs) is a trainer of the cohort."""
    trainers = store.cohort_trainers(conn, cohort.id)
    if staff.id not in [sid for _c, _lead, sid in trainers] or Role.TRAINER not in roles:
        raise PermissionDenied(_("{code} is not a trainer of cohort {cohort} (its trainers: {trainers}); only they "
                                 "score its plans").format(code=code, cohort=cohort.code,
                                                           trainers=", ".join(c for c, _l, _s in trainers)))


@functools.cache
def sheet_plans_query():
    """The plans of a cohort a trainer may score (current versions in front of the panel,
    none of a participant they declared a conflict with), by code."""
    v = bp_plan_version
    conflicted = sa.select(bp_conflict.c.participant_id).where(bp_conflict.c.staff_id == sa.bindparam("staff_id"))
    return (sa.select(v.c.id, bp_plan.c.code, v.c.version, _P.c.code.label("participant"), v.c.title, v.c.sector)
            .select_from(bp_plan.join(v, sa.and_(v.c.plan_id == bp_plan.c.id, v.c.version == bp_plan.c.current_version))
                         .join(_P, _P.c.id == bp_plan.c.participant_id))
            .where(bp_plan.c.cohort_id == sa.bindparam("cohort_id"), v.c.status.in_([s.value for s in SCORABLE]),
                   bp_plan.c.participant_id.not_in(conflicted))
            .order_by(bp_plan.c.code))


@functools.cache
def _earlier_values_query():
    return (sa.select(bp_sheet.c.version_id, bp_sheet.c.comment, bp_criterion.c.key, bp_score.c.value)
            .select_from(bp_sheet.join(bp_score, bp_score.c.sheet_id == bp_sheet.c.id)
                         .join(bp_criterion, bp_criterion.c.id == bp_score.c.criterion_id))
            .where(bp_sheet.c.trainer_id == sa.bindparam("trainer_id"),
                   bp_sheet.c.version_id.in_(sa.bindparam("ids", expanding=True))))


def earlier_values(conn: sa.Connection, trainer_id: int, version_ids: list[int]) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for part in store.chunks(version_ids):
        for vid, comment, key, value in conn.execute(_earlier_values_query(), {"trainer_id": trainer_id, "ids": part}):
            found.setdefault(vid, {"comment": comment})[key] = value
    return found


def _load_sheets(conn: sa.Connection, row) -> list[ScoreSheet]:
    return load_sheets_many(conn, [row]).get(row.id, [])


def load_sheets_many(conn: sa.Connection, rows, trainer_id: int | None = None) -> dict[int, list[ScoreSheet]]:
    """The score sheets of plan versions (``rows`` as :func:`store.plan_row` gives them), by
    version id, by trainer code; only ``trainer_id``'s if given. Two queries per 500 versions."""
    by_id = {row.id: row for row in rows}
    found: dict[int, list[ScoreSheet]] = {}
    for part in store.chunks(sorted(by_id)):
        query = (sa.select(bp_sheet, t.staff.c.code.label("trainer"), bp_rubric.c.key, bp_rubric.c.version)
                 .select_from(bp_sheet.join(t.staff, t.staff.c.id == bp_sheet.c.trainer_id)
                              .join(bp_rubric, bp_rubric.c.id == bp_sheet.c.rubric_id))
                 .where(bp_sheet.c.version_id.in_(part)).order_by(bp_sheet.c.version_id, t.staff.c.code))
        if trainer_id is not None:
            query = query.where(bp_sheet.c.trainer_id == trainer_id)
        sheets = conn.execute(query).all()
        scores: dict[int, list] = {}
        for r in conn.execute(sa.select(bp_score.c.sheet_id, bp_criterion.c.key, bp_score.c.value, bp_score.c.comment)
                              .select_from(bp_score.join(bp_criterion, bp_criterion.c.id == bp_score.c.criterion_id))
                              .where(bp_score.c.sheet_id.in_([s.id for s in sheets]))
                              .order_by(bp_score.c.sheet_id, bp_criterion.c.position)):
            scores.setdefault(r.sheet_id, []).append(r)
        for s in sheets:
            row = by_id[s.version_id]
            found.setdefault(s.version_id, []).append(ScoreSheet(
                row.code, row.version, s.trainer, f"{s.key}@{s.version}",
                {r.key: r.value for r in scores.get(s.id, [])}, s.total,
                {r.key: r.comment for r in scores.get(s.id, []) if r.comment}, s.comment, s.scored_on))
    return found


@attrs.frozen
class _Prepared:
    row: Any
    rubric: Rubric
    rubric_id: int
    values: dict[str, int]
    comments: dict[str, str]
    comment: str | None
    min_sheets: int


@functools.cache
def _sums_update():
    """Every listed version's sheet count, sum, lowest and highest total (in hundredths) from
    its sheets, in one statement that gives back the counts."""
    v = bp_plan_version
    total = sa.type_coerce(bp_sheet.c.total, sa.BigInteger)

    def of_sheets(expression):
        return sa.select(expression).where(bp_sheet.c.version_id == v.c.id).scalar_subquery()

    return (v.update().where(v.c.id.in_(sa.bindparam("ids", expanding=True)))
            .values({v.c.sheets: of_sheets(sa.func.count()),
                     v.c.sheet_sum: of_sheets(sa.func.coalesce(sa.func.sum(total), 0)),
                     v.c.sheet_low: of_sheets(sa.func.min(total)), v.c.sheet_high: of_sheets(sa.func.max(total))})
            .returning(v.c.id, v.c.sheets))


def _update_sums(conn: sa.Connection, version_ids) -> dict[int, int]:
    """Store each plan version's sheet count, sum, lowest and highest total (one statement per
    500 versions); returns the counts by version id."""
    counts: dict[int, int] = {}
    for part in store.chunks(sorted(set(version_ids))):
        counts.update(conn.execute(_sums_update(), {"ids": part}).all())
    return counts


@functools.cache
def _insert_sheets():
    return bp_sheet.insert().returning(bp_sheet.c.version_id, bp_sheet.c.id)


@functools.cache
def _reopen_moderations():
    return (bp_moderation.delete().where(bp_moderation.c.version_id.in_(sa.bindparam("ids", expanding=True)))
            .returning(bp_moderation.c.version_id))


@functools.cache
def _my_sheets_query():
    return sa.select(bp_sheet.c.version_id, bp_sheet.c.id).where(
        bp_sheet.c.trainer_id == sa.bindparam("trainer_id"),
        bp_sheet.c.version_id.in_(sa.bindparam("ids", expanding=True)))


@functools.cache
def _me_and_conflicts_query():
    """The acting staff member's row, once per participant they declared a conflict with."""
    staff = t.staff
    return (sa.select(staff.c.id, staff.c.code, staff.c.active, bp_conflict.c.participant_id)
            .select_from(staff.outerjoin(bp_conflict, bp_conflict.c.staff_id == staff.c.id))
            .where(staff.c.code == sa.bindparam("code")))


class Scorer:
    """Checks and writes score sheets for the acting trainer inside one transaction."""

    def __init__(self, tx):
        self.tx = tx
        self.conn = tx.conn
        rows = tx.conn.execute(_me_and_conflicts_query(), {"code": tx.actor.code}).all()
        if not rows:
            store.staff_row(tx.conn, tx.actor.code)  # raises NotFound naming the code
        self.me = rows[0]
        self._conflicts = {r.participant_id for r in rows if r.participant_id is not None}
        self._cohorts: dict[int, Any] = {}
        self._rubrics: dict[int, Rubric] = {}
        self._criteria: dict[int, dict[str, int]] = {}
        self._plans: dict[str, Any] = {}

    def preload(self, codes) -> None:
        """Read the current versions of the plans ``codes`` at once (a file's plans); a code
        that names no plan is looked up again, and refused, when its row is checked."""
        self._plans.update(store.current_plan_rows(self.conn, codes))

    def preloaded(self) -> list:
        """The plan rows :meth:`preload` read."""
        return list(self._plans.values())

    def _plan(self, code: str):
        row = self._plans.get(code.strip().upper())
        return row if row is not None else store.plan_row(self.conn, code)

    def _cohort(self, cohort_id: int, code: str):
        if cohort_id not in self._cohorts:
            row = store.cohort_row(self.conn, code)
            require_panel_member(self.conn, row, self.me, self.me.code, self.tx.actor.roles)
            self._cohorts[cohort_id] = row
        return self._cohorts[cohort_id]

    def _rubric(self, rubric_id: int) -> Rubric:
        if rubric_id not in self._rubrics:
            self._rubrics[rubric_id], self._criteria[rubric_id] = store.rubric_with_ids(self.conn, rubric_id)
        return self._rubrics[rubric_id]

    def _criterion_ids(self, rubric_id: int) -> dict[str, int]:
        self._rubric(rubric_id)
        return self._criteria[rubric_id]

    def target(self, plan: str, rubric_ref: str | None = None, version: int | None = None):
        """The plan's current version, its cohort and rubric, if the acting trainer may score it."""
        row = self._plan(plan)
        cohort = self._cohort(row.cohort_id, row.cohort_code)
        rubric = self._rubric(cohort.rubric_id)
        status = PlanStatus(row.status)
        if status is PlanStatus.DRAFT:
            raise Conflict(_("plan {code} is a draft; it can be scored once it is submitted").format(code=row.code))
        if status not in SCORABLE:
            raise Conflict(_("plan {code} is {status}; only submitted or scored plans are scored").format(
                code=row.code, status=status.value))
        if version is not None and version != row.version:
            raise Conflict(_("plan {code} is at version {current}, not {version}; score the current version").format(
                code=row.code, current=row.version, version=version))
        if row.participant_id in self._conflicts:
            raise PermissionDenied(_("{trainer} declared a conflict with {participant} and may not score plan {code}")
                                   .format(trainer=self.me.code, participant=row.participant_code, code=row.code))
        if rubric_ref:
            key, ver = parse_rubric_ref(rubric_ref)
            if (key, ver or rubric.version) != (rubric.key, rubric.version):
                raise Conflict(_("plan {code} is scored with rubric {ref} (its cohort's), not {given}").format(
                    code=row.code, ref=rubric.ref, given=rubric_ref))
        return row, cohort, rubric

    def check(self, plan: str, values: Mapping[str, Any], comments: Mapping[str, str], comment: str | None,
              rubric_ref: str | None, version: int | None = None, columns=None) -> _Prepared:
        row, cohort, rubric = self.target(plan, rubric_ref, version)
        keys = rubric.keys
        if columns is not None:
            missing = [k for k in keys if k not in columns]
            if missing:
                raise InvalidInput(_("no column for criterion {keys} of rubric {ref}").format(
                    keys=", ".join(missing), ref=rubric.ref))
        try:
            checked = rubric.check_values(values)
        except InvalidInput as exc:
            raise InvalidInput(_("plan {code}").format(code=row.code) + ": " + exc.message) from None
        notes = {}
        if comments:
            notes = {k: normalise_optional_text(v) for k, v in comments.items() if normalise_optional_text(v)}
            unknown = [k for k in notes if k not in keys]
            if unknown:
                raise InvalidInput(_("comment on unknown criterion {keys}").format(keys=", ".join(unknown)))
        return _Prepared(row, rubric, cohort.rubric_id, checked, notes, normalise_optional_text(comment),
                         cohort.min_sheets)

    def write_many(self, items: list[_Prepared], file: str | None = None) -> list[tuple[ScoreSheet, bool]]:
        """Write checked sheets (one per plan version): ``(sheet, replaced an earlier one)`` each.

        The versions are locked at once (their sums count every sheet written at the same
        time), then the sheets and their criterion scores are written with one statement
        each and every version's sums are updated once. A sheet replacing the trainer's
        earlier one is audited with both; new sheets of a ``file`` as one batch event per
        1,000 (keyed by plan code), else one event per sheet."""
        tx, conn, me = self.tx, self.conn, self.me
        ids = [item.row.id for item in items]
        store.lock_many(conn, bp_plan_version, ids)
        existing: dict[int, int] = {}
        for part in store.chunks(ids):
            existing.update(conn.execute(_my_sheets_query(), {"trainer_id": me.id, "ids": part}).all())
        earlier = load_sheets_many(conn, [item.row for item in items if item.row.id in existing], me.id)
        results, inserts, updates = [], [], []
        for item in items:
            row = item.row
            total = item.rubric.weighted_total(item.values)
            results.append((ScoreSheet(row.code, row.version, me.code, item.rubric.ref, item.values, total,
                                       item.comments, item.comment, tx.today), row.id in existing))
            values = {"rubric_id": item.rubric_id, "total": total, "comment": item.comment, "scored_on": tx.today}
            if row.id in existing:
                updates.append({"sheet_id": existing[row.id], **values})
            else:
                inserts.append({"version_id": row.id, "trainer_id": me.id, **values})
        if updates:
            replaced_ids = [u["sheet_id"] for u in updates]
            for part in store.chunks(replaced_ids):
                conn.execute(bp_score.delete().where(bp_score.c.sheet_id.in_(part)))
            conn.execute(bp_sheet.update().where(bp_sheet.c.id == sa.bindparam("sheet_id")), updates)
        sheet_ids = dict(existing)
        if inserts:
            sheet_ids.update(conn.execute(_insert_sheets(), inserts).all())
        scores = []
        for item in items:
            sheet_id, criteria = sheet_ids[item.row.id], self._criterion_ids(item.rubric_id)
            scores.extend({"sheet_id": sheet_id, "criterion_id": criteria[k], "value": v,
                           "comment": item.comments.get(k)} for k, v in item.values.items())
        conn.execute(bp_score.insert(), scores)
        reopened: set[int] = set()  # a changed sheet reopens its plan's moderation
        for part in store.chunks(ids):
            reopened.update(conn.execute(_reopen_moderations(), {"ids": part}).scalars())
        counts = _update_sums(conn, ids)
        scored = [item for item in items if item.row.status == PlanStatus.SUBMITTED.value
                  and counts[item.row.id] >= item.min_sheets]
        for part in store.chunks([item.row.id for item in scored]):
            conn.execute(bp_plan_version.update().where(bp_plan_version.c.id.in_(part))
                         .values(status=PlanStatus.SCORED.value, scored_on=tx.today))
        # the audit trail
        scored_ids = {item.row.id for item in scored}
        batch = file is not None
        new_sheets = {}
        for item, (sheet, replaced) in zip(items, results):
            row = item.row
            if replaced:
                tx.audit("score_sheet.replace", "score_sheet", f"{row.code}/{row.version}/{me.code}",
                         before=next(s for s in earlier[row.id] if s.trainer == me.code), after=sheet)
            elif batch:
                new_sheets[row.code] = sheet
            else:
                tx.audit("score_sheet.add", "score_sheet", f"{row.code}/{row.version}/{me.code}", after=sheet)
            if row.id in reopened:
                tx.audit("plan.moderation_reopened", "plan", row.code,
                         after={"version": row.version, "because": f"sheet of {me.code} changed"})
            if row.id in scored_ids and not batch:
                tx.audit("plan.scored", "plan", row.code, before={"status": row.status},
                         after={"status": PlanStatus.SCORED.value, "version": row.version, "sheets": counts[row.id]})
        if batch:
            tx.audit_batch("score_sheet.add", "score_sheet", new_sheets, file=file)
            tx.audit_batch("plan.scored", "plan", {
                item.row.code: {"status": PlanStatus.SCORED.value, "before": item.row.status,
                                "version": item.row.version, "sheets": counts[item.row.id]} for item in scored})
        return results
