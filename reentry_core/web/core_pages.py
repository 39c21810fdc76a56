"""The core's work pages: participants and referrals, the report, staff."""

from __future__ import annotations


def register(web) -> None:
    pass
