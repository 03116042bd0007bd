"""Score one query name against one listed name, word by word, and keep the
evidence: which query word met which listed word, how, and how much it counts.

The name score is the weighted share of words that found a partner, counted
from both sides: 60% the query's words, 40% the listed name's. So a dropped
middle name costs a little and an extra, unknown word costs more. Each pair
counts by its similarity (`words.word_similarity`); two words written as one
on the other side ('Good Will'/'Goodwill') are merged first.
And some differences contradict the name, whatever the other words: numbers
that differ ('II'/'III'), an initial no given name fits, the names around a
bin/ibn swapped, a different character in two names both written in Han.
Words weigh by rarity, legal forms (AO, LLC, GmbH) a fifth of that (the
index's `scaled_weights`): recognised, never deciding. Every figure is in
`config.SCORING`.
"""

from __future__ import annotations

import unicodedata
from difflib import SequenceMatcher

from banwatch.match.config import SCORING
from banwatch.match.index import IndexedName, NameKey
from banwatch.match.words import number_of, word_similarity
from banwatch.model import WordMatch

#: the particles of an Arabic patronymic chain: 'X bin Y' is X, son of Y
CHAIN = {"bin", "ibn", "ben", "bint"}


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


def compare(query: NameKey, query_weights: list[float], listed: IndexedName, person: bool,
            least: float = 0.0) -> tuple[float, list[tuple], list[str]]:
    """(name score in [0, 1], the word pairs as tuples, the conflicts found) for a
    query name against `listed`. Tuples, not models: most candidates are discarded,
    and building a pydantic model per pair would cost more than the scoring (see
    `word_matches`). A score below `least` before its conflicts (which only lower
    it) comes back alone, without the pairs and conflicts nobody will read."""
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
    if query_total == 0 or listed_total == 0:
        return 0.0, [], []
    query_matched = listed_matched = 0.0
    for i in sorted(used_query):  # in the query's order, as the evidence lists them
        similarity, j, _how = used_query[i]
        query_matched += similarity * query_weights[i]
        listed_matched += similarity * listed_w[j]
    score = config.query_share * query_matched / query_total + (1 - config.query_share) * listed_matched / listed_total
    if score < least:
        return score, [], []
    evidence: list[tuple] = []
    for i, word in enumerate(tokens):
        if i in used_query:
            similarity, j, how = used_query[i]
            if merged and (word not in query.tokens or listed_tokens[j] not in listed.tokens):
                how = f"{how}, written as one word" if how != "same" else "written as one word"
            evidence.append((word, listed_tokens[j], how, similarity, query_weights[i]))
        else:
            evidence.append((word, None, "missing from the listed name", 0.0, query_weights[i]))
    for j, word in enumerate(listed_tokens):
        if j not in used_listed:
            evidence.append((None, word, "missing from the query", 0.0, listed_w[j]))
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
