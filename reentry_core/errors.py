"""Errors a user can cause. Each carries one human line that names the record or field.

The CLI prints ``Error: <message>`` and exits with the error's ``exit_code`` (one table
for every command, :class:`ExitCode`, shown in ``docs/cli.md``); the Python API raises the
same exceptions, so a notebook sees the same words.

A message that names a parameter of the call (``reason``, ``amount``) marks it with
:func:`param`: the Python API shows the parameter's name, the CLI the option that sets it
(``--reason``), so neither speaks the other's words.
"""

from __future__ import annotations

import enum
import re
from typing import Callable, Iterable


class ExitCode(enum.IntEnum):
    """What the ``reentry`` command exits with: the same code for the same kind of
    refusal, whichever command refused (``docs/cli.md``)."""

    OK = 0
    RULE = 1  # refused by a rule of the programme, or a value that breaks one
    USAGE = 2  # the command line itself is wrong: a missing option, an unknown choice
    PERMISSION = 3  # nobody may act so: no such staff member, or the roles lack the right
    DATABASE = 4  # the database cannot be opened, is behind, or refused the action
    PLUGIN = 5  # a plugin failed to load or declared something the core refuses
    TAMPERED = 6  # the audit trail fails its check
    NOT_FOUND = 7  # a code that names no record
    CONFLICT = 8  # the action contradicts the data: a duplicate, a status that cannot change


_PARAM = re.compile("\x02([A-Za-z_][A-Za-z0-9_]*)\x03")


def param(name: str) -> str:
    """A parameter named in a message, e.g. ``_("say why: {p}").format(p=param("reason"))``:
    shown as ``reason`` by the Python API and as the option that sets it by the CLI."""
    return f"\x02{name}\x03"


class ReentryError(Exception):
    """Base of every error caused by input, permissions or the state of the data.

    ``params`` names the parameters of the call the message speaks of (those marked with
    :func:`param`, and any given); ``render(spell)`` writes the message with each marked
    parameter spelled by ``spell`` (the CLI: its option)."""

    exit_code: int = ExitCode.RULE

    def __init__(self, message: str, *, params: Iterable[str] = ()):
        self.template = message
        self.params = tuple(dict.fromkeys([*params, *_PARAM.findall(message)]))
        self.message = self.render()
        super().__init__(self.message)

    def render(self, spell: Callable[[str], str] | None = None) -> str:
        """The message with each parameter it names spelled by ``spell`` (default: its name)."""
        return _PARAM.sub(lambda m: (spell or str)(m.group(1)), self.template)

    def __str__(self) -> str:
        return self.message


class InvalidInput(ReentryError):
    """A value breaks a rule: a bad date, an unknown choice, an empty name."""


class NotFound(ReentryError):
    """A code that names no record (centre, staff member, participant, referral)."""

    exit_code = ExitCode.NOT_FOUND


class Conflict(ReentryError):
    """The action contradicts the data: a duplicate code, a status that cannot change."""

    exit_code = ExitCode.CONFLICT


class PermissionDenied(ReentryError):
    """Nobody is acting, or the acting staff member's roles lack the permission."""

    exit_code = ExitCode.PERMISSION


class UnknownActor(PermissionDenied, NotFound):
    """``--as`` names no staff member: refused like anyone without the right (exit 3),
    and still a :class:`NotFound` for code that looks a code up."""

    exit_code = ExitCode.PERMISSION


class DatabaseError(ReentryError):
    """The database cannot be opened, or its schema does not match the code."""

    exit_code = ExitCode.DATABASE


class SchemaBehind(DatabaseError):
    """The database is at an older schema revision than this code needs."""


class RowErrors(ReentryError):
    """Several rows of a file are invalid; ``problems`` holds one line per bad row."""

    def __init__(self, message: str, problems: list[str], *, params: Iterable[str] = ()):
        super().__init__(message, params=[*params, *(name for line in problems for name in _PARAM.findall(line))])
        self.problem_templates = list(problems)
        self.problems = [self.render_line(line) for line in problems]

    @staticmethod
    def render_line(line: str, spell: Callable[[str], str] | None = None) -> str:
        return _PARAM.sub(lambda m: (spell or str)(m.group(1)), line)


class AuditTampered(ReentryError):
    """An audit trail whose check fails: an event was edited, deleted or cut off."""

    exit_code = ExitCode.TAMPERED


class PluginError(ReentryError):
    """A plugin failed to load or declared something the core refuses."""

    exit_code = ExitCode.PLUGIN
