"""The trade.gov Consolidated Screening List as CSV
(https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv):
the Commerce lists (Entity List, Unverified List, Military End User List,
Denied Persons List), the State lists (ITAR debarred, nonproliferation) and
OFAC's lists in one file, with a header row; each row's ``source`` column
names the list it comes from.

Mapping decisions:

* source_id is the row's entity_number where the list has one (the OFAC
  lists: it is OFAC's own entity number); otherwise "<list code>-<hash>", the
  code from the list name ("EL" for "Entity List (EL) - Bureau of Industry and
  Security") and the hash as for the DPL: 16 hex of SHA-1 over the normalised
  name, addresses and start date, stable across downloads while the row is. A
  repeated id gets "-2", "-3" in file order; true duplicates are marked with
  ``properties["duplicate_of"]``. A file in which half the rows or more repeat
  an earlier row's id (the list written twice over) is refused: see UniqueIds.
* the full list name goes to ``properties["list"]``, its code to
  ``properties["list_code"]``; the first program is the list's short name
  ("Entity List", "Military End User List", "Specially Designated
  Nationals"), followed by the row's own programs (OFAC codes such as SDGT).
* type: Individual -> person, Entity -> organization, Vessel -> vessel,
  Aircraft -> aircraft, empty -> entity (the Commerce and State lists do not
  say). Any other value fails the file: the format has changed.
* alt_names, addresses, dates_of_birth, places_of_birth, nationalities,
  citizenships and ids are split on "; ". An address is "street, city,
  [region,] [postal code,] CC": the two-letter tail is the country, a short
  code with digits before it the postal code, the part before that the city,
  the rest the street; one or two parts without digits are "city[, region]".
  The CSV does not mark which part is which, so this is a best effort: the
  country is reliable, the other fields are not.
* ids are "value, type" or "CC, value, type"; known types are normalised
  (passport, tax_id, registration, email, website, swift_bic, imo, ...) with
  the list's wording in the note. OFAC "ids" that are not identifiers
  ("Subject to Directive 3, Executive Order 13662 Directive Determination -",
  "Secondary sanctions risk:") go to properties under their type's name.
* license_requirement and license_policy (what the Entity List requires and
  how BIS reviews applications), federal_register_notice, end_date,
  standard_order, vessel details and source_list_url go to properties;
  listed_on is start_date; source_url is source_information_url.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from banwatch.errors import BadInput
from banwatch.lists.reading import country_code, iso_date, script_of
from banwatch.lists.tabular import Row, UniqueIds, clean, list_file, read_table, row_date, split_aka, stable_hash
from banwatch.model import (
    Address,
    EntityType,
    ListedEntity,
    ListedIdentifier,
    ListedName,
    NameKind,
    ParsedList,
)

SOURCE = "csl"
FORMAT = "csl-csv"
WHAT = "Consolidated Screening List"
COLUMNS = ("source", "entity_number", "type", "programs", "name", "title", "addresses",
           "federal_register_notice", "start_date", "end_date", "standard_order",
           "license_requirement", "license_policy", "call_sign", "vessel_type", "gross_tonnage",
           "gross_registered_tonnage", "vessel_flag", "vessel_owner", "remarks", "source_list_url",
           "alt_names", "citizenships", "dates_of_birth", "nationalities", "places_of_birth",
           "source_information_url", "ids")

TYPES = {"individual": EntityType.person, "entity": EntityType.organization,
         "vessel": EntityType.vessel, "aircraft": EntityType.aircraft, "": EntityType.entity}

#: "Entity List (EL) - Bureau of Industry and Security",
#: "Military End User (MEU) List - Bureau of Industry and Security"
_LIST_NAME = re.compile(r"^(?P<before>.+?)\s*\((?P<code>[A-Z][A-Z0-9-]*)\)(?P<after>.*?) - (?P<agency>.+)$")
#: the longest source column taken for a list name (the real ones have under 100 characters)
MAX_LIST_NAME = 300

#: extra columns kept as properties, when not empty
PROPERTY_COLUMNS = ("federal_register_notice", "standard_order", "license_requirement",
                    "license_policy", "call_sign", "vessel_type", "gross_tonnage",
                    "gross_registered_tonnage", "vessel_flag", "vessel_owner", "source_list_url")

#: the CSV's id types -> ListedIdentifier.type
ID_TYPES = {
    "passport": "passport", "national id no.": "national_id", "cedula no.": "national_id",
    "identification number": "national_id", "tax id no.": "tax_id", "nit #": "tax_id",
    "ruc #": "tax_id", "registration id": "registration", "registration number": "registration",
    "company number": "registration", "commercial registry number": "registration",
    "business registration number": "registration", "email address": "email",
    "website": "website", "swift/bic": "swift_bic", "vessel registration identification": "imo",
}
#: id types that are facts about the listing, not identifiers -> properties
PROPERTY_ID_TYPES = {"former vessel flag"}

_US_STATES = set("AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV "
                 "NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP"
                 .split())
_POSTAL = re.compile(r"^(?=.*\d)(?!.*[A-Za-z]{3})[A-Za-z0-9][A-Za-z0-9 -]{1,9}$")


def read_csl(path: Path) -> ParsedList:
    """Every row of the Consolidated Screening List CSV in `path` (the CSV, or
    a folder holding consolidated.csv), or BadInput naming the file, the line
    and the problem."""
    path = list_file(path, ("consolidated.csv",), WHAT)
    rows = read_table(path, delimiter=",", columns=COLUMNS, what=WHAT, multiline=True)
    ids = UniqueIds()
    parsed = ParsedList(source=SOURCE, format=FORMAT, files=[path])
    for row in rows:
        where = f"{path} line {row.line}"
        if not clean(row["name"]):
            raise BadInput(where, "a row without a name")
        if "\n" in row["name"] or "\r" in row["name"]:
            raise BadInput(where, "a name runs over a line break: a broken quote")
        # a list name is short; a long one is not tried (the pattern is quadratic in it)
        match = _LIST_NAME.match(clean(row["source"])) if len(row["source"]) <= MAX_LIST_NAME else None
        if not match:
            raise BadInput(where, f"source {row['source'][:60]!r} is not a list name such as "
                                  "'Entity List (EL) - Bureau of Industry and Security'")
        code = match["code"]
        if row["entity_number"]:
            if not re.fullmatch(r"[A-Za-z0-9._-]+", row["entity_number"]):
                raise BadInput(where, f"entity_number {row['entity_number'][:40]!r} is not a number")
            base = row["entity_number"]
        else:
            base = f"{code}-{stable_hash(row['name'], row['addresses'], row['start_date'])}"
        source_id, duplicate_of = ids.allocate(base, tuple(row.values.get(c, "") for c in COLUMNS), row.line)
        parsed.entities.append(_entity(where, source_id, row, match, duplicate_of))
    ids.check(path, WHAT)
    return parsed


def _split(value: str) -> list[str]:
    """A multi-valued column's values: the CSV separates them with "; "."""
    return [part for item in value.split("; ") if (part := clean(item).strip(";").strip())]


