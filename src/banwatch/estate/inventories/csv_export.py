"""CSV exports of installed programs (endpoint management, asset tools,
PowerShell's Export-Csv, wmic, ConfigMgr reports, Intune's detected apps),
read by DuckDB's CSV reader. Which column is which is found from the header
by the usual names, or given in the options (host, name, vendor, version ...).

The header is read here, in Python, and DuckDB is told the dialect (the
header's delimiter, RFC 4180 quoting, the encoding, the lines before the
header) and the columns by position rather than left to sniff them: its
sniffer, given a row with a cell too many or too few among the rows it
samples, settled on another dialect (each whole line one column), and the
export was refused for a column it had not found ('Referenced column
"Computer Name" not found'), not for the row. Told, it names the bad row's
line; and a header's names may repeat or carry spaces.

Shapes told apart by their header:
- PowerShell (`Export-Csv`): a `#TYPE ...` line first (Windows PowerShell 5.1
  without -NoTypeInformation), every value quoted, `PSComputerName` the host;
  UTF-8, UTF-8 with BOM or UTF-16 (-Encoding Unicode) alike.
- wmic (`/format:csv`): UTF-16 with a blank first line, `\r\r\n` line ends,
  `Node` the host and values NOT quoted, so that a comma inside a value
  ('Oracle America, Inc.') makes a field too many. Read line by line and
  split on commas: the fields beyond the header's count belong to the
  vendor column (the one free text wmic's product listing has), said in a note.
- ConfigMgr reports: the best non-empty of 'ARP Display Name' and 'Product Name'.
- Intune detected apps: one row per app with a device count and no device:
  aggregate, said in a note and in each finding's host.
- No host column (one machine's export): the host given, else the file name.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from banwatch.errors import FIELD, BadInput
from banwatch.estate.inventories import Reading, ReadOptions, host_of, lines_sql, text_encoding
from banwatch.estate.inventories.intune import AGGREGATE_NOTE
from banwatch.estate.items import select_list, sql_text

#: item column -> header names that mean it, best first (compared case-insensitively). The
#: host is the first of these a header has; every other column the best non-empty of all it has
#: (a ConfigMgr report leaves 'ARP Display Name' empty where 'Product Name' has the name).
USUAL_NAMES = {
    "host": ("pscomputername", "host", "hostname", "host name", "computer", "computer name", "computername",
             "device", "device name", "devicename", "machine", "machine name", "node", "system name", "endpoint",
             "asset", "__server"),
    "name": ("arp display name", "display name", "displayname", "name", "software name", "software",
             "program name", "program", "application name", "application", "app name", "product name", "product",
             "caption", "title"),
    "vendor": ("publisher", "vendor", "manufacturer", "company", "developer"),
    "version": ("version", "display version", "displayversion", "product version", "software version",
                "application version"),
    "package": ("package", "package name"),
    "bundle_id": ("bundle id", "bundle identifier", "bundle_id", "app id"),
    "path": ("installlocation", "install location", "installed location", "install path", "path", "location"),
    "devices": ("devicecount", "device count"),
}
#: delimiters an export may use (Excel writes ';' where the decimal point is a comma, and tabs)
DELIMITERS = (",", ";", "\t", "|")
#: the header is read from the file's first this many bytes
HEADER_BYTES = 64 * 1024


@dataclass(frozen=True)
class Header:
    cells: list[str]
    line: str  # as written
    delimiter: str
    encoding: str  # as DuckDB names it
    skip: int  # lines before it: blank ones, PowerShell's #TYPE line
    typed: bool  # PowerShell's '#TYPE ...' line is one of them


def read(_connection: duckdb.DuckDBPyConnection, path: Path, _table: str, options: ReadOptions) -> Reading:
    header = read_header(path)
    chosen = choose_columns(path, header.cells, options.columns)
    folded = {cell.strip().casefold() for cell in header.cells}
    wmic = header.cells[0] == "Node" and '"' not in header.line
    shape = ("wmic-csv" if wmic else "powershell-csv" if header.typed or "pscomputername" in folded
             else "sccm-csv" if "arp display name" in folded else "intune-csv" if "devicecount" in folded else None)
    reading = Reading("", shape)
    cell = wmic_cell(chosen, len(header.cells)) if wmic else (lambda position: f"c{position}")
    values = {column: "coalesce(" + ", ".join(f"nullif(trim({cell(p)}), '')" for p in positions) + ")"
              for column, positions in chosen.items()}
    values["kind"] = "'program'"
    if shape == "powershell-csv" and "host" in chosen and header.cells[chosen["host"][0]].casefold() == "pscomputername":
        # Get-CimInstance on the machine itself leaves PSComputerName empty
        host, note = host_of(path, options, path.name)
        values["host"] = f"coalesce({values['host']}, {sql_text(host)})"
        reading.notes.append(note.replace("no host in the file; host", "a row with an empty PSComputerName (the local "
                                                                    "machine) takes host"))
    if "host" not in chosen:
        if "devices" in chosen:  # Intune's detected apps: a count of devices per app, not the devices
            values["host"] = f"'aggregate: ' || coalesce({values['devices']}, '?') || ' device(s)'"  # intune.aggregate_host
            values["kind"] = "'app'"
            reading.notes.append(f"{path.name}: {AGGREGATE_NOTE}")
            reading.aggregate = True
        else:
            host, note = host_of(path, options, path.name)
            values["host"] = sql_text(host)
            reading.notes.append(note)
    if wmic:
        reading.notes.append(f"{path.name}: wmic output, values unquoted: a row with more fields than the header "
                             f"is read with the extra commas inside its {'vendor' if 'vendor' in chosen else 'name'}")
        reading.sql = f"""
            WITH lines AS ({lines_sql(path, header.encoding)})
            SELECT {select_list(values)} FROM (SELECT string_split(line, ',') AS f FROM lines
                                              WHERE line <> '' AND line <> {sql_text(header.line)})"""
        return reading
    # every column by position (c0, c1 ...): the header's own names may repeat, be empty or
    # carry spaces, which DuckDB renames or trims; strict: a row of another length is an error
    columns = "{" + ", ".join(f"'c{position}': 'VARCHAR'" for position in range(len(header.cells))) + "}"
    reading.sql = f"""SELECT {select_list(values)}
        FROM read_csv({sql_text(str(path))}, header = true, skip = {header.skip}, encoding = '{header.encoding}',
                      auto_detect = false, columns = {columns}, delim = {sql_text(header.delimiter)},
                      quote = '"', escape = '"', strict_mode = true)"""
    return reading


def wmic_cell(chosen: dict[str, list[int]], width: int):
    """The SQL of a field of a wmic row split on commas (`f`, 1-based), by the
    header's position: fields before the vendor (else name) column as they
    are, that column's the extra fields joined back, the ones after counted
    from the end."""
    wide = (chosen.get("vendor") or chosen["name"])[0]
    extra = f"greatest(len(f) - {width}, 0)"

    def cell(position: int) -> str:
        if position < wide:
            return f"f[{position + 1}]"
        if position == wide:
            return f"array_to_string(f[{wide + 1}:{wide + 1} + {extra}], ',')"
        return f"f[{position + 1} + {extra}]"
    return cell


def choose_columns(path: Path, cells: list[str], wanted: dict[str, str]) -> dict[str, list[int]]:
    """Item column -> the header's positions that hold it, best first."""
    positions: dict[str, int] = {}
    for position, cell in enumerate(cells):
        positions.setdefault(cell.strip().casefold(), position)  # a name that repeats: its first column
    chosen: dict[str, list[int]] = {}
    for column, usual in USUAL_NAMES.items():
        if given := wanted.get(column):
            if given.strip().casefold() not in positions:
                raise BadInput(f"{path} header", f"no column {given!r} ({FIELD}); the header has {shown(cells)}",
                               field=f"{column}_column")
            chosen[column] = [positions[given.strip().casefold()]]
        elif found := [positions[name] for name in usual if name in positions]:
            chosen[column] = found[:1] if column == "host" else found
    if "name" not in chosen:
        raise BadInput(f"{path} header", "no name column (looked for " + ", ".join(USUAL_NAMES["name"][:6])
                       + f" ...); the header has {shown(cells)}")
    return chosen


