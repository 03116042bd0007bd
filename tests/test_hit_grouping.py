"""One hit per listed party (issue 12, section 4): a party the catalog names in
several measures is one hit listing all of them; entries of the official lists
are never merged, and two parties of one name stay two when their details differ."""

from __future__ import annotations

import datetime as dt
import pytest

from banwatch.catalog import bundled_catalog
from banwatch.lists.catalog_parties import catalog_entities, slug
from banwatch.lists.sources import read_list
from banwatch.match.screen import Screener
from banwatch.model import Identifier, Measure, Party, ScreenQuery
from conftest import DATA, ROOT

SDN_SAMPLE = ROOT / "src" / "banwatch" / "samples" / "ofac-sdn-sample"
OFAC = "us-ofac-kaspersky-leadership-2024"
AO_KASPERSKY_LAB = "catalog:us-bis-entity-list-kaspersky-2024/ao-kaspersky-lab"  # its first measure, catalog order


@pytest.fixture(scope="module")
def screener() -> Screener:
    sample = read_list(SDN_SAMPLE).entities
    return Screener.from_entities(sample + catalog_entities(bundled_catalog()).entities)


def naming(name: str) -> list[str]:
    """The measures of the bundled catalog that name `name` as a party's name or alias, in catalog order."""
    return [measure.id for measure in bundled_catalog() for party in measure.parties
            if slug(name) in {slug(party.name), *(slug(alias.name) for alias in party.aliases)}]


def test_ao_kaspersky_lab_is_one_hit_listing_every_measure_that_names_it(screener):
    hits = screener.screen(ScreenQuery(name="AO Kaspersky Lab"), limit=100)
    lab = [hit for hit in hits if hit.entity_id == AO_KASPERSKY_LAB]
    assert len(lab) == 1
    (hit,) = lab
    expected = naming("AO Kaspersky Lab")
    assert len(expected) == 6  # BIS, BOD 17-01, FAR 52.204-23 and NDAA s1634 (as an alias), FCC, ICTS
    assert hit.measures == expected and hit.programs == expected
    assert hit.score == 1.0
    assert f"Named in the catalog by {len(expected)} measures: {', '.join(expected)}." in hit.explanation
    # every other hit is another party: no measure's AO Kaspersky Lab is a hit of its own
    assert not [h.entity_id for h in hits if h is not hit and h.entity_id.endswith(("/ao-kaspersky-lab",
                                                                                    "/kaspersky-lab"))]
    assert len({h.entity_id for h in hits}) == len(hits)


def test_kaspersky_lab_inc_is_another_party_though_one_measure_gives_it_the_parents_name(screener):
    # The ICTS rule gives Kaspersky Lab, Inc. (US) the alias "Kaspersky Lab", the FAR's name of the
    # Russian parent (RU): the countries tell them apart, so it stays its own hit.
    hits = screener.screen(ScreenQuery(name="AO Kaspersky Lab"), limit=100)
    inc = [hit for hit in hits if hit.entity_id.endswith("/kaspersky-lab-inc")]
    assert [hit.entity_id for hit in inc] == ["catalog:us-far-52-204-23/kaspersky-lab-inc"]
    assert inc[0].measures == naming("Kaspersky Lab, Inc.")
    assert AO_KASPERSKY_LAB in {hit.entity_id for hit in hits}


def test_the_russian_name_is_one_hit(screener):
    hits = screener.screen(ScreenQuery(name="Лаборатория Касперского"), limit=100)
    assert [hit.entity_id for hit in hits] == [AO_KASPERSKY_LAB]
    assert hits[0].measures == naming("AO Kaspersky Lab")


def test_a_party_of_one_measure_keeps_its_id_and_measure(screener):
    (hit,) = screener.screen(ScreenQuery(name="Andrei Gennadyevich Tikhonov"))
    assert hit.entity_id == f"catalog:{OFAC}/tikhonov-andrei-gennadyevich"
    assert hit.measures == [OFAC]
    assert hit.explanation.endswith(f" Named in the catalog by {OFAC}.")


def test_an_ofac_sample_entity_is_its_own_hit(screener):
    (hit, *_) = screener.screen(ScreenQuery(name="Banco Nacional de Cuba"))
    assert (hit.entity_id, hit.source, hit.measures) == ("ofac-sdn:306", "ofac-sdn", [])
    assert "Named in the catalog" not in hit.explanation


