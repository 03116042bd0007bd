"""Name matching on labelled pairs: is `query` the name `candidate`? banwatch and
two baselines, measured in the same run, per category and split.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/bench_pairs.py [--pairs FILE] [--split tuning|held-out|both]
        [--category NAME] [--skip logic,rapidfuzz] [--errors N]

The pairs: `benchmarks/data/hard-pairs.csv` by default, UTF-8 CSV with the
header `pair_id,query,candidate,type,match,category,origin,split` (`type`
person | organization | vessel, `match` 1 or 0, `split` tuning or held-out).
A pair is predicted a match when the system's score reaches its threshold.

(a) banwatch: ONE index (`Screener.from_entities`) of every entity of the lists
    as `make_labelled_set.py` loads them (`load_entities()`: OFAC SDN 2021, OFAC
    consolidated, UN, BIS DPL, CSL sample, the catalog's parties), plus one
    `ListedEntity` per distinct (candidate, type) of the WHOLE pair file (every
    split and category, whatever is reported, so a split's numbers do not
    depend on the flags): source "pairs", source_id a running number in order
    of first appearance, id "pairs:<n>", the pair's type, name = candidate. The
    real lists make word rarity (IDF) realistic and exercise the index's
    candidate pruning. Each pair: `screen(ScreenQuery(name=query,
    type=EntityType(type)), threshold=DEFAULT_THRESHOLD, limit=1000)`; the
    pair's score is the score of the hit whose entity_id is the candidate's
    entity, else 0. A query banwatch refuses (BadInput, or ScreenQuery's own
    validation: no letter or digit) scores 0 and is counted in "refused".
(b) nomenklatura LogicV2, `LogicV2.compare(query, candidate,
    LogicV2.default_config())` on FtM entities made with
    `model.make_entity(Person | Organization | Vessel)` holding only the
    `name` property, one entity per distinct (schema, name) and side, ids
    "q<n>" / "c<n>" (nomenklatura caches by id, so a query and a candidate
    never share one). At 0.70, yente's default, and at its best-F1 threshold
    searched over 0.50..1.00 in steps of 0.01 SEPARATELY on each reported split
    (and category, with --category): an oracle threshold, chosen on the very
    pairs it is scored on, so generous to the baseline. Its time includes the
    one-off loading of nomenklatura's name data on the first comparison.
(c) rapidfuzz `fuzz.WRatio(query, candidate, processor=utils.default_process)`
    at its best-F1 threshold, searched over 50..100 in steps of 1 per split,
    the same oracle.

Ties in the threshold search go to the lowest threshold. Per category and
overall: P = true matches predicted / all predicted (1.0 when nothing is
predicted and there are matches), R = true matches predicted / matches, F1
from the two; '-' when undefined (R and F1 of a category without matches).
The seconds of a system are the sum of its time on the split's pairs.

`--errors N` prints, for the tuning split only, up to N banwatch misses (in
file order, each with what banwatch scores it when screened anew at threshold
0, without the index's threshold-based pruning) and N banwatch false alerts
(highest score first) per category; the held-out pairs' errors are never
printed, since banwatch is tuned on the tuning split only. Deterministic: no
randomness, the file's order throughout.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_labelled_set import load_entities  # noqa: E402
from pydantic import ValidationError  # noqa: E402

from banwatch.errors import BadInput  # noqa: E402
from banwatch.match.screen import DEFAULT_THRESHOLD, Screener  # noqa: E402
from banwatch.model import EntityType, ListedEntity, ScreenQuery  # noqa: E402

PAIRS = Path(__file__).resolve().parent / "data" / "hard-pairs.csv"
COLUMNS = ("pair_id", "query", "candidate", "type", "match", "category", "origin", "split")
SPLITS = ("tuning", "held-out")
LOGIC_THRESHOLD = 0.70  # yente's SCORE_THRESHOLD
LOGIC_SEARCH = [t / 100 for t in range(50, 101)]
RAPIDFUZZ_SEARCH = [float(t) for t in range(50, 101)]
FTM_SCHEMA = {"person": "Person", "organization": "Organization", "vessel": "Vessel"}
BANWATCH_LIMIT = 1000


@dataclass
class Pair:
    pair_id: str
    query: str
    candidate: str
    type: str
    match: bool
    category: str
    origin: str
    split: str


@dataclass
class Run:
    """A system's score for every pair, in the order of the pairs, and its time per pair."""

    scores: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    refused: list[bool] = field(default_factory=list)


