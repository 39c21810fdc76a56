"""click's own words — "Usage:", "Options", "Show this message and exit.", the errors it
prints about options — in the chosen language.

click marks its strings with gettext's ``_`` and ``ngettext``, bound in each of its
modules at import. :func:`speak` points those names at reentry's catalogue, so a person
reading ``reentry --lang tg … --help`` sees no English but codes and examples. The words
click says that people read are listed in :func:`_words` for the catalogue (never
called); one click does not say, or says differently in another version, stays English.
"""

from __future__ import annotations

import importlib

from ..i18n import _, ngettext

#: click's modules that translate what they print
MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui")


def speak() -> None:
    """Have click translate through reentry's catalogue (the core's, then each plugin's)."""
    for name in MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = _
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext


def _words(n: int = 1) -> None:  # pragma: no cover - read by tools/extract_messages.py only
    _("Usage:")
    _("Options")
    _("Commands")
    _("Show this message and exit.")
    _("Show the version and exit.")
    _("%(prog)s, version %(version)s")
    _("Error: {message}")
    _("Try '{command} {option}' for help.")
    _("Invalid value for {param_hint}: {message}")
    _("Invalid value: {message}")
    _("Missing argument")
    _("Missing option")
    _("Missing parameter")
    _("Missing command.")
    _("No such command {name!r}.")
    _("No such option {name!r}.")
    _("Option {name!r} does not take a value.")
    _("default: {default}")
    _("env var: {var}")
    _("required")
    _("Aborted!")
    _("Do you want to continue?")
    _("{value!r} is not a valid {number_type}.")
    _("{value} is not in the range {range}.")
    _("{name} {filename!r} does not exist.")
    _("Could not open file {filename!r}: {message}")
    ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}.", n)
    ngettext("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}.", n)
    ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", n)
    ngettext("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})", n)
