"""Screening quality on the labelled set, with baselines measured in the same run.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/make_labelled_set.py   # only when the set is to change
    .venv/bin/python benchmarks/bench_quality.py [--limit N]

The lists (../shared/data: OFAC SDN 2021, OFAC consolidated, UN, BIS DPL, CSL
sample) and the catalog's parties are loaded as `make_labelled_set.py` loads
them, and every query of `benchmarks/data/labelled.jsonl` is screened by:

(a) banwatch: `Screener.screen` with the query's name and type, at
    DEFAULT_THRESHOLD;
(b) brute force: rapidfuzz `process.extractOne(query, names, scorer=WRatio,
    processor=utils.default_process)` over every distinct listed name (no
    sample: all queries against all names), at the threshold with the best F1
    on this set (searched over 50..100) and at 85;
(c) nomenklatura's current heuristic matcher, LogicV2 (the successor of
    LogicV1), with its default configuration, comparing an FtM entity of the
    query (schema from the type, LegalEntity when none, only a name) with the
    FtM entity (`banwatch.lists.ftm.to_ftm`) of every candidate that banwatch's
    own index proposes (`ScreeningIndex.candidates`), at 0.70, yente's default
    match threshold.

Measures, per system, per category and overall:
- recall: share of positive queries whose expected entity (or an entity with the
  very same name, `equivalent_ids`) is ranked first -- alone or tied on the top
  score -- with a score >= the threshold;
- false-alert rate: share of negative queries with any hit >= the threshold;
- F1: recall with precision = correct first hits / all queries with an alert
  (an alert on the wrong entity for a positive query is a false alert too).

Then banwatch's threshold sweep (0.70 .. 0.95, each threshold screened anew), why each banwatch miss missed
(no candidate / scored under the threshold / another entity ranked first),
and 15 example misses and 15 example false alerts.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_labelled_set import CATEGORIES, NEGATIVE, OUT, POSITIVE, load_entities  # noqa: E402

from banwatch.match.index import name_key  # noqa: E402
from banwatch.match.screen import DEFAULT_THRESHOLD, Screener  # noqa: E402
from banwatch.model import EntityType, ScreenQuery  # noqa: E402

SWEEP = (0.70, 0.75, 0.80, 0.85, 0.90, 0.95)
LOGIC_THRESHOLD = 0.70  # yente's SCORE_THRESHOLD
RAPIDFUZZ_FIXED = 85.0
FTM_SCHEMA = {"person": "Person", "organization": "Organization", "vessel": "Vessel", None: "LegalEntity"}


@dataclass
class Result:
    """A system's answer to one query: the top score and the entities that share it."""

    score: float = 0.0
    top: frozenset[str] = frozenset()
    name: str = ""  # the listed name behind the top hit, for the examples


@dataclass
class Scores:
    recall: float | None
    false_alerts: float | None
    f1: float | None
    n: int
    correct: int = 0
    alerts: int = 0


@dataclass
class System:
    label: str
    threshold: float
    results: list[Result] = field(default_factory=list)
    seconds: float = 0.0


def accepted(row: dict) -> set[str]:
    return {row["expected_entity_id"], *row.get("equivalent_ids", ())}


def evaluate(rows: list[dict], results: list[Result], threshold: float,
             categories: tuple[str, ...] | None = None) -> Scores:
    positives = correct = alerts = negatives = false_alerts = 0
    for row, result in zip(rows, results, strict=True):
        if categories is not None and row["category"] not in categories:
            continue
        alerted = result.score >= threshold - 1e-9
        alerts += alerted
        if row["expected_entity_id"] is None:
            negatives += 1
            false_alerts += alerted
        else:
            positives += 1
            correct += alerted and bool(result.top & accepted(row))
    recall = correct / positives if positives else None
    precision = correct / alerts if alerts else (1.0 if positives else None)
    f1 = None
    if recall is not None and precision is not None:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(recall, false_alerts / negatives if negatives else None, f1,
                  positives + negatives, correct, alerts)


