"""How two words compare: one query word against one listed word, with a
similarity and a name for how they met. Names are compared word by word from
these (`score.compare`); the index looks up the words the rules here pair a
word with (`ruled_forms`, `english_spelling`) and bounds each candidate with
`word_similarity` itself, so that pruning and scoring never disagree on which
words can meet.

A pair counts by its similarity:
- the same word: 1.0;
- sounds alike (same metaphone, Jaro-Winkler >= 0.80): 0.9;
- a typo: Jaro-Winkler >= 0.88 with both words of 5+ letters (its similarity
  less 0.05), or, where Jaro-Winkler misses a typo near a word's start
  ('bhmad'/'ahmad'), one edit in words of 4+ letters or two in words of 8+
  (0.85, 0.80); a letter dropped between a 3- and a 4-letter word ('geb' for
  'gleb') is 0.80, a resemblance for a reviewer rather than a match alone;
- the same legal form written two ways ('co'/'company', 'ltd'/'limited'): 1.0;
- an initial ('A.' for 'Andrei'): 0.7 for people;
- another form of the same name, for people ('Bill'/'William', 'Iosif'/'Joseph',
  from rigour's name table via given_names.tsv): 0.9;
- for companies, an abbreviated word ('Mgmt'/'Management'), the same number
  written two ways ('III'/'3');
- written in an abjad (Arabic, Hebrew) without vowels, the same consonants
  ('hsyn'/'Hussein');
- for people, a Russian or Ukrainian name romanised by German or Polish rules
  against English ones ('Walentinowitsch'/'Valentinovich'): 0.9.
Some near words are other words, and score below a typo: a plural in a
company's name ('Trusts'/'Trust'), a Russian surname in the other gender's
form ('Baranova'/'Baranov'), a Chinese syllable one sound off ('Jian'/'Jiang'),
and in a company's or a vessel's name two common English words that sound
alike ('Steal'/'Steel', 'Peer'/'Pier': wordfreq's frequencies; not persons'
names, which are spelled every way).
Every figure is in `config.SCORING`.
"""

from __future__ import annotations

import functools
import math
import re
from pathlib import Path

from rapidfuzz.distance import OSA, JaroWinkler

from banwatch.match.config import SCORING
from banwatch.match.name_forms import abbreviation_of, abbreviation_partners, numeral_value
from banwatch.match.normalise import consonants, name_symbols, name_variants, vowelled_gaps

#: legal forms that are one form written two ways (rigour keeps them apart)
LEGAL_CANON = {"company": "co", "corporation": "corp", "incorporated": "inc", "limited": "ltd", "ltda": "ltd",
               "limitada": "ltd", "private": "pte", "compania": "cia"}
#: Russian and Ukrainian surname and patronymic endings: (masculine, feminine)
GENDER_ENDINGS = (("ovich", "ovna"), ("evich", "evna"), ("skiy", "skaya"), ("sky", "skaya"), ("skyi", "ska"),
                  ("iy", "aya"), ("yy", "aya"), ("ov", "ova"), ("ev", "eva"), ("yov", "yova"), ("in", "ina"),
                  ("yn", "yna"))
PINYIN = Path(__file__).with_name("pinyin.txt")
RETROFLEX = (("z", "zh"), ("s", "sh"), ("c", "ch"))


@functools.cache
def pinyin_syllables() -> frozenset[str]:
    return frozenset(line for line in PINYIN.read_text(encoding="utf-8").splitlines() if line and line[0] != "#")


def syllable_forms(word: str) -> set[str]:
    """For a Mandarin syllable, the spellings one sound from it ('jian' -> 'jiang',
    'shen' -> 'sen'), syllables or not; for any other word, none."""
    if word not in pinyin_syllables():
        return set()
    forms = {word + "g"}
    if word.endswith("g"):
        forms.add(word[:-1])
    for plain, retroflex in RETROFLEX:
        if word.startswith(retroflex):
            forms.add(plain + word[len(retroflex):])
        elif word.startswith(plain):
            forms.add(retroflex + word[len(plain):])
    return forms


#: one vowel group between an onset and a coda, as a romanised Chinese, Korean or Vietnamese syllable is written
ONE_SYLLABLE = re.compile(r"[^aeiouy]*[aeiouy]+(?:ng|nh|n|m|h|p|t|k)?")


def one_syllable(word: str) -> bool:
    return ONE_SYLLABLE.fullmatch(word) is not None


def other_syllable(a: str, b: str) -> bool:
    """'jian'/'jiang', 'shen'/'sen': two Mandarin syllables one sound apart."""
    return b in pinyin_syllables() and b in syllable_forms(a)


def gender_forms(word: str) -> set[str]:
    """The other gender's forms of a Russian or Ukrainian surname or patronymic
    ('baranova' -> 'baranov', 'ivanovich' -> 'ivanovna'): a stem of 3+ letters."""
    return {word[: -len(ending)] + other for masculine, feminine in GENDER_ENDINGS
            for ending, other in ((masculine, feminine), (feminine, masculine))
            if word.endswith(ending) and len(word) - len(ending) >= 3}


