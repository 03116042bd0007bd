"""Score one query name against one listed name, word by word, and keep the
evidence: which query word met which listed word, how, and how much it counts.

The name score is the weighted share of words that found a partner, counted
from both sides: 60% the query's words, 40% the listed name's. So a dropped
middle name costs a little and an extra, unknown word costs more. Each pair
counts by its similarity:
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
  written two ways ('III'/'3'); two words written as one ('Good Will'/'Goodwill');
- written in an abjad (Arabic, Hebrew) without vowels, the same consonants
  ('hsyn'/'Hussein').
Some near words are other words, and score below a typo: a plural in a
company's name ('Trusts'/'Trust'), a Russian surname in the other gender's
form ('Baranova'/'Baranov'), a Chinese syllable one sound off ('Jian'/'Jiang').
And some differences contradict the name, whatever the other words: numbers
that differ ('II'/'III'), an initial no given name fits, the names around a
bin/ibn swapped, a different character in two names both written in Han.
Words weigh by rarity, legal forms (AO, LLC, GmbH) a fifth of that (the
index's `scaled_weights`): recognised, never deciding. Every figure is in
`config.SCORING`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from difflib import SequenceMatcher
from pathlib import Path

from rapidfuzz.distance import OSA, JaroWinkler

from banwatch.match.config import SCORING
from banwatch.match.index import IndexedName, NameKey
from banwatch.match.name_forms import abbreviation_of, numeral_value
from banwatch.match.normalise import consonants, name_variants
from banwatch.model import WordMatch

#: legal forms that are one form written two ways (rigour keeps them apart)
LEGAL_CANON = {"company": "co", "corporation": "corp", "incorporated": "inc", "limited": "ltd", "ltda": "ltd",
               "limitada": "ltd", "private": "pte", "compania": "cia"}
#: Russian and Ukrainian surname and patronymic endings: (masculine, feminine)
GENDER_ENDINGS = (("ovich", "ovna"), ("evich", "evna"), ("skiy", "skaya"), ("sky", "skaya"), ("skyi", "ska"),
                  ("iy", "aya"), ("yy", "aya"), ("ov", "ova"), ("ev", "eva"), ("yov", "yova"), ("in", "ina"),
                  ("yn", "yna"))
#: the particles of an Arabic patronymic chain: 'X bin Y' is X, son of Y
CHAIN = {"bin", "ibn", "ben", "bint"}
PINYIN = Path(__file__).with_name("pinyin.txt")


@functools.cache
def pinyin_syllables() -> frozenset[str]:
    return frozenset(line for line in PINYIN.read_text(encoding="utf-8").splitlines() if line and line[0] != "#")


def other_syllable(a: str, b: str) -> bool:
    """'jian'/'jiang', 'shen'/'sen': two Mandarin syllables one sound apart."""
    syllables = pinyin_syllables()
    if a not in syllables or b not in syllables:
        return False
    short, long = sorted((a, b), key=len)
    if long == short + "g":
        return True
    return any(long.startswith(retroflex) and short == plain + long[len(retroflex):]
               for plain, retroflex in (("z", "zh"), ("s", "sh"), ("c", "ch")))


def other_gender(a: str, b: str) -> bool:
    """'baranova'/'baranov', 'ivanovna'/'ivanovich': one name, the other gender's form."""
    for masculine, feminine in GENDER_ENDINGS:
        for x, y in ((a, b), (b, a)):
            if x.endswith(masculine) and y.endswith(feminine) and x[: -len(masculine)] == y[: -len(feminine)] \
                    and len(x) - len(masculine) >= 3:
                return True
    return False


def number_of(token: str, person: bool) -> int | None:
    """The number a word writes: '3', and in other names than persons' 'III' or
    '3rd' ('XI' and 'V' are also a Chinese surname and an initial)."""
    if token.isdigit():
        return int(token)
    return None if person else numeral_value(token)