def test_entries_of_the_official_lists_are_never_merged():
    entities = [entity for path in ("ofac-sdn-2021", "un/consolidated.xml")
                for entity in read_list(DATA / path).entities]
    screener = Screener.from_entities(entities)
    # two SDN entries of one name and birth year, and one man on both the SDN and the UN list
    ids = {hit.entity_id for hit in screener.screen(ScreenQuery(name="AWEYS, Hassan Dahir"), limit=100)}
    assert {"ofac-sdn:7006", "ofac-sdn:11744"} <= ids
    ids = {hit.entity_id for hit in screener.screen(ScreenQuery(name="Saddam Hussein al-Tikriti"), limit=100)}
    assert {"ofac-sdn:7843", "un:IQi.001"} <= ids


def measure(measure_id: str, *parties: Party) -> Measure:
    tikhonov = next(m for m in bundled_catalog() if m.id == OFAC)
    return tikhonov.model_copy(update={"id": measure_id, "parties": list(parties)})


def person(passport: str, dob: str = "1966-11-09", **fields) -> Party:
    return Party(name="PETROV, Ivan", kind="person", roles=["seller"],
                 identifiers=[Identifier(type="passport", value=passport), Identifier(type="dob", value=dob)],
                 **fields)


def party_ids(*measures: Measure) -> list[str]:
    return [entity.properties["party_id"] for entity in catalog_entities(measures).entities]


def test_one_person_in_two_measures_is_one_party():
    first = f"catalog:{OFAC}-a/petrov-ivan"
    # a detail only one measure gives (the country) does not part them
    assert party_ids(measure(f"{OFAC}-a", person("530193947")),
                     measure(f"{OFAC}-b", person("530193947", countries=["RU"]))) == [first, first]
    screener = Screener.from_entities(catalog_entities([measure(f"{OFAC}-a", person("530193947")),
                                                        measure(f"{OFAC}-b", person("530193947"))]).entities)
    (hit,) = screener.screen(ScreenQuery(name="Ivan Petrov"))
    assert (hit.entity_id, hit.measures) == (first, [f"{OFAC}-a", f"{OFAC}-b"])


@pytest.mark.parametrize(("other", "why"), [
    (person("721242410"), "another passport"),
    (person("530193947", dob="1971-02-01"), "another birth year"),
    (person("530193947", countries=["UA"]), "another country"),
    (Party(name="PETROV, Ivan", kind="organization", roles=["seller"]), "not a person"),
])
def test_one_name_in_two_measures_is_two_parties_when_their_details_differ(other, why):
    ids = party_ids(measure(f"{OFAC}-a", person("530193947", countries=["RU"])), measure(f"{OFAC}-b", other))
    assert ids[0] != ids[1], why
    screener = Screener.from_entities(catalog_entities([measure(f"{OFAC}-a", person("530193947", countries=["RU"])),
                                                        measure(f"{OFAC}-b", other)]).entities)
    assert len(screener.screen(ScreenQuery(name="Ivan Petrov"))) == 2


def test_two_parties_of_one_name_in_one_measure_stay_two():
    ids = party_ids(measure(OFAC, person("530193947"), person("530193947")))
    assert ids == [f"catalog:{OFAC}/petrov-ivan", f"catalog:{OFAC}/petrov-ivan-2"]


def test_a_catalog_stored_before_party_ids_is_screened_per_measure():
    entities = [entity.model_copy(update={"properties": {"measure_id": entity.properties["measure_id"]}})
                for entity in catalog_entities(bundled_catalog()).entities]
    hits = Screener.from_entities(entities).screen(ScreenQuery(name="Лаборатория Касперского"), limit=100)
    assert len(hits) == len(naming("AO Kaspersky Lab")) and all(len(hit.measures) == 1 for hit in hits)


def test_every_entity_of_the_catalog_names_its_party():
    entities = catalog_entities(bundled_catalog()).entities
    ids = {entity.id for entity in entities}
    assert all(entity.properties["party_id"] in ids for entity in entities)
    lab = [entity.properties["measure_id"] for entity in entities if entity.properties["party_id"] == AO_KASPERSKY_LAB]
    assert lab == naming("AO Kaspersky Lab")
    # the list itself stays one entity per measure, with that measure's program and dates
    bis, fcc = (next(e for e in entities if e.id == f"catalog:{m}/ao-kaspersky-lab")
                for m in ("us-bis-entity-list-kaspersky-2024", "us-fcc-covered-list"))
    assert (bis.programs, bis.listed_on) == (["us-bis-entity-list-kaspersky-2024"], dt.date(2024, 6, 24))
    assert (fcc.programs, fcc.listed_on) == (["us-fcc-covered-list"], dt.date(2022, 3, 25))
