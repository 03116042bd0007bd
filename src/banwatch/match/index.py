"""The screening index: every name of every listed entity, reachable from its
words, so that a query is scored against a small candidate set rather than
against the whole of every list (moov-io/watchman's lesson).

A query word reaches every name holding a word it could meet when scored
(`lookups`), from cheapest to most forgiving:
- the exact word ('tikhonov');
- the word's sound (metaphone: 'mohammed' and 'muhammad' are both MHMT);
- its near words: one edit away through a deletion index (SymSpell), two for
  long words through shared trigrams: 'Tihonov', 'Kasperksy', 'Cihn', and
  the lists' own typos;
- other forms of the same given name ('bill' -> 'william'), and the words a
  table or rule pairs it with (legal forms, abbreviations, the other gender's
  form, plurals, Mandarin syllables, numbers);
- its consonant skeleton against names written in an abjad; initials.

Rare words weigh more than common ones (inverse document frequency), so
'Tikhonov' finds its entity while 'Andrei' alone does not drag in every Andrei;
and a name is scored only if it could still reach the threshold (`candidates`).
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA
from rigour.names import replace_org_types_compare

from banwatch.match.config import SCORING
from banwatch.match.name_forms import (
    annotations_removed,
    prepared,
    without_number_marks,
)
from banwatch.match.normalise import (
    ABJAD,
    consonants,
    ideographs,
    is_legal_form,
    name_variants,
    phonetic,
    words,
)
from banwatch.match.words import english_spelling, number_of, ruled_forms, spelled_alike, word_similarity
from banwatch.model import EntityType, ListedEntity, ListingEffect, NameKind

#: candidates scored per query: the best by shared-word weight. Far more than a
#: screener ever shows, so the cut only drops candidates that could not win.
MAX_CANDIDATES = 250
#: query words whose lookups are remembered before the memory starts afresh
#: (a few hundred bytes each, a common word's some kB: tens of MB at most per process)
WORDS_REMEMBERED = 100_000
EMPTY = np.zeros(0, dtype=np.int32)
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
    abjad: bool = False  # written in Arabic or Hebrew letters: vowels mostly unwritten
    ideographs: str = ""  # its Han, kana or Hangul characters, to compare in that script
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
    effects: tuple[ListingEffect, ...] = ()  # what the law makes of the listing (lists.legal_effects)


#: abbreviated legal forms written out, so that rigour's compare form collapses every
#: spelling of a form of several words ('joint stock co', 'joint-stock company') to one ('jsc')
LONG_FORMS = {"co": "company", "corp": "corporation", "inc": "incorporated", "ltd": "limited", "pte": "private",
              "coltd": "company limited", "cia": "compania", "ltda": "limitada"}
#: name particles of Arabic names written several ways
PARTICLES = {"el": "al", "ben": "bin", "ibn": "bin", "abou": "abu", "bou": "abu"}


@dataclass(frozen=True, slots=True)
class NameKey:
    """A name as the scorer reads it."""

    tokens: tuple[str, ...]
    sounds: tuple[str, ...]
    legal: tuple[bool, ...]
    abjad: bool = False
    ideographs: str = ""


def name_key(text: str, annotated: bool = False) -> NameKey:
    """The words of a name to score, without its vessel prefix and (unless
    `annotated`) its bracketed notes, appended port or former name; legal forms
    of several words collapsed to one, Arabic particles as one spelling."""
    text = prepared(text if annotated else annotations_removed(text))
    spelled = tuple(LONG_FORMS.get(word, word) for word in words(text))
    joined = " ".join(spelled)
    collapsed = replace_org_types_compare(joined)
    if collapsed != joined:
        shorter = words(collapsed)
        if len(shorter) < len(spelled):  # a legal form of several words became one
            spelled = shorter
    ascii_only = text.isascii()  # nearly every name: no Arabic or Hebrew letters, no ideographs
    abjad = not ascii_only and bool(ABJAD.search(text))
    if abjad:  # the article is written onto the word in Arabic: 'التكريتي' -> 'al' 'tkryty'
        spelled = tuple(part for word in spelled for part in
                        (("al", word[2:]) if word.startswith("al") and len(word) > 4 else (word,)))
    forms = [token_form(token) for token in without_number_marks(spelled)[:LONGEST_NAME]]
    return NameKey(tuple(form[0] for form in forms), tuple(form[1] for form in forms),
                   tuple(form[2] for form in forms), abjad, "" if ascii_only else ideographs(text))


@functools.lru_cache(maxsize=1 << 18)
def token_form(token: str) -> tuple[str, str, bool]:
    """(the word as scored, its sound, whether it is a legal form): the
    per-word part of `name_key`, remembered (names' words repeat far more than names)."""
    spelled = PARTICLES.get(token, token)
    return spelled, phonetic(spelled), is_legal_form(spelled)


def identifier_key(value: str) -> str:
    return "".join(char for char in value.upper() if char.isalnum())


def deletions(word: str) -> set[str]:
    """`word` with one letter dropped, every way."""
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def trigrams(token: str) -> set[str]:
    padded = f"^{token}$"
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


class Lookup(NamedTuple):
    """What one query word can meet in the lists (`ScreeningIndex.lookups`)."""

    ids: np.ndarray  # the names holding a word it may meet, as itself, by a typo, by sound or as an initial
    levels: np.ndarray  # per name of `ids`, the best similarity the word can reach in it
    split_ids: np.ndarray  # of `ids`, the names holding two words it runs together ('siemensag')
    meets: frozenset[str]  # the words it may meet other than by sound or as an initial, itself included
    parts: frozenset[str]  # the words it runs together: met as one, at 1


class Reached(NamedTuple):
    """A query word (or two written as one), its weight, and its `Lookup`'s
    fields (flat: `candidates` reads them for every name it bounds)."""

    positions: tuple[int, ...]  # in the query
    token: str
    sound: str
    weight: float
    ids: np.ndarray
    levels: np.ndarray
    split_ids: np.ndarray
    meets: frozenset[str]
    parts: frozenset[str]


class Skeletons:
    """Words by their consonant skeleton, as an abjad writes them, with a
    deletion index over the skeletons (SymSpell, as for words) to find those
    one edit apart ('same consonants but one')."""

    def __init__(self, words_of: dict[str, list[str]]):
        self.words_of = words_of
        by_deletion: dict[str, list[str]] = defaultdict(list)
        for skeleton in words_of:
            if len(skeleton) >= 4:
                for key in (skeleton, *deletions(skeleton)):
                    by_deletion[key].append(skeleton)
        self.by_deletion = dict(by_deletion)

    def words(self, skeleton: str) -> list[str]:
        """The words whose skeleton is `skeleton` or, for one of 4+ letters, one edit from it."""
        found = list(self.words_of.get(skeleton, ()))
        if len(skeleton) >= 4 and self.by_deletion:
            near = {other for key in (skeleton, *deletions(skeleton)) for other in self.by_deletion.get(key, ())}
            for other in near - {skeleton}:
                if len(other) >= 4 and OSA.distance(skeleton, other, score_cutoff=1) <= 1:
                    found.extend(self.words_of[other])
        return found


@dataclass
class ScreeningIndex:
    entities: list[IndexedEntity] = field(default_factory=list)
    names: list[IndexedName] = field(default_factory=list)
    by_token: dict[str, list[int]] = field(default_factory=dict)
    postings: dict[str, np.ndarray] = field(default_factory=dict)  # by_token as arrays
    words_by_sound: dict[str, list[str]] = field(default_factory=dict)  # a sound -> the words of it
    by_identifier: dict[str, list[int]] = field(default_factory=dict)  # -> entity positions
    long_words: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))  # the words of 4+ letters
    long_word_lengths: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int16))
    by_trigram: dict[str, np.ndarray] = field(default_factory=dict)  # -> positions in long_words
    by_deletion: dict[str, list[str]] = field(default_factory=dict)  # a word less a letter -> vocabulary words
    weights: dict[str, float] = field(default_factory=dict)
    numbers: dict[int, list[str]] = field(default_factory=dict)  # a number -> the words that write it
    by_english_spelling: dict[str, list[str]] = field(default_factory=dict)  # words.english_spelling -> words
    persons: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # per name: a person's
    # (a letter, persons' names only) -> the names with the letter as an initial, with a word it begins
    by_initial: dict[tuple[str, bool], tuple[int, ...]] = field(default_factory=dict)
    by_first_letter: dict[tuple[str, bool], tuple[int, ...]] = field(default_factory=dict)
    skeletons: Skeletons = field(default_factory=lambda: Skeletons({}))  # of every word
    abjad_skeletons: Skeletons = field(default_factory=lambda: Skeletons({}))  # of names in Arabic or Hebrew letters
    peaks: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per name: its heaviest word's weight
    totals: np.ndarray = field(default_factory=lambda: np.ones(0))  # per name: its words' weights summed
    default_weight: float = 1.0  # of a word the lists do not have: as rare as the rarest
    _lookups: dict[tuple[str, bool, bool], Lookup] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, entities: Iterable[ListedEntity], measures_of: dict[str, list[str]] | None = None,
              effects: Mapping[str, Sequence[ListingEffect]] | None = None) -> ScreeningIndex:
        """The index of `entities`; `measures_of` and `effects`: per entity id, the
        catalog measures naming it and the legal effects of its listing, given
        by the caller (banwatch.lists.legal_effects), which this layer does not read."""
        index = cls()
        measures_of = measures_of or {}
        effects = effects or {}
        seen: set[str] = set()
        by_token: dict[str, list[int]] = defaultdict(list)
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
                programs=tuple(entity.programs), measures=tuple(measures_of.get(entity.id, ())),
                effects=tuple(effects.get(entity.id, ()))))
            for identifier in index.entities[-1].identifiers:
                by_identifier[identifier].append(position)
            names = [(entity.name, NameKind.primary), *((a.name, a.kind) for a in entity.aliases)]
            unique: set[tuple[str, ...]] = set()
            # each name as written and without its annotations: a query 'Al-Qaida in Egypt' finds
            # the listed 'Al-Qaida in Egypt (AQE)', a query 'IRGC Qods Force' the whole of it
            for text, kind, annotated in ((t, k, a) for t, k in names for a in (True, False)):
                key = name_key(text, annotated)
                tokens, sounds = key.tokens, key.sounds
                if not tokens or tokens in unique:
                    continue
                unique.add(tokens)
                name_id = len(index.names)
                index.names.append(IndexedName(position, text, kind, tokens, sounds, key.legal, key.abjad,
                                               key.ideographs))
                for token in set(tokens):
                    by_token[token].append(name_id)
        index.by_token, index.by_identifier = dict(by_token), dict(by_identifier)
        index.postings = {token: np.array(ids, dtype=np.int32) for token, ids in by_token.items()}
        words_by_sound: dict[str, list[str]] = defaultdict(list)
        for token in by_token:
            if sound := phonetic(token):
                words_by_sound[sound].append(token)
        index.words_by_sound = dict(words_by_sound)
        total = max(len(index.names), 1)
        index.weights = {token: math.log(1 + total / len(postings)) for token, postings in by_token.items()}
        index.default_weight = math.log(1 + total)
        for position, name in enumerate(index.names):
            weights = index.scaled_weights(name.tokens, name.legal, query=False)
            index.names[position] = IndexedName(name.entity, name.text, name.kind, name.tokens, name.sounds,
                                                name.legal, name.abjad, name.ideographs, weights,
                                                sum(weights) or 1.0, max(weights))
        index.peaks = np.array([name.peak for name in index.names])
        index.persons = np.array([index.entities[name.entity].type is EntityType.person for name in index.names],
                                 dtype=bool)
        index.totals = np.array([name.total for name in index.names])
        initials: dict[tuple[str, bool], set[int]] = defaultdict(set)
        first_letters: dict[tuple[str, bool], set[int]] = defaultdict(set)
        for name_id, name in enumerate(index.names):
            for persons_only in (False, True) if index.persons[name_id] else (False,):
                for token in name.tokens:
                    first_letters[token[0], persons_only].add(name_id)
                    if len(token) == 1:
                        initials[token, persons_only].add(name_id)
        index.by_initial = {key: tuple(sorted(ids)) for key, ids in initials.items()}
        index.by_first_letter = {key: tuple(sorted(ids)) for key, ids in first_letters.items()}
        index.long_words = np.array([token for token in index.by_token if len(token) >= 4], dtype=object)
        index.long_word_lengths = np.array([len(token) for token in index.long_words], dtype=np.int16)
        by_trigram: dict[str, list[int]] = defaultdict(list)
        for position, token in enumerate(index.long_words):
            for gram in trigrams(token):
                by_trigram[gram].append(position)
        index.by_trigram = {gram: np.array(positions, dtype=np.int32) for gram, positions in by_trigram.items()}
        by_deletion: dict[str, list[str]] = defaultdict(list)
        for token in index.by_token:
            if 4 <= len(token) <= 8:  # the near words of query words of 3 to 7 letters
                for shorter in deletions(token):
                    by_deletion[shorter].append(token)
        index.by_deletion = dict(by_deletion)
        by_consonants: dict[str, list[str]] = defaultdict(list)
        numbers: dict[int, list[str]] = defaultdict(list)
        for token in index.by_token:
            if token.isalpha() and len(token) >= 2:
                by_consonants[consonants(token)].append(token)
            value = number_of(token, person=False)
            if value is not None:
                numbers[value].append(token)
        index.numbers = dict(numbers)
        by_english_spelling: dict[str, list[str]] = defaultdict(list)
        for token in index.by_token:
            by_english_spelling[english_spelling(token)].append(token)
        index.by_english_spelling = dict(by_english_spelling)
        index.skeletons = Skeletons(dict(by_consonants))
        abjad_words = {token for name in index.names if name.abjad for token in name.tokens}
        index.abjad_skeletons = Skeletons({skeleton: kept for skeleton, words_of in by_consonants.items()
                                            if (kept := [word for word in words_of if word in abjad_words])})
        return index

    def scaled_weights(self, tokens: tuple[str, ...], legal: tuple[bool, ...], query: bool = True
                       ) -> tuple[float, ...]:
        """Each word's weight in a name: its rarity, a fifth of it for a legal form
        (recognised, never deciding); in a query, at most `initial_weight` for an
        initial ('A. Khamenei' is mostly 'Khamenei'). A listed name's initial keeps
        its rarity: a name the list gives with an initial is that much more precise."""
        rarity, unknown, config = self.weights.get, self.default_weight, SCORING
        return tuple(min(rarity(token, unknown), config.initial_weight) if query and len(token) == 1
                     and token.isalpha()
                     else rarity(token, unknown) * (config.legal_form_factor if is_legal else 1.0)
                     for token, is_legal in zip(tokens, legal, strict=True))

    def near_words(self, token: str) -> list[str]:
        """Words of the lists one edit from `token` (a letter dropped, added,
        changed or two swapped), two edits for a word of 8+ letters; for a
        3-letter word, the 4-letter words with one more letter ('geb' ->
        'gleb'). These are the typos `words.word_similarity` accepts by edit
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
        grams = trigrams(token)
        postings = [self.by_trigram[gram] for gram in grams if gram in self.by_trigram]
        if not postings:
            return []
        # counted over arrays: a long word's trigrams reach hundreds of words
        positions, shared = np.unique(np.concatenate(postings), return_counts=True)
        need = max(1, len(grams) - 4 * 2)  # an edit breaks at most four trigrams (a swap does)
        near = positions[(shared >= need) & (np.abs(self.long_word_lengths[positions] - len(token)) <= 2)]
        return [word for word, _edits, _i in process.extract(token, self.long_words[near], scorer=OSA.distance,
                                                              score_cutoff=2, limit=None)]

    def lookups(self, token: str, sound: str, abjad: bool = False, person: bool = False) -> Lookup:
        """Every name holding a word `token` could meet when scored
        (`words.word_similarity`):
        - the word itself, and the words of its sound;
        - its near words (typos, either side), other forms of the same given
          name, the words a table or rule pairs it with (`words.ruled_forms`),
          the same number written otherwise, the same name romanised by German
          or Polish rules (`words.english_spelling`);
        - the words of its consonants: of every name when `abjad` (the query
          is read from Arabic or Hebrew letters), else of names written so;
        - two words it runs together;
        - initials, only in persons' names unless the query is a `person`'s:
          the names with an initial it may stand for and, for a single letter,
          with a word it may be the initial of.
        With each name, the best similarity the word can reach in it, so that
        `candidates` bounds a name reached through a typo or a sound below one
        reached through the word itself.
        Remembered per word: customers' names repeat, and the typo search was
        half the time of screening a name the lists do not have."""
        known = self._lookups.get((token, abjad, person))
        if known is not None:
            return known
        by_token = self.by_token
        near = {word for word in (*self.near_words(token), *name_variants(token), *ruled_forms(token),
                                  *self.numbers.get(number_of(token, person=False), ()),
                                  *self.by_english_spelling.get(english_spelling(token), ()))
                if word in by_token}
        skeleton = consonants(token) if token.isalpha() and len(token) >= 2 else ""
        same_skeleton = set((self.skeletons if abjad else self.abjad_skeletons).words(skeleton)) if skeleton else set()
        near |= same_skeleton
        near.discard(token)
        # The best similarity `token` can reach in each name (0: none), over the ways
        # `_best_score` compares it with the name's words: whoever's name it is, however written
        # (only a word of the same skeleton meets otherwise in a name written in an abjad).
        # A word of its sound that no table or rule pairs with it can meet it only by its
        # letters (`spelled_alike`): one call for all those ways, where most words are.
        best = np.zeros(len(self.names))
        touched = []
        people = (True,) if person else (False, True)

        def meets(word: str) -> float:
            scripts = (True,) if abjad else (False, True) if word in same_skeleton or len(word) < 3 else (False,)
            return max(word_similarity(token, sound, word, phonetic(word), as_person, in_abjad)[0]
                       for as_person in people for in_abjad in scripts)

        by_sound = [word for word in self.words_by_sound.get(sound, ()) if word != token and word not in near] \
            if sound else []
        for word, similarity in (*((word, meets(word)) for word in near),
                                 *((word, spelled_alike(token, sound, word, phonetic(word))[0]
                                    if len(token) >= 3 and len(word) >= 3 else meets(word)) for word in by_sound)):
            if similarity:
                holding = self.postings[word]
                best[holding] = np.maximum(best[holding], similarity)
                touched.append(holding)
        if token in by_token:
            best[self.postings[token]] = 1.0
            touched.append(self.postings[token])
        split: set[int] = set()
        parts: set[str] = set()
        for cut in range(1, len(token)):  # 'siemensag': the names holding 'siemens' and 'ag'
            head, tail = by_token.get(token[:cut]), by_token.get(token[cut:])
            if head and tail:
                shorter, longer = sorted((head, tail), key=len)
                split.update(set(shorter).intersection(longer))
                parts.update((token[:cut], token[cut:]))
        for part in parts:  # a word it runs together meets as itself wherever it is reached
            holding = self.postings[part]
            best[holding[best[holding] > 0]] = 1.0
        split_ids = np.fromiter(split, dtype=np.int32, count=len(split))
        best[split_ids] = 1.0
        initials = np.array(self.by_initial.get((token[0], not person), ()), dtype=np.int32)
        if len(token) == 1:
            initials = np.union1d(initials, self.by_first_letter.get((token, not person), ())).astype(np.int32)
        # a name with an initial it may stand for is reached at least at initial_similarity (one array
        # with the rest: `candidates` sums them in one call)
        best[initials] = np.maximum(best[initials], SCORING.initial_similarity)
        touched.extend((split_ids, initials))
        ids = np.unique(np.concatenate(touched))
        ids = ids[best[ids] > 0]
        result = Lookup(ids, best[ids], split_ids, frozenset((*near, *parts, token)), frozenset(parts))
        if len(self._lookups) > WORDS_REMEMBERED:
            self._lookups.clear()
        self._lookups[(token, abjad, person)] = result
        return result

    def candidates(self, key: NameKey, weights: list[float], least_score: float = 0.0,
                   query_share: float = 1.0, person: bool = False) -> list[int]:
        """Names holding a word the query's words can meet, the most promising
        first: by the query weight they share, a word met other than as itself
        counting 0.9. At most MAX_CANDIDATES.

        A name is dropped when even the best match of every word that can meet
        one of its words could not bring its name score (`query_share` of the
        query's weight matched plus the rest of the listed name's) up to
        `least_score`: first with each query word at the best similarity it can
        reach in the name (`Lookup.levels`) and every listed word at the name's
        heaviest, summed in numpy (a common word reaches thousands of names),
        then for the names left pair by pair at the scorer's own similarity
        (`_best_score`). Two neighbouring query words also
        look up the word they make together ('good will' -> 'goodwill'). Most
        names a random customer name reaches share only a first name or a legal
        form and are dropped here, before the name is scored.
        tests/test_pruning.py checks the bound against scoring every name."""
        tokens, sounds = key.tokens, key.sounds
        reached = [Reached((i,), token, sound, weights[i], *self.lookups(token, sound, key.abjad, person))
                   for i, (token, sound) in enumerate(zip(tokens, sounds, strict=True))]
        for i in range(len(tokens) - 1):  # two words written apart that the lists write as one
            together = tokens[i] + tokens[i + 1]
            if together in self.by_token:
                holding = self.postings[together]
                reached.append(Reached((i, i + 1), together, "", weights[i] + weights[i + 1],
                                       holding, np.ones(len(holding)), EMPTY,
                                       frozenset((together,)), frozenset()))
        # The query weight that can meet each name reached; a name must reach `need` of it even
        # if its listed side matched wholly. Summed in numpy, and read back only at the names the
        # words reached (a few hundred for most queries), not over every name.
        # (names, their query weight, their listed factor): numpy calls cost more than their
        # work on a few names, so only the non-empty ones. A name holding two words a query word
        # runs together may meet both: a second listed word, no more query weight.
        found = [(entry.ids, entry.weight * entry.levels, entry.levels) for entry in reached if len(entry.ids)]
        found += [(entry.split_ids, np.zeros(len(entry.split_ids)), 1.0) for entry in reached if len(entry.split_ids)]
        if not found:
            return []
        # one bincount over all of them: a fancy-indexed add per word costs more in numpy's calls than in its work
        found_ids = np.concatenate([ids for ids, _weight, _factor in found])
        query_reach = np.bincount(found_ids, minlength=len(self.names),
                                  weights=np.concatenate([weight for _ids, weight, _factor in found]))
        total = sum(weights) or 1.0
        need = max((least_score - (1 - query_share)) * total / query_share, 1e-9)
        passing = found_ids[query_reach[found_ids] >= need]
        if not len(passing):  # most queries: no name shares enough of them
            return []
        ids = np.unique(passing)
        if len(ids) > 1:  # then on both sides: on the listed side, the name's heaviest word per query word
            listed_reach = np.bincount(found_ids, minlength=len(self.names), weights=np.concatenate(
                [self.peaks[found_by] * factor for found_by, _weight, factor in found]))
            best = (query_share * np.minimum(query_reach[ids] / total, 1.0)
                    + (1 - query_share) * np.minimum(listed_reach[ids] / self.totals[ids], 1.0))
            ids = ids[best >= least_score]
        kept: list[tuple[float, int]] = []
        for name_id, reach in zip(ids.tolist(), query_reach[ids].tolist(), strict=True):
            name_best, discount = self._best_score(key, weights, self.names[name_id], reached, query_share,
                                                   person or bool(self.persons[name_id]))
            if name_best >= least_score:
                kept.append((discount - reach, name_id))
        kept.sort()
        return [name_id for _reach, name_id in kept[:MAX_CANDIDATES]]

    @staticmethod
    def _best_score(key: NameKey, weights: list[float], name: IndexedName, reached: list[Reached],
                    query_share: float, person: bool) -> tuple[float, float]:
        """(the name score `name` would get if every query word matched the best
        of the name's words it can meet, each listed word as well as the best
        query word meeting it, the weight of the words that meet it only other
        than as themselves, less 0.9 of theirs: for the ranking). Each pair
        counts at the scorer's own similarity (`words.word_similarity`, remembered
        per pair), a word running two listed words together at 1. Each word may
        be counted more than once, never less: the bound must never fall below
        the score, and only pairs and conflicts are left to `score.compare`."""
        abjad = key.abjad or name.abjad
        query_matched: dict[int, float] = {}  # query position -> the best similarity it can reach
        listed_matched: dict[int, float] = {}  # listed position -> the same
        discount = 0.0
        for entry in reached:
            token, sound, meets = entry.token, entry.sound, entry.meets
            best = 0.0
            for j, (word, word_sound) in enumerate(zip(name.tokens, name.sounds, strict=True)):
                if word in meets or (sound and word_sound == sound):
                    similarity = 1.0 if word == token or word in entry.parts else \
                        word_similarity(token, sound, word, word_sound, person, abjad)[0]
                elif person and ((len(word) == 1 and token[0] == word) or (len(token) == 1 and word[0] == token)):
                    similarity = SCORING.initial_similarity
                else:
                    continue
                if similarity > listed_matched.get(j, 0.0):
                    listed_matched[j] = similarity
                best = max(best, similarity)
            if not best:
                continue
            for position in entry.positions:
                query_matched[position] = max(query_matched.get(position, 0.0), best)
            if token not in name.tokens:
                discount += 0.1 * entry.weight
        total = sum(weights) or 1.0
        query_side = sum(weights[i] * similarity for i, similarity in query_matched.items())
        listed_side = sum(name.weights[j] * similarity for j, similarity in listed_matched.items())
        best = query_share * min(query_side / total, 1.0) + (1 - query_share) * min(listed_side / name.total, 1.0)
        return best, discount

    def entities_with_identifier(self, value: str) -> list[int]:
        return self.by_identifier.get(identifier_key(value), [])