def plural(a: str, b: str) -> bool:
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and long == short + "s" and not short.endswith("s")


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
    if sorted((len(query), len(listed))) == [3, 4] and query.isalpha() and listed.isalpha() \
            and OSA.distance(query, listed, score_cutoff=1) <= 1:  # a letter dropped: 'geb' for 'gleb'
        return config.edit_similarity - 0.05, "typo"
    if abjad and len(query) >= 2 and len(listed) >= 2:
        query_consonants, listed_consonants = consonants(query), consonants(listed)
        if len(query_consonants) >= 2 and query_consonants == listed_consonants:
            return config.consonant_similarity, "same consonants"
        if min(len(query_consonants), len(listed_consonants)) >= 4 and \
                OSA.distance(query_consonants, listed_consonants, score_cutoff=1) <= 1:
            return config.consonant_similarity - 0.05, "same consonants but one"
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
    if person and listed in name_variants(query):
        return config.name_variant_similarity, "same name"
    return 0.0, ""


def joined(tokens: tuple[str, ...], weights: list[float], other: set[str]) -> tuple[tuple[str, ...], list[float]]:
    """Neighbouring words written as one on the other side ('good will' against
    'goodwill') merged into that one word, their weights summed."""
    if len(tokens) < 2:
        return tokens, weights
    out, out_weights, i = [], [], 0
    while i < len(tokens):
        if i + 1 < len(tokens) and tokens[i] + tokens[i + 1] in other and tokens[i] not in other:
            out.append(tokens[i] + tokens[i + 1])
            out_weights.append(weights[i] + weights[i + 1])
            i += 2
        else:
            out.append(tokens[i])
            out_weights.append(weights[i])
            i += 1
    return tuple(out), out_weights


def chain_links(tokens: tuple[str, ...]) -> set[tuple[str, str]]:
    """(son, father) of every 'X bin Y' in a name."""
    return {(tokens[i - 1], tokens[i + 1]) for i in range(1, len(tokens) - 1) if tokens[i] in CHAIN}


def compare(query: NameKey, query_weights: list[float], listed: IndexedName, person: bool) -> tuple[float, list[tuple], list[str]]:
    """(name score in [0, 1], the word pairs as tuples, the conflicts found) for a
    query name against `listed`. Tuples, not models: most candidates are discarded,
    and building a pydantic model per pair would cost more than the scoring (see
    `word_matches`)."""
    config = SCORING
    tokens, listed_tokens, listed_w = query.tokens, listed.tokens, list(listed.weights)
    query_set, listed_set = set(tokens), set(listed_tokens)
    sounds, listed_sounds = query.sounds, listed.sounds
    merged = False
    if len(tokens) != len(listed_tokens) or query_set != listed_set:
        new_tokens, new_weights = joined(tokens, query_weights, listed_set)
        new_listed, new_listed_w = joined(listed_tokens, listed_w, query_set)
        if new_tokens != tokens or new_listed != listed_tokens:
            merged = True
            tokens, query_weights, listed_tokens, listed_w = new_tokens, new_weights, new_listed, new_listed_w
            sounds = tuple(query.sounds[query.tokens.index(t)] if t in query.tokens else "" for t in tokens)
            listed_sounds = tuple(listed.sounds[listed.tokens.index(t)] if t in listed.tokens else ""
                                  for t in listed_tokens)
    abjad = query.abjad or listed.abjad
    pairs: list[tuple[float, int, int, str]] = []
    for i, (query_word, query_sound) in enumerate(zip(tokens, sounds, strict=True)):
        for j, (listed_word, listed_sound) in enumerate(zip(listed_tokens, listed_sounds, strict=True)):
            similarity, how = word_similarity(query_word, query_sound, listed_word, listed_sound, person, abjad)
            if similarity > 0:
                pairs.append((similarity, i, j, how))
    pairs.sort(key=lambda pair: (-pair[0], pair[1], pair[2]))  # best pairs first, each word used once
    used_query: dict[int, tuple[float, int, str]] = {}
    used_listed: dict[int, int] = {}
    for similarity, i, j, how in pairs:
        if i not in used_query and j not in used_listed:
            used_query[i] = (similarity, j, how)
            used_listed[j] = i

    query_total, listed_total = sum(query_weights), sum(listed_w)
    query_matched = listed_matched = 0.0
    evidence: list[tuple] = []
    for i, word in enumerate(tokens):
        if i in used_query:
            similarity, j, how = used_query[i]
            query_matched += similarity * query_weights[i]
            listed_matched += similarity * listed_w[j]
            if merged and (word not in query.tokens or listed_tokens[j] not in listed.tokens):
                how = f"{how}, written as one word" if how != "same" else "written as one word"
            evidence.append((word, listed_tokens[j], how, similarity, query_weights[i]))
        else:
            evidence.append((word, None, "missing from the listed name", 0.0, query_weights[i]))
    for j, word in enumerate(listed_tokens):
        if j not in used_listed:
            evidence.append((None, word, "missing from the query", 0.0, listed_w[j]))
    if query_total == 0 or listed_total == 0:
        return 0.0, evidence, []
    score = config.query_share * query_matched / query_total + (1 - config.query_share) * listed_matched / listed_total
    conflicts = name_conflicts(tokens, listed_tokens, used_query, used_listed, person, query, listed)
    for factor, _why in conflicts:
        score *= factor
    return min(score, 1.0), evidence, [why for _factor, why in conflicts]


