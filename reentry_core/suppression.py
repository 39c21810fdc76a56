"""Small-count protection for disaggregated tables: primary and complementary suppression.

A donor table that says "1 woman in Khorog relapsed" exposes that woman. So:

* **primary**: a cell counting fewer than ``threshold`` people (but not zero) is hidden;
* **complementary**: a hidden cell must not be recoverable from the totals. Every
  published total is an equation ``total = cell_1 + … + cell_n`` (a margin is the sum of
  the cells one dimension further in). An equation with exactly one hidden member gives
  that member away, so another member is hidden too — the smallest one that is not
  zero, the total itself only when nothing else is left — until no equation has exactly
  one hidden member.

Cells are keyed by tuples with one entry per dimension; ``None`` in a position means
"all values of that dimension" (a margin). ``(None, None)`` is the grand total.
Zeros are shown: they expose nobody, and a hidden zero protects nothing.
"""

from __future__ import annotations

import itertools
from typing import Hashable, Mapping, Sequence

Key = tuple


def all_keys(levels: Sequence[Sequence[Hashable]]) -> list[Key]:
    """Every cell of the full table with its margins, finest cells first."""
    options = [list(values) + [None] for values in levels]
    return sorted(itertools.product(*options), key=lambda key: sum(v is None for v in key))


def with_margins(cells: Mapping[Key, int], levels: Sequence[Sequence[Hashable]]) -> dict[Key, int]:
    """The counts of every margin, summed from the finest cells (absent cells are 0)."""
    counts: dict[Key, int] = {}
    for key in all_keys(levels):
        if None not in key:
            counts[key] = cells.get(key, 0)
            continue
        i = key.index(None)  # any dimension gives the same sum; the first will do
        counts[key] = sum(counts[key[:i] + (v,) + key[i + 1:]] for v in levels[i])
    return counts


def equations(levels: Sequence[Sequence[Hashable]]) -> list[tuple[Key, list[Key]]]:
    """Each published total with the cells it adds up: (margin, [cells one level finer])."""
    found = []
    for key in all_keys(levels):
        for i, value in enumerate(key):
            if value is None:
                found.append((key, [key[:i] + (v,) + key[i + 1:] for v in levels[i]]))
    return found


def protect(counts: Mapping[Key, int], levels: Sequence[Sequence[Hashable]], threshold: int) -> set[Key]:
    """The cells (margins included) to hide, given every cell's count of people."""
    hidden = {key for key, n in counts.items() if 0 < n < threshold}
    relations = equations(levels)
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            members = [total, *parts]
            if sum(member in hidden for member in members) != 1:
                continue
            candidates = [part for part in parts if part not in hidden]
            nonzero = [part for part in candidates if counts[part] > 0]
            if nonzero:
                choice = min(nonzero, key=lambda part: (counts[part], repr(part)))
            elif total not in hidden:
                choice = total  # the rest are zeros: only hiding the total protects the one cell
            else:
                continue  # the total is hidden and every other cell is zero: nothing to learn
            hidden.add(choice)
            changed = True
    return hidden
