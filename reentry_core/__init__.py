"""reentry: case management for reintegration programmes after prison.

The public Python API (see ``docs/api.md``)::

    import reentry_core as reentry
    programme = reentry.open_programme("sqlite:///reentry.db")
    desk = programme.act_as("ADM")
    desk.participants.register(full_name="Ҷамшед Раҳимов", sex="male", birth_date="1985-03-12", centre="DSH")

This module stays light (no SQLAlchemy) so ``reentry --help`` starts fast; the heavy
parts load on first use.
"""

from __future__ import annotations

from .hookspecs import hookimpl

__version__ = "0.1.0"

__all__ = ["hookimpl", "open_programme", "Programme", "__version__"]


def __getattr__(name: str):
    if name in {"open_programme", "Programme"}:
        from . import services

        return getattr(services, name)
    raise AttributeError(name)
