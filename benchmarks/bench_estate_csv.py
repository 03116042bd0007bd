"""Estate scan of large CSV exports: a generated 10-million-row endpoint
inventory through `banwatch estate scan`, its memory against a 1 GB target,
with a plain-Python scan (the csv module and re) of the same file measured in
the same run; then a mixed-format run of as many rows: half an endpoint
export as above, half a PowerShell `Get-WmiObject Win32_Product | Export-Csv
-Encoding Unicode` export (UTF-16 LE with BOM, a #TYPE line, every value
quoted, CRLF, PSComputerName as the host), scanned together by one command.

    .venv/bin/python benchmarks/bench_estate_csv.py [--rows 10000000] [--per-host 50]
                                                    [--planted 300] [--baseline-rows 0] [--seed 7]
                                                    [--mixed-rows ROWS (default --rows; 0: none)]

- Generation: --rows rows, --per-host per host (so 200,000 hosts at the
  default), written by DuckDB itself (one COPY, no Python loop per row) into a
  temporary directory as an endpoint-management export: `Computer Name,
  Software Name,Publisher,Version,Install Location,Install Date`, fields quoted
  where they need it. Rows are the Windows programs of bench_estate's vocabulary
  (near-miss decoys included: Kasparov Chessmate, Aztec Code Reader, Daehua
  Restaurant Orders ...), picked by a hash of the row number.
- Planted: --planted Kaspersky programs (KES, Network Agent, the Cyrillic
  Антивирус Касперского, Kaspersky Free) at random rows with a fixed seed, one
  name per host at most. The (host, name) pairs are the expected answer.
- Scan: the real CLI, `.venv/bin/banwatch estate scan EXPORT --as-of 2026-11-23
  --out findings.json`, in a subprocess without BANWATCH_* variables: its wall
  time (start-up and report included), rows/s and peak RSS (that child's
  ru_maxrss, from wait4), planted items found and findings that were not planted.
- Baseline: csv.reader over the same file (the first --baseline-rows rows; 0:
  all), the header mapped to columns as banwatch maps it, and the catalog's
  same signatures as Python regexes, set lookups and str.startswith; run as a
  child process too, so its time and peak RSS are measured alike.

- Mixed run: the PowerShell half is written by the same COPY (its own hosts,
  PS-0000000 ..., and its own planted rows), then turned into UTF-16 with its
  #TYPE line and CRLF line ends by Python in 16 MB chunks (not timed). The
  baseline reads each file with Python's csv module in its own encoding.

The peak memory is the point: banwatch's must not grow with the file (it
streams the rows; what it keeps spills to disk past DuckDB's memory limit).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_estate import AS_OF, PLANTED_PROGRAMS, PROGRAMS, ROOT, print_table, python_matchers, verdict

BANWATCH = ROOT / ".venv" / "bin" / "banwatch"
PYTHON = ROOT / ".venv" / "bin" / "python"
PYTHON = PYTHON if PYTHON.exists() else Path(sys.executable)
TARGET_PEAK_MB = 1024.0
HEADER = ("Computer Name", "Software Name", "Publisher", "Version", "Install Location", "Install Date")


def host_name(host: int) -> str:
    return f"WS-{host:07d}"


def vocabulary() -> list[tuple[str, str, str, str]]:
    """(name, publisher, install location, version) of every ordinary program row."""
    return [(name, publisher, location, version) for name, publisher, location, versions, _ in PROGRAMS
            for version in versions]


def plant(rows: int, per_host: int, count: int, seed: int) -> list[tuple[int, tuple[str, str, str, str]]]:
    """(row number, row) for `count` planted Kaspersky programs, at most one of each name per host."""
    rng = random.Random(seed)
    chosen: dict[int, tuple[str, str, str, str]] = {}
    pairs: set[tuple[int, str]] = set()
    count = min(count, rows)
    while len(chosen) < count:
        row = rng.randrange(rows)
        template = rng.choice(PLANTED_PROGRAMS)
        if row in chosen or (row // per_host, template["name"]) in pairs:
            continue
        pairs.add((row // per_host, template["name"]))
        chosen[row] = (template["name"], template["publisher"], template["install_location"], template["version"])
    return sorted(chosen.items())


GENERATE = """
COPY (
    SELECT 'WS-' || lpad((range // {per_host})::VARCHAR, 7, '0') AS "Computer Name",
           coalesce(cells.name, vocabulary.name) AS "Software Name",
           coalesce(cells.publisher, vocabulary.publisher) AS "Publisher",
           coalesce(cells.version, vocabulary.version) AS "Version",
           coalesce(cells.location, vocabulary.location) AS "Install Location",
           strftime(DATE '2021-01-01' + (hash(range, 1) % 1500)::INTEGER, '%Y-%m-%d') AS "Install Date"
    FROM range({rows})
    JOIN vocabulary ON vocabulary.slot = hash(range) % {size}
    LEFT JOIN cells ON cells.row = range  -- puts the planted rows last: the order of rows does not matter here
) TO '{path}' (FORMAT CSV, HEADER true)
"""
#: Win32_Product's properties as Get-WmiObject | Export-Csv writes them (a subset, in their order)
GENERATE_POWERSHELL = """
COPY (
    SELECT 'PS-' || lpad((range // {per_host})::VARCHAR, 7, '0') AS "PSComputerName",
           coalesce(cells.name, vocabulary.name) AS "Name",
           coalesce(cells.version, vocabulary.version) AS "Version",
           '5' AS "InstallState",
           coalesce(cells.name, vocabulary.name) AS "Caption",
           '{{' || upper(substr(md5(range::VARCHAR), 1, 8)) || '-0000-0000-0000-000000000000}}' AS "IdentifyingNumber",
           coalesce(cells.location, vocabulary.location) AS "InstallLocation",
           coalesce(cells.publisher, vocabulary.publisher) AS "Vendor",
           'Win32_Product' AS "__CLASS"
    FROM range({rows})
    JOIN vocabulary ON vocabulary.slot = hash(range) % {size}
    LEFT JOIN cells ON cells.row = range
) TO '{path}' (FORMAT CSV, HEADER true, FORCE_QUOTE *)
"""
POWERSHELL_TYPE_LINE = "#TYPE System.Management.ManagementObject#root\\cimv2\\Win32_Product\r\n"


def generate(path: Path, rows: int, per_host: int, planted: list[tuple[int, tuple[str, str, str, str]]],
             template: str = GENERATE) -> dict:
    import duckdb

    vocab = vocabulary()
    connection = duckdb.connect()
    connection.execute("CREATE TABLE vocabulary (slot BIGINT, name VARCHAR, publisher VARCHAR, location VARCHAR, "
                       "version VARCHAR)")
    connection.executemany("INSERT INTO vocabulary VALUES (?, ?, ?, ?, ?)",
                           [[slot, *row] for slot, row in enumerate(vocab)])
    connection.execute("CREATE TABLE cells (row BIGINT, name VARCHAR, publisher VARCHAR, location VARCHAR, "
                       "version VARCHAR)")
    if planted:
        connection.executemany("INSERT INTO cells VALUES (?, ?, ?, ?, ?)", [[row, *cells] for row, cells in planted])
    started = time.perf_counter()
    connection.execute(template.format(per_host=per_host, rows=rows, size=len(vocab),
                                       path=str(path).replace("'", "''")))
    seconds = time.perf_counter() - started
    connection.close()
    return {"seconds": seconds, "bytes": path.stat().st_size, "vocabulary": len(vocab)}


def to_powershell_unicode(source: Path, target: Path) -> None:
    """`source` (UTF-8, LF) as Export-Csv -Encoding Unicode writes it: UTF-16 LE with BOM, #TYPE first, CRLF."""
    with source.open("r", encoding="utf-8", newline="") as reading, target.open("wb") as writing:
        writing.write(b"\xff\xfe" + POWERSHELL_TYPE_LINE.encode("utf-16-le"))
        while chunk := reading.read(1 << 24):
            writing.write(chunk.replace("\n", "\r\n").encode("utf-16-le"))
    source.unlink()


def run_measured(command: list[str]) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run `command`; (the completed process, its wall time, its own peak RSS in MB)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BANWATCH_")}
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(command, stdout=out, stderr=err, env=environment)
        _, status, usage = os.wait4(child.pid, 0)  # this child's rusage, not every child's so far
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        done = subprocess.CompletedProcess(command, child.returncode, out.read().decode(), err.read().decode())
    return done, seconds, usage.ru_maxrss / 1024


def scan(exports: list[Path], report: Path) -> dict:
    done, seconds, peak = run_measured([str(BANWATCH), "estate", "scan", *map(str, exports), "--as-of", AS_OF,
                                        "--out", str(report)])
    assert done.returncode == 0, done.stderr[-2000:]
    findings = json.loads(report.read_text(encoding="utf-8"))["findings"]
    return {"seconds": seconds, "peak_mb": peak, "found": [(f["host"], f["name"]) for f in findings]}


def baseline(exports: list[Path], limit: int) -> dict:
    """The baseline, in a child process (this script with --baseline-child)."""
    done, seconds, peak = run_measured([str(PYTHON), __file__, *(f"--baseline-child={export}" for export in exports),
                                        "--baseline-rows", str(limit)])
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    return {**result, "wall": seconds, "peak_mb": peak, "found": [tuple(pair) for pair in result["found"]]}


def baseline_child(exports: list[Path], limit: int) -> None:
    """csv.reader and the catalog's signatures in Python, row by row; prints JSON.
    A PowerShell export is read as UTF-16 past its #TYPE line; `limit` rows of each file."""
    matchers = python_matchers()
    found: list[tuple[str, str]] = []
    rows = 0
    started = time.perf_counter()
    for export in exports:
        powershell = export.read_bytes()[:2] == b"\xff\xfe"
        with export.open(newline="", encoding="utf-16" if powershell else "utf-8-sig") as handle:
            if powershell:
                handle.readline()
            reader = csv.reader(handle)
            header = [cell.strip().casefold() for cell in next(reader)]
            columns = (("PSComputerName", "Name", "Vendor", "InstallLocation") if powershell else
                       ("Computer Name", "Software Name", "Publisher", "Install Location"))
            host, name, publisher, location = (header.index(c.casefold()) for c in columns)
            for number, row in enumerate(reader, 1):
                rows += 1
                lowered = {"name": row[name].lower(), "vendor": row[publisher].lower(),
                           "path": row[location].lower()}
                if any(lowered.get(column) and test(lowered[column]) for column, test in matchers):
                    found.append((row[host], row[name]))
                if number == limit:
                    break
    seconds = time.perf_counter() - started
    print(json.dumps({"rows": rows, "seconds": seconds, "rate": rows / seconds, "found": sorted(set(found))}))


def planted_in(export: Path, rows: int, expected: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The planted items among the first `rows` rows (not timed): DuckDB wrote the rows in its own order."""
    with export.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        return {(row[0], row[1]) for row, _ in zip(reader, range(rows), strict=False)} & expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--per-host", type=int, default=50, help="rows per host")
    parser.add_argument("--planted", type=int, default=300, help="Kaspersky programs planted at random")
    parser.add_argument("--baseline-rows", type=int, default=0, help="rows the Python baseline reads (0: all)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, default=None, help="also copy the findings report here")
    parser.add_argument("--mixed-rows", type=int, default=None,
                        help="rows of the mixed run, half plain CSV, half PowerShell UTF-16 (default --rows; 0: none)")
    parser.add_argument("--baseline-child", type=Path, action="append", default=None, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.baseline_child:
        baseline_child(options.baseline_child, options.baseline_rows)
        return
    assert options.rows > 0 and options.per_host > 0, "--rows and --per-host: at least 1"

    mixed_rows = options.rows if options.mixed_rows is None else options.mixed_rows
    with tempfile.TemporaryDirectory(prefix="bench-estate-csv-") as folder:
        scratch = Path(folder)
        export = scratch / "installed-programs.csv"
        planted = plant(options.rows, options.per_host, options.planted, options.seed)
        made = generate(export, options.rows, options.per_host, planted)
        ours = scan([export], scratch / "findings.json")
        if options.keep:
            options.keep.write_bytes((scratch / "findings.json").read_bytes())
        theirs = baseline([export], options.baseline_rows)
        expected = {(host_name(row // options.per_host), cells[0]) for row, cells in planted}
        # the baseline read only its first rows: the planted items in them
        in_sample = planted_in(export, theirs["rows"], expected) if theirs["rows"] < options.rows else expected
        export.unlink()
        mixed = mixed_run(scratch, mixed_rows, options) if mixed_rows else None

    table, missed, false = figures(f"CSV export, {options.rows:,} rows", options.rows, options.per_host, made, ours,
                                   theirs, expected, in_sample)
    if mixed:
        more = figures(f"mixed: CSV + PowerShell UTF-16, {mixed_rows:,} rows", mixed_rows, options.per_host, *mixed)
        table, missed, false = table + more[0], missed + more[1], false + more[2]
    header = ("what", "banwatch", "baseline: Python csv + re", "target")
    cores = len(os.sched_getaffinity(0))
    print(f"Exports: CSV of installed programs, {options.rows:,} rows, {options.per_host} per host, vocabulary of "
          f"{made['vocabulary']} ordinary Windows programs with near-miss decoys, {len(expected)} planted "
          f"Kaspersky programs (seed {options.seed})" + (f"; then {mixed_rows:,} rows, half that export, half a "
          "PowerShell Export-Csv -Encoding Unicode of Win32_Product, scanned together" if mixed else "")
          + f"; {cores} cores.")
    print_table(header, table, missed, false)


def mixed_run(scratch: Path, rows: int, options: argparse.Namespace) -> tuple:
    """Half a CSV export, half a PowerShell UTF-16 export (own hosts, own planted rows), scanned together."""
    half = rows // 2
    plain, powershell, staged = (scratch / "mixed-programs.csv", scratch / "win32-product.csv",
                                 scratch / "win32-product.utf8.csv")
    planted_plain = plant(half, options.per_host, options.planted // 2, options.seed + 1)
    planted_powershell = plant(rows - half, options.per_host, options.planted - options.planted // 2,
                               options.seed + 2)
    made = generate(plain, half, options.per_host, planted_plain)
    made_ps = generate(staged, rows - half, options.per_host, planted_powershell, GENERATE_POWERSHELL)
    to_powershell_unicode(staged, powershell)
    made = {"seconds": made["seconds"] + made_ps["seconds"],
            "bytes": plain.stat().st_size + powershell.stat().st_size, "vocabulary": made["vocabulary"]}
    ours = scan([plain, powershell], scratch / "mixed-findings.json")
    theirs = baseline([plain, powershell], options.baseline_rows)
    expected = {(host_name(row // options.per_host), cells[0]) for row, cells in planted_plain}
    expected |= {("PS-" + host_name(row // options.per_host)[3:], cells[0]) for row, cells in planted_powershell}
    whole = theirs["rows"] == rows
    return made, ours, theirs, expected, expected if whole else set()


def figures(title: str, rows: int, per_host: int, made: dict, ours: dict, theirs: dict,
            expected: set[tuple[str, str]], in_sample: set[tuple[str, str]]) -> tuple[list, list, list]:
    """The table rows of one run, the planted items it missed and its false findings."""
    found = set(ours["found"])
    false = [pair for pair in ours["found"] if pair not in expected]
    missed = sorted(expected - found)
    base_found = set(theirs["found"])
    base_false = [pair for pair in theirs["found"] if pair not in expected]
    rate = rows / ours["seconds"]
    whole = theirs["rows"] == rows
    base_time = f"{theirs['wall']:.1f} s" if whole else f"{rows / theirs['rate']:,.0f} s (extrapolated)"
    hosts = -(-rows // per_host)
    return [
        (f"{title}: generate, {hosts:,} hosts",
         f"{made['seconds']:.1f} s (DuckDB COPY), {made['bytes'] / 1e9:.2f} GB", "-", "-"),
        ("  scan wall time (CLI, --out findings.json)", f"{ours['seconds']:.1f} s", base_time, "-"),
        ("  throughput", f"{rate:,.0f} rows/s ({made['bytes'] / ours['seconds'] / 1e6:,.0f} MB/s)",
         f"{theirs['rate']:,.0f} rows/s (1 process; {theirs['rows']:,} rows)", "-"),
        ("  peak memory (RSS)", f"{ours['peak_mb']:,.0f} MB", f"{theirs['peak_mb']:,.0f} MB",
         f"< {TARGET_PEAK_MB / 1024:.0f} GB: {verdict(ours['peak_mb'] < TARGET_PEAK_MB)}"),
        ("  planted items found", f"{len(expected & found)}/{len(expected)}",
         f"{len(in_sample & base_found)}/{len(in_sample)}" + ("" if whole else " (in its rows)"),
         f"all: {verdict(not missed)}"),
        ("  false findings", f"{len(false)}", f"{len(base_false)}", f"0: {verdict(not false)}"),
    ], missed, false


if __name__ == "__main__":
    main()