@dataclass
class System:
    label: str
    threshold: float
    scores: list[float]
    seconds: float


@dataclass
class Scores:
    precision: float | None
    recall: float | None
    f1: float | None


def read_pairs(path: Path) -> list[Pair]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise SystemExit(f"{path}: no column {', '.join(missing)} (header: {reader.fieldnames})")
        pairs = []
        for line, row in enumerate(reader, start=2):
            if row["match"] not in ("0", "1") or row["split"] not in SPLITS or row["type"] not in FTM_SCHEMA:
                raise SystemExit(f"{path} line {line}: match must be 0|1, split tuning|held-out, "
                                 f"type person|organization|vessel: {row}")
            pairs.append(Pair(row["pair_id"], row["query"], row["candidate"], row["type"], row["match"] == "1",
                              row["category"], row["origin"], row["split"]))
    return pairs


def evaluate(pairs: list[Pair], scores: list[float], threshold: float) -> Scores:
    matches = predicted = correct = 0
    for pair, score in zip(pairs, scores, strict=True):
        alert = score >= threshold - 1e-9
        matches += pair.match
        predicted += alert
        correct += alert and pair.match
    recall = correct / matches if matches else None
    precision = correct / predicted if predicted else (1.0 if matches else None)
    f1 = None
    if recall is not None and precision is not None:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1)


def best_threshold(pairs: list[Pair], scores: list[float], candidates: list[float]) -> float:
    return max(candidates, key=lambda t: (evaluate(pairs, scores, t).f1 or 0.0, -t))


# --------------------------------------------------------------------------- the systems


def candidate_entities(pairs: list[Pair]) -> dict[tuple[str, str], ListedEntity]:
    """One ListedEntity per distinct (candidate, type), numbered in order of first appearance."""
    listed: dict[tuple[str, str], ListedEntity] = {}
    for pair in pairs:
        key = (pair.candidate, pair.type)
        if key not in listed and pair.candidate.strip():
            n = len(listed) + 1
            listed[key] = ListedEntity(id=f"pairs:{n}", source="pairs", source_id=str(n),
                                       type=EntityType(pair.type), name=pair.candidate)
    return listed


def run_banwatch(screener: Screener, listed: dict[tuple[str, str], ListedEntity], pairs: list[Pair]) -> Run:
    run = Run()
    for pair in pairs:
        started = time.perf_counter()
        entity = listed.get((pair.candidate, pair.type))
        score, refused = 0.0, False
        try:
            hits = screener.screen(ScreenQuery(name=pair.query, type=EntityType(pair.type)),
                                   threshold=DEFAULT_THRESHOLD, limit=BANWATCH_LIMIT)
        except (BadInput, ValidationError):
            hits, refused = [], True
        if entity is not None:
            score = next((hit.score for hit in hits if hit.entity_id == entity.id), 0.0)
        run.scores.append(score)
        run.refused.append(refused)
        run.seconds.append(time.perf_counter() - started)
    return run


def run_logic(pairs: list[Pair]) -> Run:
    from followthemoney import model
    from nomenklatura.matching import LogicV2

    config = LogicV2.default_config()
    proxies: dict[tuple[str, str, str], object] = {}

    def proxy(side: str, schema: str, name: str):
        key = (side, schema, name)
        if key not in proxies:
            entity = model.make_entity(schema)
            entity.id = f"{side}{len(proxies) + 1}"
            entity.add("name", name)
            proxies[key] = entity
        return proxies[key]

    run = Run()
    for pair in pairs:
        started = time.perf_counter()
        schema = FTM_SCHEMA[pair.type]
        result = LogicV2.compare(proxy("q", schema, pair.query), proxy("c", schema, pair.candidate), config)
        run.scores.append(float(result.score))
        run.seconds.append(time.perf_counter() - started)
    return run


