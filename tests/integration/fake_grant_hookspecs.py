"""microgrants' hookspecs as docs/plugins.md tables them ("Hooks between the built-in
plugins"): what the mentoring tests' stand-in for microgrants adds."""

from reentry_core.hookspecs import hookspec


@hookspec
def grant_approved(tx, application):
    """A decision approved a grant."""


@hookspec
def tranche_released(tx, application, tranche):
    """A tranche was recorded."""


@hookspec(firstresult=True)
def tranche_verification(tx, application, tranche, since):
    """Evidence that a visit verified the business, before a tranche that needs it."""
