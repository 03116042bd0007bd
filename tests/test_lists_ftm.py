"""FollowTheMoney import and export: ListedEntity <-> FtM entity round trips, a
hand-written file shaped like OpenSanctions' entities.ftm.json, and broken
files refused whole with the file and line named."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from followthemoney import model

from banwatch.errors import BadInput
from banwatch.catalog import bundled_catalog
from banwatch.lists.catalog_parties import catalog_entities
from banwatch.lists.ftm import ID_PATTERN, banwatch_id, from_ftm, ftm_id_of, read_ftm, to_ftm, write_ftm
from banwatch.model import Address, EntityType, ListedEntity, ListedIdentifier, ListedName, NameKind

# --------------------------------------------------------------------------- a file as OpenSanctions publishes it
#
# Line 1 is a Person line of OpenSanctions' us_ofac_sdn export as published
# (root metadata caption/referents/datasets/first_seen/last_change/target kept).
# Lines 2-4 are shaped the same way and carry the facts of SDN entry 45815 as
# the bundled catalog has them (us-ofac-kaspersky-leadership-2024.yaml): the
# person, his passport as a Passport entity, and his designation as a Sanction.
# Line 5 is Huawei with its Unified Social Credit Code as registrationNumber;
# line 6 an Address the first person points at; line 7 an Ownership (skipped).
OPENSANCTIONS_LINES = [
    {"id": "NK-22HtK7WrxZ2sU3rmhz6PuZ", "caption": "Michael Kuajien", "schema": "Person",
     "referents": ["ofac-28033"], "datasets": ["us_ofac_sdn"], "first_seen": "2023-04-20T10:27:20",
     "last_change": "2026-01-26T16:10:01",
     "properties": {
         "name": ["Michael Kuajien"], "firstName": ["Michael"],
         "lastName": ["Kuajien Duer Mayok", "Kuajien", "Kuajian"],
         "alias": ["Michael Kuajien Duer Mayok", "Michael Kuajian"], "birthDate": ["1979-01-01"],
         "gender": ["male"], "nationality": ["ss"], "country": ["ke"], "address": ["Nairobi"],
         "addressEntity": ["addr-1bb113a982d9c5755dbfc1521f213c070ba1cb2c"], "topics": ["sanction"],
         "programId": ["US-GLOMAG"],
         "sourceUrl": ["https://sanctionssearch.ofac.treas.gov/Details.aspx?id=28033"]},
     "target": True},
    {"id": "ofac-45815", "caption": "Andrei Gennadyevich TIKHONOV", "schema": "Person",
     "datasets": ["us_ofac_sdn"], "target": True,
     "properties": {
         "name": ["Andrei Gennadyevich TIKHONOV"], "alias": ["Андрей Геннадьевич Тихонов"],
         "weakAlias": ["Andrey Tikhonov"], "birthDate": ["1966-11-09"], "birthPlace": ["Tver, Russia"],
         "nationality": ["ru"], "country": ["ru"], "gender": ["male"], "passportNumber": ["530193947"],
         "idNumber": ["4511483349"], "taxNumber": ["774334095919"], "topics": ["sanction"],
         "position": ["Chief Operating Officer"],
         "sourceUrl": ["https://sanctionssearch.ofac.treas.gov/Details.aspx?id=45815"]}},
    {"id": "ofac-45815-passport", "schema": "Passport", "datasets": ["us_ofac_sdn"],
     "properties": {"holder": ["ofac-45815"], "number": ["530193947"], "country": ["ru"],
                    "type": ["Passport"]}},
    {"id": "ofac-45815-sanction", "schema": "Sanction", "datasets": ["us_ofac_sdn"],
     "properties": {"entity": ["ofac-45815"], "authority": ["Office of Foreign Assets Control"],
                    "program": ["RUSSIA-EO14024"], "listingDate": ["2024-06-21"],
                    "country": ["us"]}},
    {"id": "huawei-technologies-co-ltd", "caption": "Huawei Technologies Co., Ltd.", "schema": "Company",
     "properties": {"name": ["Huawei Technologies Co., Ltd."], "alias": ["华为技术有限公司"],
                    "registrationNumber": ["914403001922038216"], "jurisdiction": ["cn"],
                    "topics": ["export.control"], "website": ["https://www.huawei.com/"]}},
    {"id": "addr-1bb113a982d9c5755dbfc1521f213c070ba1cb2c", "schema": "Address",
     "properties": {"full": ["Nairobi"], "city": ["Nairobi"], "country": ["ke"]}},
    {"id": "NK-23b3axriX3e3iW4yoCbvGF", "schema": "Ownership",
     "properties": {"owner": ["ofac-45815"], "asset": ["huawei-technologies-co-ltd"],
                    "role": ["Owned or Controlled By"]}},
]


def write_lines(path: Path, lines: list[object]) -> Path:
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines),
                    encoding="utf-8")
    return path


@pytest.fixture
def opensanctions(tmp_path) -> dict[str, ListedEntity]:
    parsed = read_ftm(write_lines(tmp_path / "entities.ftm.json", OPENSANCTIONS_LINES))
    assert (parsed.source, parsed.format, parsed.files) == ("ftm", "ftm-json", [tmp_path / "entities.ftm.json"])
    assert parsed.used == {"Passport": 1, "Sanction": 1, "Address": 1}
    assert parsed.skipped == {"Ownership": 1}
    return {entity.source_id: entity for entity in parsed.entities}


def test_an_opensanctions_person_keeps_every_screening_field(opensanctions):
    person = opensanctions["NK-22HtK7WrxZ2sU3rmhz6PuZ"]
    assert (person.id, person.source, person.type) == ("ftm:NK-22HtK7WrxZ2sU3rmhz6PuZ", "ftm", EntityType.person)
    assert person.name == "Michael Kuajien"
    assert person.aliases == [ListedName(name="Michael Kuajien Duer Mayok"), ListedName(name="Michael Kuajian")]
    assert (person.birth_dates, person.gender) == (["1979-01-01"], "male")
    assert (person.countries, person.nationalities) == (["KE"], ["SS"])
    assert person.programs == ["US-GLOMAG"]
    assert person.source_url == "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=28033"
    # the Address entity it points at replaced the same text with its parts
    assert person.addresses == [Address(city="Nairobi", country="KE")]
    # FtM properties with no field of their own are kept, several values joined
    assert person.properties == {"first_name": "Michael", "last_name": "Kuajien Duer Mayok; Kuajien; Kuajian"}
    assert person.listed_on is None and person.identifiers == []


def test_a_person_is_enriched_by_its_sanction_and_passport(opensanctions):
    person = opensanctions["ofac-45815"]
    assert person.name == "Andrei Gennadyevich TIKHONOV"
    assert person.aliases == [ListedName(name="Андрей Геннадьевич Тихонов", script="Cyrl"),
                              ListedName(name="Andrey Tikhonov", kind=NameKind.weak)]
    assert (person.birth_dates, person.birth_places) == (["1966-11-09"], ["Tver, Russia"])
    assert (person.nationalities, person.countries) == (["RU"], ["RU"])
    assert person.title == "Chief Operating Officer"
    assert person.identifiers == [
        ListedIdentifier(type="passport", value="530193947", country="RU", note="Passport"),
        ListedIdentifier(type="national_id", value="4511483349"),
        ListedIdentifier(type="tax_id", value="774334095919"),
    ]
    assert person.programs == ["RUSSIA-EO14024"]  # from the Sanction entity
    assert person.listed_on == dt.date(2024, 6, 21)  # its listingDate
    assert person.properties == {}  # topics ["sanction"] is the default, not noted


def test_a_company_keeps_its_registration_number_schema_and_topics(opensanctions):
    company = opensanctions["huawei-technologies-co-ltd"]
    assert (company.type, company.name) == (EntityType.organization, "Huawei Technologies Co., Ltd.")
    assert company.aliases == [ListedName(name="华为技术有限公司", script="Hani")]
    assert company.countries == ["CN"]  # from jurisdiction
    assert company.identifiers == [ListedIdentifier(type="registration", value="914403001922038216"),
                                   ListedIdentifier(type="website", value="https://www.huawei.com/")]
    assert company.properties == {"ftm_schema": "Company", "topics": "export.control"}
    # and back: the same schema, id and topics
    data = to_ftm(company)
    assert (data["id"], data["schema"]) == ("huawei-technologies-co-ltd", "Company")
    assert data["properties"]["topics"] == ["export.control"]
    assert data["properties"]["registrationNumber"] == ["914403001922038216"]


# --------------------------------------------------------------------------- round trips


def rich_entity() -> ListedEntity:
    return ListedEntity(
        id="ofac-sdn:45815", source="ofac-sdn", source_id="45815", type=EntityType.person,
        name="TIKHONOV, Andrei Gennadyevich",
        aliases=[ListedName(name="Andrei Gennadyevich Tikhonov"),
                 ListedName(name="Andrei G. TIKHONOV", kind=NameKind.primary),
                 ListedName(name="Andrey", kind=NameKind.weak),
                 ListedName(name="Андрей Тихонов", kind=NameKind.aka, script="Cyrl"),
                 ListedName(name="Andrei Tikhonoff", kind=NameKind.fka)],
        addresses=[Address(street="Moscow, Russia")],
        countries=["RU"], nationalities=["RU"], birth_dates=["1966-11-09", "1966"],
        birth_places=["Tver, Russia"],
        identifiers=[ListedIdentifier(type="passport", value="530193947"),
                     ListedIdentifier(type="national_id", value="4511483349"),
                     ListedIdentifier(type="tax_id", value="774334095919"),
                     ListedIdentifier(type="email", value="someone@example.com")],
        programs=["RUSSIA-EO14024"], title="Chief Operating Officer", gender="male",
        remarks="DOB 09 Nov 1966; POB Tver, Russia.", listed_on=dt.date(2024, 6, 21),
        source_url="https://sanctionssearch.ofac.treas.gov/Details.aspx?id=45815",
        properties={"first_name": "Andrei"},
    )


def test_a_rich_person_survives_the_round_trip_exactly():
    entity = rich_entity()
    data = to_ftm(entity)
    assert data["schema"] == "Person" and data["id"] == "ofac-sdn.45815"
    assert data["properties"]["weakAlias"] == ["Andrey"]
    assert data["properties"]["previousName"] == ["Andrei Tikhonoff"]
    assert data["properties"]["firstName"] == ["Andrei"]
    back = from_ftm(data, "test")
    # FtM groups values by property, so aliases come back ordered by kind
    assert back.model_copy(update={"aliases": entity.aliases}) == entity
    assert sorted(back.aliases, key=lambda alias: alias.name) == sorted(entity.aliases, key=lambda a: a.name)


def test_a_vessel_keeps_imo_and_the_ofac_vessel_properties():
    vessel = ListedEntity(
        id="ofac-sdn:9999", source="ofac-sdn", source_id="9999", type=EntityType.vessel, name="ALPHA STAR",
        identifiers=[ListedIdentifier(type="imo", value="9074729"), ListedIdentifier(type="mmsi", value="273000000")],
        properties={"call_sign": "UBCD7", "vessel_flag": "Russia", "vessel_type": "Crude Oil Tanker",
                    "vessel_owner": "SOME SHIPPING LLC"})
    data = to_ftm(vessel)
    assert data["schema"] == "Vessel"
    assert data["properties"]["imoNumber"] == ["9074729"] and data["properties"]["callSign"] == ["UBCD7"]
    back = from_ftm(data)
    assert back.identifiers == vessel.identifiers
    # FtM keeps the flag as a country code; the owner is an entity link in FtM: lost
    assert back.properties == {"call_sign": "UBCD7", "vessel_flag": "RU", "vessel_type": "Crude Oil Tanker"}


def test_list_specific_identifiers_keep_their_value_under_ftms_kind():
    entity = ListedEntity(
        id="ofac-sdn:1", source="ofac-sdn", source_id="1", type=EntityType.person, name="X",
        identifiers=[ListedIdentifier(type="cedula", value="71234567"), ListedIdentifier(type="rfc", value="ABC123"),
                     ListedIdentifier(type="imo", value="9074720"),  # check digit wrong: kept as written
                     ListedIdentifier(type="ofac_ent_num", value="1")],  # no FtM property: not carried
        addresses=[Address(note="Believed location - Egypt"), Address(street="Shari Tunis", city="Sana'a",
                                                                       country="YE", country_name="Yemen")])
    data = to_ftm(entity)["properties"]
    assert (data["idNumber"], data["taxNumber"]) == (["71234567"], ["ABC123"])
    assert "imoNumber" not in data  # a Person has none in FtM
    assert data["address"] == ["Believed location - Egypt", "Shari Tunis, Sana'a, Yemen"]
    back = from_ftm(to_ftm(entity))
    assert back.identifiers == [ListedIdentifier(type="national_id", value="71234567"),
                                ListedIdentifier(type="tax_id", value="ABC123")]
    assert back.addresses == [Address(street="Believed location - Egypt"), Address(street="Shari Tunis, Sana'a, Yemen")]


# What a round trip ListedEntity -> to_ftm -> from_ftm cannot keep (see the
# module docstring of banwatch.lists.ftm): alias kinds nka/original_script (-> aka),
# alias quality, the script of Latin (-> None) and Han (-> Hani) names, address
# parts (-> one line in `street`), identifier country and note, identifier types
# FtM has no property for (ofac_ent_num, ...), website spelling (-> a URL), the
# case of gender, and properties that are not FtM properties (measure_id).
def expected_after_ftm(entity: ListedEntity) -> ListedEntity:
    has_property = {"passport", "national_id", "tax_id", "registration", "website", "email", "imo"}
    return entity.model_copy(update={
        "aliases": [alias.model_copy(update={"script": "Hani" if alias.script == "Hans" else alias.script})
                    for alias in entity.aliases],
        "identifiers": [ListedIdentifier(type=i.type, value=f"http://{i.value}/" if i.type == "website" else i.value)
                        for i in entity.identifiers if i.type in has_property],
        "properties": {},
    })


def test_every_catalog_party_survives_the_round_trip():
    entities = catalog_entities(bundled_catalog()).entities
    assert len(entities) > 40
    for entity in entities:
        data = to_ftm(entity)
        assert ID_PATTERN.fullmatch(data["id"]), data["id"]
        assert model[data["schema"]].validate(data) is None
        back = from_ftm(data, entity.id)
        assert back.id == entity.id and back.source == "catalog"
        assert back == expected_after_ftm(entity), entity.id


def test_write_then_read_gives_the_same_entities(tmp_path):
    entities = catalog_entities(bundled_catalog()).entities
    path = tmp_path / "catalog.ftm.json"
    with path.open("w", encoding="utf-8") as handle:
        assert write_ftm(entities, handle) == len(entities)
    assert len(path.read_text(encoding="utf-8").splitlines()) == len(entities)
    parsed = read_ftm(path)
    assert parsed.entities == [from_ftm(to_ftm(entity)) for entity in entities]
    assert parsed.used == {} and parsed.skipped == {}


@pytest.mark.parametrize(("source", "source_id", "expected"), [
    ("ofac-sdn", "36", "ofac-sdn.36"),
    ("un", "QDi.290", "un.QDi.2e290"),
    ("catalog", "us-fcc-covered-list/zte-corporation", "catalog.us-fcc-covered-list.2fzte-corporation"),
    ("csl", "Ü -", "csl..c3.9c.20.2d"),  # UTF-8 bytes; a trailing '-' escaped too
    ("ftm", "NK-22HtK7WrxZ2sU3rmhz6PuZ", "NK-22HtK7WrxZ2sU3rmhz6PuZ"),  # an FtM id stays itself
    ("ftm", "un.QDi.2e290", "ftm.un.2eQDi.2e2e290"),  # ... unless it would read as a banwatch id
    ("bis-dpl", "a-", "bis-dpl.a.2d"),  # an FtM id ends in a letter or digit
])
def test_ids_are_ftm_safe_and_come_back_exactly(source, source_id, expected):
    entity = ListedEntity(id=f"{source}:{source_id}", source=source, source_id=source_id,
                          type=EntityType.entity, name="X")
    assert ftm_id_of(entity) == expected
    assert ID_PATTERN.fullmatch(expected)
    back = from_ftm(to_ftm(entity))
    assert (back.id, back.source, back.source_id) == (entity.id, source, source_id)


def test_only_exact_encodings_are_taken_for_banwatch_ids():
    assert banwatch_id("ofac-sdn.36") == ("ofac-sdn", "36")
    assert banwatch_id("ofac-36") is None  # OpenSanctions' own OFAC ids
    assert banwatch_id("unknown.36") is None  # not a banwatch source
    assert banwatch_id("un.QDi.2E290") is None  # upper-case hex is not what we write
    assert from_ftm({"id": "ofac-36", "schema": "Person", "properties": {"name": ["X"]}}).id == "ftm:ofac-36"


# --------------------------------------------------------------------------- bad files


GOOD = {"id": "p1", "schema": "Person", "properties": {"name": ["Somebody"]}}


@pytest.mark.parametrize(("line", "problem"), [
    ("{not json", "not JSON"),
    ('["a list"]', "not an FtM entity"),
    ('{"schema": "Person", "properties": {"name": ["X"]}}', "no id"),
    ('{"id": "p2", "properties": {"name": ["X"]}}', "no schema"),
    ('{"id": "p2", "schema": "Foo", "properties": {}}', "unknown FtM schema 'Foo'"),
    ('{"id": "p2", "schema": "Person", "properties": {"name": ["X"], "birthDate": ["1999-13-45"]}}',
     "birthDate '1999-13-45' is not a valid date"),
    ('{"id": "p2", "schema": "Person", "properties": {"name": ["X"], "country": ["xx"]}}', "not a valid country"),
    ('{"id": "p2", "schema": "Person", "properties": {"name": ["X"], "colour": ["red"]}}',
     "Person has no property 'colour'"),
    ('{"id": "p2", "schema": "Person", "properties": {"name": "X"}}', "must be a list of strings"),
    ('{"id": "p 2", "schema": "Person", "properties": {"name": ["X"]}}', "not an FtM entity id"),
    ('{"id": "p1", "schema": "Person", "properties": {"name": ["X"]}}', "again (first on line 1)"),
    ('{"id": "p2", "schema": "Person", "properties": {}}', "has no name"),
])
def test_a_bad_line_fails_the_whole_file_naming_file_and_line(tmp_path, line, problem):
    path = tmp_path / "bad.ftm.json"
    path.write_text(json.dumps(GOOD) + "\n\n" + line + "\n", encoding="utf-8")
    with pytest.raises(BadInput) as raised:
        read_ftm(path)
    assert raised.value.where == f"{path} line 3"
    assert problem in raised.value.problem


def test_a_file_without_listed_parties_is_refused(tmp_path):
    path = write_lines(tmp_path / "sanctions-only.json", [OPENSANCTIONS_LINES[3]])
    with pytest.raises(BadInput, match="nothing to screen against"):
        read_ftm(path)


def test_an_empty_or_non_utf8_file_is_refused(tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    with pytest.raises(BadInput, match="empty"):
        read_ftm(empty)
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes(json.dumps(GOOD).encode() + b'\n{"id": "p2", "schema": "Person", '
                       b'"properties": {"name": ["Jos\xe9"]}}\n')
    with pytest.raises(BadInput) as raised:
        read_ftm(latin1)
    assert raised.value.where == f"{latin1} line 2" and "UTF-8" in raised.value.problem


def test_from_ftm_refuses_entities_that_are_not_listed_parties():
    with pytest.raises(BadInput, match="Sanction is not a listed party"):
        from_ftm(OPENSANCTIONS_LINES[3], "here")


def test_write_ftm_writes_one_json_object_a_line():
    stream = io.StringIO()
    assert write_ftm([rich_entity(), rich_entity().model_copy(update={"id": "un:QDi.1", "source": "un",
                                                                        "source_id": "QDi.1"})], stream) == 2
    lines = stream.getvalue().split("\n")
    assert lines[-1] == "" and len(lines) == 3
    assert [json.loads(line)["id"] for line in lines[:2]] == ["ofac-sdn.45815", "un.QDi.2e1"]
    assert "Андрей Тихонов" in lines[0]  # UTF-8, not \u escapes


def test_what_banwatch_has_no_field_for_is_kept_and_written_back():
    data = {"id": "Q1", "schema": "PublicBody", "properties": {"name": ["Ministry"], "country": ["suhh", "ru"]}}
    entity = from_ftm(data)
    assert entity.countries == ["RU"]
    assert entity.properties == {"ftm_country": "suhh", "ftm_schema": "PublicBody", "topics": ""}
    again = to_ftm(entity)
    assert again == {"id": "Q1", "schema": "PublicBody", "properties": {"name": ["Ministry"], "country": ["ru", "suhh"]}}
