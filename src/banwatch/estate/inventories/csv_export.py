"""CSV exports of installed programs (endpoint management, asset tools), read
by DuckDB's CSV reader. Which column is which is found from the header by
the usual names, or given in the options (host, name, vendor, version ...)."""

from __future__ import annotations

import csv
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


def read(_connection: duckdb.DuckDBPyConnection, path: Path, _table: str, options: dict) -> str:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), [])
    except UnicodeDecodeError:
        raise BadInput(str(path), "not UTF-8 text; save the export as UTF-8") from None
    folded = {cell.strip().casefold(): cell for cell in header}
    chosen: dict[str, str] = {}
    for column, usual in USUAL_NAMES.items():
        wanted = options.get(column)
        if wanted:
            if wanted.strip().casefold() not in folded:
                raise BadInput(f"{path} header", f"no column {wanted!r} ({FIELD}); "
                               f"the header has {', '.join(map(repr, header))}", field=f"{column}_column")
            chosen[column] = folded[wanted.strip().casefold()]
        elif found := next((folded[name] for name in usual if name in folded), None):
            chosen[column] = found
    if missing := [column for column in REQUIRED if column not in chosen]:
        raise BadInput(f"{path} header", f"no {' or '.join(missing)} column (looked for "
                       + "; ".join(f"{m}: {', '.join(USUAL_NAMES[m][:4])} ..." for m in missing)
                       + f"); the header has {', '.join(map(repr, header))}")
    values = {column: '"' + name.replace('"', '""') + '"' for column, name in chosen.items()}
    values["kind"] = "'program'"
    return f"""SELECT {select_list(values)}
        FROM read_csv({sql_text(str(path))}, header = true, all_varchar = true, strict_mode = true)"""
