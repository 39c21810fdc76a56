"""``python -m reentry_core`` runs the ``reentry`` command line."""

from reentry_core.cli import main

main()
