"""The UN consolidated list reader: the real file read completely and checked
field by field against its XML, and hostile or broken XML refused with the file
(and line) named."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as StdET
from pathlib import Path

import pytest

from banwatch.errors import BadInput
from banwatch.lists.reading import script_of
from banwatch.lists.un import read_un
from banwatch.model import EntityType, ListedIdentifier, NameKind

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
UN_XML = DATA / "un" / "consolidated.xml"


@pytest.fixture(scope="module")
def un():
    return read_un(UN_XML)


@pytest.fixture(scope="module")
def by_ref(un):
    return {entity.source_id: entity for entity in un.entities}


@pytest.fixture(scope="module")
def raw_records():
    """The test's own reading of the trusted fixture, to compare the reader with."""
    root = StdET.parse(UN_XML).getroot()
    return root.findall("INDIVIDUALS/INDIVIDUAL") + root.findall("ENTITIES/ENTITY")


# --------------------------------------------------------------------------- the real file


def test_reads_every_individual_and_entity(un):
    assert un.source == "un" and un.format == "un-xml" and un.files == [UN_XML]
    types = [entity.type for entity in un.entities]
    assert types.count(EntityType.person) == 730
    assert types.count(EntityType.organization) == 273
    assert len(un.entities) == 1003
    assert len({entity.id for entity in un.entities}) == 1003


def test_every_record_matches_its_xml(un, raw_records):
    assert len(raw_records) == len(un.entities)
    for record, entity in zip(raw_records, un.entities):
        ref = record.findtext("REFERENCE_NUMBER").strip()
        assert entity.id == f"un:{ref}" and entity.source_id == ref
        tags = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME") if record.tag == "INDIVIDUAL" \
            else ("FIRST_NAME",)
        name = " ".join(" ".join(record.findtext(tag).split()) for tag in tags if (record.findtext(tag) or "").strip())
        assert entity.name == name, ref
        assert entity.properties["dataid"] == record.findtext("DATAID").strip()
        assert entity.programs == [record.findtext("UN_LIST_TYPE").strip()]
        assert entity.listed_on == dt.date.fromisoformat(record.findtext("LISTED_ON")[:10])
        # every alias the UN gives, except blanks and repeats of the name, is kept
        raw_aliases = {" ".join(alias.findtext("ALIAS_NAME", "").split())
                       for alias in record.findall(f"{record.tag}_ALIAS")}
        original = " ".join((record.findtext("NAME_ORIGINAL_SCRIPT") or "").split())
        expected = {a.casefold() for a in raw_aliases | {original} if a and a.casefold() != name.casefold()}
        assert {alias.name.casefold() for alias in entity.aliases} == expected, ref
        low = {" ".join(alias.findtext("ALIAS_NAME", "").split()).casefold()
               for alias in record.findall(f"{record.tag}_ALIAS") if alias.findtext("QUALITY") == "Low"}
        weak = {alias.name.casefold() for alias in entity.aliases if alias.kind is NameKind.weak}
        assert weak <= low, ref


def test_arabic_original_script_and_low_quality_alias(by_ref):
    saddam = by_ref["IQi.001"]
    assert saddam.type is EntityType.person
    assert saddam.name == "SADDAM HUSSEIN AL-TIKRITI"
    original = [alias for alias in saddam.aliases if alias.kind is NameKind.original_script]
    assert [(a.name, a.script) for a in original] == [("صدام حسين التكريتي", "Arab")]
    low = [alias for alias in saddam.aliases if alias.name == "Abu Ali"]
    assert low and low[0].kind is NameKind.weak and low[0].quality == "Low"
    assert saddam.birth_dates == ["1937-04-28"]
    assert saddam.birth_places == ["al-Awja, near Tikrit, Iraq"]
    assert saddam.nationalities == ["IQ"] and saddam.countries == ["IQ"]
    assert saddam.programs == ["Iraq"]
    assert saddam.listed_on == dt.date(2003, 6, 27)
    assert saddam.properties["dataid"] == "6908048"


