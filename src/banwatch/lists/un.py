"""The UN Security Council consolidated list, as the UN publishes it in XML
(https://scsanctions.un.org/resources/xml/en/consolidated.xml):
CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL and CONSOLIDATED_LIST/ENTITIES/ENTITY.

The file comes from the network, so it is parsed only with defusedxml and with
every XML feature a sanctions list does not need switched off: a DOCTYPE, an
entity declaration (internal, as in the "billion laughs" bomb, or external, as
in an XXE attack) is refused outright, never expanded or fetched.

Mapping decisions, so that downstream code need not read the XML:

* id is ``un:<REFERENCE_NUMBER>`` (e.g. ``un:QDi.290``), the UN's public
  reference; the internal DATAID goes to ``properties["dataid"]``.
* the name is FIRST_NAME .. FOURTH_NAME joined with spaces (entities: FIRST_NAME);
  NAME_ORIGINAL_SCRIPT becomes an alias of kind ``original_script`` with its
  ISO 15924 script.
* alias QUALITY ``Low`` -> ``NameKind.weak``; ``f.k.a.`` -> ``fka``; ``Good``,
  ``a.k.a.`` and empty -> ``aka``. The UN's own grading is kept in ``quality``.
  An alias's own DATE_OF_BIRTH / CITY_OF_BIRTH / COUNTRY_OF_BIRTH (a false
  identity's details) are added to the entity's birth dates and places.
* dates of birth keep their precision (``1966``, ``1966-11-09``); a BETWEEN
  range is expanded to every year in it (screening then meets any of them) and
  also kept as text in ``properties["birth_date_ranges"]`` ("1973-1974");
  APPROXIMATELY dates are listed and also named in
  ``properties["birth_dates_approximate"]``; a date the UN wrote only as a note
  ("Nov. 1973") is parsed when possible, otherwise kept in
  ``properties["birth_date_notes"]``.
* nationalities are ISO alpha-2; a value that is not a country today ("former
  Soviet Union") goes to ``properties["nationalities_unresolved"]``.
* documents with a NUMBER become identifiers (passport / national_id / the
  UN's wording, slugged); documents the UN describes only in a NOTE go to
  ``properties["document_notes"]``.
* countries = nationalities + address countries + birth-place countries.
* UN_LIST_TYPE (``Al-Qaida``, ``DPRK``, ...) is the program; TITLE and
  DESIGNATION values are joined into ``title``; COMMENTS1 is ``remarks``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from xml.etree.ElementTree import Element

from banwatch.errors import BadInput
from banwatch.inputs import parse_xml, read_text
from banwatch.lists.reading import country_code, iso_date, script_of
from banwatch.lists.tabular import list_file
from banwatch.model import (
    Address,
    EntityType,
    ListedEntity,
    ListedIdentifier,
    ListedName,
    NameKind,
    ParsedList,
)

SOURCE = "un"
FORMAT = "un-xml"
ROOT = "CONSOLIDATED_LIST"

# --------------------------------------------------------------------------- the reader


def read_un(path: Path) -> ParsedList:
    """Every individual and entity of the UN consolidated list in `path` (the
    XML file, or a folder holding consolidated.xml), or BadInput naming the file
    (and line or record) and the problem."""
    path = list_file(path, ("consolidated.xml",), "UN consolidated list")
    root = parse_xml(read_text(path), path)
    if root.tag != ROOT:
        raise BadInput(str(path), f"not a UN consolidated list: root is <{root.tag}>")
    sections = {child.tag: child for child in root}
    if "INDIVIDUALS" not in sections and "ENTITIES" not in sections:
        raise BadInput(str(path), "not a UN consolidated list: no <INDIVIDUALS> or <ENTITIES>")

    parsed = ParsedList(source=SOURCE, format=FORMAT, files=[path], published=_generated(root))
    seen: set[str] = set()
    for section, record_tag, entity_type in (("INDIVIDUALS", "INDIVIDUAL", EntityType.person),
                                             ("ENTITIES", "ENTITY", EntityType.organization)):
        for record in sections.get(section, ()):
            if record.tag != record_tag:
                raise BadInput(str(path), f"<{section}> holds a <{record.tag}>, expected <{record_tag}>")
            entity = _entity(path, record, entity_type)
            if entity.source_id in seen:
                raise BadInput(str(path), f"{_describe(record)}: reference number "
                                          f"{entity.source_id} occurs twice")
            seen.add(entity.source_id)
            parsed.entities.append(entity)
    if not parsed.entities:
        raise BadInput(str(path), "UN consolidated list with no individuals or entities")
    return parsed


def _generated(root: Element) -> dt.date | None:
    """The list's dateGenerated ("2026-02-27T00:00:09.554Z"): when the UN published it."""
    try:
        return dt.date.fromisoformat((root.get("dateGenerated") or "")[:10])
    except ValueError:
        return None


def _text(element: Element | None) -> str | None:
    """An element's text, whitespace collapsed (the UN wraps long values over
    lines); None when absent or blank."""
    if element is None or element.text is None:
        return None
    value = " ".join(element.text.split())
    return value or None


