"""Estate scan of a generated CSV export large enough to exercise the
streaming query (scan.match_query): exact findings, item and host counts,
identical rows once, nothing left behind. Memory and time are measured in
benchmarks/bench_estate_csv.py, not here."""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from pathlib import Path

import pytest

from banwatch.catalog import bundled_catalog
from banwatch.estate import scan as scan_module
from banwatch.estate.scan import scan
from conftest import run_banwatch

TODAY = dt.date(2026, 11, 23)
ICTS, S889 = "us-icts-kaspersky-2024", "us-ndaa-fy2019-s889"
HEADER = ["Computer Name", "Software Name", "Publisher", "Version", "Install Location"]
ORDINARY = [
    ["Google Chrome", "Google LLC", "133.0.6943.127", r"C:\Program Files\Google\Chrome\Application"],
    ["Zoom Workplace (64-bit)", "Zoom Video Communications, Inc.", "6.3.11.60501", r"C:\Program Files\Zoom"],
    ["7-Zip 23.01 (x64)", "Igor Pavlov", "23.01", r"C:\Program Files\7-Zip"],
    # near misses: none of these may be found
    ["Kasparov Chessmate", "Grandmaster Games Ltd.", "2.4.1", r"C:\Program Files\Kasparov Chessmate"],
    ["Aztec Code Reader", "Aztec Software Inc.", "3.1.0", ""],
    ["Daehua Restaurant Orders", "Daehua Foods Ltd.", "1.8.0", ""],
    ["Hytec Label Designer", "Hytec Systems Ltd.", "5.2", ""],
    ["Kasperskyish Notes", "Notes Ltd.", "1.0", ""],
]
PLANTED = [
    ["Kaspersky Endpoint Security for Windows", "AO Kaspersky Lab", "11.6.0.394",
     r"C:\Program Files (x86)\Kaspersky Lab\KES.11.6.0"],
    ["Антивирус Касперского", "АО «Лаборатория Касперского»", "21.3.10.391", ""],
    ["Kaspersky Free", "Kaspersky", "21.3.10.391", ""],
    ["Huawei PC Manager", "Huawei Device Co., Ltd.", "14.0.0.300", ""],
]


def host(number: int) -> str:
    return f"WS-{number:05d}"


