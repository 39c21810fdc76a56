"""business_plans' question as docs/plugins.md tables it ("Hooks between the built-in
plugins"): what the mentoring tests' stand-in for business_plans adds."""

from reentry_core.hookspecs import hookspec


@hookspec(firstresult=True)
def business_outcomes(conn, months):
    """A select of (participant_id, operating), one row per business whose ``months``-month outcome is known."""
