"""The mapping between banwatch's `ListedEntity` and FollowTheMoney (FtM)
entities, one entity at a time: `to_ftm`, `from_ftm` (with `validated` and
`listed`, its two steps, which the file reader uses too) and the schema, name,
identifier and property tables they go by. What maps to what, and what FtM
cannot carry, is in the docstring of `banwatch.lists.ftm`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from followthemoney import model, registry
from followthemoney.property import Property
from followthemoney.schema import Schema
from pydantic import ValidationError

from banwatch.errors import BadInput
from banwatch.lists.ftm_ids import ID_PATTERN, SOURCE, banwatch_id, ftm_id_of
from banwatch.lists.reading import script_of
from banwatch.model import (
    Address,
    EntityType,
    ListedEntity,
    ListedIdentifier,
    ListedName,
    NameKind,
)

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


# --------------------------------------------------------------------------- property names


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


# --------------------------------------------------------------------------- ListedEntity -> FtM


def _schema_for(entity: ListedEntity) -> Schema:
    wanted = entity.properties.get(KEY_SCHEMA)
    if wanted and (schema := model.get(wanted)) is not None and entity_type(schema) == entity.type:
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
    value cleaned by FtM; values FtM cannot take are left out (see the docstring
    of banwatch.lists.ftm for what cannot be carried)."""
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


# --------------------------------------------------------------------------- FtM -> ListedEntity


def entity_type(schema: Schema) -> EntityType | None:
    for name, kind in TYPE_FOR_SCHEMA:
        if schema.is_a(model[name]):
            return kind
    return None


def _valid(prop: Property, value: str) -> bool:
    if prop.type == registry.topic:
        return bool(value.strip())  # lenient: see the docstring of banwatch.lists.ftm
    if prop.type == registry.entity:
        return ID_PATTERN.fullmatch(value) is not None
    return prop.type.clean_text(value) is not None


def validated(data: Any, where: str) -> tuple[Schema, str, dict[str, list[str]]]:
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


def codes(values: Iterable[str]) -> tuple[list[str], list[str]]:
    """FtM country codes -> (ISO alpha-2 upper case, other territory codes)."""
    iso: list[str] = []
    other: list[str] = []
    for value in values:
        code = value.strip()
        target, code = (iso, code.upper()) if len(code) == 2 else (other, code.lower())
        if code not in target:
            target.append(code)
    return iso, other


def full_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def listed(schema: Schema, ftm_id: str, props: dict[str, list[str]], where: str) -> ListedEntity:
    kind = entity_type(schema)
    if kind is None:
        raise BadInput(where, f"entity {ftm_id}: a {schema.name} is not a listed party; banwatch "
                       "reads Person, Organization, Company, PublicBody, LegalEntity, Vessel, Airplane")
    source, source_id = banwatch_id(ftm_id) or (SOURCE, ftm_id)

    def values(*names: str) -> list[str]:
        return list(dict.fromkeys(value for name in names for value in props.get(name, [])))

    name, aliases = _names(schema, ftm_id, props, where)
    properties: dict[str, str] = {}
    countries, other_countries = codes(values("country", "jurisdiction", "mainCountry"))
    nationalities, other_nationalities = codes(values("nationality", "citizenship"))
    if other_countries:
        properties[KEY_OTHER_COUNTRIES] = "; ".join(other_countries)
    if other_nationalities:
        properties[KEY_OTHER_NATIONALITIES] = "; ".join(other_nationalities)
    _keep_schema_and_topics(schema, kind, props, properties)
    identifiers = _identifiers_and_properties(schema, props, properties)
    created = sorted(date for value in props.get("createdAt", []) if (date := full_date(value)))
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
            identifiers=identifiers,
            programs=values("program", "programId"),
            title="; ".join(props.get("position", [])) or None,
            gender=genders[0] if genders else None,
            remarks="\n".join(props.get("notes", [])) or None,
            listed_on=created[0] if created else None,
            source_url=next(iter(props.get("sourceUrl", [])), None),
            properties=properties,
        )
    except ValidationError as error:
        first = error.errors()[0]
        raise BadInput(where, f"entity {ftm_id}: {first['msg']}") from None


def _names(schema: Schema, ftm_id: str, props: dict[str, list[str]], where: str) -> tuple[str, list[ListedName]]:
    """The first name, and every other name with its kind (further `name`
    values are primary aliases; alias, weakAlias, previousName, ...)."""
    names = list(dict.fromkeys(props.get("name", [])))
    if not names:  # FtM does not require a name for every schema: take the caption's
        names = next((props[prop][:1] for prop in schema.caption if props.get(prop)), [])
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
    return name, aliases


def _keep_schema_and_topics(schema: Schema, kind: EntityType, props: dict[str, list[str]],
                            properties: dict[str, str]) -> None:
    """Keep what an entity needs to be written back as it was read: its schema
    when not the default for its type, its topics when not just 'sanction'."""
    if schema.name != SCHEMA_FOR_TYPE[kind]:
        properties[KEY_SCHEMA] = schema.name
    topics = props.get("topics", [])
    if topics != DEFAULT_TOPICS:
        properties[KEY_TOPICS] = "; ".join(topics)


def _identifiers_and_properties(schema: Schema, props: dict[str, list[str]],
                                properties: dict[str, str]) -> list[ListedIdentifier]:
    """The FtM properties no field above takes: identifiers (FtM identifier,
    e-mail and phone types, websites) become identifiers; the others are kept
    in `properties` under their snake_case name."""
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
    return list(dict.fromkeys(identifiers))


def from_ftm(data: dict[str, Any], where: str = "FtM entity") -> ListedEntity:
    """One FtM entity dict (as `to_ftm` writes or OpenSanctions publishes) as a
    ListedEntity; BadInput(where, problem) when it is not a valid FtM entity of
    a schema banwatch lists."""
    schema, ftm_id, props = validated(data, where)
    return listed(schema, ftm_id, props, where)
