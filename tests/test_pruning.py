"""The index's candidate pruning is recall-safe: no listed name whose full score
reaches what a hit needs is dropped before it is scored.

Exhaustive scoring of every listed name is the reference: for random queries
made from real OFAC names the ways people write them (initials, a dropped or an
extra word, a typo, words joined or split, another order, a vessel prefix), every
name that `compare` scores at or above `threshold - best_bonus` must be among
`ScreeningIndex.candidates`.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from banwatch.lists.sources import read_list
from banwatch.match.config import SCORING
from banwatch.match.index import MAX_CANDIDATES, ScreeningIndex, name_key
from banwatch.match.score import compare
from banwatch.model import EntityType

SDN = Path(__file__).resolve().parents[2] / "shared" / "data" / "ofac-sdn-2021"
QUERIES = 1200


@pytest.fixture(scope="module")
def index() -> ScreeningIndex:
    entities = [e for e in read_list(SDN).entities if e.type is not EntityType.aircraft]
    random.Random(7).shuffle(entities)
    return ScreeningIndex.build(entities[:300])


def mutated(name: str, rng: random.Random) -> str:
    words = name.replace(",", " ").split()
    kind = rng.randrange(8)
    if kind == 0 and len(words) >= 2:  # an initial
        i = rng.randrange(len(words))
        words[i] = words[i][0] + rng.choice((".", ""))
    elif kind == 1 and len(words) >= 3:  # a word dropped
        del words[rng.randrange(len(words))]
    elif kind == 2:  # an extra word
        words.insert(rng.randrange(len(words) + 1), rng.choice(("Trading", "Ali", "Group", "Mohammed", "Ltd")))
    elif kind == 3:  # a typo
        i = rng.randrange(len(words))
        word = words[i]
        if len(word) > 3:
            j = rng.randrange(1, len(word))
            words[i] = word[:j] + rng.choice("aeioursnt") + word[j + 1:]
    elif kind == 4 and len(words) >= 2:  # two words joined
        i = rng.randrange(len(words) - 1)
        words[i:i + 2] = [words[i] + words[i + 1]]
    elif kind == 5:  # a word split
        i = rng.randrange(len(words))
        if len(words[i]) >= 6:
            words[i:i + 1] = [words[i][:3], words[i][3:]]
    elif kind == 6:
        rng.shuffle(words)
    else:
        words.insert(0, rng.choice(("MV", "M/T")))
    return " ".join(words)


def test_no_name_that_could_be_a_hit_is_pruned(index: ScreeningIndex) -> None:
    rng = random.Random(2026)
    least = SCORING.threshold - SCORING.best_bonus
    names = index.names
    checked = reaching = 0
    for _ in range(QUERIES):
        source = rng.choice(names)
        query = mutated(source.text, rng)
        key = name_key(query)
        if not key.tokens:
            continue
        weights = list(index.scaled_weights(key.tokens, key.legal))
        kept = set(index.candidates(key.tokens, key.sounds, weights, least, SCORING.query_share, key.abjad))
        if len(kept) >= MAX_CANDIDATES:
            continue  # cut by count, not by the bound
        for name_id, listed in enumerate(names):
            # the query's type may be given as a person's (initials then count) or not at all
            score = max(compare(key, weights, listed, person)[0] for person in (True, False))
            checked += 1
            if score >= least:
                reaching += 1
                assert name_id in kept, (query, listed.text, round(score, 3))
    assert checked > 300_000 and reaching > QUERIES / 2  # the run compared enough, and found hits
