"""The screening index: every name of every listed entity, reachable from its
words, so that a query is scored against a small candidate set rather than
against the whole of every list (moov-io/watchman's lesson).

The ways in, from cheapest to most forgiving:
- the exact word ('tikhonov');
- the word's sound (metaphone: 'mohammed' and 'muhammad' are both MHMT);
- for a word the lists do not have, or that only a few names have (it may be
  a typo in the list itself), its near words: one edit away through a
  deletion index (SymSpell), two for long words through shared trigrams. This
  is the recall-safe fallback for 'Tihonov', 'Kasperksy' or 'Cihn';
- for such a word, other forms of the same given name ('bill' -> 'william').

Rare words weigh more than common ones (inverse document frequency), so
'Tikhonov' finds its entity while 'Andrei' alone does not drag in every Andrei;
and a name is scored only if it could still reach the threshold (`candidates`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz.distance import OSA
from rigour.names import replace_org_types_compare

from banwatch.match.normalise import is_legal_form, name_variants, phonetic, words
from banwatch.model import EntityType, ListedEntity, NameKind

#: candidates scored per query: the best by shared-word weight. Far more than a
#: screener ever shows, so the cut only drops candidates that could not win.
MAX_CANDIDATES = 250
#: a word found in more names than this share is too common to find candidates
#: by (legal forms, 'al', 'bin', ...); it still counts when scoring.
COMMON_SHARE = 0.02
#: how much a legal form (AO, LLC, GmbH) weighs against an ordinary word of the same rarity
LEGAL_FORM_FACTOR = 0.2
#: query words whose lookups are remembered before the memory starts afresh
#: (a few hundred bytes each: tens of MB at most per process)
WORDS_REMEMBERED = 100_000
#: a word in at most this many names may be a typo in the lists themselves, or a name form they
#: spell otherwise: its near words and name forms are looked up too
RARE_POSTINGS = 25
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
    # set once the index knows every word's rarity:
    weights: tuple[float, ...] = ()  # per token
    total: float = 1.0  # of the weights
    peak: float = 0.0  # the heaviest word's weight


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
    spelled = tuple(LONG_FORMS.get(word, word) for word in words(text))
    collapsed = replace_org_types_compare(" ".join(spelled))
    if collapsed != " ".join(spelled):
        shorter = words(collapsed)
        if len(shorter) < len(spelled):  # a legal form of several words became one
            spelled = shorter
    tokens = tuple(PARTICLES.get(token, token) for token in spelled)[:LONGEST_NAME]
    return tokens, tuple(phonetic(token) for token in tokens), tuple(is_legal_form(token) for token in tokens)


def identifier_key(value: str) -> str:
    return "".join(char for char in value.upper() if char.isalnum())


def deletions(word: str) -> set[str]:
    """`word` with one letter dropped, every way."""
    return {word[:i] + word[i + 1:] for i in range(len(word))}


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
    by_deletion: dict[str, list[str]] = field(default_factory=dict)  # a word less a letter -> vocabulary words
    weights: dict[str, float] = field(default_factory=dict)
    default_weight: float = 1.0  # of a word the lists do not have: as rare as the rarest
    _lookups: dict[str, tuple[np.ndarray, frozenset[str]]] = field(default_factory=dict, repr=False)

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
        for position, name in enumerate(index.names):
            weights = index.scaled_weights(name.tokens, name.legal)
            index.names[position] = IndexedName(name.entity, name.text, name.kind, name.tokens, name.sounds,
                                                name.legal, weights, sum(weights) or 1.0, max(weights))
        by_trigram: dict[str, list[str]] = defaultdict(list)
        for token in index.by_token:
            if len(token) >= 4:
                for gram in trigrams(token):
                    by_trigram[gram].append(token)
        index.by_trigram = dict(by_trigram)
        by_deletion: dict[str, list[str]] = defaultdict(list)
        for token in index.by_token:
            if 4 <= len(token) <= 8:  # the near words of query words of 3 to 7 letters
                for shorter in deletions(token):
                    by_deletion[shorter].append(token)
        index.by_deletion = dict(by_deletion)
        return index

    def scaled_weights(self, tokens: tuple[str, ...], legal: tuple[bool, ...]) -> tuple[float, ...]:
        """Each word's weight in a name: its rarity, a fifth of it for a legal form
        (recognised, never deciding)."""
        rarity, unknown = self.weights.get, self.default_weight
        return tuple(rarity(token, unknown) * (LEGAL_FORM_FACTOR if is_legal else 1.0)
                     for token, is_legal in zip(tokens, legal, strict=True))

    def near_words(self, token: str) -> list[str]:
        """Words of the lists one edit from `token` (a letter dropped, added,
        changed or two swapped), two edits for a word of 8+ letters; for a
        3-letter word, the 4-letter words with one more letter ('geb' ->
        'gleb'). These are the typos `score.word_similarity` accepts by edit
        count, so a name reached through them can score as a typo."""
        if len(token) < 3:
            return []
        if len(token) < 8:
            # Symmetric deletion (SymSpell): two words one edit apart share a
            # one-letter deletion, or one is a deletion of the other. Exact where
            # trigrams miss a swap in a short word ('cihn'/'chin').
            found = set(self.by_deletion.get(token, ()))
            for shorter in deletions(token):
                found.update(self.by_deletion.get(shorter, ()))
                if shorter in self.by_token:
                    found.add(shorter)
            return sorted(word for word in found
                          if word != token and (len(token) >= 4 or len(word) == 4)
                          and OSA.distance(token, word, score_cutoff=1) <= 1)
        counts: dict[str, int] = defaultdict(int)
        grams = trigrams(token)
        for gram in grams:
            for word in self.by_trigram.get(gram, ()):
                counts[word] += 1
        need = max(1, len(grams) - 4 * 2)  # an edit breaks at most four trigrams (a swap does)
        return [word for word, shared in counts.items()
                if shared >= need and OSA.distance(token, word, score_cutoff=2) <= 2]

    def lookups(self, token: str, sound: str) -> tuple[np.ndarray, frozenset[str]]:
        """The names holding `token` or a word that sounds like it and, for a
        word at most RARE_POSTINGS names hold, a typo of it or another form of
        the same given name, as an array of name positions; and those typos
        and name forms.
        Remembered per word: customers' names repeat, and the typo search was
        half the time of screening a name the lists do not have."""
        known = self._lookups.get(token)
        if known is not None:
            return known
        postings = self.by_token.get(token, [])
        found: set[int] = set(postings)
        if sound:  # a sound shared by too many names is cut: it would find everyone
            found.update(self.by_sound.get(sound, ())[: int(COMMON_SHARE * len(self.names)) + 1])
        # A word few names hold may be a typo in the lists themselves ('mohmed'), or a form of a
        # name they spell otherwise ('bill' -> 'william'): its near words and name forms too. A
        # common word finds its names itself; its forms would only add candidates.
        near: frozenset[str] = frozenset()
        if len(postings) <= RARE_POSTINGS:
            near = frozenset(self.near_words(token)) | {w for w in name_variants(token) if w in self.by_token}
        for word in near:
            found.update(self.by_token[word])
        result = np.fromiter(found, dtype=np.int32, count=len(found)), near
        if len(self._lookups) > WORDS_REMEMBERED:
            self._lookups.clear()
        self._lookups[token] = result
        return result

    def candidates(self, tokens: tuple[str, ...], sounds: tuple[str, ...], weights: list[float],
                   least_score: float = 0.0, query_share: float = 1.0) -> list[int]:
        """Names sharing a word, a sound or a near word with the query, the most
        promising first: by the query weight they share, a word met only by
        its sound or as a typo counting 0.9 (the same word first).

        A name is dropped when even a perfect match of every word that reached
        it could not bring its name score (`query_share` of the query's weight
        matched plus the rest of the listed name's) up to `least_score`:
        - on the query side, the weight of the query words that reached it,
          plus the common words, which find no names but may match when scored;
        - on the listed side, a query word the name holds as such weighs what
          it weighs in the query; one that reached it by sound or as a typo
          counts as the name's heaviest word, since which listed word it will
          meet is not known yet.
        Nine in ten names a random customer name reaches share only a first
        name and are dropped here, before any word is compared.

        The query side is summed over an array of all names (numpy), not in a
        Python loop per posting: a common sound reaches hundreds of names."""
        common = COMMON_SHARE * len(self.names)
        reached: list[tuple[str, str, float, np.ndarray, frozenset[str]]] = []
        always, always_words = 0.0, 0
        for token, sound, weight in zip(tokens, sounds, weights, strict=True):
            postings = self.by_token.get(token)
            if postings is not None and len(postings) > common:
                always += weight
                always_words += 1
            else:
                reached.append((token, sound, weight, *self.lookups(token, sound)))
        if not reached and always:  # only common words ("Bank of China"): use them after all
            reached = [(token, "", weight, np.array(self.by_token.get(token, []), dtype=np.int32), frozenset())
                       for token, weight in zip(tokens, weights, strict=True)]
            always, always_words = 0.0, 0
        reach = np.zeros(len(self.names))
        for _token, _sound, weight, ids, _near in reached:
            reach[ids] += weight
        total = sum(weights) or 1.0
        # the query weight a name must reach even if its listed side matched wholly
        need = (least_score - (1 - query_share)) * total / query_share - always
        ids = np.flatnonzero(reach >= need if need > 0 else reach > 0)
        kept: list[tuple[float, int]] = []
        for name_id, query_reach in zip(ids.tolist(), reach[ids].tolist(), strict=True):
            name = self.names[name_id]
            listed_reach = always_words * name.peak
            likely = query_reach  # for the ranking: a word met by sound or as a typo counts 0.9
            for token, sound, weight, _ids, near in reached:
                if token in name.tokens:
                    listed_reach += weight
                elif (sound and sound in name.sounds) or not near.isdisjoint(name.tokens):
                    listed_reach += name.peak
                    likely -= 0.1 * weight
            best = (query_share * (query_reach + always) / total
                    + (1 - query_share) * min(listed_reach / name.total, 1.0))
            if best >= least_score:
                kept.append((-likely, name_id))
        kept.sort()
        return [name_id for _reach, name_id in kept[:MAX_CANDIDATES]]

    def entities_with_identifier(self, value: str) -> list[int]:
        return self.by_identifier.get(identifier_key(value), [])