def other_gender(a: str, b: str) -> bool:
    """'baranova'/'baranov', 'ivanovna'/'ivanovich': one name, the other gender's form."""
    return a[:3] == b[:3] and b in gender_forms(a)  # the stem test first: most pairs end there


#: how common, on wordfreq's Zipf scale (3: once per million words), both of two words
#: must be in English to be two words rather than one misspelt
COMMON_WORD_ZIPF = 3.0


@functools.cache
def english_frequencies() -> dict[str, float]:
    """wordfreq's English word frequencies, loaded once. Looked up directly:
    `zipf_frequency` tokenises and normalises every word it is given (some 50 µs),
    which the words here, lower-case tokens already, do not need."""
    from wordfreq import get_frequency_dict  # noqa: PLC0415 (its word lists load on first use)

    return get_frequency_dict("en")


def zipf(word: str) -> float:
    """A word's frequency on the Zipf scale, rounded as wordfreq's `zipf_frequency` rounds it."""
    if any(char.isdigit() for char in word):  # wordfreq folds digits together ('1963' counts as '0000')
        from wordfreq import zipf_frequency  # noqa: PLC0415

        return zipf_frequency(word, "en")
    frequency = english_frequencies().get(word, 0.0)
    return round(math.log10(frequency) + 9, 2) if frequency > 0 else 0.0


@functools.lru_cache(maxsize=1 << 17)
def common_word(word: str) -> bool:
    """A common word of English that is not a person's name (given_names.tsv:
    names are spelled every way, 'Jon'/'John')."""
    return len(word) >= 3 and zipf(word) >= COMMON_WORD_ZIPF and word not in name_symbols()[0]


def other_word(a: str, b: str) -> bool:
    """'steal'/'steel', 'planes'/'plains', 'see'/'sea': two different words, each
    common, so that one is not a misspelling of the other."""
    return a != b and common_word(a) and common_word(b)


#: a Cyrillic name as German and Polish write it, rewritten as English writes it
#: ('Walentinowitsch', 'Jakubec' -> 'valentinovich', 'yakubets'), in this order
ENGLISH_SPELLING = [(re.compile(pattern), replacement) for pattern, replacement in (
    (r"szcz", "shch"), (r"tsch", "ch"), (r"sch", "sh"), (r"cz|tch", "ch"), (r"sz", "sh"), (r"w", "v"),
    (r"x", "ks"), (r"j(?=[aeiou])|(?<=[aeiou])j$", "y"), (r"ec$", "ets"))]
#: what only German and Polish spellings have: without one of them a 'j' is left alone ('Juan' is not 'Yuan')
GERMAN_OR_POLISH = re.compile(r"sch|cz|sz|w|ec$|ij$")


@functools.lru_cache(maxsize=1 << 17)
def english_spelling(word: str) -> str:
    """`word` with German and Polish spellings of Russian and Ukrainian sounds
    written as English writes them. Two spellings of one name then come out the
    same ('Miroslaw Wladimirowitsch' / 'Miroslav Vladimirovich'); a rewrite,
    not a table, because these schemes spell every name by the same rules."""
    if not GERMAN_OR_POLISH.search(word):
        return word
    for pattern, replacement in ENGLISH_SPELLING:
        word = pattern.sub(replacement, word)
    return word


def number_of(token: str, person: bool) -> int | None:
    """The number a word writes: '3', and in other names than persons' 'III' or
    '3rd' ('XI' and 'V' are also a Chinese surname and an initial)."""
    if token.isdigit():
        return int(token)
    return None if person else numeral_value(token)


def plural(a: str, b: str) -> bool:
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and long == short + "s" and not short.endswith("s")


#: every spelling of each legal form LEGAL_CANON folds together
LEGAL_SPELLINGS: dict[str, frozenset[str]] = {
    canon: frozenset({canon, *(word for word, same in LEGAL_CANON.items() if same == canon)})
    for canon in set(LEGAL_CANON.values())}


def ruled_forms(word: str) -> frozenset[str]:
    """The words `word_similarity` pairs with `word` by a table or a rule rather
    than by its letters or sound: the legal form written otherwise, abbreviations,
    the other gender's form, plural and singular, the other Mandarin syllables.
    The index looks these up, so that its pruning knows every word a query word
    can meet (a superset: `word_similarity` decides)."""
    forms = set(LEGAL_SPELLINGS.get(LEGAL_CANON.get(word, word), ()))
    forms |= abbreviation_partners(word) | gender_forms(word) | syllable_forms(word)
    forms.add(word + "s")
    if word.endswith("s"):
        forms.add(word[:-1])
    forms.discard(word)
    return frozenset(forms)