def read_header(path: Path) -> Header:
    """The header, its delimiter, the file's encoding and the lines before the header."""
    try:
        with path.open("rb") as handle:
            start = handle.read(HEADER_BYTES)
    except OSError as error:
        raise BadInput(str(path), error.strerror or "cannot be read") from None
    encoding = text_encoding(path, start)
    if encoding == "utf-16":
        text = start[:len(start) // 2 * 2].decode("utf-16", errors="replace")  # a character may be cut at the end
    else:
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
    text = text.lstrip("\ufeff")
    lines = re.split(r"\r\n|\r|\n", text)  # not splitlines(): a header may hold U+2028
    skip = 0
    while skip < len(lines) - 1 and (not lines[skip].strip() or lines[skip].startswith("#TYPE ")):
        skip += 1  # wmic's blank first line, PowerShell's type line
    first_line = lines[skip]
    if "\x00" in first_line:
        raise BadInput(f"{path} line {skip + 1}", "binary data (NUL byte): not a CSV export")
    if len(start) == HEADER_BYTES and len(lines) == skip + 1:
        raise BadInput(f"{path} line {skip + 1}", f"longer than {HEADER_BYTES // 1024} KB: not a CSV header")
    delimiter = max(DELIMITERS, key=first_line.count)  # the first, a comma, on a tie
    try:
        cells = next(csv.reader(io.StringIO(first_line, newline=""), delimiter=delimiter), [])
    except csv.Error as error:
        raise BadInput(f"{path} header", f"not a CSV header ({error})") from None
    return Header(cells, first_line, delimiter, encoding, skip, any(line.startswith("#TYPE ") for line in lines[:skip]))


def shown(header: list[str]) -> str:
    """The header's cells for a message: each cut short, and at most 20 of them."""
    cells = [repr(cell if len(cell) <= 60 else cell[:57] + "...") for cell in header[:20]]
    return ", ".join(cells) + (f" ... ({len(header)} columns)" if len(header) > 20 else "")