def _child(record: Element, tag: str) -> str | None:
    return _text(record.find(tag))


def _values(record: Element, tag: str) -> list[str]:
    """The VALUE children of every <tag> (NATIONALITY, DESIGNATION, TITLE, ...)."""
    return [value for element in record.findall(tag) for child in element.findall("VALUE")
            if (value := _text(child))]


def _describe(record: Element) -> str:
    ids = [f"{tag} {value}" for tag in ("DATAID", "REFERENCE_NUMBER") if (value := _child(record, tag))]
    return f"<{record.tag}> " + (" / ".join(ids) if ids else "without DATAID or REFERENCE_NUMBER")


def _add(items: list[str], value: str | None) -> None:
    if value and value not in items:
        items.append(value)


class _Notes:
    """What the UN writes that banwatch has no field for, kept as properties
    (several values of a key joined with "; "), so that a reviewer can still read it."""

    def __init__(self) -> None:
        self.values: dict[str, list[str]] = {}

    def add(self, key: str, value: str | None) -> None:
        if value:
            _add(self.values.setdefault(key, []), value)

    def as_properties(self) -> dict[str, str]:
        return {key: "; ".join(values) for key, values in self.values.items()}


def _entity(path: Path, record: Element, entity_type: EntityType) -> ListedEntity:
    reference = _child(record, "REFERENCE_NUMBER")
    if not reference:
        raise BadInput(str(path), f"{_describe(record)} has no REFERENCE_NUMBER")
    name = _name(path, record, entity_type)
    notes = _Notes()
    notes.add("dataid", _child(record, "DATAID"))
    for updated in _values(record, "LAST_DAY_UPDATED"):
        notes.add("last_updated", updated)

    aliases, birth_dates, birth_places = _aliases(record, name)
    countries: list[str] = []
    nationalities = _nationalities(record, notes)
    for code in nationalities:
        _add(countries, code)
    for element in record.findall(f"{record.tag}_DATE_OF_BIRTH"):
        _birth_date(element, birth_dates, notes)
    _birth_places(record, birth_places, countries, notes)
    addresses = _addresses(record, countries)
    identifiers = _identifiers(record, notes)

    titles = _values(record, "TITLE") + _values(record, "DESIGNATION")
    program = _child(record, "UN_LIST_TYPE")
    return ListedEntity(
        id=f"{SOURCE}:{reference}", source=SOURCE, source_id=reference, type=entity_type,
        name=name, aliases=aliases, addresses=addresses, countries=countries,
        nationalities=nationalities, birth_dates=birth_dates, birth_places=birth_places,
        identifiers=identifiers, programs=[program] if program else [],
        title="; ".join(dict.fromkeys(titles)) or None, gender=_child(record, "GENDER"),
        remarks=_child(record, "COMMENTS1"), listed_on=_listed_on(path, record),
        properties=notes.as_properties(),
    )


