"""The hooks microgrants owns: its events and its questions to other plugins.

Added through ``register_hookspecs``. A plugin that answers or listens marks its
implementation ``@hookimpl(optionalhook=True)``, so it still loads when microgrants is
disabled. Payloads are microgrants' attrs objects (``reentry_microgrants.domain``); a
listener reads only the attributes tabled in ``docs/plugins.md``.
"""

from __future__ import annotations

from reentry_core.sdk import hookspec


@hookspec(firstresult=True)
def grant_plan(tx, participant):
    """Return the business plan to link to a new application of ``participant``, or ``None``."""


@hookspec
def grant_approved(tx, application):
    """A committee decision approved ``application``; runs inside the deciding transaction."""


@hookspec
def tranche_released(tx, application, tranche):
    """A tranche of ``application`` was recorded; runs inside the recording transaction."""


@hookspec(firstresult=True)
def tranche_verification(tx, application, tranche, since):
    """Return evidence of a visit on or after ``since`` that verified the business, or ``None``."""
