"""FollowTheMoney (FtM) entities, the model OpenSanctions publishes its data in:
JSON lines, one entity a line, `{"id": ..., "schema": "Person", "properties":
{"name": [...], ...}}`. `read_ftm` reads such a file (an OpenSanctions
`entities.ftm.json`, or a banwatch export); `write_ftm` / `to_ftm` export
`ListedEntity` models so that other FtM tools (yente, nomenklatura, Aleph) can
use them.

Ids. FtM entity ids may hold only letters, digits, '.' and '-', so a banwatch id
`<source>:<source id>` is written as `<source>.<escaped source id>`: letters,
digits and '-' stay, every other character becomes '.' and two lower-case hex
digits per UTF-8 byte (a trailing '-' too, since an FtM id must end in a letter
or digit). `ofac-sdn:36` -> `ofac-sdn.36`, `un:QDi.290` -> `un.QDi.2e290`,
`catalog:us-fcc-covered-list/zte-corporation` ->
`catalog.us-fcc-covered-list.2fzte-corporation`. An entity read from FtM
(source `ftm`) is written back under its own FtM id. Reading reverses this: an
id that is exactly such an encoding with a banwatch source before the first '.'
gives that source and source id back; every other id (OpenSanctions' `NK-...`,
`Q7747`, `ofac-1234`) gives source `ftm`, source id = the FtM id. The round trip
of ids is exact in both directions.

Mapping (banwatch field -> FtM property; reading does the reverse):

    name                      name (further `name` values: aliases of kind primary)
    aliases aka, nka, original_script -> alias   (alias, abbreviation -> aka)
    aliases weak              weakAlias
    aliases fka               previousName
    aliases primary           name
    countries                 country            (read: + jurisdiction, mainCountry)
    nationalities             nationality        (Person; read: + citizenship)
    birth_dates / places      birthDate / birthPlace (Person)
    gender                    gender             (FtM's male / female / other)
    title                     position           (Person: the office, as OFAC and
                                                  the UN give it; FtM `title` is the
                                                  honorific and stays a property)
    identifiers               ftm_mapping.IDENTIFIER_PROPS (passport -> passportNumber,
                              cedula -> idNumber, rfc -> taxNumber, ...)
    addresses                 address, one line of text each (an address that
                              has only a note is written as its note)
    programs                  program            (read: program + programId)
    remarks                   notes
    listed_on                 createdAt
    source_url                sourceUrl
    properties                ftm_mapping.PROPERTY_PROPS, else the camelCase of the key
                              when the schema has such a property
    (always)                  topics: ["sanction"], or properties["topics"]

Reading keeps in `properties` what FtM says and banwatch has no field for:
`ftm_schema` (Company, PublicBody: written back as that schema), `topics` (when
not just "sanction"; "" for none), `ftm_country` / `ftm_nationality` (FtM
territory codes that are not ISO alpha-2, e.g. suhh for the Soviet Union).

What FtM (one entity a line, as written here) cannot carry, so that a round
trip ListedEntity -> to_ftm -> from_ftm loses it:

* alias kinds nka, original_script (they come back as aka) and every alias's
  `quality`; the alias `script` is not stored but re-derived from the letters
  (Latin -> None; Han comes back as Hani, not Hans/Hant);
* the parts of an address (street, city, region, postal code, country, note):
  FtM's `address` is one line of text, which comes back as `street`;
* an identifier's `country` and `note`; identifier types with no FtM property
  (ofac_ent_num, digital_currency_address, fax, package, ...) are dropped;
  list-specific types come back as the type of their FtM property (cedula ->
  idNumber -> national_id, rfc -> taxNumber -> tax_id); a passport of a
  non-person is written as idNumber and comes back as national_id; websites,
  e-mails and phone numbers come back as FtM normalises them
  (kaspersky.com -> http://kaspersky.com/, +7 (495) 797-87-00 -> +74957978700).
  Identifier values are written as the list has them, not in FtM's per-property
  format (which would drop an IMO or INN whose check digit fails); an FtM
  `IMO9074729` is read as `9074729`, as banwatch's other readers keep it;
* on schemata without the property: nationalities, birth dates and places and
  title of non-persons, e-mails and websites of vessels and aircraft;
* a gender that is not male, female or other; gender comes back lower-case;
* properties whose key is not an FtM property of the schema (PROPERTY_PROPS or
  camelCase), e.g. nationalities_unresolved, vessel_owner (an entity link in FtM);
* values FtM refuses when cleaning (a date that is not ISO, a country code
  that is not one, a phone number without its country code), and FtM's own
  normalisation: whitespace and enclosing quotes in names, retired country
  codes (AN -> NL), a vessel flag written as a name (Russia -> RU).
* the order of aliases and identifiers across kinds: FtM groups values by
  property (all alias values, then all weakAlias values, ...).

Reading an OpenSanctions file: Person, Organization, Company, PublicBody,
LegalEntity, Vessel and Airplane entities become ListedEntity models; Sanction,
Address and Identification/Passport entities are not listed parties but enrich
the entity they point at (`FtmList.used` counts them): a Sanction adds its
program / programId to `programs`, its listingDate (else startDate) as
`listed_on` and its sourceUrl when the entity has none; an Address referenced
by `addressEntity` replaces the same text in `address` with its parts; an
Identification or Passport adds its number (passport / national_id) with its
country. An Ownership whose asset is a listed party adds its owner and
percentage to the party's `properties["owned_by"]` ('<owner's banwatch id>=<percent>',
the owner named by its FtM id, or by the banwatch id of an entry on another
list: 'ofac-sdn.306'), from which OFAC's 50 Percent Rule is computed
(`legal_effects.owned_by_blocked`). Every other schema (Directorship, Family, ...) and
enrichment that points at no listed entity is skipped and counted in
`FtmList.skipped`. FtM properties not mapped above go to
`properties[<snake_case name>]`, several values joined with "; ".

Validation: a line that is not JSON (or JSON Python cannot hold: a number of
over 4,300 digits, an escaped half of a surrogate pair), not an object, has no
id or schema, an id FtM would not accept, an unknown schema, a property the
schema does not have, values that are not a list of strings, or a value FtM
cannot parse for the property's type (a date '1999-13-45', a country 'xx')
fails the whole file with BadInput("<file> line <n>", problem). Only `topics`
is lenient: a topic newer than the installed followthemoney is kept, not
refused, because topics do not change who is matched and a new OpenSanctions
tag must not make the whole list unreadable. FtM's per-type maximum lengths
are not enforced (FtM itself does not enforce them when building entities).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from followthemoney import model
from followthemoney.schema import Schema

from banwatch.errors import BadInput
from banwatch.lists.ftm_ids import ID_PATTERN, SOURCE, banwatch_id, ftm_id_of
from banwatch.lists.ftm_mapping import (
    codes,
    entity_type,
    from_ftm,
    full_date,
    listed,
    to_ftm,
    validated,
)
from banwatch.inputs import read_text
from banwatch.model import Address, ListedEntity, ListedIdentifier, ParsedList

#: the public API; one entity's mapping lives in ftm_mapping, its FtM id in ftm_ids
__all__ = ["FORMAT", "ID_PATTERN", "SOURCE", "FtmList", "banwatch_id", "from_ftm", "ftm_id_of",
           "read_ftm", "to_ftm", "write_ftm"]

FORMAT = "ftm-json"


@dataclass
class FtmList(ParsedList):
    """A parsed FtM file, with what was done with the entities that are not listed parties."""

    used: dict[str, int] = field(default_factory=dict)  # schema -> entities that enriched one
    skipped: dict[str, int] = field(default_factory=dict)  # schema -> entities left out


# --------------------------------------------------------------------------- the writer


def write_ftm(entities: Iterable[ListedEntity], stream: TextIO) -> int:
    """Write the entities as FtM JSON lines (UTF-8 text, one entity a line); the count."""
    count = 0
    for entity in entities:
        stream.write(json.dumps(to_ftm(entity), ensure_ascii=False, separators=(",", ":")))
        stream.write("\n")
        count += 1
    return count


# --------------------------------------------------------------------------- the reader


@dataclass
class _Record:
    line: int
    schema: Schema
    id: str
    props: dict[str, list[str]]


def _address_of(props: dict[str, list[str]]) -> Address:
    def first(*names: str) -> str | None:
        found = [value for name in names for value in props.get(name, [])]
        return ", ".join(found) if found else None

    countries, _ = codes(props.get("country", []))
    parts = {
        "street": first("street", "street2", "postOfficeBox"),
        "city": first("city"),
        "region": first("region", "state"),
        "postal_code": first("postalCode"),
        "country": countries[0] if countries else None,
    }
    if not any(parts.values()):
        parts["street"] = first("full")
    return Address(**parts, note=first("remarks"))


def _enrich(entity: ListedEntity, own: _Record, sanctions: list[_Record], documents: list[_Record],
            addresses: dict[str, _Record], owners: list[str]) -> ListedEntity:
    """The entity with what the records pointing at it add: its sanctions'
    programs, date and source, its address entities, its identity documents,
    who owns how much of it (`properties["owned_by"]`, for the 50 Percent Rule)."""
    update: dict[str, Any] = {**_from_sanctions(entity, sanctions)}
    if owners:
        update["properties"] = {**entity.properties, "owned_by": "; ".join(dict.fromkeys(owners))}
    linked = [addresses[ref] for ref in own.props.get("addressEntity", []) if ref in addresses]
    if linked:
        update["addresses"] = _with_addresses(entity.addresses, linked)
    if documents:
        update["identifiers"] = _with_documents(entity.identifiers, documents)
    return entity.model_copy(update=update) if update else entity


def _from_sanctions(entity: ListedEntity, sanctions: list[_Record]) -> dict[str, Any]:
    update: dict[str, Any] = {}
    programs = list(entity.programs)
    for sanction in sanctions:
        for program in (*sanction.props.get("program", []), *sanction.props.get("programId", [])):
            if program not in programs:
                programs.append(program)
    if programs != entity.programs:
        update["programs"] = programs
    if entity.listed_on is None:
        for prop in ("listingDate", "startDate"):
            dates = sorted(date for sanction in sanctions for value in sanction.props.get(prop, [])
                           if (date := full_date(value)))
            if dates:
                update["listed_on"] = dates[0]
                break
    if entity.source_url is None:
        urls = [url for sanction in sanctions for url in sanction.props.get("sourceUrl", [])]
        if urls:
            update["source_url"] = urls[0]
    return update


def _with_addresses(known: list[Address], linked: list[_Record]) -> list[Address]:
    """An address entity replaces the same text in `address` with its parts, or is added."""
    result = list(known)
    for record in linked:
        address = _address_of(record.props)
        texts = [Address(street=text) for text in record.props.get("full", [])]
        index = next((i for i, existing in enumerate(result) if existing in texts), None)
        if index is not None:
            result[index] = address
        elif address not in result:
            result.append(address)
    return result


def _with_documents(known: list[ListedIdentifier], documents: list[_Record]) -> list[ListedIdentifier]:
    """Each Passport or Identification adds its number with its country, or
    completes the same number already known without them."""
    identifiers = list(known)
    for document in documents:
        id_type = "passport" if document.schema.is_a(model["Passport"]) else "national_id"
        countries, _ = codes(document.props.get("country", []))
        kinds = document.props.get("type", [])
        for number in (*document.props.get("number", []), *document.props.get("passportNumber", [])):
            found = next((i for i, existing in enumerate(identifiers)
                          if existing.type == id_type and existing.value == number), None)
            item = ListedIdentifier(type=id_type, value=number, country=countries[0] if countries else None,
                                    note="; ".join(kinds) or None)
            if found is None:
                identifiers.append(item)
            elif identifiers[found].country is None and identifiers[found].note is None:
                identifiers[found] = item
    return list(dict.fromkeys(identifiers))


def read_ftm(path: Path) -> FtmList:
    """An FtM JSON-lines file, completely, or BadInput naming the file and line."""
    if path.is_dir():
        raise BadInput(str(path), "a folder: give the FtM JSON-lines file itself")
    records = _records(path)
    parties: dict[str, tuple[_Record, ListedEntity]] = {}
    for record in records:
        if entity_type(record.schema) is not None:
            entity = listed(record.schema, record.id, record.props, f"{path} line {record.line}")
            parties[record.id] = (record, entity)
    links = _Links.of(records, parties)
    entities = [
        _enrich(entity, record, links.sanctions.get(ftm_id, []), links.documents.get(ftm_id, []), links.addresses,
                links.owners.get(ftm_id, []))
        for ftm_id, (record, entity) in parties.items()
    ]
    if not entities:
        raise BadInput(str(path), "no Person, Organization, Company, PublicBody, LegalEntity, "
                       "Vessel or Airplane entity: nothing to screen against")
    return FtmList(source=SOURCE, format=FORMAT, files=[path], entities=entities,
                   used=links.used, skipped=links.skipped)


def _records(path: Path) -> list[_Record]:
    """Every line of the file as a validated FtM entity record."""
    records: list[_Record] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(read_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path} line {number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise BadInput(where, f"not JSON: {error.msg} (column {error.colno})") from None
        except RecursionError:
            raise BadInput(where, "not an FtM entity: JSON nested too deeply") from None
        except ValueError as error:  # a number of more than 4,300 digits, which Python refuses to convert
            raise BadInput(where, f"not an FtM entity: {str(error).split(';')[0]}") from None
        if _SURROGATE_ESCAPE.search(line) and not _encodable(data):
            # "\ud800" alone is valid JSON but no character: FtM's cleaning (and
            # anything that encodes the text) fails on it
            raise BadInput(where, "not an FtM entity: a \\u escape of half a surrogate pair, not a character")
        schema, entity_id, props = validated(data, where)
        if entity_id in first_line:
            raise BadInput(where, f"id {entity_id!r} again (first on line {first_line[entity_id]})")
        first_line[entity_id] = number
        records.append(_Record(number, schema, entity_id, props))
    return records


#: a JSON escape of a UTF-16 surrogate; only an unpaired one decodes to no character
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _encodable(data: Any) -> bool:
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    except RecursionError:  # nested too deep to be an FtM value: validated() refuses it, or it is not read
        pass
    return True


def _share(ownership: _Record) -> float | None:
    """An Ownership's percentage (FtM writes it as text: '50', '50.5', '50%'), or None."""
    for value in ownership.props.get("percentage", []):
        found = re.match(r"\s*(\d+(?:\.\d+)?)\s*%?\s*$", value)
        if found and float(found[1]) <= 100:
            return float(found[1])
    return None


