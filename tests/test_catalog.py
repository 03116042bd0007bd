"""The catalog: every measure is complete (citation, source, dates) and the
facts we rely on are there."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from banwatch.catalog import find_measure, load_catalog, load_measure
from banwatch.errors import BadInput
from banwatch.model import TransactionType

REQUIRED_IDS = {
    "us-icts-kaspersky-2024",
    "us-bis-entity-list-kaspersky-2024",
    "us-ofac-kaspersky-leadership-2024",
    "us-fcc-covered-list",
    "us-dhs-bod-17-01",
    "us-ndaa-fy2018-s1634",
    "us-far-52-204-23",
    "us-ndaa-fy2019-s889",
    "us-far-52-204-24-25-26",
}


def test_every_required_measure_is_in_the_catalog(catalog):
    assert {m.id for m in catalog} >= REQUIRED_IDS


def test_every_measure_has_citation_source_and_effective_date(catalog):
    for measure in catalog:
        assert measure.citation.strip(), measure.id
        assert measure.sources and all(str(s.url).startswith("https://") for s in measure.sources), measure.id
        assert measure.phases and all(isinstance(p.effective, dt.date) for p in measure.phases), measure.id


def test_every_phase_says_what_it_does(catalog):
    for measure in catalog:
        for phase in measure.phases:
            assert phase.prohibits or phase.review or phase.warnings, (measure.id, phase.id)
            assert phase.description.strip(), (measure.id, phase.id)


def test_measure_ids_are_unique(catalog):
    ids = [m.id for m in catalog]
    assert len(ids) == len(set(ids))


def test_kaspersky_final_determination_facts(catalog):
    icts = find_measure(catalog, "us-icts-kaspersky-2024")
    assert icts.citation.startswith("89 FR 52434")
    assert icts.published == dt.date(2024, 6, 24)
    assert icts.signed == dt.date(2024, 6, 20)
    assert [p.effective for p in icts.phases] == [dt.date(2024, 7, 20), dt.date(2024, 9, 29)]
    # new business restricted "within 30 days of the announcement" (seed reports)
    assert icts.phases[0].effective - icts.signed == dt.timedelta(days=30)
    assert TransactionType.new_agreement in icts.phases[0].prohibits
    phase_2 = set(icts.phases[1].prohibits)
    assert {TransactionType.update, TransactionType.resale, TransactionType.integration} <= phase_2
    assert any("Executive Order 13873" in basis or "E.O. 13873" in basis for basis in icts.legal_basis)
    assert any("15 CFR" in basis for basis in icts.legal_basis)
    kaspersky = icts.parties[0]
    assert kaspersky.covers_affiliates
    excluded = " ".join(e.name for e in icts.exclusions).lower()
    assert "threat intelligence" in excluded and "training" in excluded
    assert icts.penalties, "sellers and resellers who violate it face penalties"
    assert len(icts.products) >= 5, "the appendix lists example products"


def test_ofac_designated_twelve_people(catalog):
    ofac = find_measure(catalog, "us-ofac-kaspersky-leadership-2024")
    people = [p for p in ofac.parties if p.kind == "person"]
    assert len(people) == 12
    assert ofac.effective == dt.date(2024, 6, 21)
    assert not any(p.kind == "organization" for p in ofac.parties), "the company itself was not designated"


def test_entity_list_has_russian_and_uk_kaspersky_entities(catalog):
    entity_list = find_measure(catalog, "us-bis-entity-list-kaspersky-2024")
    countries = {c for party in entity_list.parties for c in party.countries}
    assert {"RU", "GB"} <= countries
    assert all("kaspersky" in party.name.lower() for party in entity_list.parties)


def test_fcc_covered_list_has_its_entries_with_dates(catalog):
    fcc = find_measure(catalog, "us-fcc-covered-list")
    names = " ".join(p.name for p in fcc.parties).lower()
    for company in ("huawei", "zte", "hytera", "hikvision", "dahua", "kaspersky",
                    "china mobile", "china telecom", "china unicom", "pacific networks"):
        assert company in names, company
    kaspersky = next(p for p in fcc.parties if "kaspersky" in p.name.lower())
    assert kaspersky.listed == dt.date(2022, 3, 25)
    huawei = next(p for p in fcc.parties if "huawei" in p.name.lower())
    assert (huawei.listed or fcc.effective) == dt.date(2021, 3, 12)


def test_federal_measures_bind_federal_buyers_only(catalog):
    for measure_id in ("us-dhs-bod-17-01", "us-ndaa-fy2018-s1634", "us-far-52-204-23",
                       "us-ndaa-fy2019-s889", "us-far-52-204-24-25-26"):
        bound = {b.value for b in find_measure(catalog, measure_id).bound}
        assert bound <= {"federal_agencies", "federal_contractors"}, measure_id


def test_section_889_covers_the_five_chinese_vendors(catalog):
    s889 = find_measure(catalog, "us-ndaa-fy2019-s889")
    names = " ".join(p.name for p in s889.parties).lower()
    for company in ("huawei", "zte", "hytera", "hikvision", "dahua"):
        assert company in names, company


# ----------------------------------------------------------------- bad catalog files


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_broken_yaml_names_the_file(tmp_path):
    path = write(tmp_path, "x.yaml", "id: [unclosed\n")
    with pytest.raises(BadInput, match="x.yaml"):
        load_measure(path)


def test_unknown_field_is_rejected_with_its_location(tmp_path, catalog):
    source = Path(__file__).resolve().parents[1] / "src/banwatch/catalog/measures/us-icts-kaspersky-2024.yaml"
    text = source.read_text(encoding="utf-8").replace("\nsummary:", "\nsumary: typo\nsummary:", 1)
    path = write(tmp_path, "us-icts-kaspersky-2024.yaml", text)
    with pytest.raises(BadInput, match="sumary"):
        load_measure(path)


def test_measure_without_citation_is_rejected(tmp_path):
    source = Path(__file__).resolve().parents[1] / "src/banwatch/catalog/measures/us-ndaa-fy2018-s1634.yaml"
    lines = [line for line in source.read_text(encoding="utf-8").splitlines() if not line.startswith("citation:")]
    path = write(tmp_path, "us-ndaa-fy2018-s1634.yaml", "\n".join(lines))
    with pytest.raises(BadInput, match="citation"):
        load_measure(path)


def test_empty_catalog_folder_is_an_error(tmp_path):
    with pytest.raises(BadInput, match="no measure files"):
        load_catalog(tmp_path)