def _entity(where: str, source_id: str, row: Row, list_name: re.Match[str],
            duplicate_of: str | None) -> ListedEntity:
    kind = row["type"].lower()
    if kind not in TYPES:
        raise BadInput(where, f"type {row['type'][:40]!r} is none of Individual, Entity, Vessel, "
                              "Aircraft or empty")
    properties = _listing_properties(where, row, list_name, duplicate_of)
    name, aliases = _names(row, properties)
    addresses = [_address(text) for text in _split(row["addresses"])]
    countries, nationalities = _countries(row, addresses, properties)
    birth_dates = _birth_dates(row, properties)
    identifiers: list[ListedIdentifier] = []
    for text in _split(row["ids"]):
        _identifier(text, identifiers, properties)
    programs = [clean(f"{list_name['before']}{list_name['after']}")]
    programs += [program for program in _split(row["programs"]) if program not in programs]
    start = row_date(where, row, "start_date")
    return ListedEntity(
        id=f"{SOURCE}:{source_id}", source=SOURCE, source_id=source_id, type=TYPES[kind],
        name=name, aliases=aliases, addresses=addresses, countries=countries,
        nationalities=nationalities, birth_dates=birth_dates,
        birth_places=_split(row["places_of_birth"]), identifiers=identifiers, programs=programs,
        title=clean(row["title"]) or None, remarks=clean(row["remarks"]) or None,
        listed_on=dt.date.fromisoformat(start) if start else None,
        source_url=clean(row["source_information_url"]) or None, properties=properties,
    )


def _note(properties: dict[str, str], key: str, value: str) -> None:
    """Keep a value banwatch has no field for; several are joined with '; '."""
    properties[key] = "; ".join(filter(None, (properties.get(key), value)))


