"""What the delimited-text readers (dpl.py, csl.py) share: strict reading of a
quoted CSV/TSV file with a header, stable ids for lists that publish none, and
splitting "A/K/A" names.

Strictness: the header must name every column the reader needs (a file of
another list fails here, on line 1); every record must have exactly as many
fields as the header; a broken quote is an error, not a field that swallows
the rest of the file. Any of these fails the whole file with BadInput naming
the file and the line where the bad record starts.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from banwatch.errors import BadInput
from banwatch.inputs import read_text
from banwatch.lists.reading import iso_date
from banwatch.model import NameKind


def list_file(path: Path, names: Sequence[str], what: str) -> Path:
    """The file to read: `path` itself, or, for a folder (the updater downloads
    each list into one), the list's file in it: the first of `names` present,
    else the folder's only file."""
    path = Path(path)
    if not path.is_dir():
        return path
    for name in names:
        if (path / name).is_file():
            return path / name
    files = [child for child in sorted(path.iterdir()) if child.is_file() and not child.name.startswith(".")]
    if len(files) == 1:
        return files[0]
    raise BadInput(str(path), f"a folder without the {what} file ({' or '.join(names)})")


@dataclass(frozen=True)
class Row:
    line: int  # the line the record starts on, counting the header as line 1
    values: dict[str, str]  # column -> value, whitespace-trimmed

    def __getitem__(self, column: str) -> str:
        return self.values[column]


def read_table(path: Path, *, delimiter: str, columns: Sequence[str], what: str,
               multiline: bool = False) -> list[Row]:
    """Every record of a delimited file with a header row that names at least
    `columns` (extra columns are allowed and ignored). `what` names the list in
    errors ("BIS Denied Persons List"). Fields may hold line breaks only when
    `multiline`; otherwise a line break in a field means a broken quote."""
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[Row] = []
    header: list[str] | None = None
    start = 1
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if not record or record == [""]:
                continue  # a blank line
            if header is None:
                header = _check_header(path, line, record, columns, what)
                continue
            if len(record) != len(header):
                raise BadInput(f"{path} line {line}", f"{len(record)} fields where the header has "
                                                      f"{len(header)}: a missing column or a broken quote")
            if not multiline and reader.line_num != line:
                raise BadInput(f"{path} line {line}", "a quoted field runs over "
                                                      f"{reader.line_num - line + 1} lines: a broken quote")
            rows.append(Row(line, {name: value.strip() for name, value in zip(header, record)}))
    except csv.Error as error:
        if header is None:
            raise BadInput(f"{path} line {start}", f"not a {what} file: the header row cannot be "
                                                   f"read ({error})") from None
        raise BadInput(f"{path} line {start}", f"broken quoting or bad data: {error}") from None
    if header is None:
        raise BadInput(str(path), f"no header row: not a {what} file")
    if not rows:
        raise BadInput(str(path), f"a header and no rows: a {what} file is never empty")
    return rows


def _check_header(path: Path, line: int, record: list[str], columns: Sequence[str], what: str) -> list[str]:
    header = [name.strip() for name in record]
    missing = [column for column in columns if column not in header]
    if missing:
        found = ", ".join(repr(name[:30]) for name in header[:6]) + (", ..." if len(header) > 6 else "")
        lacks = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        raise BadInput(f"{path} line {line}", f"not a {what} file: the header lacks {len(missing)} of "
                                              f"its {len(columns)} columns: {lacks} (found {found})")
    duplicated = sorted({name for name in header if header.count(name) > 1 and name in columns})
    if duplicated:
        raise BadInput(f"{path} line {line}", f"the header names {', '.join(duplicated)} twice")
    return header


def row_date(where: str, row: Row, column: str) -> str | None:
    """The ISO day in `column`, None when empty; anything else there is bad input
    (the value is cut to 40 characters in the message)."""
    value = row[column]
    if not value:
        return None
    iso = iso_date(value)
    if iso is None or len(iso) != 10:
        raise BadInput(where, f"{column} {value[:40]!r} is not a date")
    return iso


def clean(text: str | None) -> str:
    """Runs of whitespace collapsed to one space, ends trimmed."""
    return " ".join((text or "").split())


