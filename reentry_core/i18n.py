"""One translation function for every user-facing message.

English is the source language. Each package owns its catalogue: the core's is the
``reentry`` domain in ``reentry_core/locale``; a plugin's is the domain named after its
package (``reentry_mentoring``) in the ``locale`` folder beside its code, found when the
plugin loads (:func:`add_catalogue`). ``_`` looks a message up in the core's catalogue,
then in each plugin's, so a plugin's code calls the same ``_`` from the SDK.

The language: ``--lang``, else ``REENTRY_LANG``, else the system's (``LC_ALL``,
``LC_MESSAGES``, ``LANG``). One asked for by name that has no catalogue is refused with
the list of those there are; a system language without one falls back to English.
``REENTRY_LOCALE_DIR`` names one more folder to look in (tests, a translator's work).
See ``docs/translating.md``.
"""

from __future__ import annotations

import contextlib
import contextvars
import gettext as _gettext
import os
from pathlib import Path
from typing import Iterator

DOMAIN = "reentry"
LOCALE_DIR = Path(__file__).parent / "locale"
#: The source language: always there, needs no catalogue.
SOURCE = "en"

_translation: _gettext.NullTranslations | None = None
_language: str | None = None
#: (domain, folder) of each plugin catalogue, in the order the plugins loaded
_catalogues: list[tuple[str, Path]] = []
#: The language of the work in hand when it is not the process's (a web request: each
#: person reads their own language while others are served at the same time).
_context_language: contextvars.ContextVar[str | None] = contextvars.ContextVar("reentry_language", default=None)
#: Translations built for a context language, by language.
_by_language: dict[str, _gettext.NullTranslations] = {}


class UnknownLanguage(ValueError):
    """A language asked for by name that has no catalogue."""


def _folders() -> list[Path]:
    extra = os.environ.get("REENTRY_LOCALE_DIR")
    return [Path(extra), LOCALE_DIR] if extra else [LOCALE_DIR]


def available_languages() -> list[str]:
    """English and every language the core has a compiled catalogue for."""
    found = {SOURCE}
    for folder in _folders():
        if folder.is_dir():
            found.update(d.name for d in folder.iterdir() if (d / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file())
    return sorted(found)


def _system_language() -> str | None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "").strip()
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return value.split(".")[0].split("_")[0].lower() or None
    return None


def resolve_language(lang: str | None = None) -> str:
    """The language to use: ``lang``, else ``REENTRY_LANG``, else the system's; an unknown
    one asked for by name raises :class:`UnknownLanguage` naming the available ones."""
    asked = (lang or os.environ.get("REENTRY_LANG") or "").strip().lower()
    available = available_languages()
    if asked:
        if asked not in available:
            raise UnknownLanguage(
                f"unknown language {asked!r}; available: {', '.join(available)}")
        return asked
    system = _system_language()
    return system if system in available else SOURCE


def set_language(lang: str | None) -> str:
    """Choose the language (see :func:`resolve_language`); returns it."""
    global _language, _translation
    _language = resolve_language(lang)
    _translation = None  # built on first use, with every catalogue known by then
    _by_language.clear()
    return _language


def add_catalogue(domain: str, folder: Path | str) -> None:
    """A plugin's catalogue (``folder/<lang>/LC_MESSAGES/<domain>.mo``), consulted after
    the core's."""
    global _translation
    entry = (domain, Path(folder))
    if entry not in _catalogues:
        _catalogues.append(entry)
        _translation = None
        _by_language.clear()


@contextlib.contextmanager
def speaking(lang: str | None) -> Iterator[None]:
    """Translate into ``lang`` inside this block, in this thread or task only (``None``: the
    process's language); a language without a catalogue is English."""
    token = _context_language.set(lang if lang in available_languages() else None)
    try:
        yield
    finally:
        _context_language.reset(token)


def language() -> str:
    return _context_language.get() or _language or SOURCE


def _build() -> _gettext.NullTranslations:
    global _language
    if _language is None:  # nobody chose (the Python API): the environment's, quietly
        try:
            _language = resolve_language(None)
        except UnknownLanguage:
            _language = SOURCE
    return _build_for(_language)


def _build_for(lang: str) -> _gettext.NullTranslations:
    if lang == SOURCE:
        return _gettext.NullTranslations()
    chain = _gettext.NullTranslations()
    sources = [(DOMAIN, folder) for folder in _folders()]
    for domain, folder in _catalogues:
        sources += [(domain, extra) for extra in _folders()[:-1]] + [(domain, folder)]
    for domain, folder in sources:
        found = _gettext.translation(domain, str(folder), languages=[lang], fallback=True)
        if type(found) is not _gettext.NullTranslations:
            chain.add_fallback(found)
    return chain


def _current() -> _gettext.NullTranslations:
    global _translation
    lang = _context_language.get()
    if lang is not None:
        found = _by_language.get(lang)
        if found is None:
            found = _by_language[lang] = _build_for(lang)
        return found
    if _translation is None:
        _translation = _build()
    return _translation


def _(message: str) -> str:
    """Translate ``message`` into the chosen language."""
    return _current().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message that depends on a count."""
    return _current().ngettext(singular, plural, n)


def translations(lang: str) -> _gettext.NullTranslations:
    """The catalogues of ``lang`` (the core's, then each plugin's), chained; for a word
    wanted in every language at once (a sheet's headers, read in any of them)."""
    found = _by_language.get(lang)
    if found is None:
        found = _by_language[lang] = _build_for(lang)
    return found


def pgettext(context: str, message: str) -> str:
    """Translate ``message`` said in ``context`` (``"choice"``: a value of a list of
    choices; ``"column"``: a table's column; ``"currency"``): the same English word may be
    said differently in each."""
    return _current().pgettext(context, message)


_own: dict[tuple[str, str], _gettext.NullTranslations] = {}


def pgettext_of(package: str | None, context: str, message: str) -> str:
    """:func:`pgettext`, looked up first in the catalogue of ``package`` (the one whose
    command or choice says it): the same word may mean one thing in the core (a member of
    staff) and another in a plugin (a committee member)."""
    lang = language()
    if package and lang != SOURCE:
        domain = DOMAIN if package == "reentry_core" else package
        key = (domain, lang)
        if key not in _own:
            folders = [folder for name, folder in _catalogues if name == domain] or (
                _folders() if domain == DOMAIN else [])
            found = _gettext.NullTranslations()
            for folder in folders:
                found = _gettext.translation(domain, str(folder), languages=[lang], fallback=True)
            _own[key] = found
        said = _own[key].pgettext(context, message)
        if said != message:
            return said
    return pgettext(context, message)
