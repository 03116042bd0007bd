"""Package managers' plain output, as a team collects it from a machine with
one command: `dpkg-query -W` (name TAB version), `dpkg -l` (its table, with
each package's state), `rpm -qa` (name-version-release.arch) and
`brew list --versions` (name and its versions). None names the machine: the
host is the one given, else the file name up to its first dot.

Read line by line by DuckDB (streamed, however long the list) and split with
regular expressions there. The shape is told from the first lines
(`list_shape`), each line of which must have it: a CSV or a log is never
taken for a package list.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from banwatch.estate.inventories import Reading, ReadOptions, host_of, lines_sql, text_encoding
from banwatch.estate.items import select_list, sql_text

SHAPES = ("dpkg-query", "dpkg-l", "rpm-qa", "brew-list")
DPKG_QUERY_LINE = re.compile(r"[a-z0-9][a-z0-9+.-]+(:[a-z0-9-]+)?\t\S*")
RPM_LINE = re.compile(r"[A-Za-z0-9_+.~^-]+-[^\s-]+-[^\s-]+")
#: the architectures rpm writes at the end of a package ('.x86_64'); gpg-pubkey entries have none
RPM_ARCHES = "x86_64|noarch|i[3-6]86|aarch64|ppc64le|ppc64|s390x|armv7hl|armv7l|riscv64|src"
BREW_LINE = re.compile(r"[A-Za-z0-9@+._-]+( (\d|HEAD)\S*)+")
#: dpkg -l's first line, and the lines of its header
DPKG_L_START = "Desired=Unknown/Install/Remove/Purge/Hold"
#: dpkg -l's state letters (the second of a row's first column) of a package whose files are
#: on the machine: installed, unpacked, half-configured, half-installed, triggers awaited or
#: pending. Not 'n' (not installed) nor 'c' (removed, its configuration files left: 'rc').
DPKG_PRESENT = "iUFHWt"


def list_shape(text: str) -> str | None:
    """Which package list `text` (a file's start) is, if it is one."""
    if text.startswith(DPKG_L_START):
        return "dpkg-l"
    lines = text.split("\n")
    lines = [line.rstrip("\r") for line in (lines[:-1] if len(lines) > 1 else lines)][:30]  # the last may be cut
    lines = [line for line in lines if line.strip()]
    if not lines or is_header(lines[0]):
        return None
    if all(DPKG_QUERY_LINE.fullmatch(line) for line in lines):
        return "dpkg-query"
    if all(RPM_LINE.fullmatch(line) for line in lines) and any(re.search(rf"\.({RPM_ARCHES})$", line)
                                                               for line in lines):
        return "rpm-qa"
    if all(BREW_LINE.fullmatch(line) for line in lines):
        return "brew-list"
    return None


def is_header(line: str) -> bool:
    """Whether a first line names columns as a CSV export's header does ('name<TAB>version')."""
    from banwatch.estate.inventories.csv_export import USUAL_NAMES  # noqa: PLC0415 (it imports this package)

    known = {name for names in USUAL_NAMES.values() for name in names}
    return all(cell.strip().casefold() in known for cell in re.split(r"\t", line))


def read(shape: str, _connection: duckdb.DuckDBPyConnection, path: Path, _table: str,
         options: ReadOptions) -> Reading:
    host, note = host_of(path, options, path.name)
    with path.open("rb") as handle:  # a list saved from PowerShell's '>' is UTF-16
        lines = lines_sql(path, text_encoding(path, handle.read(2)))
    kind, parsed = {
        "dpkg-query": ("deb", """SELECT m.name, m.version FROM (
            SELECT regexp_extract(line, '^([^\\t:]+)(?::[^\\t]*)?\\t(.*)$', ['name', 'version']) AS m FROM lines)
            WHERE m.name <> ''"""),
        "dpkg-l": ("deb", f"""SELECT m.name, m.version FROM (
            SELECT regexp_extract(line, '^([a-zA-Z])([a-zA-Z ])[a-zA-Z ]?\\s+([^\\s:]+)\\S*\\s+(\\S+)',
                                  ['want', 'state', 'name', 'version']) AS m FROM lines
            WHERE NOT starts_with(line, '|') AND NOT starts_with(line, '+++') AND NOT starts_with(line, 'Desired='))
            WHERE m.name <> '' AND contains('{DPKG_PRESENT}', m.state)"""),
        "rpm-qa": ("rpm", f"""SELECT m.name, m.version || '-' || m.release AS version FROM (
            SELECT CASE WHEN regexp_matches(line, '\\.({RPM_ARCHES})$')
                        THEN regexp_extract(line, '^(.+)-([^-]+)-([^-]+)\\.[^.]+$', ['name', 'version', 'release'])
                        ELSE regexp_extract(line, '^(.+)-([^-]+)-([^-]+)$', ['name', 'version', 'release'])
                   END AS m FROM lines) WHERE m.name <> ''"""),
        "brew-list": ("brew", """SELECT m.name, m.version FROM (
            SELECT regexp_extract(line, '^(\\S+)\\s+(.*)$', ['name', 'version']) AS m FROM lines)
            WHERE m.name <> ''"""),
    }[shape]
    values = {"host": sql_text(host), "kind": f"'{kind}'", "name": "name", "package": "name",
              "version": "nullif(version, '')"}
    return Reading(f"WITH lines AS ({lines}), parsed AS ({parsed}) SELECT {select_list(values)} FROM parsed",
                   shape, [note])