def _listing_properties(where: str, row: Row, list_name: re.Match[str], duplicate_of: str | None) -> dict[str, str]:
    """What the row says about the listing itself: which list, the licence
    requirement and policy, the Federal Register notice, the end date."""
    properties: dict[str, str] = {"list": clean(row["source"]), "list_code": list_name["code"]}
    for column in PROPERTY_COLUMNS:  # as written (trimmed): licence texts are quoted downstream
        if value := row[column]:
            properties[column] = value
    if end := row_date(where, row, "end_date"):
        properties["end_date"] = end
    if duplicate_of:
        properties["duplicate_of"] = f"{SOURCE}:{duplicate_of}"
    return properties


def _names(row: Row, properties: dict[str, str]) -> tuple[str, list[ListedName]]:
    """The name (without the aliases some rows embed in it) and every alias."""
    listed_name = clean(row["name"])
    name, embedded = split_aka(listed_name)
    if embedded:
        properties["listed_name"] = listed_name
    aliases: list[ListedName] = []
    seen = {name.casefold()}

    def alias(text: str, alias_kind: NameKind) -> None:
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            aliases.append(ListedName(name=text, kind=alias_kind, script=script_of(text)))

    for text, alias_kind in embedded:
        alias(text, alias_kind)
    for number, text in enumerate(_split(row["alt_names"])):
        if number and text.startswith("and "):  # "...; X; and Y." ends an enumeration
            text = text[4:]
        alias(text, NameKind.aka)
    return name, aliases


def _countries(row: Row, addresses: list[Address], properties: dict[str, str]) -> tuple[list[str], list[str]]:
    """(countries, nationalities): the countries of the addresses, nationalities
    and citizenships, and vessel flag; nationalities as ISO codes."""
    countries: list[str] = []

    def tie(code: str | None) -> None:
        if code and code not in countries:
            countries.append(code)

    for address in addresses:
        tie(address.country)
    nationalities: list[str] = []
    for value in _split(row["nationalities"]) + _split(row["citizenships"]):
        if code := country_code(value):
            tie(code)
            if code not in nationalities:
                nationalities.append(code)
        else:
            _note(properties, "nationalities_unresolved", value)
    tie(country_code(row["vessel_flag"]))
    return countries, nationalities


def _birth_dates(row: Row, properties: dict[str, str]) -> list[str]:
    birth_dates: list[str] = []
    for value in _split(row["dates_of_birth"]):
        if iso := iso_date(value):
            birth_dates.append(iso)
        else:
            _note(properties, "birth_date_notes", value)
    return birth_dates


def _address(text: str) -> Address:
    parts = [part.strip() for part in text.split(",") if part.strip()]
    country = country_name = postal = region = city = None
    if parts and re.fullmatch(r"[A-Z]{2}", parts[-1]) and (code := country_code(parts[-1])):
        country, country_name = code, parts.pop()
    if len(parts) > 1 and _POSTAL.match(parts[-1]):
        postal = parts.pop()
    if len(parts) > 2 and parts[-1] in _US_STATES and country in (None, "US"):
        region = parts.pop()
    if not postal and not region and len(parts) <= 2 and not re.search(r"\d", parts[0] if parts else "0"):
        # "Gaza City, Gaza", "Tijuana, Baja California", "Zabadani": a place, not a street
        city = parts.pop(0)
        region = parts.pop(0) if parts else None
    elif len(parts) > 1:
        city = parts.pop()
    return Address(street=", ".join(parts) or None, city=city, region=region, postal_code=postal,
                   country=country, country_name=country_name)


def _identifier(text: str, identifiers: list[ListedIdentifier], properties: dict[str, str]) -> None:
    value, _, label = text.rpartition(", ")
    if not value:
        _note(properties, "ids_unparsed", text)
        return
    key = label.lower().rstrip(" .:-") if label.endswith(("-", ":")) else label.lower()
    if label.endswith(("-", ":")) or key in PROPERTY_ID_TYPES:
        # "Subject to Directive 3, Executive Order 13662 Directive Determination -"
        slug = re.sub(r"[^a-z0-9]+", "_", key).strip("_")
        _note(properties, slug, value)
        return
    country = None
    if match := re.match(r"^([A-Z]{2}), (.+)$", value):
        if code := country_code(match[1]):
            country, value = code, match[2]
    id_type = ID_TYPES.get(key) or re.sub(r"[^a-z0-9]+", "_", key).strip("_") or "id"
    if id_type == "imo":
        value = re.sub(r"^IMO\s*", "", value)
    identifier = ListedIdentifier(type=id_type, value=value, country=country, note=label)
    if identifier not in identifiers:
        identifiers.append(identifier)
