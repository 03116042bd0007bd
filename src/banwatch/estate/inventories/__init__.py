"""Inventory readers: each turns one file into DuckDB SQL yielding the item
columns of `banwatch.estate.items`. Large inventories (osquery logs, CSV
exports) stay in DuckDB's own readers, streamed and columnar; the small,
structured ones (SBOMs, nmap XML, this machine) are parsed by their field's
libraries in Python and handed to DuckDB as a table.

The format is detected from the file's first bytes, not its name: an osquery
log saved as .txt is still an osquery log.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element

import duckdb

from banwatch import inputs
from banwatch.errors import BadInput
from banwatch.estate.items import NAMES

#: how the size limit names what it refuses
PARSED_WHAT = "an SBOM or nmap file"


@dataclass(frozen=True)
class Inventory:
    """One inventory ready to scan: where it comes from, its format, and a
    SELECT over it yielding the item columns."""

    origin: str
    format: str
    sql: str


def detect_format(path: Path) -> str:
    """The inventory's format, from its first bytes."""
    text = inputs.head(path)
    if not text:
        raise BadInput(str(path), "empty file")
    if text.startswith("<"):
        if "<nmaprun" in text:
            return "nmap"
        if "cyclonedx" in text.lower() and "<bom" in text:
            return "cyclonedx-xml"
        raise BadInput(str(path), "XML, but neither nmap output (<nmaprun>) nor a CycloneDX SBOM (<bom>)")
    if text.startswith("SPDXVersion:") or "\nSPDXVersion:" in text:
        return "spdx-tag-value"
    if text.startswith("{"):
        first_line = text.split("\n", 1)[0]
        if '"bomFormat"' in text and "CycloneDX" in text:
            return "cyclonedx-json"
        if '"spdxVersion"' in text:
            return "spdx-json"
        if '"hostIdentifier"' in first_line:
            return "osquery-log"
        raise BadInput(str(path), "JSON, but not an osquery results log (no hostIdentifier on line 1), "
                       "a CycloneDX SBOM (bomFormat) or an SPDX document (spdxVersion)")
    if text.startswith("["):
        return "osquery-json"
    first_line = text.split("\n", 1)[0]
    if "," in first_line or "\t" in first_line or ";" in first_line:
        return "csv"
    raise BadInput(str(path), "unknown inventory format: expected osquery JSON, CycloneDX or SPDX, "
                   "nmap XML or a CSV export")


def check_size(path: Path) -> None:
    """Refuse a file a Python parser would read whole past the limit (banwatch.inputs)."""
    inputs.check_size(path, inputs.PARSED_INVENTORY_LIMIT, PARSED_WHAT)


def parse_json(path: Path) -> object:
    data = inputs.read_bytes(path, inputs.PARSED_INVENTORY_LIMIT, PARSED_WHAT)
    try:
        return json.loads(data)
    except UnicodeDecodeError:
        raise BadInput(str(path), "not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise BadInput(f"{path} line {error.lineno}", f"malformed JSON ({error.msg}); is the file truncated?") from None


def parse_xml(path: Path) -> Element:
    return inputs.parse_xml(inputs.read_bytes(path, inputs.PARSED_INVENTORY_LIMIT, PARSED_WHAT), path,
                            "an inventory")


def load_rows(connection: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, str | None]]) -> str:
    """`rows` (item column -> value) as a temporary DuckDB table; the SQL selecting it."""
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {table} ({', '.join(f'{n} VARCHAR' for n in NAMES)})")
    if rows:
        connection.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' for _ in NAMES)})",
                               [[row.get(name) for name in NAMES] for row in rows])
    return f"SELECT * FROM {table}"


def open_inventory(connection: duckdb.DuckDBPyConnection, path: Path, number: int,
                   options: dict[str, str] | None = None) -> Inventory:
    """The inventory in `path` (format detected), ready to scan. Every reader is
    called alike, (connection, path, a table name of its own, options); only
    the CSV reader has options (which column is which)."""
    # here, not at the top: the readers import this module's helpers
    from banwatch.estate.inventories import csv_export, nmap, osquery, sbom  # noqa: PLC0415

    readers: dict[str, Callable[..., str]] = {
        "osquery-log": osquery.results_log, "osquery-json": osquery.single_host,
        "cyclonedx-json": sbom.cyclonedx_json, "cyclonedx-xml": sbom.cyclonedx_xml,
        "spdx-json": sbom.spdx, "spdx-tag-value": sbom.spdx,
        "nmap": nmap.read, "csv": csv_export.read,
    }
    kind = detect_format(path)
    return Inventory(str(path), kind, readers[kind](connection, path, f"inventory_{number}", options or {}))
