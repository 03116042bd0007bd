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
import re
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
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


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
    if any(delimiter in first_line for delimiter in (",", "\t", ";", "|")):  # csv_export.DELIMITERS
        return "csv"
    raise BadInput(str(path), "unknown inventory format: expected osquery JSON, CycloneDX or SPDX, "
                   "nmap XML or a CSV export")


def short(value: object, limit: int = 60) -> str:
    """repr(value) for a message, cut short: a hostile file's value may be megabytes."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def parse_json(path: Path, object_pairs_hook: Callable | None = None) -> object:
    data = inputs.read_bytes(path, inputs.PARSED_INVENTORY_LIMIT, PARSED_WHAT)
    try:
        return json.loads(data, object_pairs_hook=object_pairs_hook)
    except UnicodeDecodeError:
        raise BadInput(str(path), "not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise BadInput(f"{path} line {error.lineno}", f"malformed JSON ({error.msg}); is the file truncated?") from None
    except RecursionError:  # json's parser recurses once per level of nesting
        raise BadInput(str(path), "JSON nested too deep to be an SBOM (thousands of levels)") from None
    except ValueError as error:  # a number of more than 4,300 digits (Python's limit on int())
        raise BadInput(str(path), f"not a JSON document an SBOM could be ({str(error).split(';')[0]})") from None


def parse_xml(path: Path) -> Element:
    data = inputs.read_bytes(path, inputs.PARSED_INVENTORY_LIMIT, PARSED_WHAT)
    try:
        return inputs.parse_xml(data, path, "an inventory")
    except BadInput:
        raise
    except (LookupError, ValueError, UnicodeError):
        # the XML declaration names an encoding Python does not know ('ATF-8': LookupError), one
        # expat cannot read ('Shift_JIS', 'UTF-32': ValueError) or a codec that is no text encoding
        # ('idna', 'punycode'): all from ElementTree as it starts, none a ParseError
        declared = re.search(rb"""encoding\s*=\s*["']([^"']{0,40})""", data[:200])
        name = declared[1].decode("ascii", errors="replace") if declared else "?"
        raise BadInput(str(path), f"XML in an encoding this reader cannot read ({name!r}, in its declaration); "
                       "save it as UTF-8") from None


def load_rows(connection: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, str | None]]) -> str:
    """`rows` (item column -> value) as a temporary DuckDB table; the SQL selecting it."""
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {table} ({', '.join(f'{n} VARCHAR' for n in NAMES)})")
    if rows:
        # text only: a library may hand over another type for a field the document got wrong
        values = [[text(row.get(name)) for name in NAMES] for row in rows]
        connection.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' for _ in NAMES)})", values)
    return f"SELECT * FROM {table}"


def text(value: object) -> str | None:
    """A value as an item column holds it: text, or NULL. A lone surrogate (JSON may
    escape one, "\\ud800") is no character of UTF-8, which DuckDB's text is, and
    the driver fails on it: it becomes U+FFFD."""
    if value is None:
        return None
    value = value if isinstance(value, str) else str(value)
    return value if value.isascii() else LONE_SURROGATE.sub("\ufffd", value)


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
        "spdx-json": sbom.spdx_json, "spdx-tag-value": sbom.spdx_tag_value,
        "nmap": nmap.read, "csv": csv_export.read,
    }
    kind = detect_format(path)
    return Inventory(str(path), kind, readers[kind](connection, path, f"inventory_{number}", options or {}))