# --------------------------------------------------------------------------- the systems


def candidate_names(index, query: str) -> list[int]:
    """Every name the index proposes for the query (no threshold-based pruning)."""
    key = name_key(query)
    return index.candidates(key, list(index.scaled_weights(key.tokens, key.legal)))


def query_type(row: dict) -> EntityType | None:
    return EntityType(row["type"]) if row.get("type") else None


def run_banwatch(screener: Screener, rows: list[dict], threshold: float = DEFAULT_THRESHOLD) -> System:
    """Every query screened at `threshold`, as a user at that threshold would:
    the index prunes candidates by what could still reach the threshold, so the
    hits at 0.80 are not those at 0.70 cut at 0.80."""
    system = System(f"banwatch@{threshold:.2f}", threshold)
    started = time.perf_counter()
    for row in rows:
        hits = screener.screen(ScreenQuery(name=row["query"], type=query_type(row)), threshold=threshold, limit=10)
        if hits:
            best = hits[0].score
            system.results.append(Result(best, frozenset(h.entity_id for h in hits if h.score == best), hits[0].name))
        else:
            system.results.append(Result())
    system.seconds = time.perf_counter() - started
    return system


def run_rapidfuzz(entities: list, rows: list[dict]) -> System:
    from rapidfuzz import fuzz, process, utils

    owners: dict[str, set[str]] = defaultdict(set)
    for entity in entities:
        for name in entity.all_names():
            owners[name].add(entity.id)
    names = sorted(owners)
    system = System("rapidfuzz", 0.0)
    started = time.perf_counter()
    for row in rows:
        found = process.extractOne(row["query"], names, scorer=fuzz.WRatio, processor=utils.default_process)
        if found is None:
            system.results.append(Result())
            continue
        name, score, _ = found
        system.results.append(Result(score, frozenset(owners[name]), name))
    system.seconds = time.perf_counter() - started
    return system


def run_logic(screener: Screener, entities: list, rows: list[dict]) -> System:
    from followthemoney import model
    from nomenklatura.matching import LogicV2

    from banwatch.lists.ftm import to_ftm

    index = screener.index
    by_id = {entity.id: entity for entity in entities}
    proxies: dict[int, object] = {}
    config = LogicV2.default_config()
    ids = itertools.count()
    system = System(f"nomenklatura {LogicV2.NAME}@{LOGIC_THRESHOLD:.2f}", LOGIC_THRESHOLD)
    compared = 0
    started = time.perf_counter()
    for row in rows:
        positions = list(dict.fromkeys(index.names[i].entity for i in candidate_names(index, row["query"])))
        # a fresh id per query: nomenklatura caches a proxy's names by its id
        query = model.make_entity(FTM_SCHEMA[row.get("type")])
        query.id = f"query-{next(ids)}"
        query.add("name", row["query"])
        best, top, name = 0.0, set(), ""
        for position in positions:
            if position not in proxies:
                proxies[position] = model.get_proxy(to_ftm(by_id[index.entities[position].id]))
            result = LogicV2.compare(query, proxies[position], config)
            compared += 1
            if result.score > best + 1e-9:
                best, top = result.score, {index.entities[position].id}
                feature = result._explanations.get("name_match")
                name = (feature.candidate if feature and feature.candidate else index.entities[position].name)
            elif result.score > 0 and abs(result.score - best) <= 1e-9:
                top.add(index.entities[position].id)
        system.results.append(Result(best, frozenset(top), name))
    system.seconds = time.perf_counter() - started
    system.label += f" ({compared / max(len(rows), 1):.0f} candidate entities a query)"
    return system


def best_threshold(rows: list[dict], results: list[Result], candidates) -> float:
    return max(candidates, key=lambda t: (evaluate(rows, results, t).f1 or 0.0, -t))


# --------------------------------------------------------------------------- printing


def fmt(value: float | None) -> str:
    return "   -  " if value is None else f"{value:6.3f}"


