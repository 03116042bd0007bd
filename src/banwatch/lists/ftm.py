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
    identifiers               IDENTIFIER_PROPS below (passport -> passportNumber,
                              cedula -> idNumber, rfc -> taxNumber, ...)
    addresses                 address, one line of text each (an address that
                              has only a note is written as its note)
    programs                  program            (read: program + programId)
    remarks                   notes
    listed_on                 createdAt
    source_url                sourceUrl
    properties                PROPERTY_PROPS below, else the camelCase of the key
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
country. Every other schema (Ownership, Directorship, Family, ...) and
enrichment that points at no listed entity is skipped and counted in
`FtmList.skipped`. FtM properties not mapped above go to
`properties[<snake_case name>]`, several values joined with "; ".

Validation: a line that is not JSON, not an object, has no id or schema, an
id FtM would not accept, an unknown schema, a property the schema does not
have, values that are not a list of strings, or a value FtM cannot parse for
the property's type (a date '1999-13-45', a country 'xx') fails the whole file
with BadInput("<file> line <n>", problem). Only `topics` is lenient: a topic
newer than the installed followthemoney is kept, not refused, because topics
do not change who is matched and a new OpenSanctions tag must not make the
whole list unreadable. FtM's per-type maximum lengths are not enforced (FtM
itself does not enforce them when building entities).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from followthemoney import model, registry
from followthemoney.property import Property
from followthemoney.schema import Schema
from pydantic import ValidationError

from banwatch.errors import BadInput
from banwatch.lists.reading import ParsedList, read_text, script_of
from banwatch.model import (
    SOURCES,
    Address,
    EntityType,
    ListedEntity,
    ListedIdentifier,
    ListedName,
    NameKind,
)

SOURCE = "ftm"
FORMAT = "ftm-json"

#: the topic every exported entity carries unless properties["topics"] says otherwise
DEFAULT_TOPICS = ["sanction"]

#: banwatch entity type -> the FtM schema it is written as
SCHEMA_FOR_TYPE = {
    EntityType.person: "Person",
    EntityType.organization: "Organization",
    EntityType.vessel: "Vessel",
    EntityType.aircraft: "Airplane",
    EntityType.entity: "LegalEntity",
}

#: FtM schema (and its descendants) -> banwatch entity type; checked in this order
TYPE_FOR_SCHEMA = (
    ("Person", EntityType.person),
    ("Organization", EntityType.organization),  # Company, PublicBody
    ("Vessel", EntityType.vessel),
    ("Airplane", EntityType.aircraft),
    ("LegalEntity", EntityType.entity),
)

#: alias kind -> FtM name property
NAME_PROPS = {
    NameKind.primary: "name",
    NameKind.aka: "alias",
    NameKind.nka: "alias",
    NameKind.original_script: "alias",
    NameKind.weak: "weakAlias",
    NameKind.fka: "previousName",
}
#: FtM name property -> alias kind, in the order aliases are listed
KIND_FOR_PROP = (
    ("alias", NameKind.aka),
    ("abbreviation", NameKind.aka),
    ("weakAlias", NameKind.weak),
    ("previousName", NameKind.fka),
)

