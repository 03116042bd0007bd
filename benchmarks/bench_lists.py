"""Load and diff figures for the watchlists, with baselines measured in the same run.

    .venv/bin/python benchmarks/bench_lists.py

Load: each source of ../shared/data is loaded by `banwatch lists load`'s code
path (parse, validate, store) in a fresh process, which reports its wall time
and peak memory (max RSS). The baseline is the floor: the same files only split
into rows or XML elements by the standard library, with nothing validated or
stored. Then all five sources are loaded in one process, against the target of
under 5 s and 500 MB.

Diff: the 2021 SDN snapshot against a copy with 500 entities renamed, through
banwatch's SQL diff; the baseline loads both snapshots into Python dicts and
compares them. The target is under 1 s.
"""

from __future__ import annotations

import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SOURCES = {
    "ofac-sdn": DATA / "ofac-sdn-2021",
    "ofac-cons": DATA / "ofac-consolidated",
    "un": DATA / "un" / "consolidated.xml",
    "bis-dpl": DATA / "bis" / "dpl.txt",
    "csl": DATA / "bis" / "csl-sample.csv",
}

LOAD_CHILD = """
import json, resource, sys, time
from pathlib import Path
started = time.perf_counter()
from banwatch.lists.sources import read_list
from banwatch.services.lists import save_list
from banwatch.store.sqlite import SqliteStore
store = SqliteStore.open(Path(sys.argv[1]) / "banwatch.sqlite")
entities = 0
for path in sys.argv[2:]:
    parsed = read_list(Path(path))
    save_list(store, parsed, path, force=True, actor="bench")
    entities += len(parsed.entities)
print(json.dumps({"seconds": time.perf_counter() - started, "entities": entities,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

BASELINE_CHILD = """
import csv, io, json, resource, sys, time
import xml.etree.ElementTree as ET
from pathlib import Path
started = time.perf_counter()
rows = 0
for name in sys.argv[1:]:
    path = Path(name)
    for file in (sorted(path.glob("*")) if path.is_dir() else [path]):
        if file.suffix == ".xml":
            rows += sum(1 for _ in ET.parse(file).getroot().iter())
        else:
            text = file.read_text(encoding="utf-8")
            rows += sum(1 for _ in csv.reader(io.StringIO(text), delimiter="\\t" if file.suffix == ".txt" else ","))
print(json.dumps({"seconds": time.perf_counter() - started, "rows": rows,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def child(code: str, *args: str) -> dict:
    python = ROOT / ".venv" / "bin" / "python"
    result = subprocess.run([str(python if python.exists() else sys.executable), "-c", code, *args],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def best_of(runs: int, code: str, *args: str) -> dict:
    results = [child(code, *args) for _ in range(runs)]
    return min(results, key=lambda r: r["seconds"])


def load_table() -> list[tuple[str, str, str, str, str]]:
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for source, path in SOURCES.items():
            home = Path(scratch) / source
            home.mkdir()
            ours = best_of(3, LOAD_CHILD, str(home), str(path))
            floor = best_of(3, BASELINE_CHILD, str(path))
            rows.append((source, f"{ours['entities']:,}", f"{ours['seconds']:.2f} s / {ours['peak_mb']:.0f} MB",
                         f"{floor['seconds']:.2f} s / {floor['peak_mb']:.0f} MB", ""))
        home = Path(scratch) / "all"
        home.mkdir()
        ours = best_of(3, LOAD_CHILD, str(home), *map(str, SOURCES.values()))
        floor = best_of(3, BASELINE_CHILD, *map(str, SOURCES.values()))
        verdict = "met" if ours["seconds"] < 5 and ours["peak_mb"] < 500 else "MISSED"
        rows.append(("all five", f"{ours['entities']:,}", f"{ours['seconds']:.2f} s / {ours['peak_mb']:.0f} MB",
                     f"{floor['seconds']:.2f} s / {floor['peak_mb']:.0f} MB", f"< 5 s, < 500 MB: {verdict}"))
    return rows


def changed_copy(folder: Path, renamed: int) -> Path:
    folder.mkdir()
    with (DATA / "ofac-sdn-2021" / "sdn.csv").open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.reader(handle) if len(row) > 1]  # OFAC ends the file with a ^Z line
    # Entities no other entry names in "Linked To:" (renaming a link target changes two entities).
    remarks = " ".join(row[11] for row in rows)
    for index in [i for i, row in enumerate(rows) if row[1] not in remarks][:renamed]:
        rows[index][1] += " RENAMED"
    with (folder / "sdn.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    for name in ("alt.csv", "add.csv", "sdn_comments.csv"):
        (folder / name).write_bytes((DATA / "ofac-sdn-2021" / name).read_bytes())
    return folder


def diff_table() -> list[tuple[str, str, str, str, str]]:
    sys.path.insert(0, str(ROOT / "src"))
    from banwatch.lists.sources import read_list
    from banwatch.services.lists import save_list
    from banwatch.store.sqlite import SqliteStore

    with tempfile.TemporaryDirectory() as scratch:
        store = SqliteStore.open(Path(scratch) / "banwatch.sqlite")
        first = save_list(store, read_list(DATA / "ofac-sdn-2021"), "2021", force=True, actor="bench")
        second = save_list(store, read_list(changed_copy(Path(scratch) / "changed", 500)), "changed", force=True,
                           actor="bench")

        def ours() -> int:
            return store.diff("ofac-sdn", first.id, second.id)["counts"]["changed"]

        def naive() -> int:
            old = {e.id: e.model_dump() for e in store.entities(first.id)}
            new = {e.id: e.model_dump() for e in store.entities(second.id)}
            return sum(1 for key in old.keys() & new.keys() if old[key] != new[key])

        timings = {}
        for label, run in (("ours", ours), ("naive", naive)):
            seconds = []
            for _ in range(5):
                started = time.perf_counter()
                found = run()
                seconds.append(time.perf_counter() - started)
            assert found == 500, (label, found)
            timings[label] = statistics.median(seconds)
        store.close()
    verdict = "met" if timings["ours"] < 1 else "MISSED"
    return [("diff 2021 SDN vs 500 changed", "500 found", f"{timings['ours']:.3f} s",
             f"{timings['naive']:.3f} s", f"< 1 s: {verdict}")]


def main() -> None:
    os.environ.pop("BANWATCH_HOME", None)
    rows = load_table() + diff_table()
    header = ("what", "entities", "banwatch (time / peak RSS)", "baseline", "target")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    print("Baselines: load = stdlib csv/ElementTree split only (no validation, no store);"
          " diff = both snapshots compared as Python dicts.")
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print(" | ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