def print_table(rows: list[dict], systems: list[System]) -> None:
    header = f"{'category':16} {'n':>5} |" + "|".join(f" {'recall':>6} {'FA':>6} {'F1':>6} " for _ in systems)
    print("One row per category, one column group per system (recall | false-alert rate | F1):")
    for i, system in enumerate(systems):
        print(f"  [{i + 1}] {system.label}  -- threshold {system.threshold:g}, {system.seconds:.0f} s")
    print()
    print(f"{'':23}|" + "|".join(f"{'[' + str(i + 1) + ']':^22}" for i in range(len(systems))))
    print(header)
    print("-" * len(header))
    groups = [(c, (c,)) for c in CATEGORIES] + [("positives", POSITIVE), ("negatives", NEGATIVE), ("OVERALL", None)]
    for label, categories in groups:
        if label == "positives":
            print("-" * len(header))
        cells = []
        n = 0
        for system in systems:
            scores = evaluate(rows, system.results, system.threshold, categories)
            n = scores.n
            cells.append(f" {fmt(scores.recall)} {fmt(scores.false_alerts)} {fmt(scores.f1)} ")
        print(f"{label:16} {n:5} |" + "|".join(cells))


def print_sweep(rows: list[dict], screener: Screener) -> None:
    """Each threshold of the sweep is its own run (see run_banwatch)."""
    print(f"\nbanwatch threshold sweep (DEFAULT_THRESHOLD = {DEFAULT_THRESHOLD}), each threshold its own run:")
    print(f"{'threshold':>9} {'recall':>7} {'FA':>7} {'FA faker':>9} {'FA near':>8} {'precision':>9} {'F1':>7}")
    for threshold in SWEEP:
        results = run_banwatch(screener, rows, threshold).results
        s = evaluate(rows, results, threshold)
        faker = evaluate(rows, results, threshold, ("faker",)).false_alerts
        near = evaluate(rows, results, threshold, ("near_miss",)).false_alerts
        precision = s.correct / s.alerts if s.alerts else 1.0
        print(f"{threshold:9.2f} {s.recall:7.3f} {s.false_alerts:7.3f} {faker:9.3f} {near:8.3f} {precision:9.3f} {s.f1:7.3f}")


def diagnose(screener: Screener, row: dict, result: Result, threshold: float) -> tuple[str, str]:
    """Why banwatch missed: (reason, detail)."""
    index = screener.index
    want = accepted(row)
    candidates = {index.entities[index.names[i].entity].id for i in candidate_names(index, row["query"])}
    if not candidates & want:
        return "no candidate", ""
    hits = screener.screen(ScreenQuery(name=row["query"], type=query_type(row)), threshold=0.0, limit=100000)
    mine = [h for h in hits if h.entity_id in want]
    expected = max((h.score for h in mine), default=0.0)
    if result.score >= threshold and not (result.top & want):
        rank = next((i + 1 for i, h in enumerate(hits) if h.entity_id in want), 0)
        return "outranked", f"expected {expected:.3f} < {result.score:.3f}, rank {rank}"
    return "under threshold", f"expected scored {expected:.3f}"


