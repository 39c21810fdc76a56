"""How names are matched: one spelling-blind key for a name, whatever the alphabet.

Staff type names in Tajik Cyrillic (Ҷамшед Раҳимов), Russian Cyrillic (Джамшед Рахимов)
or Latin letters (Jamshed Rakhimov, Dzhamshed Rahimov). :func:`name_key` turns each into
the same Latin skeleton (``jamshed rahimov``): Cyrillic letters transliterated, then the
spellings that vary folded together (dzh/dj/zh → j, kh/x → h, q → k, gh → g, yo/yu/ya →
o/u/a, y → i, doubled letters once), apostrophes dropped, hyphens and other marks a
word break. The key is stored with each
participant: a search looks for the key of what was typed inside it (``rahimov`` finds
Раҳимов, ``Ҷамшед`` finds Jamshed), and two registrations at one centre with the same key
and birth date are flagged as the same person (``-Али Валиев`` is ``Али Валиев``).
"""

from __future__ import annotations

import re
import unicodedata

#: Cyrillic (Tajik and Russian) → Latin, lower case (the name is case-folded first).
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ғ": "gh", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
    "и": "i", "ӣ": "i", "й": "y", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ӯ": "u", "ў": "u", "ф": "f", "х": "kh", "ҳ": "h", "ц": "ts",
    "ч": "ch", "ҷ": "j", "ш": "sh", "щ": "sh", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}
_TABLE = str.maketrans(_CYRILLIC)
#: Spellings that vary between alphabets and habits, folded to one (in this order).
_FOLDS = (("dzh", "j"), ("dj", "j"), ("zh", "j"), ("kh", "h"), ("x", "h"), ("q", "k"), ("gh", "g"), ("yo", "o"),
          ("yu", "u"), ("ya", "a"), ("ye", "e"), ("w", "v"), ("y", "i"))
_COMBINING = re.compile(r"[\u0300-\u036f]")
_APOSTROPHES = re.compile(r"['’ʼ`ʻ]")
_NOT_LETTERS = re.compile(r"[^a-z]+")
_DOUBLED = re.compile(r"([a-z])\1+")
_SPACES = re.compile(r" {2,}")


def name_key(text: str) -> str:
    """The spelling-blind Latin key of a name (or of part of one, for a search)."""
    if not text.isascii():  # one form for letters typed with combining marks (ӯ as у + ̄)
        text = _COMBINING.sub("", unicodedata.normalize("NFC", text))
    text = _APOSTROPHES.sub("", text.casefold().translate(_TABLE))
    text = _NOT_LETTERS.sub(" ", text)  # hyphens, dots, spaces: one word break
    for spelled, folded in _FOLDS:
        if spelled in text:
            text = text.replace(spelled, folded)
    text = _DOUBLED.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()
