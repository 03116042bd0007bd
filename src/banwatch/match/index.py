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

from rapidfuzz.distance import OSA
from rigour.names import replace_org_types_compare

from banwatch.match.normalise import is_legal_form, phonetic, words
from banwatch.model import EntityType, ListedEntity, NameKind

#: candidates scored per query: the best by shared-word weight. Far more than a
#: screener ever shows, so the cut only drops candidates that could not win.
MAX_CANDIDATES = 250
#: a word found in more names than this share is too common to find candidates
#: by (legal forms, 'al', 'bin', ...); it still counts when scoring.
COMMON_SHARE = 0.02
#: how much a legal form (AO, LLC, GmbH) weighs against an ordinary word of the same rarity
LEGAL_FORM_FACTOR = 0.2
#: query words whose near words are remembered before the memory starts afresh
NEAR_WORDS_REMEMBERED = 200_000
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
    weights: tuple[float, ...] = ()  # per token, set once the index knows every word's rarity


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


#: abbreviated legal forms written out, so that rigour's compare form collapses every
#: spelling of a form of several words ('joint stock co', 'joint-stock company') to one ('jsc')
LONG_FORMS = {"co": "company", "corp": "corporation", "inc": "incorporated", "ltd": "limited", "pte": "private",
              "coltd": "company limited", "cia": "compania", "ltda": "limitada"}
#: name particles of Arabic names written several ways
PARTICLES = {"el": "al", "ben": "bin", "ibn": "bin", "abou": "abu", "bou": "abu"}


def name_key(text: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[bool, ...]]:
    spelled = " ".join(LONG_FORMS.get(word, word) for word in words(text))
    collapsed = replace_org_types_compare(spelled)
    if len(words(collapsed)) < len(words(spelled)):  # a legal form of several words became one
        spelled = collapsed
    tokens = tuple(PARTICLES.get(token, token) for token in words(spelled))[:LONGEST_NAME]
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
    _near: dict[str, list[str]] = field(default_factory=dict, repr=False)  # near_words, remembered

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
        index.names = [IndexedName(n.entity, n.text, n.kind, n.tokens, n.sounds, n.legal,
                                   index.scaled_weights(n.tokens, n.legal)) for n in index.names]
        by_trigram: dict[str, list[str]] = defaultdict(list)
        for token in index.by_token:
            if len(token) >= 4:
                for gram in trigrams(token):
                    by_trigram[gram].append(token)
        index.by_trigram = dict(by_trigram)
        return index

    def weight(self, token: str) -> float:
        return self.weights.get(token, self.default_weight)

    def scaled_weights(self, tokens: tuple[str, ...], legal: tuple[bool, ...]) -> tuple[float, ...]:
        """Each word's weight in a name: its rarity, a fifth of it for a legal form
        (recognised, never deciding)."""
        return tuple(self.weight(token) * (LEGAL_FORM_FACTOR if is_legal else 1.0)
                     for token, is_legal in zip(tokens, legal, strict=True))

    def near_words(self, token: str) -> list[str]:
        """Words of the lists within a typo or two of `token` (len >= 4),
        remembered per word: customers' names repeat, and this lookup was half
        the time of screening a name the lists do not have."""
        if len(token) < 4:
            return []
        known = self._near.get(token)
        if known is not None:
            return known
        found = self._find_near_words(token)
        if len(self._near) > NEAR_WORDS_REMEMBERED:
            self._near.clear()
        self._near[token] = found
        return found

    def _find_near_words(self, token: str) -> list[str]:
        counts: dict[str, int] = defaultdict(int)
        grams = trigrams(token)
        for gram in grams:
            for word in self.by_trigram.get(gram, ()):
                counts[word] += 1
        limit = 1 if len(token) < 8 else 2
        need = max(1, len(grams) - 3 * limit)  # each edit breaks at most three trigrams
        return [word for word, shared in counts.items()
                if shared >= need and OSA.distance(token, word, score_cutoff=limit) <= limit]

    def candidates(self, tokens: tuple[str, ...], sounds: tuple[str, ...], weights: list[float],
                   least_share: float = 0.0) -> list[int]:
        """Names sharing a word, a sound or a near word with the query, the most
        promising first. Each query word counts its weight once per name. A name
        whose reachable share of the query's weight is under `least_share` is
        dropped: no scoring could bring it up to the threshold. Common words are
        not used to find names but are counted as reachable, since they may
        still match when scored."""
        common = COMMON_SHARE * len(self.names)
        reach: dict[int, float] = defaultdict(float)
        always = 0.0  # weight of common words: reachable by any candidate
        for token, sound, weight in zip(tokens, sounds, weights, strict=True):
            postings = self.by_token.get(token)
            if postings is not None and len(postings) > common:
                always += weight
                continue
            found: set[int] = set(postings or ())
            if sound:
                found.update(self.by_sound.get(sound, ())[: int(common) + 1])
            if postings is None:  # not a word of the lists: look for its typos
                for near in self.near_words(token):
                    found.update(self.by_token[near])
            for name_id in found:
                reach[name_id] += weight
        if not reach and always:  # only common words ("Bank of China"): use them after all
            for token, weight in zip(tokens, weights, strict=True):
                for name_id in self.by_token.get(token, ()):
                    reach[name_id] += weight
            always = 0.0
        total = sum(weights) or 1.0
        need = least_share * total - always
        ranked = sorted((name_id for name_id, weight in reach.items() if weight >= need),
                        key=reach.__getitem__, reverse=True)
        return ranked[:MAX_CANDIDATES]

    def entities_with_identifier(self, value: str) -> list[int]:
        return self.by_identifier.get(identifier_key(value), [])
