"""Monitored books: a delta run against a full re-screen, on the same book
and the same lists, in one run.

    .venv/bin/python benchmarks/bench_monitor.py [--records 1000000] [--changes 500]

- Lists: the 2021 SDN list (../shared/data/ofac-sdn-2021), loaded into a
  temporary home's embedded store.
- Book: --records customers, 2% named as listed, 2% listed names with a typo,
  the rest random people and companies (bench_speed's generator, fixed seed).
- Book change: --changes records renamed (new random names, some of them
  listed), then `monitor add` again. The state is copied; the delta run
  screens the original, a full re-screen (`--full`) the copy; their raised
  alerts are compared (same record, entity, score and earlier alert).
- List change: --changes SDN entities renamed in a copy of the list, loaded
  as a new snapshot, and the book run again. Every word weight moves with the
  lists, so this run is a full one (see services/monitoring.py): its figure
  is shown beside the target, which it does not meet.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_speed import DATA, Names  # noqa: E402

from banwatch.context import Context  # noqa: E402
from banwatch.lists.sources import read_list  # noqa: E402
from banwatch.services.batch import find_columns  # noqa: E402
from banwatch.services.lists import save_list  # noqa: E402
from banwatch.services.monitoring import RunSummary, add_book, run_book  # noqa: E402
from banwatch.settings import Settings  # noqa: E402

SDN = DATA / "ofac-sdn-2021"
TARGET_SPEEDUP = 50.0
ACTOR = "bench"


def write_book(path: Path, names: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name"])
        writer.writerows((f"R{i:07d}", name) for i, name in enumerate(names))


def renamed_sdn(folder: Path, count: int) -> Path:
    """A copy of the SDN list with `count` entities given a changed name."""
    shutil.copytree(SDN, folder)
    with (SDN / "sdn.csv").open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.reader(handle) if len(row) > 1]  # OFAC ends the file with a ^Z line
    for row in rows[:count * 3:3]:
        row[1] = row[1] + " TRADING"
    with (folder / "sdn.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    return folder


def context_of(home: Path) -> Context:
    return Context(Settings.load({"BANWATCH_HOME": str(home)}))


def run(home: Path, full: bool = False) -> tuple[RunSummary, float]:
    with context_of(home) as context:
        store = context.writable_store()
        screener, snapshots, digest = context.screener(), context.snapshots(), context.catalog.digest
        started = time.perf_counter()
        summary = run_book(store, screener, snapshots, digest, "book", actor=ACTOR, full=full)
        return summary, time.perf_counter() - started


def raised(summary: RunSummary) -> set[tuple]:
    return {(a.record_id, a.entity_id, round(a.score, 4), a.earlier is not None) for a in summary.raised}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--changes", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-monitor-") as scratch:
        folder = Path(scratch)
        home = folder / "home"
        with context_of(home) as context:
            store = context.writable_store()
            save_list(store, read_list(SDN), str(SDN), actor=ACTOR)
            listed = [entity.name for entity in store.active_entities()]
        generator = Names(listed, seed=11)
        names = [generator.one(0.02, 0.02) for _ in range(args.records)]
        book = folder / "book.csv"
        write_book(book, names)
        columns = find_columns(book, "name", "id", None, None, None, keep=[])
        with context_of(home) as context:
            started = time.perf_counter()
            add_book(context.writable_store(), "book", book, columns, actor=ACTOR)
            add_seconds = time.perf_counter() - started
        first, first_seconds = run(home)
        print(f"book of {args.records:,} added in {add_seconds:.1f} s; first run (full): {first_seconds:.1f} s, "
              f"{len(first.raised):,} alerts", file=sys.stderr)

        for i in range(0, args.records, max(1, args.records // args.changes))[:args.changes]:
            names[i] = generator.one(0.2, 0.2)
        write_book(book, names)
        with context_of(home) as context:
            add_book(context.writable_store(), "book", book, columns, actor=ACTOR)
        copy = folder / "full-home"
        shutil.copytree(home, copy)
        delta, delta_seconds = run(home)
        full, full_seconds = run(copy, full=True)
        same = raised(delta) == raised(full)

        with context_of(home) as context:
            save_list(context.writable_store(), read_list(renamed_sdn(folder / "sdn-changed", args.changes)),
                      "changed", force=True, actor=ACTOR)
        after_list, list_seconds = run(home)

    rows = [
        ("book change: delta run", delta, delta_seconds),
        ("book change: full re-screen (baseline)", full, full_seconds),
        ("list change: the run (full by itself)", after_list, list_seconds),
    ]
    print(f"\nbanwatch monitor run: {args.records:,}-record book, {args.changes} changes, SDN 2021 list\n")
    print(f"| {'run':<40} | {'records screened':>16} | {'seconds':>8} | {'alerts raised':>13} |")
    print(f"|{'-' * 42}|{'-' * 18}|{'-' * 10}|{'-' * 15}|")
    for label, summary, seconds in rows:
        print(f"| {label:<40} | {summary.records:>16,} | {seconds:>8.2f} | {len(summary.raised):>13,} |")
    speedup = full_seconds / max(delta_seconds, 1e-9)
    print(f"\nbook change: delta {speedup:,.0f}x faster than a full re-screen (target >= {TARGET_SPEEDUP:g}x): "
          f"{'MET' if speedup >= TARGET_SPEEDUP else 'MISSED'}; same alerts: {'yes' if same else 'NO'}")
    print(f"list change: {full_seconds / max(list_seconds, 1e-9):.1f}x (target >= {TARGET_SPEEDUP:g}x): MISSED, "
          "a list change re-screens the whole book (its word weights moved)")


if __name__ == "__main__":
    main()