def _name(path: Path, record: Element, entity_type: EntityType) -> str:
    if entity_type is EntityType.person:
        parts = [_child(record, tag) for tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
    else:
        parts = [_child(record, "FIRST_NAME")]
    name = " ".join(part for part in parts if part)
    if not name:
        raise BadInput(str(path), f"{_describe(record)} has no name")
    return name


def _aliases(record: Element, name: str) -> tuple[list[ListedName], list[str], list[str]]:
    """(aliases, birth dates, birth places): the original-script name and every
    alias, with the birth details an alias (a false identity) carries."""
    aliases: list[ListedName] = []
    seen_names = {name.casefold()}

    def alias(text: str | None, kind: NameKind, quality: str | None = None) -> None:
        if not text or text.casefold() in seen_names:
            return
        seen_names.add(text.casefold())
        aliases.append(ListedName(name=text, kind=kind, script=script_of(text), quality=quality))

    alias(_child(record, "NAME_ORIGINAL_SCRIPT"), NameKind.original_script)
    birth_dates: list[str] = []
    birth_places: list[str] = []
    for element in record.findall(f"{record.tag}_ALIAS"):
        quality = _child(element, "QUALITY")
        kind = {"low": NameKind.weak, "f.k.a.": NameKind.fka}.get((quality or "").lower(), NameKind.aka)
        alias(_child(element, "ALIAS_NAME"), kind, quality)
        if _child(element, "ALIAS_NAME"):
            _add(birth_dates, iso_date(_child(element, "DATE_OF_BIRTH")))
            _add(birth_places, ", ".join(p for p in (_child(element, "CITY_OF_BIRTH"),
                                                     _child(element, "COUNTRY_OF_BIRTH")) if p))
    return aliases, birth_dates, birth_places


def _nationalities(record: Element, notes: _Notes) -> list[str]:
    nationalities: list[str] = []
    for value in _values(record, "NATIONALITY"):
        if code := country_code(value):
            _add(nationalities, code)
        else:
            notes.add("nationalities_unresolved", value)
    return nationalities


def _birth_places(record: Element, birth_places: list[str], countries: list[str], notes: _Notes) -> None:
    for element in record.findall(f"{record.tag}_PLACE_OF_BIRTH"):
        place = ", ".join(p for tag in ("STREET", "CITY", "STATE_PROVINCE", "COUNTRY")
                          if (p := _child(element, tag)))
        _add(birth_places, place)
        _add(countries, country_code(_child(element, "COUNTRY")))
        if place and (place_note := _child(element, "NOTE")):
            notes.add("birth_place_notes", f"{place}: {place_note}")


def _addresses(record: Element, countries: list[str]) -> list[Address]:
    addresses: list[Address] = []
    for element in record.findall(f"{record.tag}_ADDRESS"):
        country_name = _child(element, "COUNTRY")
        address = Address(street=_child(element, "STREET"), city=_child(element, "CITY"),
                          region=_child(element, "STATE_PROVINCE"),
                          postal_code=_child(element, "ZIP_CODE"),
                          country=country_code(country_name), country_name=country_name,
                          note=_child(element, "NOTE"))
        if any(address.model_dump().values()) and address not in addresses:
            addresses.append(address)
            _add(countries, address.country)
    return addresses


def _identifiers(record: Element, notes: _Notes) -> list[ListedIdentifier]:
    identifiers: list[ListedIdentifier] = []
    for element in record.findall(f"{record.tag}_DOCUMENT"):
        document = _document(element)
        if isinstance(document, ListedIdentifier):
            if document not in identifiers:
                identifiers.append(document)
        elif document:
            notes.add("document_notes", document)
    return identifiers


def _listed_on(path: Path, record: Element) -> dt.date | None:
    listed_on = _child(record, "LISTED_ON")
    if not listed_on:
        return None
    # an xsd:date, sometimes with a time zone: "2015-04-07-04:00"
    if match := _XSD_DATE.match(listed_on):
        try:
            return dt.date.fromisoformat(match[1])
        except ValueError:
            pass
    raise BadInput(str(path), f"{_describe(record)}: LISTED_ON {listed_on!r} is not a date")


def _birth_date(element: Element, birth_dates: list[str], notes: _Notes) -> None:
    kind = (_child(element, "TYPE_OF_DATE") or "").upper()
    found: list[str] = []

    def date_of(tag: str) -> str | None:
        raw = _child(element, tag)
        if raw is None:
            return None
        if match := _XSD_DATE.match(raw):
            raw = match[1]
        value = iso_date(raw)
        if value is None:  # kept, not dropped: a reviewer can still read it
            notes.add("birth_date_notes", f"{tag} {raw}")
        return value

    for tag in ("DATE", "YEAR"):
        if value := date_of(tag):
            found.append(value)
    start, end = date_of("FROM_YEAR"), date_of("TO_YEAR")
    if start and end and len(start) == len(end) == 4 and int(start) <= int(end):
        found.extend(str(year) for year in range(int(start), int(end) + 1))
        notes.add("birth_date_ranges", f"{start}-{end}")
    elif start or end:
        found.extend(year for year in (start, end) if year)
        notes.add("birth_date_ranges", f"{start or '?'}-{end or '?'}")
    date_note = _child(element, "NOTE")
    if date_note and not found:
        # the UN sometimes puts the only date in the note: "Nov. 1973", "August 1961"
        if parsed := iso_date(date_note.replace(".", "")):
            found.append(parsed)
            date_note = None
    if date_note:
        notes.add("birth_date_notes", date_note)
    for value in found:
        _add(birth_dates, value)
        if kind == "APPROXIMATELY":
            notes.add("birth_dates_approximate", value)


_XSD_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2})?$")
_PASSPORT = re.compile(r"passport|passeport|pasaporte", re.IGNORECASE)
_NATIONAL_ID = re.compile(r"national ident", re.IGNORECASE)


def _document(element: Element) -> ListedIdentifier | str | None:
    """An identifier for a document with a number; the UN's note text for a
    document described only in words; None for an empty element."""
    kind = _child(element, "TYPE_OF_DOCUMENT")
    kind2 = _child(element, "TYPE_OF_DOCUMENT2")
    number = _child(element, "NUMBER")
    doc_note = _child(element, "NOTE")
    if not number:
        if doc_note:
            return f"{kind}: {doc_note}" if kind else doc_note
        return None
    label = kind or kind2 or "document"
    if _PASSPORT.search(label):
        id_type = "passport"
    elif _NATIONAL_ID.search(label):
        id_type = "national_id"
    else:
        id_type = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_") or "document"
    country_name = _child(element, "ISSUING_COUNTRY") or _child(element, "COUNTRY_OF_ISSUE")
    country = country_code(country_name)
    notes = [kind2 if kind and kind2 and kind2.casefold() != kind.casefold() else None,
             f"issued by {country_name}" if country_name and not country else None,
             f"issued {issued}" if (issued := _child(element, "DATE_OF_ISSUE")) else None,
             f"in {city}" if (city := _child(element, "CITY_OF_ISSUE")) else None,
             doc_note]
    return ListedIdentifier(type=id_type, value=number, country=country,
                            note="; ".join(n for n in notes if n) or None)
