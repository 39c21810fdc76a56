"""Column types shared by the core and the plugins."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

CENT = Decimal("0.01")


class Money(sa.types.TypeDecorator):
    """An amount of money: stored as whole minor units (dirams, cents) in a BIGINT and
    handed back as a ``Decimal`` with two places.

    Exact on SQLite (whose NUMERIC is a float) and PostgreSQL alike, and ``SUM`` over it
    stays exact and comes back as ``Decimal`` too. A value with more than two decimals is
    refused, never rounded: validate amounts with :func:`reentry_core.convert.parse_money`
    before they reach a table.
    """

    impl = sa.BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        minor = Decimal(value).scaleb(2)
        if minor != minor.to_integral_value():
            raise ValueError(f"{value} has more than two decimals")
        return int(minor)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(int(value)).scaleb(-2)).quantize(CENT)
