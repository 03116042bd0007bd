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

from banwatch.match.config import SCORING
from banwatch.match.name_forms import (
    ABBREVIATIONS,
    SHORT_FORMS,
    annotations_removed,
    numeral_value,
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
from banwatch.model import EntityType, ListedEntity, NameKind

#: candidates scored per query: the best by shared-word weight. Far more than a
#: screener ever shows, so the cut only drops candidates that could not win.
MAX_CANDIDATES = 250
#: a word found in more names than this share is too common to find candidates
#: by (legal forms, 'al', 'bin', ...); it still counts when scoring.
COMMON_SHARE = 0.02
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
    collapsed = replace_org_types_compare(" ".join(spelled))
    if collapsed != " ".join(spelled):
        shorter = words(collapsed)
        if len(shorter) < len(spelled):  # a legal form of several words became one
            spelled = shorter
    abjad = bool(ABJAD.search(text))
    if abjad:  # the article is written onto the word in Arabic: 'التكريتي' -> 'al' 'tkryty'
        spelled = tuple(part for word in spelled for part in
                        (("al", word[2:]) if word.startswith("al") and len(word) > 4 else (word,)))
    tokens = tuple(PARTICLES.get(token, token) for token in without_number_marks(spelled))[:LONGEST_NAME]
    return NameKey(tokens, tuple(phonetic(token) for token in tokens), tuple(is_legal_form(token) for token in tokens),
                   abjad, ideographs(text))


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
    by_consonants: dict[str, list[str]] = field(default_factory=dict)  # a consonant skeleton -> vocabulary words
    numbers: dict[int, list[str]] = field(default_factory=dict)  # a number -> the words that write it
    with_initials: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # per name
    default_weight: float = 1.0  # of a word the lists do not have: as rare as the rarest
    _lookups: dict[tuple[str, bool], tuple[np.ndarray, frozenset[str]]] = field(default_factory=dict, repr=False)

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
                for sound in set(sounds):
                    if sound:
                        by_sound[sound].append(name_id)
        index.by_token, index.by_sound, index.by_identifier = dict(by_token), dict(by_sound), dict(by_identifier)
        total = max(len(index.names), 1)
        index.weights = {token: math.log(1 + total / len(postings)) for token, postings in by_token.items()}
        index.default_weight = math.log(1 + total)
        for position, name in enumerate(index.names):
            weights = index.scaled_weights(name.tokens, name.legal, query=False)
            index.names[position] = IndexedName(name.entity, name.text, name.kind, name.tokens, name.sounds,
                                                name.legal, name.abjad, name.ideographs, weights,
                                                sum(weights) or 1.0, max(weights))
        index.with_initials = np.array([any(len(t) == 1 and t.isalpha() for t in name.tokens)
                                        for name in index.names], dtype=bool)
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
        by_consonants: dict[str, list[str]] = defaultdict(list)
        numbers: dict[int, list[str]] = defaultdict(list)
        for token in index.by_token:
            if token.isalpha() and len(token) >= 3:
                by_consonants[consonants(token)].append(token)
            value = numeral_value(token)
            if value is not None:
                numbers[value].append(token)
        index.by_consonants, index.numbers = dict(by_consonants), dict(numbers)
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

    def lookups(self, token: str, sound: str, abjad: bool = False) -> tuple[np.ndarray, frozenset[str]]:
        """The names holding `token` or a word that sounds like it and, for a
        word at most RARE_POSTINGS names hold, a typo of it, another form of
        the same given name, its abbreviation or its full form, the same number
        written otherwise, the two words it runs together, and (`abjad`: read
        from Arabic or Hebrew letters) the words of the same consonants; as an
        array of name positions; and those other words.
        Remembered per word: customers' names repeat, and the typo search was
        half the time of screening a name the lists do not have."""
        known = self._lookups.get((token, abjad))
        if known is not None:
            return known
        by_token = self.by_token
        postings = by_token.get(token, [])
        found: set[int] = set(postings)
        if sound:  # a sound shared by too many names is cut: it would find everyone
            found.update(self.by_sound.get(sound, ())[: int(COMMON_SHARE * len(self.names)) + 1])
        # A word few names hold may be a typo in the lists themselves ('mohmed'), or a form of a
        # name they spell otherwise ('bill' -> 'william'): its near words and name forms too. A
        # common word finds its names itself; its forms would only add candidates.
        near: set[str] = set()
        if len(postings) <= RARE_POSTINGS:
            near.update(self.near_words(token))
            near.update(w for w in name_variants(token) if w in by_token)
            near.update(w for w in (ABBREVIATIONS.get(token), *SHORT_FORMS.get(token, ())) if w in by_token)
            value = numeral_value(token)
            if value is not None:
                near.update(w for w in self.numbers.get(value, ()) if w != token)
            if abjad:
                near.update(w for w in self.by_consonants.get(consonants(token), ()) if w != token)
            for word in near:
                found.update(by_token[word])
            for cut in range(2, len(token) - 1):  # 'siemensag': the names holding 'siemens' and 'ag'
                head, tail = by_token.get(token[:cut]), by_token.get(token[cut:])
                if head and tail:
                    found.update(set(head).intersection(tail))
                    near.update((token[:cut], token[cut:]))
        result = np.fromiter(found, dtype=np.int32, count=len(found)), frozenset(near)
        if len(self._lookups) > WORDS_REMEMBERED:
            self._lookups.clear()
        self._lookups[(token, abjad)] = result
        return result

    def candidates(self, tokens: tuple[str, ...], sounds: tuple[str, ...], weights: list[float],
                   least_score: float = 0.0, query_share: float = 1.0, abjad: bool = False) -> list[int]:
        """Names sharing a word, a sound or a near word with the query, the most
        promising first: by the query weight they share, a word met only by
        its sound or as a typo counting 0.9 (the same word first).

        A name is dropped when even a perfect match of every word that reached
        it could not bring its name score (`query_share` of the query's weight
        matched plus the rest of the listed name's) up to `least_score`:
        - on the query side, the weight of the query words that reached it,
          plus the common words and the initials, which find no names but may
          match when scored; and for a listed name with initials, every query
          word (any of them may turn out to be the given name an initial stands for);
        - on the listed side, a query word the name holds as such weighs what
          it weighs in the query; one that reached it by sound or as a typo,
          and a common word or an initial, counts as the name's heaviest word,
          since which listed word it will meet is not known yet; the name's own
          initials count in full.
        Two neighbouring query words also look up the word they make together
        ('good will' -> 'goodwill'). Nine in ten names a random customer name
        reaches share only a first name and are dropped here, before any word
        is compared. tests/test_pruning.py checks the bound against scoring
        every name.

        The query side is summed over an array of all names (numpy), not in a
        Python loop per posting: a common sound reaches hundreds of names."""
        common = COMMON_SHARE * len(self.names)
        reached: list[tuple[str, str, float, np.ndarray, frozenset[str]]] = []
        always, always_words = 0.0, 0
        for token, sound, weight in zip(tokens, sounds, weights, strict=True):
            postings = self.by_token.get(token)
            # common words, initials and legal forms ('co' meets 'company') may match words they did not reach
            if (postings is not None and len(postings) > common) or (len(token) == 1 and token.isalpha()) \
                    or is_legal_form(token):
                always += weight
                always_words += 1
            else:
                reached.append((token, sound, weight, *self.lookups(token, sound, abjad)))
                if sound and len(self.by_sound.get(sound, ())) > common:
                    # the lookup keeps only some of the names of a common sound ('MHMT'):
                    # for the others the word counts as a common word would
                    always += weight
                    always_words += 1
        for i in range(len(tokens) - 1):  # two words written apart that the lists write as one
            together = tokens[i] + tokens[i + 1]
            if together in self.by_token:
                reached.append((together, "", weights[i] + weights[i + 1],
                                np.array(self.by_token[together], dtype=np.int32), frozenset((together,))))
        if not reached and always:  # only common words ("Bank of China"): use them after all
            initial = [len(token) == 1 and token.isalpha() for token in tokens]
            reached = [(token, "", weight, np.array(self.by_token.get(token, []), dtype=np.int32), frozenset())
                       for token, weight, is_initial in zip(tokens, weights, initial, strict=True) if not is_initial]
            always = sum(weight for weight, is_initial in zip(weights, initial, strict=True) if is_initial)
            always_words = sum(initial)
        reach = np.zeros(len(self.names))
        for _token, _sound, weight, ids, _near in reached:
            reach[ids] += weight
        total = sum(weights) or 1.0
        # the query weight a name must reach even if its listed side matched wholly
        need = (least_score - (1 - query_share)) * total / query_share - always
        ids = np.flatnonzero(((reach >= need) | self.with_initials) & (reach > 0) if need > 0 else reach > 0)
        kept: list[tuple[float, int]] = []
        for name_id, query_reach in zip(ids.tolist(), reach[ids].tolist(), strict=True):
            name = self.names[name_id]
            listed_reach = always_words * name.peak
            likely = query_reach  # for the ranking: a word met by sound or as a typo counts 0.9
            for token, sound, weight, _ids, near in reached:
                if token in name.tokens:
                    listed_reach += weight
                elif (sound and sound in name.sounds) or not near.isdisjoint(name.tokens):
                    listed_reach += name.peak * (2 if len(near) > 1 else 1)
                    likely -= 0.1 * weight
            query_side = query_reach + always
            if self.with_initials[name_id]:
                query_side = total
                listed_reach += sum(w for t, w in zip(name.tokens, name.weights, strict=True) if len(t) == 1)
            best = (query_share * min(query_side / total, 1.0)
                    + (1 - query_share) * min(listed_reach / name.total, 1.0))
            if best >= least_score:
                kept.append((-likely, name_id))
        kept.sort()
        return [name_id for _reach, name_id in kept[:MAX_CANDIDATES]]

    def entities_with_identifier(self, value: str) -> list[int]:
        return self.by_identifier.get(identifier_key(value), [])
