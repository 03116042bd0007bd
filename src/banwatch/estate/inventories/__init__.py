"""Inventory readers: each turns one file into DuckDB SQL yielding the item
columns of `banwatch.estate.items`. Large inventories (osquery logs, CSV
exports) stay in DuckDB's own readers, streamed and columnar; the small,
structured ones (SBOMs, nmap XML, this machine) are parsed by their field's
libraries in Python and handed to DuckDB as a table.

The format is detected from the file's first bytes, not its name: an osquery
log saved as .txt is still an osquery log.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from banwatch.errors import BadInput
from banwatch.estate.items import NAMES

#: what is read of a file to tell its format
SNIFF_BYTES = 64 * 1024
#: formats parsed in Python are read whole: past this size a file is refused rather than exhaust memory
MAX_PARSED_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Inventory:
    """One inventory ready to scan: where it comes from, its format, and a
    SELECT over it yielding the item columns."""

    origin: str
    format: str
    sql: str


def detect_format(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as error:
        raise BadInput(str(path), error.strerror or "cannot be read") from None
    if not head.strip():
        raise BadInput(str(path), "empty file")
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff").lstrip()
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
    """Refuse a file a Python parser would read whole past MAX_PARSED_BYTES."""
    size = path.stat().st_size
    if size > MAX_PARSED_BYTES:
        raise BadInput(str(path), f"{size / 2**30:.1f} GB; SBOMs and nmap files over "
                       f"{MAX_PARSED_BYTES // 2**20} MB are not read (is it the right file?)")


def read_whole(path: Path) -> bytes:
    check_size(path)
    return path.read_bytes()


def parse_json(path: Path) -> object:
    data = read_whole(path)
    try:
        return json.loads(data)
    except UnicodeDecodeError:
        raise BadInput(str(path), "not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise BadInput(f"{path} line {error.lineno}", f"malformed JSON ({error.msg}); is the file truncated?") from None


def parse_xml(path: Path):
    """The root element of an XML file, through defusedxml: a DTD or an entity
    declaration is refused, so a hostile file can neither blow up nor read files."""
    from defusedxml import DefusedXmlException, ElementTree  # noqa: PLC0415

    try:
        return ElementTree.parse(io.BytesIO(read_whole(path))).getroot()
    except ElementTree.ParseError as error:
        raise BadInput(str(path), f"malformed XML: {error}") from None
    except DefusedXmlException as error:
        raise BadInput(str(path), f"refused XML: {type(error).__name__} (DTDs and entities are not read)") from None


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