def run_rapidfuzz(pairs: list[Pair]) -> Run:
    from rapidfuzz import fuzz, utils

    run = Run()
    for pair in pairs:
        started = time.perf_counter()
        run.scores.append(float(fuzz.WRatio(pair.query, pair.candidate, processor=utils.default_process)))
        run.seconds.append(time.perf_counter() - started)
    return run


# --------------------------------------------------------------------------- printing


def fmt(value: float | None) -> str:
    return "    -" if value is None else f"{value:5.3f}"


def print_table(split: str, pairs: list[Pair], refused: list[bool], systems: list[System]) -> None:
    print(f"=== split {split}: {len(pairs)} pairs, {sum(p.match for p in pairs)} matches")
    for i, system in enumerate(systems):
        print(f"  [{i + 1}] {system.label}  -- threshold {system.threshold:g}, {system.seconds:.3f} s")
    print()
    width = 19
    print(f"{'':40}|" + "|".join(f"{'[' + str(i + 1) + ']':^{width}}" for i in range(len(systems))))
    header = (f"{'category':22} {'n':>5} {'match':>5} {'ref.':>4} |"
              + "|".join(f" {'P':>5} {'R':>5} {'F1':>5} " for _ in systems))
    print(header)
    print("-" * len(header))
    groups = [(c, [i for i, p in enumerate(pairs) if p.category == c]) for c in sorted({p.category for p in pairs})]
    groups.append(("OVERALL", list(range(len(pairs)))))
    for label, positions in groups:
        if label == "OVERALL":
            print("-" * len(header))
        subset = [pairs[i] for i in positions]
        cells = []
        for system in systems:
            s = evaluate(subset, [system.scores[i] for i in positions], system.threshold)
            cells.append(f" {fmt(s.precision)} {fmt(s.recall)} {fmt(s.f1)} ")
        print(f"{label[:22]:22} {len(subset):5} {sum(p.match for p in subset):5} "
              f"{sum(refused[i] for i in positions):4} |" + "|".join(cells))
    print()


def unpruned_score(screener: Screener, listed: dict[tuple[str, str], ListedEntity], pair: Pair) -> str:
    """What a miss scores when screened anew at threshold 0 (no threshold-based pruning)."""
    entity = listed.get((pair.candidate, pair.type))
    try:
        hits = screener.screen(ScreenQuery(name=pair.query, type=EntityType(pair.type)), threshold=0.0,
                               limit=1_000_000)
    except (BadInput, ValidationError):
        return "refused"
    found = next((hit.score for hit in hits if entity is not None and hit.entity_id == entity.id), None)
    return "not a candidate at threshold 0" if found is None else f"{found:.3f} at threshold 0"


