"""The events mentoring fires for other plugins (added through ``register_hookspecs``).

A subscriber marks its implementation ``@hookimpl(optionalhook=True)`` so it still
loads when mentoring is disabled, and reads only the attributes listed here.
"""

from __future__ import annotations

from reentry_core.sdk import hookspec


@hookspec
def visit_logged(tx, visit):
    """A mentoring visit was logged; ``visit`` has ``id``, ``participant``, ``mentor``, ``visited_on``,
    ``business_status``, ``equipment_seen`` and ``risk_flags``. Runs inside the logging transaction."""
