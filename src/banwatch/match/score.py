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
  from rigour's name table via given_names.tsv): 0.9.
Words weigh by rarity, legal forms (AO, LLC, GmbH) a fifth of that (the
index's `scaled_weights`): recognised, never deciding. Number words ('7', '2021') must be equal: in a
vessel's name a different number is a different ship.
"""

from __future__ import annotations

import functools

from rapidfuzz.distance import OSA, JaroWinkler

from banwatch.match.index import IndexedName
from banwatch.match.normalise import name_variants
from banwatch.model import WordMatch

QUERY_SHARE = 0.6
SOUND_SIMILARITY, SOUND_FLOOR = 0.9, 0.80
TYPO_FLOOR, TYPO_PENALTY = 0.88, 0.05
INITIAL_SIMILARITY = 0.7
MIN_TYPO_LENGTH = 5
EDIT_SIMILARITY = 0.85
#: another form of the same given name ('Bill' for 'William', 'Iosif' for 'Joseph')
NAME_VARIANT_SIMILARITY = 0.9
#: legal forms that are one form written two ways (rigour keeps them apart)
LEGAL_CANON = {"company": "co", "corporation": "corp", "incorporated": "inc", "limited": "ltd", "ltda": "ltd",
               "limitada": "ltd", "private": "pte", "compania": "cia"}


@functools.lru_cache(maxsize=1 << 18)  # the same word pairs recur across candidates and queries
def word_similarity(query: str, query_sound: str, listed: str, listed_sound: str,
                    person: bool) -> tuple[float, str]:
    if query == listed:
        return 1.0, "same"
    if query.isdigit() or listed.isdigit():
        return 0.0, ""
    if LEGAL_CANON.get(query, query) == LEGAL_CANON.get(listed, listed):
        return 1.0, "same legal form"
    if person and len(query) == 1 and listed.startswith(query):
        return INITIAL_SIMILARITY, "initial"
    if person and len(listed) == 1 and query.startswith(listed):
        return INITIAL_SIMILARITY, "initial"
    if sorted((len(query), len(listed))) == [3, 4] and query.isalpha() and listed.isalpha() \
            and OSA.distance(query, listed, score_cutoff=1) <= 1:  # a letter dropped: 'geb' for 'gleb'
        return EDIT_SIMILARITY - 0.05, "typo"
    if len(query) < 3 or len(listed) < 3:
        return 0.0, ""
    similarity = JaroWinkler.similarity(query, listed)
    if query_sound and query_sound == listed_sound and similarity >= SOUND_FLOOR:
        return max(SOUND_SIMILARITY, similarity - TYPO_PENALTY), "sounds alike"
    # Jaro-Winkler typos need five letters on both sides; shorter words go by edit count below.
    if similarity >= TYPO_FLOOR and min(len(query), len(listed)) >= MIN_TYPO_LENGTH:
        return similarity - TYPO_PENALTY, "typo"
    # Jaro-Winkler misses a typo near the start of a short word ('bhmad', 'zafir'): count edits
    # (a swap is one), one in a word of 4+ letters, two in a word of 8+.
    shortest = min(len(query), len(listed))
    limit = 2 if shortest >= 8 else 1 if shortest >= 4 else 0
    if limit and query.isalpha() and listed.isalpha():
        edits = OSA.distance(query, listed, score_cutoff=limit)
        if edits <= limit:
            return EDIT_SIMILARITY - 0.05 * (edits - 1), "typo"
    if person and listed in name_variants(query):
        return NAME_VARIANT_SIMILARITY, "same name"
    return 0.0, ""


def compare(tokens: tuple[str, ...], sounds: tuple[str, ...], query_weights: list[float],
            listed: IndexedName, person: bool) -> tuple[float, list[tuple]]:
    """(name score in [0, 1], the word pairs as tuples) for a query name against
    `listed`. Tuples, not models: most candidates are discarded, and building a
    pydantic model per pair would cost more than the scoring (see `word_matches`)."""
    listed_w = listed.weights
    pairs: list[tuple[float, int, int, str]] = []
    for i, (query_word, query_sound) in enumerate(zip(tokens, sounds, strict=True)):
        for j, (listed_word, listed_sound) in enumerate(zip(listed.tokens, listed.sounds, strict=True)):
            similarity, how = word_similarity(query_word, query_sound, listed_word, listed_sound, person)
            if similarity > 0:
                pairs.append((similarity, i, j, how))
    pairs.sort(key=lambda pair: (-pair[0], pair[1], pair[2]))  # best pairs first, each word used once
    used_query: dict[int, tuple[float, int, str]] = {}
    used_listed: set[int] = set()
    for similarity, i, j, how in pairs:
        if i not in used_query and j not in used_listed:
            used_query[i] = (similarity, j, how)
            used_listed.add(j)

    query_total, listed_total = sum(query_weights), sum(listed_w)
    query_matched = listed_matched = 0.0
    evidence: list[tuple] = []
    for i, word in enumerate(tokens):
        if i in used_query:
            similarity, j, how = used_query[i]
            query_matched += similarity * query_weights[i]
            listed_matched += similarity * listed_w[j]
            evidence.append((word, listed.tokens[j], how, similarity, query_weights[i]))
        else:
            evidence.append((word, None, "missing from the listed name", 0.0, query_weights[i]))
    for j, word in enumerate(listed.tokens):
        if j not in used_listed:
            evidence.append((None, word, "missing from the query", 0.0, listed_w[j]))
    if query_total == 0 or listed_total == 0:
        return 0.0, evidence
    score = QUERY_SHARE * query_matched / query_total + (1 - QUERY_SHARE) * listed_matched / listed_total
    return min(score, 1.0), evidence


def word_matches(evidence: list[tuple]) -> list[WordMatch]:
    return [WordMatch(query=query, listed=listed, how=how, similarity=round(similarity, 3), weight=round(weight, 2))
            for query, listed, how, similarity, weight in evidence]
