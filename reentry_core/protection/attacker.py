"""The attacker: the narrowest interval anybody can work out for each hidden cell from
everything a report publishes, by linear programming (HiGHS, through ``highspy``).

What the attacker is assumed to know (``docs/small-counts.md`` says it in words):

* every published figure of every table the report can print for the period;
* every relation between cells (``grids.Relation``): margins, families of indicators
  whose members add up to their head, categories, a part at most its whole;
* what the marks say: ``<5`` is a count from 0 to 4 (zeros beside a small count are
  hidden with it), ``x`` and ``c`` on a count are at least 5 (a count below 5 is always
  ``<5``); amounts are at least 0 unless they can be negative;
* that counts are whole numbers: an interval of counts is rounded inwards.

A hidden cell is **exposed** when that interval is too narrow: a count pinned to one
value, or an amount narrowed to within 10% of what it is. The suppression hides more
cells until nothing is exposed; the audit (``reentry report audit``) shows the intervals.

The programme is split into independent parts (hidden cells linked by relations); each
part is one small HiGHS model solved once per bound, warm-started from the previous
solve, and one solve often settles many cells at once.
"""

from __future__ import annotations

import math
import os
import sys
import threading
from typing import Iterable, Mapping, Sequence

import attrs

from .grids import AMOUNT, COUNT, SMALL, CellRef, Grid, Relation

INF = math.inf
#: an amount must stay uncertain by at least this share of itself, either way
AMOUNT_MARGIN = 0.1
_EPS = 1e-6


@attrs.frozen
class Interval:
    """What an attacker can say of a hidden cell: it lies between ``low`` and ``high``."""

    low: float
    high: float

    def pinned(self) -> bool:
        """One whole number only."""
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            return False
        return math.floor(self.high + _EPS) - math.ceil(self.low - _EPS) < 1

    def whole(self) -> "Interval":
        """Rounded inwards to whole numbers (for counts)."""
        low = math.ceil(self.low - _EPS) if math.isfinite(self.low) else self.low
        high = math.floor(self.high + _EPS) if math.isfinite(self.high) else self.high
        return Interval(low, high)


def label_bounds(grid: Grid, reason: str, threshold: int, beside_small: bool) -> tuple[float, float]:
    """What a hidden cell's mark alone says about it. A ``<5`` may be an empty cell only
    when it shares a sum with another ``<5`` (zeros are hidden only beside small counts)."""
    if grid.kind == COUNT:
        return (0.0 if beside_small else 1.0, float(threshold - 1)) if reason == SMALL else (float(threshold), INF)
    return (-INF if grid.signed else 0.0, INF)


def too_narrow(grid: Grid, value, interval: Interval) -> bool:
    """Whether ``interval`` gives the hidden cell (true value ``value``) away."""
    if grid.kind == AMOUNT:
        return interval.high - interval.low < max(1.0, 2 * AMOUNT_MARGIN * abs(float(value)))
    return interval.pinned()


