"""Which cells a report hides, and why: small counts, then as many others as it takes for
no hidden cell to be worked out from what is published.

1. **Primary**: a cell with fewer people behind it than the threshold (but some) is
   hidden — as a small count (``<5``) when the figure is that count, otherwise as a
   figure about few people (``c``: an amount, or visits made by three people).
2. **Zeros beside a small count** are hidden with it (``<5``: zero is fewer than five),
   so a ``<5`` may be empty and nobody can add up ``<5`` cells to a known total.
3. **Secondary**: while the attacker (``attacker.py``) can pin a hidden count to one
   value, or an amount to within 10%, another cell of one of its sums is hidden (``x``):
   the smallest that is not zero, finest cells before margins. A sum with only one
   hidden member gives it away at once, so that case is settled without a solve.

The result depends only on the figures, so the same figures are always hidden the same
way, whichever breakdown is printed.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from .attacker import Attack
from .grids import COUNT, FEW_PEOPLE, SECONDARY, SMALL, CellRef, Grid, Relation


def primary(grids: Mapping[str, Grid], relations: Sequence[Relation], threshold: int) -> dict[CellRef, str]:
    """The small cells, and the zeros that share a sum with a small count."""
    hidden: dict[CellRef, str] = {}
    for grid in grids.values():
        for key in grid.keys():
            people = grid.people.get(key, 0)
            if 0 < people < threshold:
                small = grid.kind == COUNT and grid.value(key) < threshold
                hidden[grid.ref(key)] = SMALL if small else FEW_PEOPLE
    small = {cell for cell, reason in hidden.items() if reason == SMALL}
    for relation in relations:
        if relation.equal and any(cell in small for cell in relation.cells):
            for grid_name, key in relation.cells:
                grid = grids[grid_name]
                if grid.kind == COUNT and grid.value(key) == 0:
                    hidden.setdefault((grid_name, key), SMALL)
    return hidden


def protect(grids: Mapping[str, Grid], relations: Sequence[Relation], threshold: int) -> dict[CellRef, str]:
    """Every cell to hide, with its reason (``SMALL``, ``FEW_PEOPLE``, ``SECONDARY``)."""
    hidden = primary(grids, relations, threshold)
    equalities = [r for r in relations if r.equal]
    sums_of: dict[CellRef, list[Relation]] = {}
    for relation in equalities:
        for cell in relation.cells:
            sums_of.setdefault(cell, []).append(relation)

    def value(cell: CellRef):
        grid, key = cell
        return grids[grid].value(key)

    def occupied(cell: CellRef) -> bool:
        grid, key = cell
        return grids[grid].people.get(key, 0) > 0

    def partner(cells: list[CellRef], among: Sequence[Relation] | None = None) -> CellRef | None:
        """The published cell to hide with ``cells``: in one of their sums (or of
        ``among``), not zero, the smallest, finest first; ``None`` when every candidate
        is hidden or zero."""
        sums = among if among is not None else [r for cell in cells for r in sums_of.get(cell, ())]
        candidates = {cell for relation in sums for cell in relation.cells
                      if cell not in hidden and value(cell) != 0}
        if not candidates:
            return None
        return min(candidates, key=lambda cell: (abs(float(value(cell))), sum(v is None for v in cell[1]),
                                                 repr(cell)))

    safe: set[CellRef] = set()  # cells the attacker was shown not to narrow down: hiding more keeps them so
    before = len(hidden)
    while True:
        if _hide_lone_members(equalities, hidden, partner, occupied):
            continue
        attack = Attack(grids, relations, hidden, threshold)
        pinned = attack.pinned_by_one_sum()
        if pinned:  # given away by one sum: hide another member of that sum
            used: set[Relation] = set()
            for cell, relation in pinned:
                if relation in used:
                    continue
                used.add(relation)
                choice = partner([cell], [relation]) or partner([cell])
                if choice is not None:
                    hidden[choice] = SECONDARY
            if len(hidden) > before:
                before = len(hidden)
                continue
        added = False
        for part in attack.parts():
            picked: list[CellRef] = []
            for cell in attack.exposed(part, safe):
                if any(other in r.cells for r in sums_of.get(cell, ()) for other in picked):
                    continue  # this round already hides a cell of one of its sums
                choice = partner([cell]) or partner(part)
                if choice is not None:
                    hidden[choice] = SECONDARY
                    picked.append(choice)
                    added = True
        if not added:
            return hidden


def _hide_lone_members(equalities: Sequence[Relation], hidden: dict[CellRef, str], partner, occupied) -> bool:
    """A sum with exactly one hidden member gives it away: hide a partner with it (an
    empty cell hidden beside small counts gives nobody away)."""
    changed = False
    for relation in equalities:
        lone = None
        for cell in relation.cells:
            if cell in hidden:
                if lone is not None:
                    break
                lone = cell
        else:
            if lone is not None and occupied(lone):
                choice = partner([lone], [relation])
                if choice is not None:
                    hidden[choice] = SECONDARY
                    changed = True
    return changed