def test_cyrillic_name_document_and_alias_birth_dates(by_ref):
    umarov = by_ref["QDi.290"]
    assert umarov.name == "DOKU KHAMATOVICH UMAROV"  # FIRST + SECOND + THIRD
    assert umarov.aliases[0].name == "Умаров Доку Хаматович"
    assert umarov.aliases[0].kind is NameKind.original_script and umarov.aliases[0].script == "Cyrl"
    good = [a for a in umarov.aliases if a.kind is NameKind.aka]
    assert [(a.name, a.quality) for a in good] == [("Lom-ali Butayev (Butaev)", "Good"),
                                                   ("Dokka Umarov", "Good")]  # second "Dokka Umarov" merged
    # four INDIVIDUAL_DATE_OF_BIRTH elements plus the aliases' own dates, without repeats
    assert sorted(umarov.birth_dates) == ["1955", "1964-04-13", "1964-05-12", "1965-04-13"]
    assert umarov.birth_places == ["Kharsenoy Village, Shatoyskiy (Sovetskiy) District, "
                                   "Chechenskaya Respublika, Russian Federation"]
    # "former Soviet Union" is not a country code: kept, not lost
    assert umarov.nationalities == ["RU"]
    assert umarov.properties["nationalities_unresolved"] == "former Soviet Union"
    assert umarov.identifiers == [ListedIdentifier(type="passport", value="96 03 464086", country="RU",
                                                   note="issued 2003-06-01")]
    assert umarov.properties["last_updated"] == "2014-06-02; 2014-12-30; 2019-05-01; 2021-11-15"
    assert umarov.listed_on == dt.date(2011, 3, 10)
    assert "Reportedly deceased as of April 2014" in umarov.remarks


def test_chinese_alias_script(by_ref):
    company = by_ref["KPe.055"]
    assert company.type is EntityType.organization
    chinese = [a for a in company.aliases if a.name == "長安海連技術有限公司"]
    assert chinese and chinese[0].script == "Hani" and chinese[0].kind is NameKind.aka


def test_low_quality_aliases_titles_gender_and_places(by_ref):
    gaston = by_ref["CDi.003"]
    assert gaston.name == "GASTON IYAMUREMYE"
    assert [(a.name, a.kind, a.quality) for a in gaston.aliases] == [
        ("Rumuli", NameKind.weak, "Low"),
        ("Byiringiro Victor Rumuli", NameKind.aka, "Good"),
        ("Victor Rumuri", NameKind.aka, "Good"),
        ("Michel Byiringiro", NameKind.aka, "Good"),
    ]
    assert gaston.title == "FDLR Interim President; FDLR-FOCA 1st Vice-President; FDLR-FOCA Major General"
    assert gaston.gender == "Male"
    assert gaston.birth_dates == ["1948"]
    assert gaston.birth_places[0] == "Musanze District, Northern Province, Rwanda"
    [address] = gaston.addresses
    assert (address.region, address.country, address.country_name, address.note) == (
        "North Kivu Province", "CD", "Democratic Republic of the Congo", "as of June 2016")
    assert gaston.nationalities == ["RW"] and set(gaston.countries) == {"RW", "CD"}


def test_document_with_issuing_country(by_ref):
    hassan = by_ref["CDi.040"]
    passport = next(i for i in hassan.identifiers if i.value == "AB850901")
    assert passport == ListedIdentifier(type="passport", value="AB850901", country="TZ",
                                        note="Expiration date: 2026-12-11.")
    assert hassan.nationalities == ["TZ"]


def test_birth_date_range_is_expanded_and_kept(by_ref):
    taganda = by_ref["CDi.030"]  # TYPE_OF_DATE BETWEEN, FROM_YEAR 1973, TO_YEAR 1974
    assert taganda.birth_dates == ["1973", "1974"]
    assert taganda.properties["birth_date_ranges"] == "1973-1974"
    assert [a.name for a in taganda.aliases if a.kind is NameKind.weak] == [
        "Lydia", "Terminator", "Tango Romeo", "Romeo", "Major"]