class Attack:
    """The linear programme of a report's published tables, with ``hidden`` cells unknown."""

    def __init__(self, grids: Mapping[str, Grid], relations: Sequence[Relation], hidden: Mapping[CellRef, str],
                 threshold: int):
        self.grids = grids
        self.hidden = hidden
        self.threshold = threshold
        self.relations = [r for r in relations if any(cell in hidden for cell in r.cells)]
        self._parts = _connected(hidden, self.relations)
        small = [r for r in self.relations if r.equal and sum(hidden.get(c) == SMALL for c in r.cells) > 1]
        self._beside_small = {cell for r in small for cell in r.cells if hidden.get(cell) == SMALL}

    def value(self, cell: CellRef):
        grid, key = cell
        return self.grids[grid].value(key)

    def occupied(self, cell: CellRef) -> bool:
        """Somebody is behind the cell: only such a cell can give a person away."""
        grid, key = cell
        return self.grids[grid].people.get(key, 0) > 0

    def parts(self) -> list[list[CellRef]]:
        """The hidden cells in groups that no relation links to one another."""
        return self._parts

    def model(self, cells: list[CellRef]) -> "_Model":
        index = {cell: i for i, cell in enumerate(cells)}
        bounds = [label_bounds(self.grids[cell[0]], self.hidden[cell], self.threshold, cell in self._beside_small)
                  for cell in cells]
        rows = []
        for relation in self.relations:
            mine = [(index[cell], coefficient) for cell, coefficient in relation.terms if cell in index]
            if not mine:
                continue
            known = sum(float(coefficient * self.value(cell)) for cell, coefficient in relation.terms
                        if cell not in index)
            rows.append((mine, -known, relation.equal))
        return _Model(bounds, rows)

    def pinned_by_one_sum(self, sweeps: int = 3) -> list[tuple[CellRef, Relation]]:
        """Cells given away by sums taken one at a time (bound propagation: each sum
        narrows its members from the others' ranges, again and again), each with the sum
        that narrowed it last. Cheap, and enough to find most exposures without a solve;
        a cell this misses may still be exposed (only the solves see every sum at once)."""
        bounds = {cell: list(label_bounds(self.grids[cell[0]], reason, self.threshold, cell in self._beside_small))
                  for cell, reason in self.hidden.items()}
        culprit: dict[CellRef, Relation] = {}
        rows = []
        for relation in self.relations:
            unknown = [(cell, c) for cell, c in relation.terms if cell in bounds]
            known = sum(float(c * self.value(cell)) for cell, c in relation.terms if cell not in bounds)
            rows.append((relation, unknown, -known))
        for _sweep in range(sweeps):
            changed = False
            for relation, unknown, rhs in rows:
                # the least and greatest Σ c·x over the unknowns, counting infinite terms apart
                low_sum = high_sum = 0.0
                low_inf = high_inf = 0
                spans = []
                for cell, c in unknown:
                    lo, hi = bounds[cell]
                    a, b = (c * lo, c * hi) if c > 0 else (c * hi, c * lo)
                    spans.append((a, b))
                    if math.isinf(a):
                        low_inf += 1
                    else:
                        low_sum += a
                    if math.isinf(b):
                        high_inf += 1
                    else:
                        high_sum += b
                for (cell, c), (a, b) in zip(unknown, spans):
                    # c·x = rhs − Σ others (equal), or c·x ≤ rhs − Σ others (at most)
                    others_low = -INF if low_inf - math.isinf(a) else low_sum - (0.0 if math.isinf(a) else a)
                    others_high = INF if high_inf - math.isinf(b) else high_sum - (0.0 if math.isinf(b) else b)
                    top = rhs - others_low
                    bottom = rhs - others_high if relation.equal else -INF
                    lo, hi = (bottom / c, top / c) if c > 0 else (top / c, bottom / c)
                    if self.grids[cell[0]].kind == COUNT:
                        lo = math.ceil(lo - _EPS) if math.isfinite(lo) else lo
                        hi = math.floor(hi + _EPS) if math.isfinite(hi) else hi
                    current = bounds[cell]
                    if lo > current[0] + _EPS:
                        current[0], changed = lo, True
                        culprit[cell] = relation
                    if hi < current[1] - _EPS:
                        current[1], changed = hi, True
                        culprit[cell] = relation
            if not changed:
                break
        return [(cell, culprit[cell]) for cell, (lo, hi) in bounds.items()
                if cell in culprit and self.occupied(cell)
                and too_narrow(self.grids[cell[0]], self.value(cell), Interval(lo, hi))]

    def intervals(self, cells: Iterable[CellRef] | None = None) -> dict[CellRef, Interval]:
        """The exact interval of each hidden cell asked for (all of them by default).

        A bound a solve for another cell already showed the cell reaching, at what its
        mark allows, needs no solve of its own."""
        import numpy as np

        wanted = set(self.hidden) if cells is None else set(cells)
        found = {}
        for part in self._parts:
            asked = [i for i, cell in enumerate(part) if cell in wanted]
            if not asked:
                continue
            model = self.model(part)
            low = np.full(len(part), math.inf)
            high = np.full(len(part), -math.inf)
            for i in asked:
                bounds = []
                for maximise, limit in ((False, model.lower[i]), (True, model.upper[i])):
                    reached = float(high[i] if maximise else low[i])
                    if abs(reached - limit) < _EPS:
                        bounds.append(limit)
                        continue
                    bound = model.bound(i, maximise=maximise)
                    bounds.append(bound)
                    if math.isfinite(bound):
                        solution = model.solution()
                        np.minimum(low, solution, out=low)
                        np.maximum(high, solution, out=high)
                interval = Interval(*bounds)
                found[part[i]] = interval.whole() if self.grids[part[i][0]].kind == COUNT else interval
        return found

    def exposed(self, part: list[CellRef], safe: set[CellRef] | None = None) -> list[CellRef]:
        """The cells of one part the attacker narrows too far, in the part's order.

        Each solve is a whole table the attacker finds consistent; the spread of what a
        cell takes across those tables (and its true value) is a lower bound of its
        interval, so a cell already spread widely needs no solve of its own. Cells in
        ``safe`` are taken as safe, and the cells found safe are added to it: hiding more
        cells only widens what the attacker must allow for.
        """
        safe = set() if safe is None else safe
        if all(cell in safe or not self.occupied(cell) for cell in part):
            return []
        import numpy as np

        model = self.model(part)
        true = [float(self.value(cell)) for cell in part]
        low, high = np.array(true), np.array(true)

        def settled(i: int) -> bool:
            return not too_narrow(self.grids[part[i][0]], true[i], Interval(float(low[i]), float(high[i])))

        def seen(solution) -> None:
            np.minimum(low, solution, out=low)
            np.maximum(high, solution, out=high)

        exposed = []
        for i in range(len(part)):
            if part[i] in safe or not self.occupied(part[i]):
                continue  # an empty cell hidden beside small counts exposes nobody
            for maximise in (False, True):
                if settled(i):
                    break
                bound = model.bound(i, maximise=maximise)
                if math.isinf(bound):
                    low[i], high[i] = (-INF, high[i]) if not maximise else (low[i], INF)
                else:
                    seen(model.solution())
            if settled(i):
                safe.add(part[i])
            else:
                exposed.append(part[i])
        return exposed