#: banwatch identifier type -> FtM properties to try, first the schema has wins.
#: Types FtM has a property for map both ways exactly; the list-specific types
#: the readers produce (cedula, rfc, company_number, ...) are written to FtM's
#: generic number of their kind (idNumber, taxNumber, registrationNumber,
#: licenseNumber, serialNumber) and come back as that kind's banwatch type
#: (IDENTIFIER_TYPE_FOR_PROP). An FtM identifier property not listed becomes an
#: identifier typed by its snake_case name (bvdId -> bvd_id), and such a type is
#: written back to that property. Types not listed and not an FtM property
#: (ofac_ent_num, digital_currency_address, fax, un_locode, government_gazette,
#: chinese_commercial_code, ...) are not carried.
IDENTIFIER_PROPS: dict[str, tuple[str, ...]] = {
    "passport": ("passportNumber", "idNumber"),
    "national_id": ("idNumber",),
    "tax_id": ("taxNumber",),
    "registration": ("registrationNumber",),
    "license": ("licenseNumber",),
    "swift_bic": ("swiftBic",),
    "imo": ("imoNumber",),
    "mmsi": ("mmsi",),
    "lei": ("leiCode",),
    "duns": ("dunsCode",),
    "vat": ("vatCode",),
    "inn": ("innCode",),
    "ogrn": ("ogrnCode",),
    "bik": ("bikCode",),
    "isin": ("isinCode",),
    "uscc": ("uscCode",),
    "ssn": ("socialSecurityNumber",),
    "cage": ("cageCode",),
    "uei": ("uniqueEntityId",),
    "wikidata": ("wikidataId",),
    "equity_ticker": ("ticker",),
    "aircraft_msn": ("serialNumber",),
    "email": ("email",),
    "website": ("website",),
    "phone": ("phone",),
    # list-specific types, by kind
    **dict.fromkeys(("diplomatic_passport", "passport_booklet"), ("passportNumber", "idNumber")),
    **dict.fromkeys((
        "cedula", "curp", "cui", "cuip", "dni", "ife", "nie", "le_number", "citizens_card",
        "personal_id_card", "national_foreign_id", "identification_number", "electoral_credential",
        "electoral_registry", "military_service_card", "residency_number", "immigration_number",
        "refugee_id", "stateless_person_id", "seafarer_id", "birth_certificate", "drivers_license",
        "travel_document", "visa"), ("idNumber",)),
    **dict.fromkeys((
        "nit", "rfc", "ruc", "rif", "rtn", "cuit", "cif", "rsin", "us_fein", "fiscal_code"),
        ("taxNumber",)),
    **dict.fromkeys((
        "company_number", "commercial_registry", "business_registration", "business_number",
        "public_registration", "chamber_of_commerce", "folio_mercantil", "matricula_mercantil",
        "matricula_mercantil_no", "incorporation_certificate", "enterprise_number",
        "branch_unit_number", "charity_registration", "msb_registration", "file_number",
        "vessel_registration", "aircraft_tail_number"), ("registrationNumber",)),
    **dict.fromkeys(("trade_license", "pilot_license", "sre_permit"), ("licenseNumber",)),
    **dict.fromkeys(("aircraft_construction_number", "aircraft_serial", "serial_number"),
                    ("serialNumber",)),
}
#: FtM property -> the banwatch type it is read as
IDENTIFIER_TYPE_FOR_PROP = {
    "passportNumber": "passport", "idNumber": "national_id", "taxNumber": "tax_id",
    "registrationNumber": "registration", "licenseNumber": "license", "serialNumber": "aircraft_msn",
    **{props[0]: kind for kind, props in IDENTIFIER_PROPS.items() if len(props) == 1
       and props[0] not in ("idNumber", "taxNumber", "registrationNumber", "licenseNumber",
                            "serialNumber")},
}
#: FtM types whose properties are identifiers (url only for `website`)
IDENTIFIER_FTM_TYPES = (registry.identifier, registry.email, registry.phone)

#: properties key -> FtM property, where the key is not simply the camelCase of it
#: (keys as the OFAC reader writes them for vessels)
PROPERTY_PROPS = {
    "vessel_flag": "flag",
    "vessel_type": "type",
    "call_sign": "callSign",
}
#: ... and back, for the schemata where the FtM property means that
PROPERTY_KEYS = {("Vessel", "flag"): "vessel_flag", ("Vessel", "type"): "vessel_type",
                 ("Vessel", "callSign"): "call_sign"}

#: FtM properties the fields above take care of: never written from `properties`
#: and never copied into it when reading.
FIELD_PROPS = frozenset({
    "name", "alias", "abbreviation", "weakAlias", "previousName", "country", "jurisdiction",
    "mainCountry", "nationality", "citizenship", "birthDate", "birthPlace", "gender", "position",
    "notes", "sourceUrl", "createdAt", "program", "programId", "topics", "address",
})
#: FtM bookkeeping that is not about the listed party
IGNORED_PROPS = frozenset({"indexText", "alephUrl"})

#: extra keys of `properties` this module writes and reads itself
KEY_SCHEMA = "ftm_schema"  # the FtM schema when not the default for the type (Company)
KEY_TOPICS = "topics"  # FtM topics when not DEFAULT_TOPICS ("" for none)
KEY_OTHER_COUNTRIES = "ftm_country"  # FtM territory codes that are not ISO alpha-2 (suhh)
KEY_OTHER_NATIONALITIES = "ftm_nationality"
OWN_KEYS = frozenset({KEY_SCHEMA, KEY_TOPICS, KEY_OTHER_COUNTRIES, KEY_OTHER_NATIONALITIES})