def stable_hash(*parts: str | None) -> str:
    """16 hex digits of SHA-1 over the parts, each normalised (case-folded,
    whitespace collapsed): the same row gives the same id on every read and in
    every later edition of the list, as long as those parts do not change."""
    joined = "\x1f".join(clean(part).casefold() for part in parts)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:16]


class UniqueIds:
    """Ids unique within one file: a row whose id was already given to an
    earlier row gets "-2", "-3", ... in file order, deterministic for a given
    file. Every row keeps its own entity, so entities and published rows
    correspond one to one; a row identical to an earlier one (a true
    duplicate) is told apart by `allocate`'s second value, the earlier id.

    That is for the odd repeated row the real lists have (2 of the DPL's 581,
    none in the CSL sample). A file in which most rows repeat an earlier row's
    id is something else: the list written twice over, or two editions run
    together. Read, it would double every entity under new "-2" ids, and the
    next edition would drop them all, so `check` refuses it."""

    def __init__(self) -> None:
        self._content: dict[str, tuple[str, ...]] = {}
        self._bases: set[str] = set()
        self.rows = 0
        self.repeats = 0  # rows whose id an earlier row already had
        self.identical = 0  # of those, rows identical to an earlier one
        self.first_repeat: int | None = None  # the line of the first of them

    def allocate(self, base: str, content: tuple[str, ...], line: int | None = None) -> tuple[str, str | None]:
        self.rows += 1
        if base in self._bases:
            self.repeats += 1
            self.first_repeat = self.first_repeat or line
        self._bases.add(base)
        candidate, number, duplicate_of = base, 1, None
        while candidate in self._content:
            if duplicate_of is None and self._content[candidate] == content:
                duplicate_of = candidate
            number += 1
            candidate = f"{base}-{number}"
        self._content[candidate] = content
        self.identical += duplicate_of is not None
        return candidate, duplicate_of

    def check(self, path: Path, what: str) -> None:
        """BadInput when half the rows or more repeat an earlier row's id (a
        file with every entity twice has exactly half). Two repeats at least:
        a hand-made file of one row and its copy is not a list written twice."""
        if self.repeats >= 2 and 2 * self.repeats >= self.rows:
            first = f"; the first on line {self.first_repeat}" if self.first_repeat else ""
            raise BadInput(str(path), f"{self.repeats:,} of its {self.rows:,} rows repeat an earlier row's id "
                                      f"({self.identical:,} of them the whole row{first}): the {what} written "
                                      "twice over, or two editions run together, is not loaded")


_AKA_INFIX = re.compile(r"\s+(A/K/A|A\.K\.A\.?|D/B/A|D\.B\.A\.?|F/K/A|F\.K\.A\.?)\s+", re.IGNORECASE)
# the alias stops at the next parenthesis, opening or closing: with [^)]+ every
# "(A/K/A" of a long name was scanned to its end (quadratic, 20 s for a 128 KB cell)
_AKA_BRACKETS = re.compile(r"\s*\((A/K/A|A\.K\.A\.?|F/K/A|F\.K\.A\.?)\s+([^()]+)\)\s*", re.IGNORECASE)


def split_aka(name: str) -> tuple[str, list[tuple[str, NameKind]]]:
    """A listed name that embeds its aliases, split: 'FUYI SUN A/K/A FRANK SUN'
    -> ('FUYI SUN', [('FRANK SUN', aka)]); 'PEARL (A.K.A. NEI-CHIEN CHU) LI'
    -> ('PEARL LI', [('NEI-CHIEN CHU', aka)]); D/B/A (doing business as) is an
    aka, F/K/A a fka. Other names are returned unchanged."""
    aliases: list[tuple[str, NameKind]] = []

    def bracket(match: re.Match[str]) -> str:
        kind = NameKind.fka if match[1].upper().startswith("F") else NameKind.aka
        aliases.append((clean(match[2]), kind))
        return " "

    listed = clean(name)
    name = clean(_AKA_BRACKETS.sub(bracket, listed))
    parts = _AKA_INFIX.split(name)
    primary = parts[0]
    for marker, alias in zip(parts[1::2], parts[2::2]):
        if alias := clean(alias):
            aliases.append((alias, NameKind.fka if marker.upper().startswith("F") else NameKind.aka))
    if not clean(primary):
        # nothing but an alias ("(A/K/A X)"): the name as listed, not the empty
        # rest, which no entity may have
        return listed, []
    return clean(primary), aliases
