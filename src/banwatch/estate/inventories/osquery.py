"""osquery results, read by DuckDB's JSON reader (streamed, on every core).

Two shapes:
- a results log (the filesystem logger, or a fleet manager's export): one JSON
  event per line with `hostIdentifier`; a differential event carries one row in
  `columns`, a snapshot event all rows in `snapshot`;
- one host's `osqueryi` output in JSON (`select * from programs`): a JSON array of rows.
  The host is the file name up to its first dot (`fin-laptop-17.osquery.json`).

Rows of any table are read as a map of column -> text, and the table is told
from its columns (osquery's table schemas): `bundle_identifier` is an app,
`pid` a process, `identifying_number`/`install_location` a Windows program,
`maintainer` a deb, `release` an rpm, `browser_type`/`profile` a browser
extension, `used_by` a kernel module. A pack query that selects only some
columns (`SELECT name, version FROM deb_packages`) leaves none of these: in a
results log the query's name tells the table then, as pack and query names
carry it (`pack_estate_deb_packages`).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from banwatch.errors import BadInput
from banwatch.estate.items import select_list, sql_text


def v(column: str) -> str:
    """A row's column, NULL when absent or empty: osquery writes an empty value as ""."""
    return f"nullif(r['{column}'], '')"


def has(column: str) -> str:
    """Whether the row has the column at all, even empty: what tells its table."""
    return f"r['{column}'] IS NOT NULL"


KIND = f"""CASE
    WHEN {has('bundle_identifier')} THEN 'app'
    WHEN {has('pid')} THEN 'process'
    WHEN {has('identifying_number')} OR {has('install_location')} THEN 'program'
    WHEN {has('maintainer')} OR {has('revision')} THEN 'deb'
    WHEN {has('release')} OR {has('package_group')} THEN 'rpm'
    WHEN {has('browser_type')} OR {has('profile')} THEN 'browser_extension'
    WHEN {has('used_by')} THEN 'kernel_module'
    WHEN {has('publisher')} THEN 'program'
    END"""

#: the table a results-log event's query name carries (checked in this order)
QUERY_TABLES = (("deb_packages", "deb"), ("rpm_packages", "rpm"), ("chrome_extensions", "browser_extension"),
                ("kernel_modules", "kernel_module"), ("processes", "process"), ("programs", "program"),
                ("apps", "app"))
BY_QUERY_NAME = "CASE " + " ".join(f"WHEN contains(lower(query), '{table}') THEN '{kind}'"
                                   for table, kind in QUERY_TABLES) + " END"

ROW = {
    "kind": "kind",
    "vendor": f"coalesce({v('publisher')}, {v('vendor')}, {v('maintainer')}, {v('author')}, {v('copyright')})",
    "name": f"coalesce({v('name')}, {v('display_name')}, {v('bundle_name')})",
    "version": f"coalesce({v('version')}, {v('bundle_short_version')}, {v('bundle_version')})",
    "package": f"CASE WHEN kind IN ('deb', 'rpm') THEN {v('name')} ELSE {v('package_family_name')} END",
    "bundle_id": f"coalesce({v('bundle_identifier')}, {v('identifier')})",
    "path": f"coalesce({v('install_location')}, {v('path')})",
}
LOG_COLUMNS = ("{'name': 'VARCHAR', 'hostIdentifier': 'VARCHAR', 'action': 'VARCHAR', "
               "'columns': 'MAP(VARCHAR, VARCHAR)', 'snapshot': 'MAP(VARCHAR, VARCHAR)[]'}")


def results_log(_connection: duckdb.DuckDBPyConnection, path: Path, _table: str, _options: dict) -> str:
    with path.open("rb") as handle:
        if handle.read(3) == b"\xef\xbb\xbf":  # DuckDB's reader of JSON lines refuses it, with a puzzling line 2
            raise BadInput(str(path), "starts with a UTF-8 byte order mark, which a results log (JSON lines) "
                           "may not have; save it without (e.g. tail -c +4)")
    return f"""
        WITH events AS (
            SELECT hostIdentifier AS host, name AS query,
                   CASE WHEN columns IS NOT NULL THEN [columns] ELSE snapshot END AS rows
            FROM read_json({sql_text(str(path))}, format = 'newline_delimited', columns = {LOG_COLUMNS})
            WHERE coalesce(action, 'added') IN ('added', 'snapshot')
        ), table_rows AS (SELECT host, query, unnest(rows) AS r FROM events),
        typed AS (SELECT host, r, coalesce({KIND}, {BY_QUERY_NAME}, 'item') AS kind FROM table_rows)
        SELECT {select_list({"host": "host", **ROW})} FROM typed"""


def single_host(_connection: duckdb.DuckDBPyConnection, path: Path, _table: str, _options: dict) -> str:
    host = sql_text(path.name.split(".", 1)[0])
    return f"""
        WITH table_rows AS (
            SELECT r FROM read_json({sql_text(str(path))}, format = 'array', records = false,
                                    columns = {{'r': 'MAP(VARCHAR, VARCHAR)'}})
        ), typed AS (SELECT r, coalesce({KIND}, 'item') AS kind FROM table_rows)
        SELECT {select_list({"host": host, **ROW})} FROM typed"""
