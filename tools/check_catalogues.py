"""Check the Russian and Tajik catalogues: every message translated, none fuzzy, the same
placeholders as the English, and each .mo compiled from its .po.

    python tools/check_catalogues.py [ru tg]

Prints one line per problem (file, message) and exits 1 if there is any; the test suite
runs the same check (tests/unit/test_catalogues.py).
"""

from __future__ import annotations

import re
import string
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from extract_messages import PACKAGES, domain_of, template_path  # noqa: E402

LANGUAGES = ("ru", "tg")
_PERCENT = re.compile(r"%\(\w+\)[sd]|%[sd]")


def placeholders(text: str) -> list[str]:
    """The ``{name}`` fields of a message (with their conversion and format), sorted."""
    found = []
    try:
        for _literal, field, spec, conversion in string.Formatter().parse(text):
            if field is not None:
                found.append(f"{field}!{conversion or ''}:{spec or ''}")
    except ValueError:
        found.append("<unbalanced braces>")
    return sorted(found + _PERCENT.findall(text))


def catalogue_path(package: str, lang: str) -> Path:
    return PACKAGES[package] / "locale" / lang / "LC_MESSAGES" / f"{domain_of(package)}.po"


def _compiled(catalog) -> bytes:
    from io import BytesIO

    from babel.messages.mofile import write_mo

    out = BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def problems(lang: str, package: str) -> list[str]:
    """What is wrong with one package's catalogue in ``lang`` (missing counts as wrong)."""
    path = catalogue_path(package, lang)
    where = path.relative_to(ROOT)
    if not path.is_file():
        return [f"{where}: missing"]
    with open(template_path(package), "rb") as f:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    with open(path, "rb") as f:
        catalog = read_po(f, locale=lang)
    found = []
    have = set()
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        strs = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        have.add(ids[0])
        short = ids[0][:70].replace("\n", " ")
        if message.fuzzy:
            found.append(f"{where}: fuzzy: {short!r}")
        if not all(strs):
            found.append(f"{where}: not translated: {short!r}")
            continue
        for i, text in enumerate(strs):
            source = ids[min(i, len(ids) - 1)]
            if placeholders(text) != placeholders(source) and not (len(ids) > 1 and i == 0 and
                                                                    placeholders(text) == placeholders(ids[1])):
                found.append(f"{where}: placeholders differ: {short!r}")
                break
    found.extend(f"{where}: missing message: {m[:70]!r}" for m in sorted(wanted - have))
    mo = path.with_suffix(".mo")
    if not mo.is_file() or mo.read_bytes() != _compiled(catalog):
        found.append(f"{mo.relative_to(ROOT)}: not compiled from its .po (python tools/extract_messages.py --compile)")
    return found


def main(argv: list[str]) -> int:
    languages = argv or list(LANGUAGES)
    lines = [line for lang in languages for package in PACKAGES for line in problems(lang, package)]
    for line in lines:
        print(line)
    print(f"{len(lines)} problems" if lines else "every catalogue is complete")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