@functools.lru_cache(maxsize=1 << 18)  # the same word pairs recur across candidates and queries
def word_similarity(query: str, query_sound: str, listed: str, listed_sound: str,
                    person: bool, abjad: bool = False) -> tuple[float, str]:
    config = SCORING
    if query == listed:
        return 1.0, "same"
    query_number, listed_number = number_of(query, person), number_of(listed, person)
    if query_number is not None and listed_number is not None:
        return (1.0, "same number") if query_number == listed_number else (0.0, "")
    if query.isdigit() or listed.isdigit():
        return 0.0, ""
    if LEGAL_CANON.get(query, query) == LEGAL_CANON.get(listed, listed):
        return 1.0, "same legal form"
    if person and len(query) == 1 and listed.startswith(query):
        return config.initial_similarity, "initial"
    if person and len(listed) == 1 and query.startswith(listed):
        return config.initial_similarity, "initial"
    if not person and (abbreviation_of(query, listed) or abbreviation_of(listed, query)):
        return config.abbreviation_similarity, "abbreviation"
    # near words that are other words: below a typo, a resemblance for a reviewer
    if person and other_gender(query, listed):
        return config.other_gender_similarity, "the other gender's form"
    if not person and plural(query, listed):
        return config.plural_similarity, "plural"
    if len(query) <= 6 and len(listed) <= 6 and other_syllable(query, listed):
        return config.syllable_similarity, "another syllable"
    if abjad and len(query) >= 2 and len(listed) >= 2:
        query_consonants, listed_consonants = consonants(query), consonants(listed)
        if len(query_consonants) >= 2 and query_consonants == listed_consonants:
            query_gaps, listed_gaps = vowelled_gaps(query), vowelled_gaps(listed)
            if query_gaps <= listed_gaps or listed_gaps <= query_gaps:
                return config.consonant_similarity, "same consonants"
            return 0.0, ""  # the same consonants, but a long vowel where the other has none
        short, long = sorted((query_consonants, listed_consonants), key=len)
        # not a name and its nisba ('Ahmad'/'Ahmadi', 'Hussein'/'Husseini'): another name
        if len(short) >= 4 and long != short + "y" and OSA.distance(short, long, score_cutoff=1) <= 1:
            return config.consonant_similarity - 0.05, "same consonants but one"
        if long == short + "y" and len(short) >= 3:
            return 0.0, ""  # nor by their sound, which does not hear the nisba's final i
    similarity, how = spelled_alike(query, query_sound, listed, listed_sound)
    if how == "sounds alike" and not person and other_word(query, listed):
        return config.other_word_similarity, "another word"  # a homophone, 'Steal'/'Steel': not a misspelling
    if similarity:
        return similarity, how
    if person and listed in name_variants(query):
        if one_syllable(query) and one_syllable(listed):
            # Chinese, Korean and Vietnamese family names are one character, which Wikidata's
            # name items group across languages ('Chen'/'Chan'/'Tran', 'Wang'/'Chung'): the
            # same character, perhaps, but a syllable alone says little about a person
            return config.syllable_variant_similarity, "the same character read in another language"
        return config.name_variant_similarity, "same name"
    if person and english_spelling(query) == english_spelling(listed):
        return config.romanisation_similarity, "another romanisation"
    return 0.0, ""


def spelled_alike(query: str, query_sound: str, listed: str, listed_sound: str) -> tuple[float, str]:
    """Two words that sound alike or are one typo apart, and how much."""
    config = SCORING
    if sorted((len(query), len(listed))) == [3, 4] and query.isalpha() and listed.isalpha() \
            and OSA.distance(query, listed, score_cutoff=1) <= 1:  # a letter dropped: 'geb' for 'gleb'
        return config.edit_similarity - 0.05, "typo"
    if len(query) < 3 or len(listed) < 3:
        return 0.0, ""
    similarity = JaroWinkler.similarity(query, listed)
    if query_sound and query_sound == listed_sound and similarity >= config.sound_floor:
        return max(config.sound_similarity, similarity - config.typo_penalty), "sounds alike"
    # A typo is at most one edit (a swap is one) in a word of 4+ letters, two in a word of 8+:
    # the near words the index looks up (`ScreeningIndex.near_words`), so that pruning never
    # drops a name a typo would have matched. Jaro-Winkler grades it where both words have
    # five letters; it misses a typo near the start of a short word ('bhmad', 'zafir').
    shortest = min(len(query), len(listed))
    limit = 2 if shortest >= 8 else 1 if shortest >= 4 else 0
    if limit and (query.isalpha() and listed.isalpha() or similarity >= config.typo_floor):
        edits = OSA.distance(query, listed, score_cutoff=limit)
        if edits <= limit:
            if similarity >= config.typo_floor and shortest >= config.min_typo_length:
                return similarity - config.typo_penalty, "typo"
            if query.isalpha() and listed.isalpha():
                return config.edit_similarity - 0.05 * (edits - 1), "typo"
    return 0.0, ""