def print_misses(rows: list[dict], system: System, screener: Screener) -> None:
    threshold = system.threshold
    reasons: dict[str, Counter] = defaultdict(Counter)
    examples: list[tuple[dict, Result, str, str]] = []
    for row, result in zip(rows, system.results, strict=True):
        if row["expected_entity_id"] is None:
            continue
        ok = result.score >= threshold and bool(result.top & accepted(row))
        reasons[row["category"]]["total"] += 1
        if ok:
            continue
        reason, detail = diagnose(screener, row, result, threshold)
        reasons[row["category"]][reason] += 1
        examples.append((row, result, reason, detail))

    print(f"\nbanwatch per-category recall at {threshold:.2f} and why it misses:")
    print(f"{'category':16} {'n':>4} {'recall':>7} {'missed':>7} {'no candidate':>13} {'under thr.':>11} {'outranked':>10}")
    for category in POSITIVE:
        c = reasons[category]
        missed = c["no candidate"] + c["under threshold"] + c["outranked"]
        print(f"{category:16} {c['total']:4} {1 - missed / c['total']:7.3f} {missed:7} {c['no candidate']:13} "
              f"{c['under threshold']:11} {c['outranked']:10}")

    print("\n15 example misses (query -> got / expected):")
    by_category: dict[str, list] = defaultdict(list)
    for example in examples:
        by_category[example[0]["category"]].append(example)
    chosen = []
    for round_ in range(15):  # round-robin over categories, so that every kind of miss shows
        for category in POSITIVE:
            if len(chosen) < 15 and round_ < len(by_category[category]):
                chosen.append(by_category[category][round_])
    for row, result, reason, detail in chosen:
        got = f"{sorted(result.top)[0]} '{result.name}' {result.score:.3f}" if result.top else "no hit >= 0.70"
        print(f"  [{row['category']}] {row['query']!r} -> {got} / {row['expected_entity_id']} "
              f"'{row['source_name']}' ({reason}{', ' + detail if detail else ''})")

    print("\n15 example false alerts (query -> got / expected none):")
    alerts = [(row, result) for row, result in zip(rows, system.results, strict=True)
              if row["expected_entity_id"] is None and result.score >= threshold]
    alerts.sort(key=lambda pair: -pair[1].score)
    per = {category: [a for a in alerts if a[0]["category"] == category] for category in NEGATIVE}
    chosen_alerts = []
    for round_ in range(15):
        for category in NEGATIVE:
            if len(chosen_alerts) < 15 and round_ < len(per[category]):
                chosen_alerts.append(per[category][round_])
    for row, result in chosen_alerts:
        print(f"  [{row['category']}] {row['query']!r} -> {sorted(result.top)[0]} '{result.name}' "
              f"{result.score:.3f}  ({row['source_name']})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N queries of each category")
    parser.add_argument("--skip", default="", help="comma-separated systems to skip: rapidfuzz,logic")
    parser.add_argument("--set", type=Path, default=OUT, help="the labelled set (default: the committed one)")
    args = parser.parse_args()

    rows = [json.loads(line) for line in args.set.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.limit:
        seen: Counter = Counter()
        rows = [row for row in rows if (seen.update([row["category"]]) or seen[row["category"]] <= args.limit)]
    skip = set(filter(None, args.skip.split(",")))
    started = time.perf_counter()
    entities = load_entities()
    screener = Screener.from_entities(entities)
    print(f"{len(rows)} queries ({sum(r['expected_entity_id'] is not None for r in rows)} positive); "
          f"{len(screener.index.entities)} entities, {len(screener.index.names)} names; "
          f"lists loaded and indexed in {time.perf_counter() - started:.1f} s\n")

    banwatch = run_banwatch(screener, rows)
    systems = [banwatch]
    if "rapidfuzz" not in skip:
        fuzzy = run_rapidfuzz(entities, rows)
        best = best_threshold(rows, fuzzy.results, [float(t) for t in range(50, 101)])
        systems.append(System(f"rapidfuzz WRatio extractOne, best-F1 threshold {best:g}", best,
                              fuzzy.results, fuzzy.seconds))
        systems.append(System(f"rapidfuzz WRatio extractOne at {RAPIDFUZZ_FIXED:g}", RAPIDFUZZ_FIXED,
                              fuzzy.results, fuzzy.seconds))
    if "logic" not in skip:
        logic = run_logic(screener, entities, rows)
        systems.append(logic)
        best_logic = best_threshold(rows, logic.results, [t / 100 for t in range(50, 101)])
    print_table(rows, systems)
    if "logic" not in skip:
        s = evaluate(rows, logic.results, best_logic)
        print(f"\n(nomenklatura at its best-F1 threshold on this set, {best_logic:.2f}: recall {s.recall:.3f}, "
              f"false alerts {s.false_alerts:.3f}, F1 {s.f1:.3f})")
    print_sweep(rows, screener)
    print_misses(rows, banwatch, screener)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