ID_PATTERN = registry.entity.REGEX
_ID_SAFE = frozenset(string.ascii_letters + string.digits + "-")
_HEX = frozenset("0123456789abcdef")


@dataclass
class FtmList(ParsedList):
    """A parsed FtM file, with what was done with the entities that are not listed parties."""

    used: dict[str, int] = field(default_factory=dict)  # schema -> entities that enriched one
    skipped: dict[str, int] = field(default_factory=dict)  # schema -> entities left out


# --------------------------------------------------------------------------- ids


def _escape(text: str) -> str:
    parts: list[str] = []
    for char in text:
        if char in _ID_SAFE:
            parts.append(char)
        else:
            parts.extend(f".{byte:02x}" for byte in char.encode("utf-8"))
    if parts and parts[-1] == "-":
        parts[-1] = ".2d"
    return "".join(parts)


def banwatch_id(ftm_id: str) -> tuple[str, str] | None:
    """(source, source id) when `ftm_id` is a banwatch id written by `ftm_id_of`,
    else None."""
    source, dot, rest = ftm_id.partition(".")
    if not dot or not rest or source not in SOURCES:
        return None
    raw = bytearray()
    index = 0
    while index < len(rest):
        char = rest[index]
        if char == ".":
            digits = rest[index + 1:index + 3]
            if len(digits) != 2 or not set(digits) <= _HEX:
                return None
            raw.append(int(digits, 16))
            index += 3
        elif char in _ID_SAFE:
            raw.append(ord(char))
            index += 1
        else:
            return None
    try:
        source_id = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return (source, source_id) if _escape(source_id) == rest else None


def ftm_id_of(entity: ListedEntity) -> str:
    """The FtM id an entity is exported under (see the module docstring)."""
    if not entity.source_id:
        raise ValueError(f"{entity.id!r} has no source id to make an FtM id from")
    if (entity.source == SOURCE and ID_PATTERN.fullmatch(entity.source_id)
            and banwatch_id(entity.source_id) is None):
        return entity.source_id
    return f"{entity.source}.{_escape(entity.source_id)}"


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


# --------------------------------------------------------------------------- ListedEntity -> FtM


def _schema_for(entity: ListedEntity) -> Schema:
    wanted = entity.properties.get(KEY_SCHEMA)
    if wanted and (schema := model.get(wanted)) is not None and _entity_type(schema) == entity.type:
        return schema
    return model[SCHEMA_FOR_TYPE[entity.type]]


def _identifier_prop(schema: Schema, kind: str) -> Property | None:
    for name in IDENTIFIER_PROPS.get(kind, (_camel(kind),)):
        prop = schema.get(name)
        if prop is not None and (prop.type in IDENTIFIER_FTM_TYPES or name == "website"):
            return prop
    return None


def _address_text(address: Address) -> str:
    """One line of text; the note only when there is nothing else ('Believed
    location - Egypt'), so that no address vanishes."""
    parts = (address.street, address.city, address.region, address.postal_code,
             address.country_name or address.country)
    text = ", ".join(part.strip() for part in parts if part and part.strip())
    return text or (address.note or "").strip()


