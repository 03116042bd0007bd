"""The catalog's parties as a list (source "catalog"): every party of every
bundled measure, with the personal details of the OFAC designees where the
screening needs them."""

from __future__ import annotations

import datetime as dt

import pytest

from banwatch.catalog import bundled_catalog
from banwatch.lists.catalog_parties import catalog_entities, slug
from banwatch.model import EntityType, ListedIdentifier, ListedName

OFAC = "us-ofac-kaspersky-leadership-2024"

#: the twelve designees of 2024-06-21 and their dates of birth, as the SDN
#: entries give them (Astrakhan: no SDN entry was found, so no date of birth)
OFAC_BIRTH_DATES = {
    "TIKHONOV, Andrei Gennadyevich": ["1966-11-09"],
    "BORSHCHEV, Daniil Sergeyevich": ["1975-12-04"],
    "EFREMOV, Andrei Anatolyevich": ["1978-09-06"],
    "CHEKUNOV, Igor Gennadyevich": ["1966-03-27"],
    "DUKHVALOV, Andrey Petrovich": ["1957-12-03"],
    "SUVOROV, Andrei Anatolyevich": ["1967-10-12"],
    "ZENKIN, Denis Vladimirovich": ["1974-09-02"],
    "ALESKEEVA, Marina Mikhaylovna": ["1978-06-15"],
    "GERBER, Mikhail Yuyevich": ["1983-01-25"],
    "IVANOV, Anton Mikhaylovich": ["1990-01-26"],
    "ASTRAKHAN, Kirill Aleksandrovich": ["1987-11-17"],  # SDN entry 45818 (issue 10: verified, then apparently removed)
    "KULASHOVA, Anna Vladimirovna": ["1971-04-29"],
}


@pytest.fixture(scope="module")
def parsed():
    return catalog_entities(bundled_catalog())


@pytest.fixture(scope="module")
def by_id(parsed):
    return {entity.id: entity for entity in parsed.entities}


def test_every_party_of_every_measure_is_an_entity(parsed, catalog):
    assert (parsed.source, parsed.format) == ("catalog", "catalog")
    assert len(parsed.entities) == sum(len(measure.parties) for measure in catalog)
    for measure in catalog:
        names = [e.name for e in parsed.entities if e.properties["measure_id"] == measure.id]
        assert names == [party.name for party in measure.parties]


def test_ids_are_unique_stable_and_name_measure_and_party(parsed):
    ids = [entity.id for entity in parsed.entities]
    assert len(ids) == len(set(ids))
    assert ids == [entity.id for entity in catalog_entities(bundled_catalog()).entities]  # the same on every run
    for entity in parsed.entities:
        measure_id = entity.properties["measure_id"]
        assert entity.id == f"catalog:{measure_id}/{slug(entity.name)}"
        assert (entity.source, entity.source_id) == ("catalog", f"{measure_id}/{slug(entity.name)}")


def test_the_twelve_ofac_designees_with_their_dates_of_birth(parsed):
    people = {e.name: e for e in parsed.entities if e.properties["measure_id"] == OFAC}
    assert set(people) == set(OFAC_BIRTH_DATES)
    assert {name: person.birth_dates for name, person in people.items()} == OFAC_BIRTH_DATES
    assert all(person.type == EntityType.person for person in people.values())
    assert all(person.programs == [OFAC] and person.listed_on == dt.date(2024, 6, 21)
               for person in people.values())


