"""Characters that hide or disguise a name: invisible ones and look-alikes.

A name can slip past a screen without changing how it looks: "BAN\u00adCO
NACIO\u00adNAL DE CUBA" (soft hyphens) or "B\u0410NCO" (a Cyrillic A). Both
sides, the screened name and the listed one, go through the same folding, so
an evasion meets the name it hides.

- Invisible: every default-ignorable code point and every format character
  (Unicode's Default_Ignorable_Code_Point and category Cf: soft hyphen,
  zero-width spaces and joiners, bidi controls, word joiner, BOM, variation
  selectors, tag characters ...). The set is ICU's, not a list of our own,
  so it follows the Unicode version ICU ships.
- Look-alikes: a word that mixes Latin letters with Cyrillic, Greek,
  Armenian or Cherokee letters that look like Latin ones is read with those
  letters as the Latin ones they mimic, by ICU's confusable skeletons (UTS
  #39). A word written wholly in another script is that script's word and is
  transliterated as usual: "Касперский" stays Kaspersky's Russian name.
"""

from __future__ import annotations

import icu

#: str.translate table deleting every invisible character
INVISIBLE: dict[int, None] = {ord(char): None for char in icu.UnicodeSet("[[:Default_Ignorable_Code_Point:][:Cf:]]")}


def _look_alikes() -> dict[int, str]:
    skeletons = icu.SpoofChecker()
    table: dict[int, str] = {}
    for char in icu.UnicodeSet("[[:Cyrillic:][:Greek:][:Armenian:][:Cherokee:]]"):
        skeleton = skeletons.getSkeleton(0, char)
        if len(skeleton) == 1 and skeleton.isascii() and skeleton.isalpha():
            table[ord(char)] = skeleton
    return table


#: str.translate table: letters of other scripts that look like one Latin letter -> that letter
LOOK_ALIKES: dict[int, str] = _look_alikes()


def visible(text: str) -> str:
    """`text` without its invisible characters."""
    return text.translate(INVISIBLE)


def unmasked(word: str) -> str:
    """`word` with look-alike letters read as Latin, when it mixes them with
    Latin letters (a disguise); otherwise unchanged."""
    if word.isascii() or not any("a" <= char.lower() <= "z" for char in word):
        return word
    return word.translate(LOOK_ALIKES)


def unmasked_value(text: str) -> str:
    """`text` as the estate scan's SQL reads it (`estate.scan.unmasked_sql`):
    invisible characters dropped and, in a value mixing look-alikes with Latin
    letters, the look-alikes read as Latin throughout the value."""
    if text.isascii():
        return text
    text = visible(text)
    return text.translate(LOOK_ALIKES) if any("a" <= c.lower() <= "z" for c in text) else text


def _ranges(code_points: list[int]) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for point in sorted(code_points):
        if ranges and point == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], point)
        else:
            ranges.append((point, point))
    return ranges


#: the invisible characters as one RE2 character class, for SQL engines (the estate scan's DuckDB)
INVISIBLE_CLASS = "[" + "".join(f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}"
                                for a, b in _ranges(list(INVISIBLE))) + "]"
#: the look-alikes as the two strings of an SQL translate(): each letter of the first becomes the
#: one at its place in the second
LOOK_ALIKES_FROM = "".join(map(chr, LOOK_ALIKES))
LOOK_ALIKES_TO = "".join(LOOK_ALIKES.values())
