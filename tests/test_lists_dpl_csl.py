"""The BIS Denied Persons List and trade.gov Consolidated Screening List
readers: the real files read completely and checked against their rows, stable
ids, and broken or foreign files refused with file and line named."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest

from banwatch.errors import BadInput
from banwatch.lists.csl import read_csl
from banwatch.lists.dpl import read_dpl
from banwatch.lists.reading import country_code
from banwatch.model import EntityType, ListedIdentifier, NameKind

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DPL = DATA / "bis" / "dpl.txt"
CSL = DATA / "bis" / "csl-sample.csv"
SDN = DATA / "ofac-sdn-2021" / "sdn.csv"


def raw_rows(path: Path, delimiter: str) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def write(tmp_path: Path, text: str | bytes, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


@pytest.fixture(scope="module")
def dpl():
    return read_dpl(DPL)


@pytest.fixture(scope="module")
def csl():
    return read_csl(CSL)


# --------------------------------------------------------------------------- DPL


def test_dpl_reads_every_row(dpl):
    assert dpl.source == "bis-dpl" and dpl.format == "bis-dpl-tsv" and dpl.files == [DPL]
    assert len(dpl.entities) == 581
    assert all(entity.type is EntityType.entity for entity in dpl.entities)
    assert all(entity.programs == ["Denied Persons List"] for entity in dpl.entities)


def test_dpl_ids_are_unique_and_stable_across_reads(dpl):
    ids = [entity.id for entity in dpl.entities]
    assert len(set(ids)) == 581
    assert all(re.fullmatch(r"bis-dpl:[0-9a-f]{16}(-\d+)?", id_) for id_ in ids)
    assert [entity.id for entity in read_dpl(DPL).entities] == ids


def test_dpl_true_duplicate_rows_get_a_suffix_and_point_at_the_first(dpl):
    duplicates = [entity for entity in dpl.entities if "duplicate_of" in entity.properties]
    assert sorted(entity.name for entity in duplicates) == ["DAQING ZHOU", "NEI-CHIEN CHU"]
    for duplicate in duplicates:
        assert duplicate.id == duplicate.properties["duplicate_of"] + "-2"
        first = next(entity for entity in dpl.entities if entity.id == duplicate.properties["duplicate_of"])
        assert first.model_dump(exclude={"id", "source_id", "properties"}) == \
            duplicate.model_dump(exclude={"id", "source_id", "properties"})


def test_dpl_every_row_matches_the_file(dpl):
    rows = raw_rows(DPL, "\t")
    assert len(rows) == len(dpl.entities)
    for row, entity in zip(rows, dpl.entities):
        listed = " ".join(row["Name"].split())
        assert entity.name == listed or entity.properties["listed_name"] == listed
        month, day, year = row["Effective_Date"].split("/")
        assert entity.listed_on == dt.date(int(year), int(month), int(day))
        assert entity.properties.get("fr_citation") == (" ".join(row["FR_Citation"].split()) or None)
        [address] = entity.addresses
        assert address.city == (" ".join(row["City"].split()) or None)
        assert address.postal_code == (row["Postal_Code"].strip() or None)
        # as BIS wrote it, and as ISO where it is a country: "PRC" -> CN; "NM" (New Mexico) -> none
        assert address.country_name == (row["Country"].strip() or None)
        assert address.country == country_code(row["Country"])
        assert entity.countries == ([address.country] if address.country else [])
    by_name = {entity.addresses[0].country_name: entity.addresses[0].country for entity in dpl.entities}
    assert (by_name["PRC"], by_name["NM"], by_name["US"]) == ("CN", None, "US")


def test_dpl_row_field_by_field(dpl):
    # "ZIMO SHENG"	"JINXIUYUAN 17-403, CHANGSHU"	"JIANGSU"	""	"CN"	"215500"	"03/16/2020"
    # "12/13/2028"	"Y"	"2020-03-20"	"FR NOTICE ADDED"	"85 F.R. 16054 3/20/2020"
    zimo = [entity for entity in dpl.entities if entity.name == "ZIMO SHENG"]
    assert len(zimo) == 2  # two addresses, two rows, two entities
    china = next(entity for entity in zimo if entity.countries == ["CN"])
    address = china.addresses[0]
    assert (address.street, address.city, address.region, address.postal_code, address.country) == (
        "JINXIUYUAN 17-403, CHANGSHU", "JIANGSU", None, "215500", "CN")
    assert china.listed_on == dt.date(2020, 3, 16)
    assert china.properties == {
        "expiration_date": "2028-12-13", "last_update": "2020-03-20", "standard_order": "Y",
        "action": "FR NOTICE ADDED", "fr_citation": "85 F.R. 16054 3/20/2020"}
    # the first row's name has a leading space in the file
    assert dpl.entities[0].name == "I. ASH"


def test_dpl_country_is_not_guessed_from_the_state_column(dpl):
    # "16 KYRAIKOU MATSI AVE, 3RD FLOOR"	"1082 NICOSIA"	"CY"	"": State holds Cyprus' code
    nicosia = next(e for e in dpl.entities if e.addresses[0].street == "16 KYRAIKOU MATSI AVE, 3RD FLOOR")
    assert nicosia.addresses[0].region == "CY" and nicosia.addresses[0].country is None
    assert nicosia.countries == []


def test_dpl_names_with_embedded_aliases_are_split(dpl):
    fuyi = next(entity for entity in dpl.entities if entity.name == "FUYI SUN")
    assert [(a.name, a.kind) for a in fuyi.aliases] == [("FRANK SUN", NameKind.aka)]
    assert fuyi.properties["listed_name"] == "FUYI SUN A/K/A FRANK SUN"
    pearl = next(entity for entity in dpl.entities if entity.name == "PEARL LI")
    assert [a.name for a in pearl.aliases] == ["NEI-CHIEN CHU"]
    siberian = next(entity for entity in dpl.entities if entity.name == "SIBERIAN AIRLINES")
    assert [a.name for a in siberian.aliases] == ["S7 AIRLINES"]


DPL_HEADER = '"Name"\t"Street_Address"\t"City"\t"State"\t"Country"\t"Postal_Code"\t"Effective_Date"\t' \
             '"Expiration_Date"\t"Standard_Order"\t"Last_Update"\t"Action"\t"FR_Citation"\n'
DPL_ROW = '"JOHN DOE"\t"1 MAIN ST"\t"AUSTIN"\t"TX"\t"US"\t"78701"\t"01/02/2020"\t"01/02/2030"\t"Y"\t' \
          '"2020-01-05"\t"{action}"\t"85 F.R. 1 1/5/2020"\n'


def test_dpl_id_ignores_columns_bis_edits_in_place(tmp_path):
    first = read_dpl(write(tmp_path, DPL_HEADER + DPL_ROW.format(action="FR NOTICE ADDED"), "a.txt"))
    edited = read_dpl(write(tmp_path, DPL_HEADER + DPL_ROW.format(action="FR NOTICE UPDATED"), "b.txt"))
    assert first.entities[0].id == edited.entities[0].id
    renamed = read_dpl(write(tmp_path, DPL_HEADER + DPL_ROW.format(action="X").replace("JOHN", "JANE"), "c.txt"))
    assert renamed.entities[0].id != first.entities[0].id


def test_dpl_header_missing_a_column(tmp_path):
    header = DPL_HEADER.replace('\t"Postal_Code"', "")
    row = DPL_ROW.format(action="X").replace('\t"78701"', "")
    path = write(tmp_path, header + row, "dpl.txt")
    with pytest.raises(BadInput) as error:
        read_dpl(path)
    assert error.value.where == f"{path} line 1"
    assert "not a BIS Denied Persons List file" in error.value.problem and "Postal_Code" in error.value.problem


def test_dpl_row_with_a_missing_column(tmp_path):
    rows = DPL_ROW.format(action="A") + DPL_ROW.format(action="B").replace('\t"78701"', "")
    path = write(tmp_path, DPL_HEADER + rows, "dpl.txt")
    with pytest.raises(BadInput) as error:
        read_dpl(path)
    assert error.value.where == f"{path} line 3"
    assert "11 fields where the header has 12" in error.value.problem


def test_dpl_broken_quote(tmp_path):
    rows = DPL_ROW.format(action="A") + DPL_ROW.format(action="B").replace('"JOHN DOE"', '"JOHN DOE')
    path = write(tmp_path, DPL_HEADER + rows + DPL_ROW.format(action="C"), "dpl.txt")
    with pytest.raises(BadInput) as error:
        read_dpl(path)
    assert error.value.where == f"{path} line 3"


def test_dpl_bad_date(tmp_path):
    path = write(tmp_path, DPL_HEADER + DPL_ROW.format(action="A").replace("01/02/2020", "13/45/2020"), "dpl.txt")
    with pytest.raises(BadInput) as error:
        read_dpl(path)
    assert error.value.where == f"{path} line 2"
    assert error.value.problem == "Effective_Date '13/45/2020' is not a date"


def test_dpl_refuses_the_ofac_sdn_file():
    with pytest.raises(BadInput) as error:
        read_dpl(SDN)
    assert error.value.where == f"{SDN} line 1"
    assert "not a BIS Denied Persons List file" in error.value.problem


def test_dpl_refuses_the_csl_file():
    with pytest.raises(BadInput, match=r"line 1: not a BIS Denied Persons List file"):
        read_dpl(CSL)


def test_dpl_empty_and_cp1252(tmp_path):
    empty = write(tmp_path, b"", "empty.txt")
    with pytest.raises(BadInput) as error:
        read_dpl(empty)
    assert error.value.where == str(empty) and error.value.problem == "empty file"
    latin = write(tmp_path, (DPL_HEADER + DPL_ROW.format(action="A").replace("JOHN", "JOSÉ")).encode("cp1252"),
                  "cp1252.txt")
    with pytest.raises(BadInput) as error:
        read_dpl(latin)
    assert error.value.where == f"{latin} line 2" and "not UTF-8" in error.value.problem


def test_dpl_header_only(tmp_path):
    path = write(tmp_path, DPL_HEADER, "dpl.txt")
    with pytest.raises(BadInput, match="a header and no rows"):
        read_dpl(path)


# --------------------------------------------------------------------------- CSL


def test_csl_reads_every_row(csl):
    assert csl.source == "csl" and csl.format == "csl-csv" and csl.files == [CSL]
    assert len(csl.entities) == 115
    lists = {}
    for entity in csl.entities:
        lists[entity.programs[0]] = lists.get(entity.programs[0], 0) + 1
    assert lists == {"Specially Designated Nationals": 28, "Sectoral Sanctions Identifications List": 26,
                     "Entity List": 22, "Palestinian Legislative Council List": 13, "ITAR Debarred": 10,
                     "Denied Persons List": 8, "Unverified List": 4, "Nonproliferation Sanctions": 3,
                     "Capta List": 1}
    types = [entity.type for entity in csl.entities]
    assert (types.count(EntityType.person), types.count(EntityType.organization),
            types.count(EntityType.vessel), types.count(EntityType.entity)) == (20, 46, 2, 47)


def test_csl_ids(csl):
    rows = raw_rows(CSL, ",")
    ids = [entity.id for entity in csl.entities]
    assert len(set(ids)) == 115
    assert [entity.id for entity in read_csl(CSL).entities] == ids
    for row, entity in zip(rows, csl.entities):
        if row["entity_number"]:
            assert entity.source_id == row["entity_number"]
        else:
            code = re.search(r"\(([A-Z]+)\)", row["source"])[1]
            assert re.fullmatch(rf"{code}-[0-9a-f]{{16}}", entity.source_id), entity.source_id
        assert entity.properties["list"] == row["source"]
        assert entity.name == " ".join(row["name"].split())
        assert entity.source_url == row["source_information_url"]


def test_csl_alt_names_are_split(csl):
    # SDN,8124,Entity,CUBA,"2904977 CANADA, INC.",...,CARIBE SOL; HAVANTUR CANADA INC.,...
    canada = next(entity for entity in csl.entities if entity.source_id == "8124")
    assert canada.name == "2904977 CANADA, INC."
    assert [(a.name, a.kind) for a in canada.aliases] == [("CARIBE SOL", NameKind.aka),
                                                          ("HAVANTUR CANADA INC.", NameKind.aka)]
    assert canada.programs == ["Specially Designated Nationals", "CUBA"]
    assert canada.type is EntityType.organization
    [address] = canada.addresses
    assert (address.street, address.postal_code, address.country) == (
        "818 rue Sherbrooke East, Montreal", "H2L 1K3", "CA")
    # "...; Communication, Telemetry and Telecontrol Research Institute (CTI); and Shijiazhuang ..."
    institute = next(entity for entity in csl.entities if entity.name == "54th Research Institute of China")
    assert [a.name for a in institute.aliases] == [
        "China Electronics Technology Group Corp. (CETC) 54th Research Institute",
        "Communication, Telemetry and Telecontrol Research Institute (CTI)",
        "Shijiazhuang Communication Observation and Control Technology Institute."]


def test_csl_entity_list_licence_fields_are_kept(csl):
    group = next(entity for entity in csl.entities if entity.name == "32 Group China Ltd.")
    assert group.source_id.startswith("EL-") and group.type is EntityType.entity
    assert group.programs == ["Entity List"]
    assert group.properties["list"] == "Entity List (EL) - Bureau of Industry and Security"
    assert group.properties["list_code"] == "EL"
    assert group.properties["license_requirement"] == "For all items subject to the EAR.  (See §744.11 of the EAR)"
    assert group.properties["license_policy"] == "Presumption of denial."
    assert group.properties["federal_register_notice"] == "80 FR 69852"
    assert group.listed_on == dt.date(2015, 11, 12)
    assert [a.country for a in group.addresses] == ["HK", "HK"]
    every_el = [e for e in csl.entities if e.properties["list_code"] == "EL"]
    assert len(every_el) == 22
    assert all(e.properties.get("license_requirement") and e.properties.get("license_policy") for e in every_el)


def test_csl_individual_vessel_and_ids(csl):
    mazidih = next(entity for entity in csl.entities if entity.source_id == "10727")
    assert mazidih.type is EntityType.person
    assert mazidih.birth_dates == ["1974", "1975"]  # "1974; 1975"
    assert [a.name for a in mazidih.aliases] == ["HISHAN, Ghazy Fezzaa", "ABU FAYSAL",
                                                 "SHLASH, Mushari Abd Aziz Saleh", "ABU GHAZZY"]
    assert mazidih.addresses[0].city == "Zabadani" and mazidih.countries == ["SY"]

    tanker = next(entity for entity in csl.entities if entity.source_id == "27304")
    assert tanker.type is EntityType.vessel
    assert tanker.identifiers == [ListedIdentifier(type="imo", value="9116412",
                                                   note="Vessel Registration Identification")]
    assert tanker.properties["vessel_flag"] == "Iran" and tanker.properties["vessel_type"] == "Crude Oil Tanker"
    assert tanker.properties["former_vessel_flag"] == "Panama"
    assert tanker.countries == ["IR"]

    bank = next(entity for entity in csl.entities if entity.source_id == "20298")
    assert ListedIdentifier(type="tax_id", value="7722515837", note="Tax ID No.") in bank.identifiers
    assert ListedIdentifier(type="registration", value="1047796382920", note="Registration ID") in bank.identifiers
    assert bank.properties["executive_order_13662_directive_determination"] == "Subject to Directive 1"
    assert [(a.street, a.city, a.postal_code, a.country) for a in bank.addresses] == [
        ("63 Novocheremushkinskaya Street", "Moscow", "117418", "RU"),
        ("Koroviy val., building 7", "Moscow", "119049", "RU")]
    with_country = [i for e in csl.entities for i in e.identifiers if i.value == "80-0890696"]
    assert with_country == [ListedIdentifier(type="tax_id", value="80-0890696", country="US", note="Tax ID No.")]


CSL_HEADER = ("source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,"
              "end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,"
              "gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,"
              "dates_of_birth,nationalities,places_of_birth,source_information_url,ids\n")
CSL_ROW = ('Entity List (EL) - Bureau of Industry and Security,,{type},,"{name}",,"1 Road, Moscow, RU",'
           "85 FR 1,2020-01-02,,,For all items subject to the EAR.,Presumption of denial.,,,,,,,,"
           "http://bit.ly/x,,,,,,http://bit.ly/x,\n")


def test_csl_minimal_rows_and_stable_hash(tmp_path):
    path = write(tmp_path, CSL_HEADER + CSL_ROW.format(type="", name="ACME") + CSL_ROW.format(type="", name="ACME"),
                 "csl.csv")
    first, second = read_csl(path).entities
    assert first.source_id.startswith("EL-") and second.id == first.id + "-2"
    assert second.properties["duplicate_of"] == first.id
    assert read_csl(path).entities[0].id == first.id


def test_csl_bad_input_file_names_its_line():
    bad = DATA / "bad-inputs" / "csl.csv"
    with pytest.raises(BadInput) as error:
        read_csl(bad)
    assert error.value.where == f"{bad} line 2"
    assert "2 fields where the header has 28" in error.value.problem


def test_csl_broken_quote(tmp_path):
    rows = CSL_ROW.format(type="", name="ACME") + CSL_ROW.format(type="", name='BROKEN"QUOTE')
    path = write(tmp_path, CSL_HEADER + rows + CSL_ROW.format(type="", name="LAST"), "csl.csv")
    with pytest.raises(BadInput) as error:
        read_csl(path)
    assert error.value.where == f"{path} line 3"
    assert "broken quoting" in error.value.problem


def test_csl_unterminated_quote(tmp_path):
    path = write(tmp_path, CSL_HEADER + CSL_ROW.format(type="", name="ACME") + 'Entity List (EL) - BIS,,,,"NEVER CLOSED\n',
                 "csl.csv")
    with pytest.raises(BadInput) as error:
        read_csl(path)
    assert error.value.where == f"{path} line 3"


def test_csl_header_missing_a_column(tmp_path):
    path = write(tmp_path, CSL_HEADER.replace(",ids", "") + CSL_ROW.format(type="", name="ACME")[:-2] + "\n",
                 "csl.csv")
    with pytest.raises(BadInput) as error:
        read_csl(path)
    assert error.value.where == f"{path} line 1"
    assert "not a Consolidated Screening List file: the header lacks 1 of its 28 columns: ids" in error.value.problem


def test_csl_refuses_the_ofac_sdn_file():
    with pytest.raises(BadInput) as error:
        read_csl(SDN)
    assert error.value.where == f"{SDN} line 1"
    assert "not a Consolidated Screening List file" in error.value.problem


def test_csl_refuses_the_dpl_file():
    with pytest.raises(BadInput) as error:
        read_csl(DPL)
    assert error.value.where == f"{DPL} line 1"
    assert "not a Consolidated Screening List file" in error.value.problem


def test_csl_unknown_type_and_list(tmp_path):
    path = write(tmp_path, CSL_HEADER + CSL_ROW.format(type="", name="A") + CSL_ROW.format(type="Spaceship", name="B"),
                 "csl.csv")
    with pytest.raises(BadInput) as error:
        read_csl(path)
    assert error.value.where == f"{path} line 3" and "Spaceship" in error.value.problem
    path = write(tmp_path, CSL_HEADER + CSL_ROW.format(type="", name="A").replace("Entity List (EL) - ", "/"),
                 "csl2.csv")
    with pytest.raises(BadInput, match=r"csl2.csv line 2: source '/Bureau"):
        read_csl(path)


def test_csl_empty_and_cp1252(tmp_path):
    empty = write(tmp_path, b"", "empty.csv")
    with pytest.raises(BadInput, match="empty file"):
        read_csl(empty)
    latin = write(tmp_path, (CSL_HEADER + CSL_ROW.format(type="", name="A") + CSL_ROW.format(type="", name="ZÜRICH AG"))
                  .encode("cp1252"), "cp1252.csv")
    with pytest.raises(BadInput) as error:
        read_csl(latin)
    assert error.value.where == f"{latin} line 3" and "0xdc" in error.value.problem


def test_csl_bad_start_date(tmp_path):
    path = write(tmp_path, CSL_HEADER + CSL_ROW.format(type="", name="A").replace("2020-01-02", "someday"), "csl.csv")
    with pytest.raises(BadInput, match=r"line 2: start_date 'someday' is not a date"):
        read_csl(path)


def test_download_folders_are_read_through_their_file(tmp_path):
    (tmp_path / "dpl").mkdir()
    write(tmp_path / "dpl", DPL_HEADER + DPL_ROW.format(action="A"), "dpl.txt")
    assert read_dpl(tmp_path / "dpl").files == [tmp_path / "dpl" / "dpl.txt"]
    (tmp_path / "csl").mkdir()
    write(tmp_path / "csl", CSL_HEADER + CSL_ROW.format(type="", name="A"), "consolidated.csv")
    assert read_csl(tmp_path / "csl").entities[0].name == "A"
    (tmp_path / "empty").mkdir()
    with pytest.raises(BadInput, match="a folder without the Consolidated Screening List file"):
        read_csl(tmp_path / "empty")
