"""Score sheets: a trainer's values per criterion of the cohort's rubric for one plan version.

Rules: only the cohort's trainers score, never a participant they declared a conflict
with; one sheet per trainer and plan version (a correction replaces it, audited);
every criterion of the cohort's rubric version, each a whole number on its scale.
"""

from __future__ import annotations

from typing import Any, Mapping

import attrs

from reentry_core.sdk import _, Conflict, InvalidInput, normalise_optional_text, PermissionDenied

from . import store
from .domain import SCORABLE, PlanStatus, Rubric, ScoreSheet, parse_rubric_ref
from .panel import require_panel_member
from .tables import bp_plan_version


class ScoringService:
    """Score sheets (part of ``ctx.plans``)."""

    ctx = None

    def rubric_to_score(self, plan: str) -> Rubric:
        """The rubric (the cohort's version) the acting trainer scores ``plan`` with; refused,
        as ``score`` would be, if they may not score it (a draft, not on the panel, a
        conflict): so nobody is asked for values that will be refused."""
        self.ctx.require("plans.score")
        with self.ctx.reading_transaction() as tx:
            _row, _cohort, rubric = Scorer(tx).target(plan)
            return rubric

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
            return store.load_sheets_many(conn, [row]).get(row.id, [])


@attrs.frozen
class _Prepared:
    row: Any
    rubric: Rubric
    rubric_id: int
    values: dict[str, int]
    comments: dict[str, str]
    comment: str | None
    min_sheets: int



class Scorer:
    """Checks and writes score sheets for the acting trainer inside one transaction."""

    def __init__(self, tx):
        self.tx = tx
        self.conn = tx.conn
        rows = store.staff_and_conflicts(tx.conn, tx.actor.code)
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
                code=row.code, status=status.label))
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
        existing = store.sheet_ids(conn, me.id, ids)
        earlier = store.load_sheets_many(conn, [item.row for item in items if item.row.id in existing], me.id)
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

        def scores(added: dict[int, int]) -> list[dict]:
            sheet_ids = {**existing, **added}
            return [{"sheet_id": sheet_ids[item.row.id], "criterion_id": self._criterion_ids(item.rubric_id)[k],
                     "value": v, "comment": item.comments.get(k)} for item in items for k, v in item.values.items()]

        store.write_sheets(conn, inserts, updates, scores)
        reopened = store.reopen_moderations(conn, ids)  # a changed sheet reopens its plan's moderation
        counts = store.update_sums(conn, ids)
        scored = [item for item in items if item.row.status == PlanStatus.SUBMITTED.value
                  and counts[item.row.id] >= item.min_sheets]
        store.mark_scored(conn, [item.row.id for item in scored], tx.today)
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
