"""Turn a written name into comparable words.

Transliteration and tokenisation come from `rigour` (OpenSanctions' name
library, ICU underneath), so "АО «Лаборатория Касперского»", "华为" and
"Ünal" are compared in Latin letters like every other name.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

from rigour.names import remove_org_types, replace_org_types_compare, tokenize_name
from rigour.text import ascii_text
from rigour.text.phonetics import metaphone

from banwatch.match.characters import unmasked, visible
from banwatch.match.khmer import is_khmer, khmer_latin


@functools.lru_cache(maxsize=65536)
def words(text: str) -> tuple[str, ...]:
    """Lower-case Latin words of `text`: invisible characters dropped, NFKC,
    look-alike letters unmasked, transliterated, punctuation dropped. Part by
    space-separated part, each part remembered: the parts of names (given
    names, surnames, legal forms) repeat far more than names do."""
    return tuple(token for part in text.split() for token in part_words(part))


@functools.lru_cache(maxsize=1 << 17)
def part_words(part: str) -> tuple[str, ...]:
    folded = unicodedata.normalize("NFKC", visible(part))
    if not folded.isascii():  # look-alikes before case folding: a capital В looks like B, a small в does not
        folded = " ".join(unmasked(part) for part in folded.split())
    folded = folded.casefold()
    if not folded.isascii():
        folded = " ".join(latin(part) for part in folded.split())
    return tuple(token for token in tokenize_name(folded) if token)


def written_forms(text: str) -> dict[str, str]:
    """Each Latin word of a name written in another script -> the word as written:
    'صدام حسين' -> {'sdam': 'صدام', 'hsyn': 'حسين'}, for explanations."""
    forms: dict[str, str] = {}
    for part in unicodedata.normalize("NFKC", visible(text)).split():
        if not part.isascii():
            for token in tokenize_name(latin(unmasked(part).casefold())):
                forms.setdefault(token, part)
    return forms


UNWRITTEN_FIRST = re.compile(r"(?<![A-Za-z0-9])\?+(?=[A-Za-z])")
UNWRITTEN = re.compile(r"\?")


@functools.lru_cache(maxsize=65536)
def latin(part: str) -> str:
    """One space-separated part of a name in Latin letters. Part by part, not
    the whole name: ICU transliteration costs about 0.2 ms per new string, and
    the parts of names repeat far more than names do. It also makes a word
    come out the same whatever script its neighbours are written in."""
    if is_khmer(part):  # ICU has no Khmer-Latin transform: it would give '???'
        part = khmer_latin(part)
    part = part.replace("\u0649", "\u0627")  # the alif maqsura is an 'a' ('موسى', Musa), ICU writes 'y'
    # ICU writes the Arabic ayin as '?', which would split the word: a word's first is its
    # vowel ('عمر' -> 'amr', as in Omar), any other is dropped ('سعيد' -> 'syd', as in Saeed)
    return UNWRITTEN.sub("", UNWRITTEN_FIRST.sub("a", ascii_text(part)))


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


GIVEN_NAMES = Path(__file__).with_name("given_names.tsv")


@functools.cache
def name_symbols() -> tuple[dict[str, frozenset[str]], dict[str, tuple[str, ...]]]:
    """(word -> its name symbols, symbol -> its words) from given_names.tsv:
    'bill' and 'william' share BILL, 'iosif' and 'joseph' a Wikidata item.
    The table is generated from rigour's person-name tagger by
    benchmarks/make_given_names.py; the tagger itself takes 5 s to load."""
    symbols: dict[str, frozenset[str]] = {}
    words_of: dict[str, list[str]] = {}
    for line in GIVEN_NAMES.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, ids = line.split("\t")
            symbols[word] = frozenset(ids.split())
            for symbol in symbols[word]:
                words_of.setdefault(symbol, []).append(word)
    return symbols, {symbol: tuple(found) for symbol, found in words_of.items()}


#: shorter words meet only through a nickname ('bob'/'robert'), not through a
#: Wikidata name item: those group Chinese and Korean syllables ('liu'/'ryu',
#: 'mei'/'wei', 'pan'/'bin'), which alone say little about a person
SHORTEST_VARIANT = 4


@functools.lru_cache(maxsize=65536)
def name_variants(word: str) -> frozenset[str]:
    """Other spellings or forms of the same name ('bill' -> 'william', ...)."""
    symbols, words_of = name_symbols()
    found = set()
    for symbol in symbols.get(word, ()):
        nickname = not symbol.startswith("Q")
        for other in words_of[symbol]:
            if other != word and (nickname or min(len(word), len(other)) >= SHORTEST_VARIANT):
                found.add(other)
    return frozenset(found)


#: the h of kh, sh, th, dh, gh, zh: one Arabic letter written with two Latin ones
DIGRAPH_H = re.compile(r"(?<=[kstdgz])h")


@functools.lru_cache(maxsize=1 << 16)
def consonants(word: str) -> str:
    """A word's consonant skeleton, as an abjad writes it: 'hussein' and 'hsyn' -> 'hsn'."""
    word = DIGRAPH_H.sub("", word).replace("q", "k").replace("c", "k")
    # a word's first vowel is written (alif): 'ahsan' is not 'hsn'
    head = "a" if word and word[0] in "aeiou" else ""
    # and so is a final long i ('علي' -> 'aly', as Ali; 'آل' -> 'al' is another word)
    tail = "y" if len(word) >= 2 and word[-1] in "iy" else ""
    word = head + re.sub(r"[aeiouyw']", "", word) + tail
    return re.sub(r"(.)\1+", r"\1", word)


@functools.lru_cache(maxsize=1 << 16)
def vowelled_gaps(word: str) -> frozenset[int]:
    """Where a word writes a vowel between its consonants: 0 before the first,
    1 after it, and so on ('hsyn' -> {2}, 'hisn' -> {1}, 'hussein' -> {1, 2}).
    An abjad leaves short vowels out but writes the long ones (ي, و, ا), so a
    Latin spelling of the same name has a vowel wherever the abjad has one:
    'hisn' (حصن, a fort) has the consonants of 'hsyn' (حسين) but not its long i."""
    word = DIGRAPH_H.sub("", word)
    gaps, gap = set(), 0
    for index, letter in enumerate(word):
        if letter in "aeiouyw'":
            gaps.add(gap)
        elif index == 0 or letter != word[index - 1]:  # a doubled consonant is one
            gap += 1
    return frozenset(gaps)


#: Hebrew and Arabic letters (with their presentation forms): scripts that leave most vowels unwritten
ABJAD = re.compile(r"[\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
#: Hangul, kana and Han: scripts whose characters, not their romanisation, tell two names apart
IDEOGRAPHS = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


@functools.lru_cache(maxsize=65536)
def ideographs(text: str) -> str:
    """The Han, kana and Hangul characters of a name, Han in simplified form
    (華為 and 华为 are one name written two ways)."""
    found = "".join(IDEOGRAPHS.findall(text))
    return traditional_to_simplified(found) if found else ""


@functools.cache
def _simplifier():
    import icu

    return icu.Transliterator.createInstance("Traditional-Simplified")


def traditional_to_simplified(text: str) -> str:
    return _simplifier().transliterate(text)