def to_ftm(entity: ListedEntity) -> dict[str, Any]:
    """The entity as an FtM entity dictionary (id, schema, properties), every
    value cleaned by FtM; values FtM cannot take are left out (see the module
    docstring for what cannot be carried)."""
    schema = _schema_for(entity)
    proxy = model.make_entity(schema)
    proxy.id = ftm_id_of(entity)

    def add(prop: str, values: str | Iterable[str | None] | None) -> None:
        if values is None or schema.get(prop) is None:
            return
        proxy.add(prop, [values] if isinstance(values, str) else list(values), quiet=True)

    add("name", entity.name)
    for alias in entity.aliases:
        add(NAME_PROPS[alias.kind], alias.name)
    add("country", (code.lower() for code in entity.countries))
    add("country", entity.properties.get(KEY_OTHER_COUNTRIES, "").split("; "))
    add("nationality", (code.lower() for code in entity.nationalities))
    add("nationality", entity.properties.get(KEY_OTHER_NATIONALITIES, "").split("; "))
    add("birthDate", entity.birth_dates)
    add("birthPlace", entity.birth_places)
    add("gender", entity.gender)
    add("position", entity.title)
    for address in entity.addresses:
        add("address", _address_text(address) or None)
    for identifier in entity.identifiers:
        if (prop := _identifier_prop(schema, identifier.type)) is None:
            continue
        if prop.type == registry.identifier:
            # as the list wrote it: FtM's per-property formats would drop a value
            # whose check digit fails (an IMO, an INN) or cut a BIC's branch code
            if value := registry.identifier.clean_text(identifier.value):
                proxy.unsafe_add(prop, value, cleaned=True)
        else:
            add(prop.name, identifier.value)
    add("program", entity.programs)
    add("notes", entity.remarks)
    add("createdAt", entity.listed_on.isoformat() if entity.listed_on else None)
    add("sourceUrl", entity.source_url)
    topics = entity.properties.get(KEY_TOPICS)
    add("topics", DEFAULT_TOPICS if topics is None else [t.strip() for t in topics.split(";")])
    for key, value in entity.properties.items():
        if key in OWN_KEYS:
            continue
        prop = schema.get(PROPERTY_PROPS.get(key, _camel(key)))
        if prop is None or prop.name in FIELD_PROPS or prop.type == registry.entity or prop.stub:
            continue
        add(prop.name, value)
    return proxy.to_dict()


def write_ftm(entities: Iterable[ListedEntity], stream: TextIO) -> int:
    """Write the entities as FtM JSON lines (UTF-8 text, one entity a line); the count."""
    count = 0
    for entity in entities:
        stream.write(json.dumps(to_ftm(entity), ensure_ascii=False, separators=(",", ":")))
        stream.write("\n")
        count += 1
    return count


# --------------------------------------------------------------------------- FtM -> ListedEntity


def _entity_type(schema: Schema) -> EntityType | None:
    for name, kind in TYPE_FOR_SCHEMA:
        if schema.is_a(model[name]):
            return kind
    return None


def _valid(prop: Property, value: str) -> bool:
    if prop.type == registry.topic:
        return bool(value.strip())  # lenient: see the module docstring
    if prop.type == registry.entity:
        return ID_PATTERN.fullmatch(value) is not None
    return prop.type.clean_text(value) is not None


def _validated(data: Any, where: str) -> tuple[Schema, str, dict[str, list[str]]]:
    """The schema, id and properties of one FtM entity dict, or BadInput."""
    if not isinstance(data, dict):
        raise BadInput(where, f"not an FtM entity: a JSON {type(data).__name__}, not an object "
                       "with id, schema and properties")
    entity_id = data.get("id")
    if not isinstance(entity_id, str) or not entity_id.strip():
        raise BadInput(where, "entity has no id")
    if not ID_PATTERN.fullmatch(entity_id):
        raise BadInput(where, f"id {entity_id!r} is not an FtM entity id "
                       "(letters, digits, '.' and '-' only)")
    schema_name = data.get("schema")
    if not isinstance(schema_name, str) or not schema_name.strip():
        raise BadInput(where, f"entity {entity_id} has no schema")
    schema = model.get(schema_name)
    if schema is None:
        raise BadInput(where, f"entity {entity_id}: unknown FtM schema {schema_name!r}")
    raw = data.get("properties", {})
    if not isinstance(raw, dict):
        raise BadInput(where, f"entity {entity_id}: properties must be an object")
    properties: dict[str, list[str]] = {}
    for name, values in raw.items():
        prop = schema.get(name)
        if prop is None or prop.stub:
            raise BadInput(where, f"entity {entity_id}: {schema.name} has no property {name!r}")
        if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
            raise BadInput(where, f"entity {entity_id}: {name} must be a list of strings")
        for value in values:
            if not _valid(prop, value):
                raise BadInput(where, f"entity {entity_id}: {name} {value!r} is not a valid "
                               f"{prop.type.name}")
        if values:
            properties[name] = list(dict.fromkeys(values))
    return schema, entity_id, properties


def _codes(values: Iterable[str]) -> tuple[list[str], list[str]]:
    """FtM country codes -> (ISO alpha-2 upper case, other territory codes)."""
    iso: list[str] = []
    other: list[str] = []
    for value in values:
        code = value.strip()
        target, code = (iso, code.upper()) if len(code) == 2 else (other, code.lower())
        if code not in target:
            target.append(code)
    return iso, other


