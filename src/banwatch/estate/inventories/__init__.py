"""Inventory readers: each turns one file into DuckDB SQL yielding the item
columns of `banwatch.estate.items`. Large inventories (osquery logs, CSV
exports) stay in DuckDB's own readers, streamed and columnar; the small,
structured ones (SBOMs, nmap XML, this machine) are parsed by their field's
libraries in Python and handed to DuckDB as a table.

The format is detected from the file's first bytes, not its name: an osquery
log saved as .txt is still an osquery log.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element

import duckdb

from banwatch import inputs
from banwatch.errors import BadInput
from banwatch.estate.items import NAMES, sql_text

#: how the size limit names what it refuses
PARSED_WHAT = "an SBOM or nmap file"
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class ReadOptions:
    """What the user said about the inventories (`estate scan` options)."""

    columns: dict[str, str] = field(default_factory=dict)  # item column -> a CSV export's column for it
    host: str | None = None  # the host of single-host exports that do not name it


@dataclass
class Reading:
    """What a reader made of a file: a SELECT yielding the item columns, the
    shape it recognised when more precise than the format ('powershell-csv'
    within 'csv'), and what the user should know about how it was read."""

    sql: str
    shape: str | None = None
    notes: list[str] = field(default_factory=list)
    aggregate: bool = False  # rows count devices per item (Intune), not one host each


@dataclass(frozen=True)
class Inventory:
    """One inventory ready to scan: where it comes from, its format, a SELECT
    over it yielding the item columns, and notes on how it was read."""

    origin: str
    format: str
    sql: str
    notes: tuple[str, ...] = ()
    aggregate: bool = False


#: a character no text line holds: DuckDB's CSV reader, told it is the delimiter, gives whole lines
NO_DELIMITER = "\x01"


def text_encoding(path: Path, start: bytes) -> str:
    """The encoding of a text inventory starting with `start`, as DuckDB's readers
    name it: UTF-16 by its BOM (what Windows tools save as 'Unicode'), else UTF-8.
    DuckDB reads UTF-16 little-endian only: big-endian is refused, not misread."""
    if start[:2] == b"\xfe\xff":
        raise BadInput(str(path), "UTF-16 big-endian text: save it as UTF-8 or as UTF-16 little-endian")
    return "utf-16" if start[:2] == b"\xff\xfe" else "utf-8"


def lines_sql(path: Path, encoding: str = "utf-8") -> str:
    """SQL for the lines of a text file (`line`, without its line end), streamed by DuckDB."""
    return f"""SELECT trim(line, chr(13) || chr(10)) AS line
        FROM read_csv({sql_text(str(path))}, encoding = '{encoding}', header = false, auto_detect = false,
                      columns = {{'line': 'VARCHAR'}}, delim = '{NO_DELIMITER}', quote = '', escape = '',
                      strict_mode = false)"""


def host_of(path: Path, options: ReadOptions, what: str) -> tuple[str, str]:
    """(the host, a note saying where it came from) for a file of one host
    that does not name it: the host given, else the file name up to its
    first dot, as for osqueryi output ('web-prod-03.dpkg-query.txt')."""
    if options.host:
        return options.host, f"{what}: no host in the file; host {options.host!r} as given"
    host = path.name.split(".", 1)[0]
    return host, f"{what}: no host in the file; host {host!r} taken from the file name"


def detect_format(path: Path) -> str:
    """The inventory's format, from its first bytes."""
    # here, not at the top: the package list reader imports this module's helpers
    from banwatch.estate.inventories.package_lists import list_shape  # noqa: PLC0415

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
        if re.match(r'\{\s*"host"\s*:', first_line) and '"rows"' in first_line:
            return "fleetctl"
        if '"@odata.context"' in text[:2000] and "detectedApps" in text[:2000]:
            return "intune-json"
        raise BadInput(str(path), "JSON, but not an osquery results log (no hostIdentifier on line 1), fleetctl "
                       "query output, Intune detected apps, a CycloneDX SBOM (bomFormat) or an SPDX document "
                       "(spdxVersion)")
    if text.startswith("["):
        return "osquery-json"
    if shape := list_shape(text):
        return shape
    lines = text.split("\n", 2)
    first_line = lines[1] if text.startswith("#TYPE ") and len(lines) > 1 else lines[0]  # PowerShell's type line
    if any(delimiter in first_line for delimiter in (",", "\t", ";", "|")):  # csv_export.DELIMITERS
        return "csv"
    raise BadInput(str(path), "unknown inventory format: expected osquery JSON, fleetctl output, CycloneDX or SPDX, "
                   "nmap XML, a CSV export, or dpkg-query -W, dpkg -l, rpm -qa or brew list --versions output")


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
                   options: ReadOptions | None = None) -> Inventory:
    """The inventory in `path` (format detected), ready to scan. Every reader is
    called alike, (connection, path, a table name of its own, options), and
    returns its SQL, or a Reading when it has more to say."""
    # here, not at the top: the readers import this module's helpers
    from banwatch.estate.inventories import (csv_export, intune, nmap, osquery, package_lists,  # noqa: PLC0415
                                             sbom)

    readers: dict[str, Callable[..., str | Reading]] = {
        "osquery-log": osquery.results_log, "osquery-json": osquery.single_host, "fleetctl": osquery.fleetctl,
        "cyclonedx-json": sbom.cyclonedx_json, "cyclonedx-xml": sbom.cyclonedx_xml,
        "spdx-json": sbom.spdx_json, "spdx-tag-value": sbom.spdx_tag_value,
        "nmap": nmap.read, "csv": csv_export.read, "intune-json": intune.read_json,
        **{shape: functools.partial(package_lists.read, shape) for shape in package_lists.SHAPES},
    }
    kind = detect_format(path)
    reading = readers[kind](connection, path, f"inventory_{number}", options or ReadOptions())
    if isinstance(reading, str):
        reading = Reading(reading)
    return Inventory(str(path), reading.shape or kind, reading.sql, tuple(reading.notes), reading.aggregate)
