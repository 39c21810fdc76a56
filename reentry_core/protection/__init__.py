"""Small-count protection of the tables a report publishes.

``grids`` holds the tables and the sums that tie their cells together, ``suppression``
decides what to hide, ``attacker`` plays somebody doing arithmetic on everything
published (linear programming with HiGHS) — the same attacker the suppression must beat
and ``reentry report audit`` shows. ``docs/small-counts.md`` explains the method.
"""

from .attacker import Attack, Interval
from .grids import AMOUNT, COUNT, FEW_PEOPLE, REASONS, SECONDARY, SMALL, Grid, Relation, all_keys, with_margins
from .suppression import protect

__all__ = ["AMOUNT", "Attack", "COUNT", "FEW_PEOPLE", "Grid", "Interval", "REASONS", "Relation", "SECONDARY",
           "SMALL", "all_keys", "protect", "with_margins"]