def _full_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _listed(schema: Schema, ftm_id: str, props: dict[str, list[str]], where: str) -> ListedEntity:
    kind = _entity_type(schema)
    if kind is None:
        raise BadInput(where, f"entity {ftm_id}: a {schema.name} is not a listed party; banwatch "
                       "reads Person, Organization, Company, PublicBody, LegalEntity, Vessel, Airplane")
    source, source_id = banwatch_id(ftm_id) or (SOURCE, ftm_id)

    def values(*names: str) -> list[str]:
        return list(dict.fromkeys(value for name in names for value in props.get(name, [])))

    names = values("name")
    if not names:  # FtM does not require a name for every schema: take the caption's
        names = next((props[name][:1] for name in schema.caption if props.get(name)), [])
    if not names:
        raise BadInput(where, f"entity {ftm_id} has no name")
    name, further = names[0], names[1:]

    aliases: list[ListedName] = []
    seen = {(name, NameKind.primary)}
    for alias_kind, texts in ((NameKind.primary, further),
                              *((k, props.get(prop, [])) for prop, k in KIND_FOR_PROP)):
        for text in texts:
            if (text, alias_kind) not in seen and text != name:
                seen.add((text, alias_kind))
                aliases.append(ListedName(name=text, kind=alias_kind, script=script_of(text)))

    properties: dict[str, str] = {}
    countries, other_countries = _codes(values("country", "jurisdiction", "mainCountry"))
    nationalities, other_nationalities = _codes(values("nationality", "citizenship"))
    if other_countries:
        properties[KEY_OTHER_COUNTRIES] = "; ".join(other_countries)
    if other_nationalities:
        properties[KEY_OTHER_NATIONALITIES] = "; ".join(other_nationalities)
    if schema.name != SCHEMA_FOR_TYPE[kind]:
        properties[KEY_SCHEMA] = schema.name
    topics = props.get("topics", [])
    if topics != DEFAULT_TOPICS:
        properties[KEY_TOPICS] = "; ".join(topics)

    identifiers: list[ListedIdentifier] = []
    for prop_name, texts in props.items():
        prop = schema.properties[prop_name]
        if prop_name in FIELD_PROPS or prop_name in IGNORED_PROPS or prop.type == registry.entity:
            continue
        key = PROPERTY_KEYS.get((schema.name, prop_name))
        if key is None and (prop.type in IDENTIFIER_FTM_TYPES or prop_name == "website"):
            id_type = IDENTIFIER_TYPE_FOR_PROP.get(prop_name, _snake(prop_name))
            if id_type == "imo":  # FtM writes IMO9074729; banwatch's lists keep the number
                texts = [re.sub(r"^IMO\s*", "", text, flags=re.IGNORECASE) for text in texts]
            identifiers.extend(ListedIdentifier(type=id_type, value=text) for text in texts)
        else:
            if prop.type == registry.country:  # banwatch writes ISO codes upper case
                texts = [text.upper() if len(text) == 2 else text for text in texts]
            properties[key or _snake(prop_name)] = "; ".join(texts)

    listed = sorted(date for value in props.get("createdAt", []) if (date := _full_date(value)))
    genders = props.get("gender", [])
    try:
        return ListedEntity(
            id=f"{source}:{source_id}",
            source=source,
            source_id=source_id,
            type=kind,
            name=name,
            aliases=aliases,
            addresses=[Address(street=text) for text in values("address")],
            countries=countries,
            nationalities=nationalities,
            birth_dates=list(dict.fromkeys(value[:10] for value in props.get("birthDate", []))),
            birth_places=values("birthPlace"),
            identifiers=list(dict.fromkeys(identifiers)),
            programs=values("program", "programId"),
            title="; ".join(props.get("position", [])) or None,
            gender=genders[0] if genders else None,
            remarks="\n".join(props.get("notes", [])) or None,
            listed_on=listed[0] if listed else None,
            source_url=next(iter(props.get("sourceUrl", [])), None),
            properties=properties,
        )
    except ValidationError as error:
        first = error.errors()[0]
        raise BadInput(where, f"entity {ftm_id}: {first['msg']}") from None


