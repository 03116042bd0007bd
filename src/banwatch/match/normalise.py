"""Turn a written name into comparable words.

Transliteration and tokenisation come from `rigour` (OpenSanctions' name
library, ICU underneath), so "АО «Лаборатория Касперского»", "华为" and
"Ünal" are compared in Latin letters like every other name.
"""

from __future__ import annotations

import functools
import unicodedata

from rigour.names import remove_org_types, replace_org_types_compare, tokenize_name
from rigour.text import ascii_text
from rigour.text.phonetics import metaphone


@functools.lru_cache(maxsize=65536)
def words(text: str) -> tuple[str, ...]:
    """Lower-case Latin words of `text`: NFKC, transliterated, punctuation dropped."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    if not folded.isascii():
        folded = " ".join(latin(part) for part in folded.split())
    return tuple(token for token in tokenize_name(folded) if token)


@functools.lru_cache(maxsize=65536)
def latin(part: str) -> str:
    """One space-separated part of a name in Latin letters. Part by part, not
    the whole name: ICU transliteration costs about 0.2 ms per new string, and
    the parts of names repeat far more than names do. It also makes a word
    come out the same whatever script its neighbours are written in."""
    return ascii_text(part)


@functools.lru_cache(maxsize=1 << 17)
def is_legal_form(word: str) -> bool:
    """AO, OOO, Ltd, Inc, GmbH, LLC ...: rigour's list of company types, all languages."""
    return not remove_org_types(word).strip()


def is_number(word: str) -> bool:
    """Versions, years and build numbers: '2021', '11', '1160394', 'v21'."""
    return any(char.isdigit() for char in word)


@functools.lru_cache(maxsize=65536)
def product_words(text: str) -> tuple[str, ...]:
    """Words of a product name without version, year or edition numbers."""
    return tuple(word for word in words(text) if not is_number(word))


@functools.lru_cache(maxsize=65536)
def split_legal_form(text: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """(the name's own words, its legal-form words): 'AO Kaspersky Lab' ->
    (('kaspersky', 'lab'), {'ao'}). Legal forms are kept aside, not thrown
    away, because 'Kaspersky Lab, Inc.' and 'AO Kaspersky Lab' are different
    companies with the same core name."""
    all_words = words(text)
    core = tuple(word for word in all_words if not is_legal_form(word))
    if not core:  # a name made only of legal-form words is still a name
        return all_words, frozenset()
    # 'limited' and 'ltd' are one legal form: compare rigour's canonical spelling
    forms = frozenset(replace_org_types_compare(w).strip() for w in all_words if is_legal_form(w))
    return core, forms


def compact(tokens: tuple[str, ...]) -> str:
    """'anti virus' and 'antivirus' are the same word written two ways."""
    return "".join(tokens)


@functools.lru_cache(maxsize=262144)
def phonetic(word: str) -> str:
    """The word's sound (rigour's metaphone): 'mohammed' and 'muhammad' -> 'MHMT'.
    Numbers have no sound: '' (a vessel's '7' must match '7', not 'seven')."""
    if not word.isalpha() or len(word) < 2:
        return ""
    return metaphone(word)
