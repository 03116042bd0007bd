"""OFAC's legacy CSV files: the SDN list (sdn.csv, alt.csv, add.csv,
sdn_comments.csv) and the non-SDN consolidated list (cons_prim.csv,
cons_alt.csv, cons_add.csv, cons_comments.csv).

The files have no header, CRLF line ends, a DOS end-of-file byte (0x1A) after
the last row, and `-0-` (usually `-0- `) for an empty field. Long remarks are
cut at 1,000 characters and continue, mid-word, in the comments file.

Most of what OFAC knows about an entry is in its free-text remarks, e.g.
`DOB 14 Jun 1975; POB Leningrad, Russia; Gender Male; Passport 717637093
(Russia); a.k.a. 'BNC'; Linked To: USA REALLY.` The segments this reader
recognises become dates of birth, nationalities, identifiers, weak aliases and
properties; the rest (titles, free notes) is only in `remarks`, which always
keeps the full text.

* type: "individual" -> person, "vessel", "aircraft", empty -> organization.
* aliases: every alt.csv row, kind aka / fka / nka (weak when its remarks say
  so); the quoted a.k.a.s of the remarks are OFAC's weak aliases (its FAQ 123)
  and get kind weak, quality "weak" ("weak f.k.a." for an f.k.a.).
* DOB: exact dates as ISO; "circa 1960", year ranges ("1960 to 1962": each
  year) and whole-month ranges are kept as text in
  ``properties["birth_dates_approximate"]`` too; a DOB that is no date goes to
  ``properties["birth_dates_unparsed"]``.
* nationality / citizen -> ISO nationalities, else
  ``properties["nationalities_unresolved"]``.
* countries = vessel flag + address countries + nationalities + aircraft
  registration + birth-place countries.
* identifiers: the labels in ofac_remarks.IDENTIFIER_LABELS, with the
  "(Country)" after the number as ISO and "issued ..." / "expires ..." as the
  note.
* properties: the vessel columns, ofac_remarks.PROPERTY_LABELS (linked_to,
  ...), and ``executive_order_<number>``; several values are joined with "; ".

A row that does not fit the format makes the whole set fail with `BadInput`
naming the file and line: a list is read completely or not at all.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from banwatch.errors import BadInput
from banwatch.lists.ofac_remarks import Remarks, parse_remarks
from banwatch.inputs import read_text
from banwatch.lists.reading import country_code
from banwatch.model import Address, EntityType, ListedEntity, ListedName, NameKind, ParsedList

FORMAT = "ofac-csv"

#: source -> (primary, aliases, addresses, comments); the comments file is optional.
FILE_SETS: dict[str, tuple[str, str, str, str]] = {
    "ofac-sdn": ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"),
    "ofac-cons": ("cons_prim.csv", "cons_alt.csv", "cons_add.csv", "cons_comments.csv"),
}

#: OFAC's own page for an entry, in its Sanctions List Search (SDN and non-SDN alike).
DETAILS_URL = "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={}"

PRIMARY_COLUMNS = 12  # ent_num, name, type, programs, title, call sign, vessel type,
#                       tonnage, GRT, vessel flag, vessel owner, remarks
ALIAS_COLUMNS = 5  # ent_num, alt_num, alt_type, alt_name, alt_remarks
ADDRESS_COLUMNS = 6  # ent_num, add_num, address, city/state/postal code, country, add_remarks
COMMENT_COLUMNS = 2  # ent_num, remarks continuation

ENTITY_TYPES = {
    None: EntityType.organization,  # OFAC leaves the type empty for companies and groups
    "individual": EntityType.person,
    "vessel": EntityType.vessel,
    "aircraft": EntityType.aircraft,
}
ALIAS_KINDS = {"aka": NameKind.aka, "fka": NameKind.fka, "nka": NameKind.nka}

VESSEL_COLUMNS = (  # sdn.csv column index -> property name
    (5, "call_sign"),
    (6, "vessel_type"),
    (7, "tonnage"),
    (8, "gross_registered_tonnage"),
    (9, "vessel_flag"),
    (10, "vessel_owner"),
)

#: the regexes for rows and addresses (the remarks have theirs in ofac_remarks)
#: a postal code word (fullmatch): [A-Z0-9-] with a digit, not starting with '-'.
#: Written as "[A-Z0-9][A-Z0-9-]*\d[A-Z0-9-]*|\d[A-Z0-9-]*", it backtracked over
#: every digit of a long word that ends in another character (an address word of
#: 100,000 digits took minutes); the possessive *+ and the lookahead for the
#: digit match the same words in one pass
_POSTAL = re.compile(r"[A-Z0-9](?=.*\d)[A-Z0-9-]*+(?:\d[A-Z0-9-]*+)?|\d[A-Z0-9-]*+")
_FIRST_FIELD = re.compile(r"\s*\d+\s*,")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --------------------------------------------------------------------------- entry point


def read_ofac(path: Path) -> ParsedList:
    """The whole OFAC set `path` names (its directory, or any one of its files)
    as a `ParsedList`, or `BadInput` naming the file and line that is wrong."""
    path = Path(path)
    source, directory = _which_set(path)
    primary_name, alias_name, address_name, comment_name = FILE_SETS[source]
    primary = _required(directory, primary_name, source)
    aliases = _required(directory, alias_name, source)
    addresses = _required(directory, address_name, source)
    comments = _find(directory, comment_name)
    files = [primary, aliases, addresses] + ([comments] if comments else [])

    with _collector_paused():
        drafts = _read_primary(primary, source)
        if comments:
            _read_comments(comments, drafts)
        _read_aliases(aliases, drafts)
        _read_addresses(addresses, drafts)

        names = {draft["name"] for draft in drafts.values()}
        entities = [_entity(source, ent_num, draft, names) for ent_num, draft in drafts.items()]
    return ParsedList(source=source, format=FORMAT, files=files, entities=entities)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Reading the SDN list makes ~100,000 objects and no garbage cycles; the
    cycle collector, scanning them again and again meanwhile, took a third of
    the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _which_set(path: Path) -> tuple[str, Path]:
    expected = "; or ".join(
        f"{', '.join(names[:3])} (and optionally {names[3]})" for names in FILE_SETS.values())
    if path.is_dir():
        found = [source for source, names in FILE_SETS.items() if _find(path, names[0])]
        if len(found) == 1:
            return found[0], path
        if found:
            raise BadInput(str(path), "holds both sdn.csv and cons_prim.csv: "
                           "give the path of one file of the set to read")
        raise BadInput(str(path), f"no OFAC CSV list here: expected {expected}")
    if path.is_file():
        for source, names in FILE_SETS.items():
            if path.name.lower() in names:
                return source, path.parent
        raise BadInput(str(path), f"not a file of an OFAC CSV list: expected {expected}")
    raise BadInput(str(path), "no such file or directory")


def _find(directory: Path, name: str) -> Path | None:
    exact = directory / name
    if exact.is_file():
        return exact
    for candidate in directory.iterdir():  # OFAC has published upper-case names too
        if candidate.name.lower() == name and candidate.is_file():
            return candidate
    return None


def _required(directory: Path, name: str, source: str) -> Path:
    found = _find(directory, name)
    if found is None:
        names = FILE_SETS[source]
        raise BadInput(str(directory), f"{name} is missing: the {source} list needs "
                       f"{', '.join(names[:3])} (and optionally {names[3]}) together")
    return found


# --------------------------------------------------------------------------- rows


def _rows(path: Path, columns: int, what: str) -> Iterator[tuple[int, str, list[str]]]:
    """(line, where, row) for each row, `where` being "<file> line <n>", for
    BadInput. Every way the file can be malformed raises."""
    text = read_text(path)
    if text.endswith("\x1a"):  # MS-DOS end-of-file mark, after the last row
        text = text[:-1]
    head = text.lstrip()
    if head.startswith("<"):
        raise BadInput(f"{path} line 1", f"XML, not an OFAC {what} CSV file (is it the UN list "
                       "or OFAC's XML? this reader takes the legacy CSV files)")
    if not head:
        raise BadInput(str(path), f"no rows: an OFAC {what} file holds at least one row")
    first_line = head.split("\n", 1)[0].rstrip("\r")
    if not _FIRST_FIELD.match(first_line):
        raise BadInput(f"{path} line {text[: len(text) - len(head)].count(chr(10)) + 1}",
                       f"not an OFAC {what} file: it starts with {first_line[:60]!r}, where "
                       "OFAC's files (which have no header row) start with an entry number")
    if control := _CONTROL.search(text):
        line = text.count("\n", 0, control.start()) + 1
        raise BadInput(f"{path} line {line}",
                       f"control character 0x{ord(control.group()):02x}: the file is corrupt")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    first = True
    while True:
        try:
            row = next(reader)
        except StopIteration:
            if not text.endswith("\n"):  # every row OFAC writes ends with CRLF
                raise BadInput(f"{path} line {text.count(chr(10)) + 1}",
                               "the last row has no line end: the file is truncated") from None
            return
        except csv.Error as error:
            raise BadInput(f"{path} line {line}", f"broken CSV quoting ({error})") from None
        line_number, where = line, f"{path} line {line}"
        line = reader.line_num + 1
        if not row:
            raise BadInput(where, "empty line inside the file")
        if first:
            _check_first_row(row, columns, what, where)
            first = False
        if len(row) != columns:
            raise BadInput(where, f"{_columns(len(row))} where an OFAC {what} row has {columns}: "
                           "the row is cut short or damaged")
        ent_num = row[0].strip()
        if not (ent_num.isascii() and ent_num.isdigit()):
            raise BadInput(where, f"entry number {row[0]!r} is not a number")
        yield line_number, where, row


def _check_first_row(row: list[str], columns: int, what: str, where: str) -> None:
    """A file of another list fails here with a message that says so, not with
    a puzzling complaint about some later row."""
    if len(row) != columns:
        raise BadInput(where, f"not an OFAC {what} file: the first row has {_columns(len(row))}, "
                       f"an OFAC {what} row has {columns}")


def _columns(count: int) -> str:
    return f"{count} column" if count == 1 else f"{count} columns"


def _value(field: str) -> str | None:
    value = field.strip()
    return None if value == "-0-" or not value else value


def _number(value: str | None, where: str, what: str) -> str:
    if value is None or not (value.isascii() and value.isdigit()):
        raise BadInput(where, f"{what} {value!r} is not a number")
    return value


# --------------------------------------------------------------------------- the four files


def _read_primary(path: Path, source: str) -> dict[str, dict[str, Any]]:
    what = "sdn.csv" if source == "ofac-sdn" else "cons_prim.csv"
    drafts: dict[str, dict[str, Any]] = {}
    lines: dict[str, int] = {}
    for line, where, row in _rows(path, PRIMARY_COLUMNS, what):
        fields = [_value(field) for field in row]
        ent_num, name, kind, programs, title = fields[:5]
        assert ent_num is not None
        if ent_num in drafts:
            raise BadInput(where, f"entry number {ent_num} again (first on line {lines[ent_num]})")
        if name is None:
            raise BadInput(where, f"entry {ent_num} has no name")
        if (kind.lower() if kind else None) not in ENTITY_TYPES:
            raise BadInput(where, f"unknown entry type {kind!r}: expected individual, vessel, "
                           "aircraft or -0-")
        lines[ent_num] = line
        properties = {key: fields[index] for index, key in VESSEL_COLUMNS if fields[index]}
        drafts[ent_num] = {
            "name": name,
            "type": ENTITY_TYPES[kind.lower() if kind else None],
            "programs": _programs(programs),
            "title": title,
            "remarks": row[11] if fields[11] else "",  # unstripped: comments may continue it
            "properties": properties,
            "aliases": [],
            "addresses": [],
        }
    return drafts


def _read_comments(path: Path, drafts: dict[str, dict[str, Any]]) -> None:
    """Remarks OFAC cut at 1,000 characters continue here, mid-word: append as is."""
    for _line, where, (ent_num, text) in _rows(path, COMMENT_COLUMNS, path.name):
        draft = _draft(drafts, ent_num.strip(), where)
        if _value(text):
            draft["remarks"] += text  # unstripped: OFAC's cut may fall just before a space


def _read_aliases(path: Path, drafts: dict[str, dict[str, Any]]) -> None:
    seen: dict[str, int] = {}
    for line, where, row in _rows(path, ALIAS_COLUMNS, path.name):
        ent_num, alt_num, kind, name, remarks = (_value(field) for field in row)
        draft = _draft(drafts, ent_num, where)
        alt_num = _number(alt_num, where, "alias number")
        if alt_num in seen:
            raise BadInput(where, f"alias number {alt_num} again (first on line {seen[alt_num]})")
        seen[alt_num] = line
        if (kind.lower() if kind else None) not in ALIAS_KINDS:
            raise BadInput(where, f"unknown alias type {kind!r}: expected aka, fka or nka")
        if name is None:
            raise BadInput(where, f"alias {alt_num} has no name")
        alias_kind = ALIAS_KINDS[kind.lower()]  # type: ignore[union-attr]
        quality = None
        if remarks and "weak" in remarks.lower():
            alias_kind, quality = NameKind.weak, f"weak {kind.lower()}"  # type: ignore[union-attr]
        draft["aliases"].append(ListedName(name=name, kind=alias_kind, quality=quality))


def _read_addresses(path: Path, drafts: dict[str, dict[str, Any]]) -> None:
    seen: dict[str, int] = {}
    for line, where, row in _rows(path, ADDRESS_COLUMNS, path.name):
        ent_num, add_num, street, city_line, country, remarks = (_value(field) for field in row)
        draft = _draft(drafts, ent_num, where)
        add_num = _number(add_num, where, "address number")
        if add_num in seen:
            raise BadInput(where, f"address number {add_num} again (first on line {seen[add_num]})")
        seen[add_num] = line
        if not any((street, city_line, country, remarks)):
            continue  # OFAC writes an all-empty address row for entries without one
        city, region, postal_code = _city_region_postal(city_line)
        draft["addresses"].append(Address(
            street=street, city=city, region=region, postal_code=postal_code,
            country=country_code(country), country_name=country, note=remarks))


def _draft(drafts: dict[str, dict[str, Any]], ent_num: str | None, where: str) -> dict[str, Any]:
    try:
        return drafts[ent_num]  # type: ignore[index]
    except KeyError:
        raise BadInput(where, f"entry number {ent_num} is not in the list's primary file") from None


# --------------------------------------------------------------------------- fields


def _programs(text: str | None) -> list[str]:
    """'SDGT] [IRGC' (OFAC's brackets, with the outer pair cut off) -> ['SDGT', 'IRGC']."""
    if not text:
        return []
    programs = [program.strip(" []") for program in text.split("] [")]
    return list(dict.fromkeys(program for program in programs if program))


def _city_region_postal(text: str | None) -> tuple[str | None, str | None, str | None]:
    """OFAC's one 'City, State/Province Postal code' column, split as well as it
    can be: 'Culiacan, Sinaloa 80129' -> Culiacan, Sinaloa, 80129; 'London EC3N
    1DY' -> London, None, EC3N 1DY. Trailing words with a digit are the code."""
    if not text:
        return None, None, None
    words = text.split()
    postal: list[str] = []
    while words and len(postal) < 2 and _POSTAL.fullmatch(words[-1]):
        postal.insert(0, words.pop())
    if postal and words and words[-1].upper() in ("C.P.", "CP", "C.P"):
        words.pop()  # Mexico's "C.P." (codigo postal) before the code
    rest = " ".join(words).strip(" ,")
    parts = [part.strip() for part in rest.split(",") if part.strip()]
    city = parts[0] if parts else None
    region = ", ".join(parts[1:]) or None
    return city, region, " ".join(postal) or None


# --------------------------------------------------------------------------- entities


def _entity(source: str, ent_num: str, draft: dict[str, Any], names: set[str]) -> ListedEntity:
    remarks: str = draft["remarks"].strip()
    properties: dict[str, list[str]] = {key: [value] for key, value in draft["properties"].items()}
    parsed = parse_remarks(remarks, names, properties) if remarks else Remarks()
    aliases = [*draft["aliases"], *parsed.aliases]
    addresses: list[Address] = draft["addresses"]

    countries: list[str] = []
    flag = draft["properties"].get("vessel_flag")
    birth_countries = (country_code(place.rsplit(",", 1)[-1]) for place in parsed.birth_places)
    for code in (country_code(flag), *(address.country for address in addresses),
                 *parsed.nationalities, *parsed.registration_countries, *birth_countries):
        if code and code not in countries:
            countries.append(code)

    return ListedEntity(
        id=f"{source}:{ent_num}",
        source=source,
        source_id=ent_num,
        type=draft["type"],
        name=draft["name"],
        aliases=aliases,
        addresses=addresses,
        countries=countries,
        nationalities=list(dict.fromkeys(parsed.nationalities)),
        birth_dates=list(dict.fromkeys(parsed.birth_dates)),
        birth_places=list(dict.fromkeys(parsed.birth_places)),
        identifiers=parsed.identifiers,
        programs=draft["programs"],
        title=draft["title"],
        gender=parsed.gender,
        remarks=remarks or None,
        source_url=DETAILS_URL.format(ent_num),
        properties={key: "; ".join(dict.fromkeys(values)) for key, values in properties.items()},
    )