def write_export(path: Path, rows: int, per_host: int, planted: int, seed: int = 3) -> set[tuple[str, str, str]]:
    """A CSV export as Excel saves one (BOM, CRLF, quoted commas) of `rows`
    rows; `planted` restricted programs at random rows, the first of them
    also repeated as an identical row. The (host, name, measure) expected."""
    rng = random.Random(seed)
    at = dict.fromkeys(rng.sample(range(rows), planted))
    for row in at:
        at[row] = rng.choice(PLANTED)
    expected = {(host(row // per_host), cells[0], S889 if cells[0].startswith("Huawei") else ICTS)
                for row, cells in at.items()}
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADER)
        for row in range(rows):
            cells = at.get(row) or ORDINARY[rng.randrange(len(ORDINARY))]
            writer.writerow([host(row // per_host), *cells])
            if row == min(at):
                writer.writerow([host(row // per_host), *cells])  # the same row twice: one finding
    return expected


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> tuple[Path, set[tuple[str, str, str]]]:
    path = tmp_path_factory.mktemp("streaming") / "installed-programs.csv"
    return path, write_export(path, rows=60_000, per_host=30, planted=120)


def test_a_generated_export_gives_exactly_the_planted_findings_and_counts_every_row_and_host(export):
    path, expected = export
    result = scan([path], bundled_catalog(), TODAY)
    assert not result.problems, result.problems
    assert {(f.host, f.name, f.measure_id) for f in result.findings} == expected
    [inventory] = result.inventories
    # 60,000 rows and the repeated one; the identical rows make one finding, counted once
    assert (inventory.items, inventory.hosts, inventory.findings) == (60_001, 2_000, len(expected))
    kes = next(f for f in result.findings if f.name.startswith("Kaspersky Endpoint"))
    assert {reason.field for reason in kes.reasons} == {"publisher", "name", "path"}


def test_the_findings_come_in_the_same_order_on_every_run(export):
    path, _ = export
    runs = [[f.model_dump() for f in scan([path], bundled_catalog(), TODAY).findings] for _ in range(2)]
    assert runs[0] == runs[1]


def test_rows_without_a_host_are_items_but_not_hosts(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Computer Name,Software Name,Publisher\n,Kaspersky Free,Kaspersky\nA,Kaspersky Free,Kaspersky\n"
                    "A,Kaspersky Free,Kaspersky\n,Google Chrome,Google LLC\n", encoding="utf-8")
    result = scan([path], bundled_catalog(), TODAY)
    [inventory] = result.inventories
    assert (inventory.items, inventory.hosts) == (4, 1)
    assert sorted((f.host, f.name) for f in result.findings) == [("?", "Kaspersky Free"), ("A", "Kaspersky Free")]


def test_a_header_only_export_has_no_items(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Computer Name,Software Name,Publisher\n", encoding="utf-8")
    result = scan([path], bundled_catalog(), TODAY)
    assert not result.problems and not result.findings
    assert (result.inventories[0].items, result.inventories[0].hosts) == (0, 0)


def test_duckdb_spills_to_a_directory_of_its_own_that_the_scan_removes(export, tmp_path, monkeypatch):
    """DuckDB's default spill directory is `.tmp` in the working directory."""
    path, expected = export
    made = []
    real_connect = scan_module.connect
    monkeypatch.setattr(scan_module, "connect", lambda spill: made.append(spill) or real_connect(spill))
    monkeypatch.chdir(tmp_path)
    result = scan([path], bundled_catalog(), TODAY)
    assert {(f.host, f.name, f.measure_id) for f in result.findings} == expected
    assert made and not Path(made[0]).exists()
    assert list(tmp_path.iterdir()) == []


def test_the_cli_scans_a_generated_export(export, tmp_path):
    path, expected = export
    report = tmp_path / "findings.json"
    result = run_banwatch("estate", "scan", str(path), "--as-of", TODAY.isoformat(), "--out", str(report))
    assert result.returncode == 0, result.stderr
    assert "Scanned 60,001 items on 2,000 hosts" in result.stdout
    findings = json.loads(report.read_text(encoding="utf-8"))["findings"]
    assert {(f["host"], f["name"], f["measure_id"]) for f in findings} == expected


# ------------------------------------------------------------------ the CSV reader the scan streams from

@pytest.mark.parametrize(("bad_row", "line", "problem"), [
    ("PC-2,Kaspersky Free,Kaspersky,extra", 3, "4 fields where the header has 3"),
    ("PC-2,Kaspersky Free", 3, "2 fields where the header has 3"),
    ('PC-2,"Kaspersky Free,Kaspersky', 3, "a quoted value is not closed"),
    ("PC-2,Kaspersky Free,\xff", 3, "not UTF-8 text"),
])
def test_a_bad_row_refuses_the_export_naming_its_line(tmp_path, bad_row, line, problem):
    """DuckDB's sniffer took a row with a cell too many or too few for another
    dialect (each line one column) and the export was refused for a missing column."""
    path = tmp_path / "export.csv"
    path.write_bytes(("Computer Name,Software Name,Publisher\nPC-1,Kaspersky Free,Kaspersky\n" + bad_row
                      + "\nPC-3,Google Chrome,Google LLC\n").encode("utf-8", errors="surrogateescape")
                     .replace(b"\xc3\xbf", b"\xff"))
    result = scan([path], bundled_catalog(), TODAY)
    [bad] = result.problems
    assert bad.where == f"{path} line {line}" and problem in bad.problem, bad.render()
    assert not result.findings


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_exports_with_semicolons_tabs_or_bars_are_read(tmp_path, delimiter):
    path = tmp_path / "export.csv"
    rows = [["Computer Name", "Software Name", "Publisher"], ["PC-1", "Kaspersky Free", "Kaspersky"],
            ["PC-2", "Zoom Workplace (64-bit)", "Zoom Video Communications, Inc."]]
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    result = scan([path], bundled_catalog(), TODAY)
    assert not result.problems, result.problems
    assert [(f.host, f.name) for f in result.findings] == [("PC-1", "Kaspersky Free")]
    assert result.inventories[0].items == 2


def test_header_names_may_repeat_or_carry_spaces(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(" Computer Name ,Name,Name,Publisher\nPC-1,Kaspersky Free,x,Kaspersky\n", encoding="utf-8")
    result = scan([path], bundled_catalog(), TODAY)
    assert not result.problems, result.problems
    assert [(f.host, f.name) for f in result.findings] == [("PC-1", "Kaspersky Free")]
