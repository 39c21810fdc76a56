"""Write the message catalogue template ``reentry_core/locale/reentry.pot``.

It holds every string passed to ``_()`` / ``ngettext()`` in the core and the built-in
plugins, plus every command's help text (click docstrings). Run after changing messages:

    python tools/extract_messages.py

Translators then update ``locale/<lang>/LC_MESSAGES/reentry.po`` with
``pybabel update -i reentry_core/locale/reentry.pot -d reentry_core/locale -D reentry``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "reentry_core" / "locale" / "reentry.pot"
KEYWORDS = {"_": None, "ngettext": (1, 2)}


def build_catalog() -> Catalog:
    catalog = Catalog(project="reentry", fuzzy=False)
    for folder in ("reentry_core", "plugins"):
        method_map = [("**.py", "python")]
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / folder, method_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
        ):
            flags = ("python-brace-format",) if "{" in (message if isinstance(message, str) else message[0]) else ()
            catalog.add(message, None, flags=flags)
    from reentry_core.cli import build_cli, inspect_clean, walk_commands
    from reentry_core.plugins import _entry_points, load_plugins

    # only this project's plugins: another installed plugin has its own catalogue
    others = {ep.name for ep in _entry_points()} - set(built_in_plugins())
    for command in walk_commands(build_cli(load_plugins(disabled=others))):
        if command.help:
            catalog.add(inspect_clean(command.help), None)
    return catalog


def built_in_plugins() -> list[str]:
    """The plugins this project's pyproject.toml registers in the reentry.plugins group."""
    import tomllib

    with open(ROOT / "pyproject.toml", "rb") as f:
        return list(tomllib.load(f)["project"]["entry-points"]["reentry.plugins"])


def render(catalog: Catalog) -> bytes:
    from io import BytesIO

    out = BytesIO()
    write_po(out, catalog, omit_header=True, sort_output=True, no_location=True, width=100)
    return out.getvalue()


def main() -> int:
    POT.parent.mkdir(parents=True, exist_ok=True)
    POT.write_bytes(render(build_catalog()))
    print(f"wrote {POT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
