"""The tables a report publishes, as somebody doing arithmetic on them sees them.

A :class:`Grid` is one figure broken down by every dimension at once (an indicator by
sex × age band × centre, a family of indicators with one more dimension for its members,
a plugin's own table), with every margin. Every table a report can print for a period —
``--by sex``, ``--by centre``, ``--by sex,age_band``, a ``--centre`` slice — is a set of
cells of these grids, so protecting the grids protects every breakdown at once, and a
cell hidden in one breakdown is hidden in all of them.

What ties the cells together is a :class:`Relation`: a margin is the sum of the cells one
level finer, the members of a family add up to its head, a part is at most its whole.
These are exactly the facts an attacker can use, so the same relations drive the
suppression (``suppression.py``) and the attack that checks it (``attacker.py``).

Keys are tuples with one entry per dimension; ``None`` means "all values" (a margin);
``(None, None, None)`` is the grand total. A cell is named across grids by a
``(grid name, key)`` pair.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any, Hashable, Iterable, Mapping, Sequence

import attrs

Key = tuple
CellRef = tuple  # (grid name, key)

#: whole numbers of people or things, never below 0
COUNT = "count"
#: amounts (money, jobs): not whole, at least 0 unless the grid is signed
AMOUNT = "amount"

# Why a cell is hidden: each has its own mark in every output, and tells a reader (and an
# attacker) something different about the cell.
#: a count below the threshold, or a zero beside one (shown ``<5``)
SMALL = "small"
#: a figure about fewer people than the threshold that is not itself a small count: an
#: amount, or a count of things (visits, plans) made by few people (shown ``c``)
FEW_PEOPLE = "few_people"
#: hidden so that a small cell cannot be worked out from the others (shown ``x``)
SECONDARY = "secondary"
REASONS = (SMALL, FEW_PEOPLE, SECONDARY)


def all_keys(levels: Sequence[Sequence[Hashable]]) -> list[Key]:
    """Every cell of the full table with its margins, finest cells first."""
    options = [list(values) + [None] for values in levels]
    return sorted(itertools.product(*options), key=lambda key: sum(v is None for v in key))


def with_margins(cells: Mapping[Key, Any], levels: Sequence[Sequence[Hashable]], zero: Any = 0) -> dict:
    """The finest cells (absent ones are ``zero``) and every margin, summed from them."""
    values: dict[Key, Any] = {}
    for key in all_keys(levels):
        if None not in key:
            values[key] = cells.get(key, zero)
            continue
        i = key.index(None)  # any dimension gives the same sum; the first will do
        values[key] = sum((values[key[:i] + (v,) + key[i + 1:]] for v in levels[i]), zero)
    return values


@attrs.frozen
class Relation:
    """``Σ coefficient × cell  (= or ≤)  0``: a fact anybody reading the tables knows."""

    terms: tuple[tuple[CellRef, int], ...]
    equal: bool = True
    #: the cells of ``terms`` (kept: the suppression and the attack look them up often)
    cells: tuple[CellRef, ...] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "cells", tuple(cell for cell, _coefficient in self.terms))

    @classmethod
    def total(cls, total: CellRef, parts: Iterable[CellRef]) -> "Relation":
        """``total`` is the sum of ``parts``."""
        return cls(((total, 1), *((part, -1) for part in parts)))

    @classmethod
    def at_most(cls, part: CellRef, *wholes: CellRef) -> "Relation":
        """``part`` is at most ``whole`` (or at most the sum of several cells)."""
        return cls(((part, 1), *((whole, -1) for whole in wholes)), equal=False)

    def holds(self, value) -> bool:
        """Whether the relation holds for ``value(cell)`` (the true figures)."""
        total = sum((coefficient * value(cell) for cell, coefficient in self.terms), 0)
        return total == 0 if self.equal else total <= 0


@attrs.define
class Grid:
    """One figure by every dimension, with every margin.

    ``values`` is what is published in each cell (people, things counted, or an amount);
    ``people`` is how many people are behind each cell, which is what the small-count rule
    looks at. ``additive[i]`` says whether dimension ``i``'s margin is the sum of its
    values: it is not when one person can be in several of them (categories of people).
    """

    name: str
    levels: tuple[tuple, ...]
    values: dict[Key, int | Decimal]
    people: dict[Key, int]
    kind: str = COUNT
    additive: tuple[bool, ...] = ()
    signed: bool = False
    #: what each dimension is (``sex``, ``centre``, ``category`` …), for people to read
    dimensions: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        if not self.additive:
            self.additive = (True,) * len(self.levels)
        if not self.dimensions:
            self.dimensions = tuple(f"d{i + 1}" for i in range(len(self.levels)))

    def ref(self, key: Key) -> CellRef:
        return (self.name, key)

    def keys(self) -> list[Key]:
        return all_keys(self.levels)

    def relations(self) -> list[Relation]:
        """Each margin with the cells one level finer along each dimension it covers."""
        found = []
        for key in self.keys():
            for i, value in enumerate(key):
                if value is not None:
                    continue
                parts = [self.ref(key[:i] + (v,) + key[i + 1:]) for v in self.levels[i]]
                if self.additive[i]:
                    found.append(Relation.total(self.ref(key), parts))
                else:  # a person in several categories: at least the largest, at most their sum
                    found.extend(Relation.at_most(part, self.ref(key)) for part in parts)
                    found.append(Relation.at_most(self.ref(key), *parts))
        return found

    def value(self, key: Key):
        return self.values.get(key, 0)

