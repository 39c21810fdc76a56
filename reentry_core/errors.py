"""Errors a user can cause. Each carries one human line that names the record or field.

The CLI prints ``Error: <message>`` and exits with ``exit_code``; the Python API
raises the same exceptions, so a notebook sees the same words.
"""

from __future__ import annotations


class ReentryError(Exception):
    """Base of every error caused by input, permissions or the state of the data."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(ReentryError):
    """A value breaks a rule: a bad date, an unknown choice, an empty name."""


class NotFound(ReentryError):
    """A code that names no record (centre, staff member, participant, referral)."""


class Conflict(ReentryError):
    """The action contradicts the data: a duplicate code, a status that cannot change."""


class PermissionDenied(ReentryError):
    """Nobody is acting, or the acting staff member's roles lack the permission."""

    exit_code = 3


class UnknownActor(PermissionDenied, NotFound):
    """``--as`` names no staff member: refused like anyone without the right (exit 3),
    and still a :class:`NotFound` for code that looks a code up."""


class DatabaseError(ReentryError):
    """The database cannot be opened, or its schema does not match the code."""

    exit_code = 4


class SchemaBehind(DatabaseError):
    """The database is at an older schema revision than this code needs."""


class RowErrors(ReentryError):
    """Several rows of a file are invalid; ``problems`` holds one line per bad row."""

    def __init__(self, message: str, problems: list[str]):
        super().__init__(message)
        self.problems = problems


class AuditTampered(ReentryError):
    """An audit trail whose check fails: an event was edited, deleted or cut off."""

    exit_code = 6


class PluginError(ReentryError):
    """A plugin failed to load or declared something the core refuses."""

    exit_code = 5
