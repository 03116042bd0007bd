"""osquery results, read by DuckDB's JSON reader (streamed, on every core).

Two shapes:
- a results log (the filesystem logger, or a fleet manager's export): one JSON
  event per line with `hostIdentifier`; a differential event carries one row in
  `columns`, a snapshot event all rows in `snapshot`;
- one host's `osqueryi` output in JSON (`select * from programs`): a JSON array of rows.
  The host is the file name up to its first dot (`fin-laptop-17.osquery.json`).

Also fleetctl's query output: one JSON line per host, `{"host": ..., "rows": [...]}`.

Rows of any table are read as a map of column -> text, and the table is told
from its columns (osquery's table schemas): `bundle_identifier` is an app,
`pid` a process, `identifying_number`/`install_location` a Windows program,
`maintainer` a deb, `release` an rpm, `browser_type`/`profile` a browser
extension, `used_by` a kernel module; `service_type` a Windows service,
`driver_key` a driver, `fragment_path` a systemd unit, `team` a macOS system
extension, `package_id` an installer receipt, `program_arguments` a launchd
job, `linked_against` a kernel extension, `hardware_vendor` the machine
itself (system_info), `summary` with `license` a Chocolatey package, `prefix`
a Homebrew one. A pack query that selects only some
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
    WHEN {has('service_type')} OR {has('start_type')} THEN 'service'
    WHEN {has('device_id')} OR {has('driver_key')} OR {has('inf')} THEN 'driver'
    WHEN {has('fragment_path')} OR {has('active_state')} THEN 'service'
    WHEN {has('team')} THEN 'system_extension'
    WHEN {has('package_id')} THEN 'package_receipt'
    WHEN {has('program_arguments')} OR {has('run_at_load')} THEN 'launchd'
    WHEN {has('linked_against')} THEN 'kernel_extension'
    WHEN {has('hardware_vendor')} THEN 'device'
    WHEN {has('bundle_identifier')} THEN 'app'
    WHEN {has('pid')} THEN 'process'
    WHEN {has('identifying_number')} OR {has('install_location')} THEN 'program'
    WHEN {has('maintainer')} OR {has('revision')} THEN 'deb'
    WHEN {has('release')} OR {has('package_group')} THEN 'rpm'
    WHEN {has('browser_type')} OR {has('profile')} THEN 'browser_extension'
    WHEN {has('used_by')} THEN 'kernel_module'
    WHEN {has('summary')} AND {has('license')} THEN 'chocolatey'
    WHEN {has('prefix')} OR {has('auto_updates')} THEN 'brew'
    WHEN {has('publisher')} THEN 'program'
    END"""

#: the table a results-log event's query name carries (checked in this order: 'kernel_extensions'
#: before 'kernel_modules' is no matter, but 'system_extensions' before 'extensions' would be)
QUERY_TABLES = (("deb_packages", "deb"), ("rpm_packages", "rpm"), ("chrome_extensions", "browser_extension"),
                ("kernel_modules", "kernel_module"), ("kernel_extensions", "kernel_extension"),
                ("system_extensions", "system_extension"), ("package_receipts", "package_receipt"),
                ("systemd_units", "service"), ("services", "service"), ("drivers", "driver"),
                ("launchd", "launchd"), ("chocolatey_packages", "chocolatey"), ("homebrew_packages", "brew"),
                ("system_info", "device"), ("processes", "process"), ("programs", "program"), ("apps", "app"))
BY_QUERY_NAME = "CASE " + " ".join(f"WHEN contains(lower(query), '{table}') THEN '{kind}'"
                                   for table, kind in QUERY_TABLES) + " END"


def unquoted(expression: str) -> str:
    """A Windows service's path without its quotes and arguments: '"C:\\...\\avp.exe" -r' -> 'C:\\...\\avp.exe'."""
    return f"CASE WHEN starts_with({expression}, '\"') THEN regexp_extract({expression}, '^\"([^\"]*)\"', 1) " \
           f"ELSE {expression} END"


#: each item column from the row's columns, over every table read (osquery's table specs)
ROW = {
    "kind": "kind",
    "vendor": f"coalesce({v('publisher')}, {v('vendor')}, {v('maintainer')}, {v('author')}, {v('copyright')}, "
              f"{v('provider')}, {v('manufacturer')}, {v('hardware_vendor')})",
    # a service's display name before its key name; a driver's description; a unit's description
    "name": f"coalesce({v('display_name')}, {v('name')}, {v('bundle_name')}, {v('device_name')}, "
            f"{v('description')}, {v('id')}, {v('label')}, {v('identifier')}, {v('package_id')}, "
            f"{v('hardware_model')})",
    "version": f"coalesce({v('version')}, {v('bundle_short_version')}, {v('bundle_version')})",
    "package": f"CASE WHEN kind IN ('deb', 'rpm', 'chocolatey', 'brew') THEN {v('name')} "
               f"ELSE {v('package_family_name')} END",
    "bundle_id": f"coalesce({v('bundle_identifier')}, {v('identifier')}, {v('package_id')}, {v('label')}, "
                 f"CASE WHEN kind = 'kernel_extension' THEN {v('name')} END)",
    "service": f"CASE kind WHEN 'service' THEN coalesce({v('name')}, {v('id')}) WHEN 'driver' THEN {v('service')} "
               f"WHEN 'launchd' THEN {v('label')} END",
    "team_id": v("team"),
    "path": unquoted(f"coalesce({v('install_location')}, {v('path')}, {v('image')}, {v('fragment_path')}, "
                     f"{v('bundle_path')}, {v('program')})"),
}
#: a host identifier that is a UUID, not a name
UUID = "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
LOG_COLUMNS = ("{'name': 'VARCHAR', 'hostIdentifier': 'VARCHAR', 'action': 'VARCHAR', "
               "'decorations': 'MAP(VARCHAR, VARCHAR)', "
               "'columns': 'MAP(VARCHAR, VARCHAR)', 'snapshot': 'MAP(VARCHAR, VARCHAR)[]'}")


def results_log(_connection: duckdb.DuckDBPyConnection, path: Path, _table: str, _options: dict) -> str:
    with path.open("rb") as handle:
        if handle.read(3) == b"\xef\xbb\xbf":  # DuckDB's reader of JSON lines refuses it, with a puzzling line 2
            raise BadInput(str(path), "starts with a UTF-8 byte order mark, which a results log (JSON lines) "
                           "may not have; save it without (e.g. tail -c +4)")
    return f"""
        WITH events AS (
            -- the hostname decoration where the host identifier is a UUID (osquery's host_identifier flag set to uuid)
            SELECT CASE WHEN regexp_matches(hostIdentifier, '{UUID}')
                        THEN coalesce(nullif(decorations['hostname'], ''), hostIdentifier)
                        ELSE hostIdentifier END AS host, name AS query,
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


def fleetctl(_connection: duckdb.DuckDBPyConnection, path: Path, _table: str, _options: dict) -> str:
    """`fleetctl query` output: one line per host, {"host": ..., "rows": [...]}."""
    return f"""
        WITH table_rows AS (
            SELECT host, unnest(rows) AS r
            FROM read_json({sql_text(str(path))}, format = 'newline_delimited',
                           columns = {{'host': 'VARCHAR', 'rows': 'MAP(VARCHAR, VARCHAR)[]'}})
        ), typed AS (SELECT host, r, coalesce({KIND}, 'item') AS kind FROM table_rows)
        SELECT {select_list({"host": "host", **ROW})} FROM typed"""