def _connected(hidden: Mapping[CellRef, str], relations: Sequence[Relation]) -> list[list[CellRef]]:
    """Hidden cells grouped by the relations that link them (union-find), in a stable order."""
    parent = {cell: cell for cell in hidden}

    def find(cell):
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    for relation in relations:
        mine = [cell for cell in relation.cells if cell in hidden]
        for other in mine[1:]:
            a, b = find(mine[0]), find(other)
            if a != b:
                parent[b] = a
    groups: dict[CellRef, list[CellRef]] = {}
    for cell in hidden:
        groups.setdefault(find(cell), []).append(cell)
    return list(groups.values())


# --- HiGHS -----------------------------------------------------------------------------------

_banner_lock = threading.Lock()
_banner_shown = False


def _highs():
    """A silent HiGHS instance. The first one of a process prints a banner on standard
    output from C++, before any option can be set; that one is made with the output
    pointed away, so a report written to standard output (JSON, CSV) stays clean."""
    global _banner_shown
    import highspy

    with _banner_lock:
        if _banner_shown:
            highs = highspy.Highs()
        else:
            sys.stdout.flush()
            saved = os.dup(1)
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, 1)
                highs = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(devnull)
            _banner_shown = True
    highs.setOptionValue("output_flag", False)
    # each solve starts from the last one's basis: only the objective changed, so the basis
    # stays feasible and primal simplex goes on from it; presolve would start afresh
    highs.setOptionValue("presolve", "off")
    highs.setOptionValue("simplex_strategy", 4)
    return highs


class _Model:
    """One part's linear programme: variables are its hidden cells."""

    def __init__(self, bounds: list[tuple[float, float]], rows: list[tuple[list[tuple[int, int]], float, bool]]):
        import highspy
        import numpy as np

        self._highspy = highspy
        self.highs = h = _highs()
        inf = highspy.kHighsInf
        n = len(bounds)
        h.addVars(n, np.array([lo if math.isfinite(lo) else -inf for lo, _hi in bounds], dtype=np.float64),
                  np.array([hi if math.isfinite(hi) else inf for _lo, hi in bounds], dtype=np.float64))
        for terms, rhs, equal in rows:
            indices = np.array([i for i, _c in terms], dtype=np.int32)
            values = np.array([float(c) for _i, c in terms], dtype=np.float64)
            h.addRow(rhs if equal else -inf, rhs, len(terms), indices, values)
        self.n = n
        self.lower = [lo for lo, _hi in bounds]
        self.upper = [hi for _lo, hi in bounds]
        self._costed: int | None = None

    def bound(self, i: int, *, maximise: bool) -> float:
        """The least (or greatest) value variable ``i`` can take; ±inf when unbounded."""
        h, highspy = self.highs, self._highspy
        if self._costed != i:
            if self._costed is not None:
                h.changeColCost(self._costed, 0.0)
            h.changeColCost(i, 1.0)
            self._costed = i
        h.changeObjectiveSense(highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize)
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return h.getInfo().objective_function_value
        if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return INF if maximise else -INF
        raise RuntimeError(f"the published tables are inconsistent ({h.modelStatusToString(status)}): "
                           "a declared relation between indicators does not hold")

    def solution(self):
        import numpy as np

        return np.asarray(self.highs.getSolution().col_value, dtype=np.float64)