def print_errors(screener: Screener, listed: dict[tuple[str, str], ListedEntity], pairs: list[Pair],
                 banwatch: list[float], logic: list[float] | None, n: int) -> None:
    print(f"banwatch errors on the tuning split at {DEFAULT_THRESHOLD:.2f} (up to {n} misses and {n} false "
          "alerts per category; scores banwatch / LogicV2, and for a miss what banwatch scores it when "
          "screened anew at threshold 0):")
    for category in sorted({p.category for p in pairs}):
        rows = [(i, p) for i, p in enumerate(pairs) if p.category == category]
        misses = [(i, p) for i, p in rows if p.match and banwatch[i] < DEFAULT_THRESHOLD - 1e-9]
        alerts = [(i, p) for i, p in rows if not p.match and banwatch[i] >= DEFAULT_THRESHOLD - 1e-9]
        alerts.sort(key=lambda item: (-banwatch[item[0]], item[0]))
        print(f"  [{category}] {len(misses)} misses, {len(alerts)} false alerts")
        for title, chosen in (("miss", misses[:n]), ("false alert", alerts[:n])):
            for i, pair in chosen:
                other = "-" if logic is None else f"{logic[i]:.3f}"
                unpruned = f" ({unpruned_score(screener, listed, pair)})" if pair.match else ""
                print(f"    {title:11} {pair.query!r} ~ {pair.candidate!r} ({pair.type}): "
                      f"{banwatch[i]:.3f} / {other}{unpruned}")
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=Path, default=PAIRS, help="the pair file (default: %(default)s)")
    parser.add_argument("--split", choices=("tuning", "held-out", "both"), default="both")
    parser.add_argument("--category", default="", help="only the pairs of this category")
    parser.add_argument("--skip", default="", help="comma-separated systems to skip: logic,rapidfuzz")
    parser.add_argument("--errors", type=int, default=0,
                        help="print up to N banwatch misses and N false alerts per category (tuning split only)")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    if skip - {"logic", "rapidfuzz"}:
        parser.error(f"--skip: unknown system(s) {', '.join(sorted(skip - {'logic', 'rapidfuzz'}))}")

    started = time.perf_counter()
    every_pair = read_pairs(args.pairs)
    splits = SPLITS if args.split == "both" else (args.split,)
    pairs = [p for p in every_pair if p.split in splits and (not args.category or p.category == args.category)]
    if not pairs:
        raise SystemExit(f"no pairs of split {args.split}" + (f", category {args.category!r}" if args.category else ""))

    listed = candidate_entities(every_pair)
    entities = load_entities()
    entities.extend(listed.values())
    screener = Screener.from_entities(entities)
    print(f"{args.pairs}: {len(every_pair)} pairs, {len(pairs)} reported; index of {len(entities)} entities "
          f"({len(listed)} candidates of the pair file) built in {time.perf_counter() - started:.1f} s\n")

    runs = {"banwatch": run_banwatch(screener, listed, pairs)}
    if "logic" not in skip:
        runs["logic"] = run_logic(pairs)
    if "rapidfuzz" not in skip:
        runs["rapidfuzz"] = run_rapidfuzz(pairs)

    held_out_line = None
    for split in splits:
        positions = [i for i, p in enumerate(pairs) if p.split == split]
        if not positions:
            print(f"=== split {split}: no pairs\n")
            continue
        subset = [pairs[i] for i in positions]

        def part(name: str) -> tuple[list[float], float]:
            return ([runs[name].scores[i] for i in positions], sum(runs[name].seconds[i] for i in positions))

        scores, seconds = part("banwatch")
        systems = [System(f"banwatch Screener.screen at DEFAULT_THRESHOLD, limit {BANWATCH_LIMIT}",
                          DEFAULT_THRESHOLD, scores, seconds)]
        if "logic" in runs:
            scores, seconds = part("logic")
            best_logic = best_threshold(subset, scores, LOGIC_SEARCH)
            systems.append(System("nomenklatura LogicV2 at yente's default", LOGIC_THRESHOLD, scores, seconds))
            systems.append(System("nomenklatura LogicV2 at its best-F1 threshold on this split (oracle)",
                                  best_logic, scores, seconds))
        if "rapidfuzz" in runs:
            scores, seconds = part("rapidfuzz")
            best_fuzzy = best_threshold(subset, scores, RAPIDFUZZ_SEARCH)
            systems.append(System("rapidfuzz WRatio at its best-F1 threshold on this split (oracle)",
                                  best_fuzzy, scores, seconds))
        print_table(split, subset, [runs["banwatch"].refused[i] for i in positions], systems)
        if split == "held-out" and "logic" in runs:
            ours = evaluate(subset, systems[0].scores, DEFAULT_THRESHOLD).f1 or 0.0
            theirs = evaluate(subset, systems[2].scores, best_logic).f1 or 0.0
            held_out_line = (f"held-out F1: banwatch {ours:.3f} at default threshold vs LogicV2 {theirs:.3f} "
                             f"at its best threshold {best_logic:.2f} (difference {ours - theirs:+.3f})")

    if held_out_line:
        print(held_out_line + "\n")
    if args.errors:
        if "tuning" in splits:
            positions = [i for i, p in enumerate(pairs) if p.split == "tuning"]
            logic = [runs["logic"].scores[i] for i in positions] if "logic" in runs else None
            print_errors(screener, listed, [pairs[i] for i in positions], [runs["banwatch"].scores[i] for i in positions],
                         logic, args.errors)
        else:
            print("(--errors shows the tuning split only: held-out errors are never printed)\n")
    print(f"total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