def name_conflicts(tokens: tuple[str, ...], listed_tokens: tuple[str, ...], used_query: dict, used_listed: dict,
                   person: bool, query: NameKey, listed: IndexedName) -> list[tuple[float, str]]:
    """What in the two names contradicts them being one name, each with its factor."""
    config = SCORING
    found: list[tuple[float, str]] = []
    unmatched_query = [t for i, t in enumerate(tokens) if i not in used_query]
    unmatched_listed = [t for j, t in enumerate(listed_tokens) if j not in used_listed]

    def number(token: str) -> bool:
        return number_of(token, person) is not None

    query_numbers = [t for t in unmatched_query if number(t)]
    listed_numbers = [t for t in unmatched_listed if number(t)]
    if query_numbers and listed_numbers:
        found.append((config.number_conflict,
                      f"number {query_numbers[0]} against {listed_numbers[0]} (x{config.number_conflict})"))
    if person:
        query_initials = [t for t in unmatched_query if len(t) == 1 and t.isalpha()]
        listed_words = [t for t in unmatched_listed if len(t) > 1 and t not in CHAIN]
        listed_initials = [t for t in unmatched_listed if len(t) == 1 and t.isalpha()]
        query_words = [t for t in unmatched_query if len(t) > 1 and t not in CHAIN]
        if (query_initials and listed_words) or (listed_initials and query_words):
            initial = (query_initials or listed_initials)[0]
            found.append((config.initial_conflict,
                          f"initial {initial.upper()}. fits no given name on the other side (x{config.initial_conflict})"))
        query_links, listed_links = chain_links(tokens), chain_links(listed_tokens)
        if query_links and listed_links and any((father, son) in listed_links and father != son
                                                for son, father in query_links):
            found.append((config.patronymic_conflict,
                          f"the names around bin/ibn are the other way round (x{config.patronymic_conflict})"))
    if query.ideographs and listed.ideographs and ideographs_kind(query.ideographs) == ideographs_kind(listed.ideographs):
        differing = characters_differing(query.ideographs, listed.ideographs)
        if differing:
            factor = config.script_character_conflict ** differing
            found.append((factor, f"{differing} character(s) differ in {query.ideographs} / {listed.ideographs} "
                                  f"(x{factor:.2f})"))
    return found


def ideographs_kind(text: str) -> str:
    """'hangul', 'kana' or 'han': which of them a name is written in (kana wins over Han)."""
    names = {unicodedata.name(char, "").split()[0] for char in text}
    return "hangul" if "HANGUL" in names else "kana" if names & {"HIRAGANA", "KATAKANA"} else "han"


def characters_differing(a: str, b: str) -> int:
    """Characters of the longer name not matched in order in the other ('高市早苗'/'高石早苗': 1)."""
    matched = sum(block.size for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    shorter = min(len(a), len(b))
    return shorter - matched


def word_matches(evidence: list[tuple]) -> list[WordMatch]:
    return [WordMatch(query=query, listed=listed, how=how, similarity=round(similarity, 3), weight=round(weight, 2))
            for query, listed, how, similarity, weight in evidence]