def test_entity_address_with_street_and_postal_code(by_ref):
    company = by_ref["KPe.075"]
    address = company.addresses[0]
    assert (address.street, address.city, address.postal_code, address.country) == (
        "80 Raffles Place, #17-22 UOB Plaza", "Singapore", "048624", "SG")
    assert "SG" in company.countries


def test_listed_on_with_time_zone(by_ref):
    # LISTED_ON is an xsd:date and the UN writes some with an offset: 2015-04-07-04:00
    assert by_ref["QDi.352"].listed_on == dt.date(2015, 4, 7)


@pytest.mark.parametrize("text, script", [
    ("صدام حسين", "Arab"), ("Умаров", "Cyrl"), ("金铁三", "Hani"), ("김정은", "Hang"),
    ("カスペルスキー研究所", "Jpan"), ("SADDAM", None), ("Müller", None), ("123", None),
])
def test_script_detection(text, script):
    assert script_of(text) == script


# --------------------------------------------------------------------------- refused input

MINIMAL = """<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST><INDIVIDUALS>{records}</INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>
"""
PERSON = ("<INDIVIDUAL><DATAID>{dataid}</DATAID><FIRST_NAME>{first}</FIRST_NAME>"
          "<REFERENCE_NUMBER>{ref}</REFERENCE_NUMBER><LISTED_ON>2020-01-02</LISTED_ON></INDIVIDUAL>")


