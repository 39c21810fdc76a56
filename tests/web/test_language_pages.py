"""Issue 16 on the pages: a member of staff who reads Tajik or Russian sees words, dates
and numbers in their language on every page they can open — never a choice's code
(``on_site``, ``operating``, ``legal``), an ISO date or a program's innards."""

from __future__ import annotations

import re

import pytest

from reentry_core.domain import choice_values
from tests.integration.test_language import _visible_text

from .test_pages import PAGES, ROLES

ISO_DAY = re.compile(r"\b\d{4}-\d\d-\d\d\b")
CODE_AMONG_WORDS = re.compile(r"(?<![A-Za-z] )(?<![\w.])([a-z][a-z_]+)(?![\w.])(?! [A-Za-z])")


def _codes() -> set[str]:
    """Every choice value a page could leak, as it would read (``on_site``, ``operating``)."""
    return set(choice_values())


@pytest.mark.parametrize("lang", ["tg", "ru"])
@pytest.mark.parametrize("code", ROLES)
def test_every_page_a_member_opens_speaks_their_language(code, lang, signed_in, web_programme):
    c = signed_in(code)
    assert c.post("/language", data={"csrf": c.csrf, "language": lang}).status_code == 200
    ctx = web_programme.act_as(code)
    codes = _codes()
    leaks = {}
    for path, permission in PAGES.items():
        if permission is not None and not ctx.can(permission):
            continue
        r = c.get(path)
        if r.status_code != 200 or not r.headers["content-type"].startswith("text/html"):
            continue
        text = re.sub(r"“[^”]*”", " ", _visible_text(r.text))  # a plan's title is the trainer's own words
        # a code standing among words of the page's language; one among English words is
        # somebody's own text ("hairdressing chair", a budget line's item)
        found = {w for w in CODE_AMONG_WORDS.findall(text) if w in codes}
        found |= set(ISO_DAY.findall(text)) | {m for m in ("built-in method", "object at 0x") if m in text}
        if found:
            leaks[path] = sorted(found)
    assert not leaks, "; ".join(f"{path}: {', '.join(words)}" for path, words in leaks.items())
