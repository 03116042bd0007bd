"""The index's candidate pruning is recall-safe: no listed name whose full score
reaches what a hit needs is dropped before it is scored.

Exhaustive scoring of every listed name is the reference: every name that
`compare` scores at or above `threshold - best_bonus` must be among
`ScreeningIndex.candidates`, for
- random queries made from real OFAC names the ways people write them
  (initials, a dropped or an extra word, a typo, words joined or split,
  another order, a vessel prefix);
- the queries of the hard pairs (benchmarks/data/hard-pairs.csv: names in
  other scripts and romanisations, abbreviations, legal forms, numerals ...)
  against every candidate name of the pairs.
A query is typed as a person's or not at all, as screening gets them.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from banwatch.lists.sources import read_list
from banwatch.match.config import SCORING
from banwatch.match.index import MAX_CANDIDATES, ScreeningIndex, name_key
from banwatch.match.score import compare
from banwatch.model import EntityType, ListedEntity

ROOT = Path(__file__).resolve().parents[1]
SDN = ROOT.parent / "shared" / "data" / "ofac-sdn-2021"
HARD_PAIRS = ROOT / "benchmarks" / "data" / "hard-pairs.csv"
QUERIES = 1200
PAIR_QUERIES = 400


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


def pruned_hits(index: ScreeningIndex, query: str, query_person: bool) -> tuple[int, int, list]:
    """(names scored, names reaching what a hit needs, those the pruning dropped)."""
    least = SCORING.threshold - SCORING.best_bonus
    key = name_key(query)
    if not key.tokens:
        return 0, 0, []
    weights = list(index.scaled_weights(key.tokens, key.legal))
    kept = set(index.candidates(key, weights, least, SCORING.query_share, query_person))
    if len(kept) >= MAX_CANDIDATES:
        return 0, 0, []  # cut by count, not by the bound
    reaching, dropped = 0, []
    for name_id, listed in enumerate(index.names):
        person = query_person or index.entities[listed.entity].type is EntityType.person
        score = compare(key, weights, listed, person)[0]
        if score >= least:
            reaching += 1
            if name_id not in kept:
                dropped.append((query, listed.text, query_person, round(score, 3)))
    return len(index.names), reaching, dropped


def test_no_name_that_could_be_a_hit_is_pruned(index: ScreeningIndex) -> None:
    rng = random.Random(2026)
    checked = reaching = 0
    dropped: list = []
    for _ in range(QUERIES):
        query = mutated(rng.choice(index.names).text, rng)
        scored, reached, missed = pruned_hits(index, query, rng.random() < 0.5)
        checked, reaching, dropped = checked + scored, reaching + reached, dropped + missed
    assert not dropped
    assert checked > 300_000 and reaching > QUERIES / 2  # the run compared enough, and found hits


def test_no_hard_pair_that_could_be_a_hit_is_pruned() -> None:
    with HARD_PAIRS.open(encoding="utf-8", newline="") as handle:
        pairs = list(csv.DictReader(handle))
    listed: dict[tuple[str, str], ListedEntity] = {}
    for pair in pairs:
        if (pair["candidate"], pair["type"]) not in listed:
            n = len(listed)
            listed[pair["candidate"], pair["type"]] = ListedEntity(
                id=f"pairs:{n}", source="pairs", source_id=str(n), type=EntityType(pair["type"]),
                name=pair["candidate"])
    index = ScreeningIndex.build(listed.values())
    rng = random.Random(2027)
    checked = reaching = 0
    dropped: list = []
    for pair in rng.sample(pairs, PAIR_QUERIES):
        scored, reached, missed = pruned_hits(index, pair["query"], pair["type"] == "person")
        checked, reaching, dropped = checked + scored, reaching + reached, dropped + missed
    assert not dropped
    assert checked > 500_000 and reaching > PAIR_QUERIES / 2