def test_an_ofac_designee_in_full(by_id):
    person = by_id[f"catalog:{OFAC}/tikhonov-andrei-gennadyevich"]
    assert person.aliases == [ListedName(name="Andrei Gennadyevich Tikhonov")]
    assert person.countries == ["RU"] and person.nationalities == ["RU"]
    assert person.birth_places == ["Tver, Russia"] and person.gender == "male"
    assert person.identifiers == [
        ListedIdentifier(type="ofac_ent_num", value="45815"),
        ListedIdentifier(type="passport", value="530193947", country="RU", note="Russia"),
        ListedIdentifier(type="national_id", value="4511483349", country="RU", note="Russia"),
        ListedIdentifier(type="tax_id", value="774334095919", country="RU", note="Russia"),
    ]
    assert person.remarks.startswith("OFAC Russia-related designations of twelve Kaspersky Lab executives"
                                     " and senior leaders — OFAC designations of 2024-06-21 under E.O. 14024")
    assert person.remarks.endswith("\nChief Operating Officer and member of the board of directors (press release).")
    assert person.properties == {"measure_id": OFAC, "party_id": f"catalog:{OFAC}/tikhonov-andrei-gennadyevich"}


def test_the_unconfirmed_designee_carries_the_warning(by_id):
    person = by_id[f"catalog:{OFAC}/astrakhan-kirill-aleksandrovich"]
    assert person.birth_dates == ["1987-11-17"]
    assert ListedIdentifier(type="ofac_ent_num", value="45818") in person.identifiers
    assert "confirm his status on the live SDN List" in person.remarks


def test_cyrillic_and_chinese_aliases_keep_their_script(by_id):
    lab = by_id["catalog:us-icts-kaspersky-2024/ao-kaspersky-lab"]
    assert lab.type == EntityType.organization
    assert lab.aliases == [ListedName(name="АО «Лаборатория Касперского»", script="Cyrl"),
                           ListedName(name="Лаборатория Касперского", script="Cyrl"),
                           ListedName(name="Kaspersky Lab ZAO")]
    inc = by_id["catalog:us-icts-kaspersky-2024/kaspersky-lab-inc"]
    # brands become aliases too, with the script of their letters; Latin is None
    assert inc.aliases == [ListedName(name="Kaspersky"), ListedName(name="Kaspersky Lab"),
                           ListedName(name="Касперского", script="Cyrl")]
    huawei = by_id["catalog:us-ndaa-fy2019-s889/huawei-technologies-company"]
    assert ListedName(name="华为技术有限公司", script="Hans") in huawei.aliases
    assert [alias.name for alias in huawei.aliases].count("Huawei") == 1  # alias and brand, once
    assert huawei.identifiers == [ListedIdentifier(type="website", value="huawei.com")]


def test_listed_on_is_the_partys_date_or_its_first_phase(by_id, catalog):
    fcc = "us-fcc-covered-list"
    assert by_id[f"catalog:{fcc}/huawei-technologies-company"].listed_on == dt.date(2021, 3, 12)
    assert by_id[f"catalog:{fcc}/ao-kaspersky-lab"].listed_on == dt.date(2022, 3, 25)
    assert by_id["catalog:us-bis-entity-list-kaspersky-2024/ao-kaspersky-lab"].listed_on == dt.date(2024, 6, 24)
    bod = next(measure for measure in catalog if measure.id == "us-dhs-bod-17-01")
    assert by_id["catalog:us-dhs-bod-17-01/ao-kaspersky-lab"].listed_on == bod.phases[0].effective


def test_a_second_party_with_the_same_slug_gets_a_number(catalog):
    measure = next(measure for measure in catalog if measure.id == OFAC)
    first = measure.parties[0]
    twice = measure.model_copy(update={"parties": [first, first.model_copy(update={"name": "Tikhonov Andrei "
                                                                                    "Gennadyevich"}), first]})
    ids = [entity.id for entity in catalog_entities([twice]).entities]
    assert ids == [f"catalog:{OFAC}/tikhonov-andrei-gennadyevich", f"catalog:{OFAC}/tikhonov-andrei-gennadyevich-2",
                   f"catalog:{OFAC}/tikhonov-andrei-gennadyevich-3"]


def test_slugs_transliterate_other_scripts():
    assert slug("АО «Лаборатория Касперского»") == "ao-laboratoriya-kasperskogo"
    assert slug("Kaspersky Lab, Inc.") == "kaspersky-lab-inc"
