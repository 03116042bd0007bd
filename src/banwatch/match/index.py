"""The screening index: every name of every listed entity, reachable from its
words, so that a query is scored against a small candidate set rather than
against the whole of every list (moov-io/watchman's lesson).

Three ways in, from cheapest to most forgiving:
- the exact word ('tikhonov');
- the word's sound (metaphone: 'mohammed' and 'muhammad' are both MHMT);
- for a word the lists do not have at all, words of the lists within a couple
  of typos (found through shared character trigrams). This is the recall-safe
  fallback for 'Tihonov' or 'Kasperksy'.

Rare words weigh more than common ones (inverse document frequency), so
'Tikhonov' finds its entity while 'Andrei' alone does not drag in every Andrei.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from banwatch.match.normalise import is_legal_form, phonetic, words
from banwatch.model import EntityType, ListedEntity, NameKind

#: candidates scored per query: the best by shared-word weight. Far more than a
#: screener ever shows, so the cut only drops candidates that could not win.
MAX_CANDIDATES = 250
#: a word found in more names than this share is too common to find candidates
#: by (legal forms, 'al', 'bin', ...); it still counts when scoring.
COMMON_SHARE = 0.02
#: names longer than this many words are cut: lists hold no such names, a query may
LONGEST_NAME = 24


@dataclass(frozen=True, slots=True)
class IndexedName:
    entity: int  # position in ScreeningIndex.entities
    text: str
    kind: NameKind
    tokens: tuple[str, ...]
    sounds: tuple[str, ...]
    legal: tuple[bool, ...]  # per token: a legal form (AO, LLC, GmbH ...)


@dataclass(frozen=True, slots=True)
class IndexedEntity:
    id: str
    source: str
    type: EntityType
    name: str
    countries: frozenset[str]
    birth_years: frozenset[int]
    identifiers: frozenset[str]  # normalised: upper case, letters and digits only
    programs: tuple[str, ...]
    measures: tuple[str, ...]


def name_key(text: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[bool, ...]]:
    tokens = words(text)[:LONGEST_NAME]
    return tokens, tuple(phonetic(token) for token in tokens), tuple(is_legal_form(token) for token in tokens)


def identifier_key(value: str) -> str:
    return "".join(char for char in value.upper() if char.isalnum())


def trigrams(token: str) -> set[str]:
    padded = f"^{token}$"
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


@dataclass
class ScreeningIndex:
    entities: list[IndexedEntity] = field(default_factory=list)
    names: list[IndexedName] = field(default_factory=list)
    by_token: dict[str, list[int]] = field(default_factory=dict)
    by_sound: dict[str, list[int]] = field(default_factory=dict)
    by_identifier: dict[str, list[int]] = field(default_factory=dict)  # -> entity positions
    by_trigram: dict[str, list[str]] = field(default_factory=dict)  # -> vocabulary words
    weights: dict[str, float] = field(default_factory=dict)
    default_weight: float = 1.0  # of a word the lists do not have: as rare as the rarest

    @classmethod
    def build(cls, entities: Iterable[ListedEntity], measures_of: dict[str, list[str]] | None = None
              ) -> ScreeningIndex:
        index = cls()
        measures_of = measures_of or {}
        seen: set[str] = set()
        by_token: dict[str, list[int]] = defaultdict(list)
        by_sound: dict[str, list[int]] = defaultdict(list)
        by_identifier: dict[str, list[int]] = defaultdict(list)
        for entity in entities:
            if entity.id in seen:  # the same entity loaded twice (e.g. an FtM export read back)
                continue
            seen.add(entity.id)
            position = len(index.entities)
            index.entities.append(IndexedEntity(
                id=entity.id, source=entity.source, type=entity.type, name=entity.name,
                countries=frozenset(entity.countries) | frozenset(entity.nationalities),
                birth_years=frozenset(int(date[:4]) for date in entity.birth_dates if date[:4].isdigit()),
                identifiers=frozenset(identifier_key(i.value) for i in entity.identifiers if len(i.value) >= 4),
                programs=tuple(entity.programs), measures=tuple(measures_of.get(entity.id, ()))))
            for identifier in index.entities[-1].identifiers:
                by_identifier[identifier].append(position)
            names = [(entity.name, NameKind.primary), *((a.name, a.kind) for a in entity.aliases)]
            unique: set[tuple[str, ...]] = set()
            for text, kind in names:
                tokens, sounds, legal = name_key(text)
                if not tokens or tokens in unique:
                    continue
                unique.add(tokens)
                name_id = len(index.names)
                index.names.append(IndexedName(position, text, kind, tokens, sounds, legal))
                for token in set(tokens):
                    by_token[token].append(name_id)
                for sound in set(sounds):
                    if sound:
                        by_sound[sound].append(name_id)
        index.by_token, index.by_sound, index.by_identifier = dict(by_token), dict(by_sound), dict(by_identifier)
        total = max(len(index.names), 1)
        index.weights = {token: math.log(1 + total / len(postings)) for token, postings in by_token.items()}
        index.default_weight = math.log(1 + total)
        by_trigram: dict[str, list[str]] = defaultdict(list)
        for token in index.by_token:
            if len(token) >= 4:
                for gram in trigrams(token):
                    by_trigram[gram].append(token)
        index.by_trigram = dict(by_trigram)
        return index

    def weight(self, token: str) -> float:
        return self.weights.get(token, self.default_weight)

    def near_words(self, token: str) -> list[str]:
        """Words of the lists within a typo or two of `token` (len >= 4)."""
        if len(token) < 4:
            return []
        counts: dict[str, int] = defaultdict(int)
        grams = trigrams(token)
        for gram in grams:
            for word in self.by_trigram.get(gram, ()):
                counts[word] += 1
        limit = 1 if len(token) < 8 else 2
        need = max(1, len(grams) - 3 * limit)  # each edit breaks at most three trigrams
        return [word for word, shared in counts.items()
                if shared >= need and Levenshtein.distance(token, word, score_cutoff=limit) <= limit]

    def candidates(self, tokens: tuple[str, ...], sounds: tuple[str, ...]) -> list[int]:
        """Names sharing a word, a sound or a near word with the query, the
        most promising first (sum of the weights of what they share)."""
        common = COMMON_SHARE * len(self.names)
        score: dict[int, float] = defaultdict(float)
        rare_found = False
        for token, sound in zip(tokens, sounds, strict=True):
            weight = self.weight(token)
            postings = self.by_token.get(token)
            if postings is not None and len(postings) <= common:
                rare_found = True
                for name_id in postings:
                    score[name_id] += weight
            if sound:
                for name_id in self.by_sound.get(sound, ())[: int(common) + 1]:
                    score[name_id] += weight * 0.5
            if postings is None:  # not a word of the lists: look for its typos
                for near in self.near_words(token):
                    for name_id in self.by_token[near]:
                        score[name_id] += weight * 0.5
        if not rare_found and not score:  # only common words ("Bank of China"): use them after all
            for token in tokens:
                for name_id in self.by_token.get(token, ()):
                    score[name_id] += self.weight(token)
        ranked = sorted(score, key=score.__getitem__, reverse=True)
        return ranked[:MAX_CANDIDATES]

    def entities_with_identifier(self, value: str) -> list[int]:
        return self.by_identifier.get(identifier_key(value), [])