def from_ftm(data: dict[str, Any], where: str = "FtM entity") -> ListedEntity:
    """One FtM entity dict (as `to_ftm` writes or OpenSanctions publishes) as a
    ListedEntity; BadInput(where, problem) when it is not a valid FtM entity of
    a schema banwatch lists."""
    schema, ftm_id, props = _validated(data, where)
    return _listed(schema, ftm_id, props, where)


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

    countries, _ = _codes(props.get("country", []))
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
            addresses: dict[str, _Record]) -> ListedEntity:
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
                           if (date := _full_date(value)))
            if dates:
                update["listed_on"] = dates[0]
                break
    if entity.source_url is None:
        urls = [url for sanction in sanctions for url in sanction.props.get("sourceUrl", [])]
        if urls:
            update["source_url"] = urls[0]

    linked = [addresses[ref] for ref in own.props.get("addressEntity", []) if ref in addresses]
    if linked:
        result = list(entity.addresses)
        for record in linked:
            address = _address_of(record.props)
            full = record.props.get("full", [])
            texts = [Address(street=text) for text in full]
            index = next((i for i, known in enumerate(result) if known in texts), None)
            if index is not None:
                result[index] = address
            elif address not in result:
                result.append(address)
        update["addresses"] = result

    if documents:
        identifiers = list(entity.identifiers)
        for document in documents:
            id_type = "passport" if document.schema.is_a(model["Passport"]) else "national_id"
            countries, _ = _codes(document.props.get("country", []))
            kinds = document.props.get("type", [])
            for number in (*document.props.get("number", []), *document.props.get("passportNumber", [])):
                found = next((i for i, known in enumerate(identifiers)
                              if known.type == id_type and known.value == number), None)
                item = ListedIdentifier(type=id_type, value=number,
                                        country=countries[0] if countries else None,
                                        note="; ".join(kinds) or None)
                if found is None:
                    identifiers.append(item)
                elif identifiers[found].country is None and identifiers[found].note is None:
                    identifiers[found] = item
        update["identifiers"] = list(dict.fromkeys(identifiers))

    return entity.model_copy(update=update) if update else entity


def read_ftm(path: Path) -> FtmList:
    """An FtM JSON-lines file, completely, or BadInput naming the file and line."""
    if path.is_dir():
        raise BadInput(str(path), "a folder: give the FtM JSON-lines file itself")
    text = read_text(path)
    records: list[_Record] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path} line {number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise BadInput(where, f"not JSON: {error.msg} (column {error.colno})") from None
        except RecursionError:
            raise BadInput(where, "not an FtM entity: JSON nested too deeply") from None
        schema, entity_id, props = _validated(data, where)
        if entity_id in first_line:
            raise BadInput(where, f"id {entity_id!r} again (first on line {first_line[entity_id]})")
        first_line[entity_id] = number
        records.append(_Record(number, schema, entity_id, props))

    listed: dict[str, tuple[_Record, ListedEntity]] = {}
    for record in records:
        if _entity_type(record.schema) is not None:
            entity = _listed(record.schema, record.id, record.props, f"{path} line {record.line}")
            listed[record.id] = (record, entity)

    sanctions: dict[str, list[_Record]] = {}
    documents: dict[str, list[_Record]] = {}
    addresses = {record.id: record for record in records if record.schema.is_a(model["Address"])}
    referenced = {ref for record, _ in listed.values() for ref in record.props.get("addressEntity", [])}
    used: dict[str, int] = {}
    skipped: dict[str, int] = {}
    for record in records:
        if record.id in listed:
            continue
        targets: list[str] = []
        if record.schema.is_a(model["Sanction"]):
            targets = [ref for ref in record.props.get("entity", []) if ref in listed]
            for ref in targets:
                sanctions.setdefault(ref, []).append(record)
        elif record.schema.is_a(model["Identification"]):
            targets = [ref for ref in record.props.get("holder", []) if ref in listed]
            for ref in targets:
                documents.setdefault(ref, []).append(record)
        elif record.schema.is_a(model["Address"]) and record.id in referenced:
            targets = [record.id]
        tally = used if targets else skipped
        tally[record.schema.name] = tally.get(record.schema.name, 0) + 1

    entities = [
        _enrich(entity, record, sanctions.get(ftm_id, []), documents.get(ftm_id, []), addresses)
        for ftm_id, (record, entity) in listed.items()
    ]
    if not entities:
        raise BadInput(str(path), "no Person, Organization, Company, PublicBody, LegalEntity, "
                       "Vessel or Airplane entity: nothing to screen against")
    return FtmList(source=SOURCE, format=FORMAT, files=[path], entities=entities,
                   used=used, skipped=skipped)