@dataclass
class _Links:
    """The records that are not listed parties, by the party they enrich, and
    the tally of what was used and what was left out."""

    sanctions: dict[str, list[_Record]] = field(default_factory=dict)
    documents: dict[str, list[_Record]] = field(default_factory=dict)
    owners: dict[str, list[str]] = field(default_factory=dict)  # asset -> '<owner's banwatch id>=<percent>'
    addresses: dict[str, _Record] = field(default_factory=dict)
    used: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, records: list[_Record], parties: dict[str, tuple[_Record, ListedEntity]]) -> _Links:
        links = cls(addresses={record.id: record for record in records if record.schema.is_a(model["Address"])})
        referenced = {ref for record, _ in parties.values() for ref in record.props.get("addressEntity", [])}
        for record in records:
            if record.id in parties:
                continue
            targets: list[str] = []
            if record.schema.is_a(model["Sanction"]):
                targets = [ref for ref in record.props.get("entity", []) if ref in parties]
                for ref in targets:
                    links.sanctions.setdefault(ref, []).append(record)
            elif record.schema.is_a(model["Identification"]):
                targets = [ref for ref in record.props.get("holder", []) if ref in parties]
                for ref in targets:
                    links.documents.setdefault(ref, []).append(record)
            elif record.schema.is_a(model["Address"]) and record.id in referenced:
                targets = [record.id]
            elif record.schema.is_a(model["Ownership"]) and (share := _share(record)) is not None:
                # the owner need not be in the file: an SDN entry is named by its banwatch id ('ofac-sdn.306')
                targets = [ref for ref in record.props.get("asset", []) if ref in parties]
                for ref in targets:
                    links.owners.setdefault(ref, []).extend(
                        f"{source}:{source_id}={share:g}" for owner in record.props.get("owner", [])
                        for source, source_id in [banwatch_id(owner) or (SOURCE, owner)])
            tally = links.used if targets else links.skipped
            tally[record.schema.name] = tally.get(record.schema.name, 0) + 1
        return links
