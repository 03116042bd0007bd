"""`decide-file` and the main job: a reseller's order lines decided in one go."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from conftest import run_banwatch

HEADER = "reference,type,date,product,vendor,seller,buyer,seller_country,buyer_country,buyer_is_federal\n"


def read_report(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_demo_decides_the_bundled_sample_and_writes_both_reports(tmp_path):
    result = run_banwatch("demo", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    rows = read_report(tmp_path / "reseller-orders-decisions.csv")
    with (tmp_path / "reseller-orders.csv").open(encoding="utf-8") as handle:
        order_lines = sum(1 for _ in csv.DictReader(handle))
    assert len(rows) == order_lines
    outcomes = {row["outcome"] for row in rows}
    assert outcomes == {"prohibited", "review", "allowed"}
    report = json.loads((tmp_path / "reseller-orders-decisions.json").read_text(encoding="utf-8"))
    assert report["bad_rows"] == []
    assert sum(report["outcomes"].values()) == order_lines
    assert "us-icts-kaspersky-2024" in report["summary"]
    assert "prohibited" in result.stdout and "us-icts-kaspersky-2024" in result.stdout


def test_prohibited_rows_carry_measure_citation_and_reason(tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text(HEADER
                      + "A1,resale,2024-10-01,Kaspersky Total Security,,,Acme Corp,US,US,false\n"
                      + "A2,sale,2024-10-01,ESET Endpoint Security,,,Acme Corp,US,US,false\n",
                      encoding="utf-8")
    result = run_banwatch("decide-file", str(orders), "--out", str(tmp_path / "report.csv"))
    assert result.returncode == 0, result.stderr
    first, second = read_report(tmp_path / "report.csv")
    assert (first["reference"], first["outcome"]) == ("A1", "prohibited")
    assert "us-icts-kaspersky-2024" in first["measures"] and "89 FR 52434" in first["citations"]
    assert "prohibited" in first["reasons"]
    assert (second["reference"], second["outcome"]) == ("A2", "allowed")
    assert (tmp_path / "report.json").exists()


def test_bad_rows_are_reported_and_good_rows_still_decided(tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text(HEADER
                      + "A1,resale,2024-10-01,Kaspersky Total Security,,,Acme,US,US,false\n"
                      + "A2,refund,2024-10-01,Kaspersky Total Security,,,Acme,US,US,false\n"
                      + "A3,sale,2024-13-01,Kaspersky Total Security,,,Acme,US,US,false\n"
                      + "A4,sale,2024-10-01,Kaspersky Total Security,,,Acme,US,US,maybe\n"
                      + "A5,sale,2024-10-01,Kaspersky Total Security,,,Acme,US,US,false,extra\n"
                      + "A6,sale,2024-10-01,,,,,US,US,false\n"
                      + "A7,use,2024-10-01,Kaspersky Total Security,,,Acme,US,US,false\n",
                      encoding="utf-8")
    result = run_banwatch("decide-file", str(orders), "--out", str(tmp_path / "report.csv"))
    assert result.returncode == 2
    for row, field in ((3, "type"), (4, "date"), (5, "buyer_is_federal"), (6, "cells"), (7, "give at least one")):
        assert f"row {row}" in result.stderr and field in result.stderr, (row, result.stderr)
    decided = read_report(tmp_path / "report.csv")
    assert [row["reference"] for row in decided] == ["A1", "A7"]
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert len(report["bad_rows"]) == 5


def test_missing_column_is_one_line_and_exit_2(tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text("reference,type,product\nA1,sale,Kaspersky Total Security\n", encoding="utf-8")
    result = run_banwatch("decide-file", str(orders))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"banwatch: error: {orders} header: missing column date; expected "
        "reference, type, date, product, vendor, seller, buyer, seller_country, buyer_country, buyer_is_federal, "
        "buyer_is_federal_contractor, buyer_us_person, seller_us_person, subject_to_ear, buyer_government, "
        "model_year, origin_nexus, seller_nexus"  # issue 10 added the last three (connected vehicles)
    ]
    assert not (tmp_path / "orders-decisions.csv").exists()


def test_empty_file_and_non_utf8_file_are_rejected(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = run_banwatch("decide-file", str(empty))
    assert result.returncode == 2 and "empty file" in result.stderr
    cp1252 = tmp_path / "cp1252.csv"
    row = "A1,sale,2024-10-01,Kaspersky S\xe9curit\xe9,,,Soci\xe9t\xe9,FR,US,false\n"
    cp1252.write_bytes(HEADER.encode() + row.encode("cp1252"))
    result = run_banwatch("decide-file", str(cp1252))
    assert result.returncode == 2 and "UTF-8" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_file_is_bad_input(tmp_path):
    result = run_banwatch("decide-file", str(tmp_path / "nope.csv"))
    assert result.returncode == 2 and "nope.csv" in result.stderr
