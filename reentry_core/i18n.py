"""One translation function for every user-facing message.

English is the source language. Catalogues live in ``reentry_core/locale`` and are
extracted with Babel (see ``docs/translating.md``); ``--lang`` / ``REENTRY_LANG``
picks the language, ``REENTRY_LOCALE_DIR`` points at other catalogues.
"""

from __future__ import annotations

import gettext as _gettext
import os
from pathlib import Path

DOMAIN = "reentry"
LOCALE_DIR = Path(__file__).parent / "locale"

_translation: _gettext.NullTranslations | None = None


def set_language(lang: str | None) -> None:
    """Pick the catalogue for ``lang`` (e.g. ``ru``, ``tg``); ``None`` reads REENTRY_LANG."""
    global _translation
    lang = lang or os.environ.get("REENTRY_LANG") or None
    localedir = os.environ.get("REENTRY_LOCALE_DIR") or str(LOCALE_DIR)
    languages = [lang] if lang else None
    if languages is None:
        # No explicit choice: English, whatever LANG the shell has.
        _translation = _gettext.NullTranslations()
        return
    _translation = _gettext.translation(DOMAIN, localedir, languages=languages, fallback=True)


def _(message: str) -> str:
    """Translate ``message`` into the chosen language."""
    if _translation is None:
        set_language(None)
    return _translation.gettext(message)  # type: ignore[union-attr]


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message that depends on a count."""
    if _translation is None:
        set_language(None)
    return _translation.ngettext(singular, plural, n)  # type: ignore[union-attr]