def write(tmp_path: Path, text: str | bytes, name: str = "un.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def test_a_minimal_file_is_read(tmp_path):
    path = write(tmp_path, MINIMAL.format(records=PERSON.format(dataid=1, first="JOHN", ref="XXi.001")))
    [entity] = read_un(path).entities
    assert (entity.id, entity.name, entity.listed_on) == ("un:XXi.001", "JOHN", dt.date(2020, 1, 2))


def test_truncated_xml_names_file_and_line(tmp_path):
    path = write(tmp_path, UN_XML.read_bytes()[:20000])
    with pytest.raises(BadInput) as error:
        read_un(path)
    last_line = path.read_bytes().count(b"\n") + 1
    assert error.value.where == f"{path} line {last_line}"
    assert "malformed XML" in error.value.problem


def test_billion_laughs_is_refused_not_expanded(tmp_path):
    entities = ['<!ENTITY a0 "' + "a" * 100 + '">'] + [
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    text = ('<?xml version="1.0"?>\n<!DOCTYPE CONSOLIDATED_LIST [\n' + "\n".join(entities) + "\n]>\n"
            "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&a9;</FIRST_NAME>"
            "<REFERENCE_NUMBER>XXi.001</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>")
    path = write(tmp_path, text)
    with pytest.raises(BadInput) as error:  # refused at the declaration, before any expansion
        read_un(path)
    assert error.value.where == str(path)
    assert "XML with a DOCTYPE/entity declaration is refused" in error.value.problem
    assert "line 2" in error.value.problem  # where the DOCTYPE is


def test_simple_internal_entity_is_refused(tmp_path):
    path = write(tmp_path, '<!DOCTYPE x [<!ENTITY a "' + "a" * 1000 + '">]>\n'
                           "<CONSOLIDATED_LIST><INDIVIDUALS/>&a;</CONSOLIDATED_LIST>")
    with pytest.raises(BadInput, match="DOCTYPE/entity declaration is refused"):
        read_un(path)


def test_external_entity_is_refused_and_not_read(tmp_path):
    secret = write(tmp_path, "TOP-SECRET-CONTENT", name="secret.txt")
    path = write(tmp_path, f'<?xml version="1.0"?>\n<!DOCTYPE CONSOLIDATED_LIST [\n'
                           f'<!ENTITY xxe SYSTEM "{secret.as_uri()}">\n]>\n'
                           "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&xxe;</FIRST_NAME>"
                           "<REFERENCE_NUMBER>XXi.001</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS>"
                           "</CONSOLIDATED_LIST>")
    with pytest.raises(BadInput) as error:
        read_un(path)
    assert error.value.where == str(path)
    assert "DOCTYPE/entity declaration is refused" in error.value.problem
    assert "TOP-SECRET" not in str(error.value)


def test_external_dtd_is_refused(tmp_path):
    path = write(tmp_path, '<!DOCTYPE CONSOLIDATED_LIST SYSTEM "http://example.invalid/list.dtd">\n'
                           "<CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>")
    with pytest.raises(BadInput, match="DOCTYPE/entity declaration is refused"):
        read_un(path)


def test_empty_file(tmp_path):
    path = write(tmp_path, b"")
    with pytest.raises(BadInput) as error:
        read_un(path)
    assert error.value.where == str(path) and error.value.problem == "empty file"


def test_cp1252_bytes_are_refused_with_their_line(tmp_path):
    text = MINIMAL.format(records=PERSON.format(dataid=1, first="JOSÉ", ref="XXi.001"))
    path = write(tmp_path, text.encode("cp1252"))
    with pytest.raises(BadInput) as error:
        read_un(path)
    assert error.value.where == f"{path} line 2"
    assert "not UTF-8" in error.value.problem and "0xc9" in error.value.problem


def test_wrong_root_element(tmp_path):
    path = write(tmp_path, '<?xml version="1.0"?><sdnList><sdnEntry/></sdnList>')
    with pytest.raises(BadInput) as error:
        read_un(path)
    assert error.value.where == str(path)
    assert error.value.problem == "not a UN consolidated list: root is <sdnList>"


def test_a_csv_file_is_not_xml(tmp_path):
    with pytest.raises(BadInput) as error:
        read_un(DATA / "bad-inputs" / "sdn.csv")
    assert error.value.where == f"{DATA / 'bad-inputs' / 'sdn.csv'} line 1"


def test_record_without_a_name_names_the_record(tmp_path):
    records = PERSON.format(dataid=1, first="JOHN", ref="XXi.001") + PERSON.format(dataid=77, first=" ", ref="XXi.002")
    path = write(tmp_path, MINIMAL.format(records=records))
    with pytest.raises(BadInput) as error:
        read_un(path)
    assert error.value.where == str(path)
    assert error.value.problem == "<INDIVIDUAL> DATAID 77 / REFERENCE_NUMBER XXi.002 has no name"


def test_record_without_reference_number(tmp_path):
    path = write(tmp_path, MINIMAL.format(records=PERSON.format(dataid=5, first="JOHN", ref="")))
    with pytest.raises(BadInput, match=r"<INDIVIDUAL> DATAID 5 has no REFERENCE_NUMBER"):
        read_un(path)


def test_repeated_reference_number(tmp_path):
    records = PERSON.format(dataid=1, first="JOHN", ref="XXi.001") + PERSON.format(dataid=2, first="JANE", ref="XXi.001")
    path = write(tmp_path, MINIMAL.format(records=records))
    with pytest.raises(BadInput, match="XXi.001 occurs twice"):
        read_un(path)


def test_bad_listing_date(tmp_path):
    path = write(tmp_path, MINIMAL.format(records=PERSON.format(dataid=1, first="JOHN", ref="XXi.001"))
                 .replace("2020-01-02", "2 Jan 2020"))
    with pytest.raises(BadInput, match=r"REFERENCE_NUMBER XXi.001: LISTED_ON '2 Jan 2020' is not a date"):
        read_un(path)


def test_list_with_no_records(tmp_path):
    path = write(tmp_path, "<CONSOLIDATED_LIST><INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>")
    with pytest.raises(BadInput, match="no individuals or entities"):
        read_un(path)


def test_a_download_folder_is_read_through_its_file(tmp_path):
    folder = tmp_path / "download"
    folder.mkdir()
    (folder / "consolidated.xml").write_bytes(MINIMAL.format(
        records=PERSON.format(dataid=1, first="JOHN", ref="XXi.001")).encode())
    parsed = read_un(folder)
    assert parsed.files == [folder / "consolidated.xml"] and parsed.entities[0].id == "un:XXi.001"
    (folder / "consolidated.xml").unlink()
    (folder / "a.xml").write_text("<x/>")
    (folder / "b.xml").write_text("<x/>")
    with pytest.raises(BadInput) as error:
        read_un(folder)
    assert error.value.where == str(folder) and "consolidated.xml" in error.value.problem
