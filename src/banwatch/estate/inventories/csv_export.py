"""CSV exports of installed programs (endpoint management, asset tools), read
by DuckDB's CSV reader. Which column is which is found from the header by
the usual names, or given in the options (host, name, vendor, version ...).

The header is read here, in Python, and DuckDB is told the dialect (the
header's delimiter, RFC 4180 quoting) and the columns by position rather than
left to sniff them: its sniffer, given a row with a cell too many or too few
among the rows it samples, settled on another dialect (each whole line one
column), and the export was refused for a column it had not found
('Referenced column "Computer Name" not found'), not for the row. Told, it
names the bad row's line; and a header's names may repeat or carry spaces.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import duckdb

from banwatch.errors import FIELD, BadInput
from banwatch.estate.items import select_list, sql_text

#: item column -> header names that mean it (compared case-insensitively)
USUAL_NAMES = {
    "host": ("host", "hostname", "host name", "computer", "computer name", "device", "device name", "machine",
             "endpoint", "asset"),
    "name": ("name", "software", "software name", "program", "program name", "application", "display name",
             "product", "product name", "title"),
    "vendor": ("publisher", "vendor", "manufacturer", "company", "developer"),
    "version": ("version", "display version", "software version", "product version"),
    "package": ("package", "package name"),
    "bundle_id": ("bundle id", "bundle identifier", "bundle_id", "app id"),
    "path": ("path", "install location", "install path", "location"),
}
REQUIRED = ("host", "name")


#: delimiters an export may use (Excel writes ';' where the decimal point is a comma, and tabs)
DELIMITERS = (",", ";", "\t", "|")
#: the header is read from the file's first this many bytes
HEADER_BYTES = 64 * 1024


def read(_connection: duckdb.DuckDBPyConnection, path: Path, _table: str, options: dict) -> str:
    header, delimiter = read_header(path)
    folded: dict[str, int] = {}
    for position, cell in enumerate(header):
        folded.setdefault(cell.strip().casefold(), position)  # a name that repeats: its first column
    chosen: dict[str, int] = {}
    for column, usual in USUAL_NAMES.items():
        wanted = options.get(column)
        if wanted:
            if wanted.strip().casefold() not in folded:
                raise BadInput(f"{path} header", f"no column {wanted!r} ({FIELD}); "
                               f"the header has {shown(header)}", field=f"{column}_column")
            chosen[column] = folded[wanted.strip().casefold()]
        elif (found := next((folded[name] for name in usual if name in folded), None)) is not None:
            chosen[column] = found
    if missing := [column for column in REQUIRED if column not in chosen]:
        raise BadInput(f"{path} header", f"no {' or '.join(missing)} column (looked for "
                       + "; ".join(f"{m}: {', '.join(USUAL_NAMES[m][:4])} ..." for m in missing)
                       + f"); the header has {shown(header)}")
    values = {column: f"c{position}" for column, position in chosen.items()}
    values["kind"] = "'program'"
    # every column by position (c0, c1 ...): the header's own names may repeat, be empty or
    # carry spaces, which DuckDB renames or trims; strict: a row of another length is an error
    columns = "{" + ", ".join(f"'c{position}': 'VARCHAR'" for position in range(len(header))) + "}"
    return f"""SELECT {select_list(values)}
        FROM read_csv({sql_text(str(path))}, header = true, auto_detect = false, columns = {columns},
                      delim = {sql_text(delimiter)}, quote = '"', escape = '"', strict_mode = true)"""


def read_header(path: Path) -> tuple[list[str], str]:
    """The header's cells and the export's delimiter, from its first line."""
    try:
        with path.open("rb") as handle:
            start = handle.read(HEADER_BYTES)
    except OSError as error:
        raise BadInput(str(path), error.strerror or "cannot be read") from None
    if is_utf16(start):
        raise BadInput(str(path), "UTF-16 text, as Excel saves 'Unicode text': save the export as CSV UTF-8")
    try:
        text = start.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = error.object.count(b"\n", 0, error.start) + 1
        cut = error.reason == "unexpected end of data" and len(start) == HEADER_BYTES  # a character cut in two
        if line == 1 and not cut:
            raise BadInput(f"{path} line 1", f"not UTF-8 text (byte 0x{error.object[error.start]:02x}); "
                           "save the export as UTF-8") from None
        # past the header (or a character cut at the end of what was read): DuckDB reads the rest
        text = error.object[:error.start].decode("utf-8-sig")
    first_line = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]  # not splitlines(): a header may hold U+2028
    if "\x00" in first_line:
        raise BadInput(f"{path} line 1", "binary data (NUL byte): not a CSV export")
    if len(start) == HEADER_BYTES and len(first_line) == len(text):
        raise BadInput(f"{path} line 1", f"longer than {HEADER_BYTES // 1024} KB: not a CSV header")
    delimiter = max(DELIMITERS, key=first_line.count)  # the first, a comma, on a tie
    try:
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    except csv.Error as error:
        raise BadInput(f"{path} header", f"not a CSV header ({error})") from None
    return header, delimiter


def is_utf16(data: bytes) -> bool:
    return data[:2] in (b"\xff\xfe", b"\xfe\xff")


def shown(header: list[str]) -> str:
    """The header's cells for a message: each cut short, and at most 20 of them."""
    cells = [repr(cell if len(cell) <= 60 else cell[:57] + "...") for cell in header[:20]]
    return ", ".join(cells) + (f" ... ({len(header)} columns)" if len(header) > 20 else "")
