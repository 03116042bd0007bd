"""The OFAC legacy CSV reader against OFAC's real files (the 2021 SDN list and a
consolidated non-SDN list), the broken samples, and files made here to break it.

Expected values come from the raw files, read in the test with plain string
and csv handling, or from the rows quoted next to each spot check."""

from __future__ import annotations

import collections
import csv
import re
import shutil
from pathlib import Path

import pytest

from banwatch.errors import BadInput
from banwatch.lists.ofac import read_ofac
from banwatch.lists.reading import country_code
from banwatch.model import EntityType, ListedEntity, NameKind

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SDN = DATA / "ofac-sdn-2021"
CONS = DATA / "ofac-consolidated"
BAD = DATA / "bad-inputs"


# --------------------------------------------------------------------------- raw files


def raw_rows(path: Path) -> list[list[str]]:
    """The file's rows, one per CRLF line (these files have no line breaks inside
    fields), fields stripped, `-0-` as ''. The final 0x1A mark is no row."""
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    rows = []
    for line in lines:
        if line in ("", "\x1a"):
            continue
        (fields,) = csv.reader([line])
        rows.append(["" if field.strip() == "-0-" else field.strip() for field in fields])
    return rows


def raw_remarks(primary: Path, comments: Path) -> dict[str, str]:
    """ent_num -> the whole remarks: the primary file's, then the comments' continuation."""
    text = {}
    for line in primary.read_bytes().decode("utf-8").split("\r\n"):
        if line in ("", "\x1a"):
            continue
        (fields,) = csv.reader([line])
        text[fields[0]] = "" if fields[11].strip() == "-0-" else fields[11]
    for line in comments.read_bytes().decode("utf-8").split("\r\n"):
        if line in ("", "\x1a"):
            continue
        (fields,) = csv.reader([line])
        text[fields[0]] += fields[1]
    return text


@pytest.fixture(scope="module")
def sdn():
    return read_ofac(SDN)


@pytest.fixture(scope="module")
def cons():
    return read_ofac(CONS)


@pytest.fixture(scope="module")
def sdn_by_id(sdn) -> dict[str, ListedEntity]:
    return {entity.source_id: entity for entity in sdn.entities}


@pytest.fixture(scope="module")
def cons_by_id(cons) -> dict[str, ListedEntity]:
    return {entity.source_id: entity for entity in cons.entities}


def weak(entity: ListedEntity) -> list[str]:
    return [alias.name for alias in entity.aliases if alias.kind == NameKind.weak]


def strong(entity: ListedEntity) -> list[tuple[str, NameKind]]:
    return [(alias.name, alias.kind) for alias in entity.aliases if alias.kind != NameKind.weak]


def ids(entity: ListedEntity) -> list[tuple[str, str, str | None]]:
    return [(identifier.type, identifier.value, identifier.country)
            for identifier in entity.identifiers]


# --------------------------------------------------------------------------- whole lists


def test_one_sdn_entity_per_row_of_sdn_csv(sdn):
    rows = raw_rows(SDN / "sdn.csv")
    assert len(rows) == 8976
    assert [entity.source_id for entity in sdn.entities] == [row[0] for row in rows]
    assert [entity.name for entity in sdn.entities] == [row[1] for row in rows]
    assert all(entity.id == f"ofac-sdn:{entity.source_id}" for entity in sdn.entities)
    assert {entity.source for entity in sdn.entities} == {"ofac-sdn"}
    assert (sdn.source, sdn.format) == ("ofac-sdn", "ofac-csv")
    assert [path.name for path in sdn.files] == ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"]
    assert all(path.parent == SDN for path in sdn.files)


def test_one_consolidated_entity_per_row_of_cons_prim_csv(cons):
    rows = raw_rows(CONS / "cons_prim.csv")
    assert len(rows) == len(cons.entities) == 442
    assert [entity.id for entity in cons.entities] == [f"ofac-cons:{row[0]}" for row in rows]
    assert (cons.source, cons.format) == ("ofac-cons", "ofac-csv")
    assert [path.name for path in cons.files] == [
        "cons_prim.csv", "cons_alt.csv", "cons_add.csv", "cons_comments.csv"]


@pytest.mark.parametrize("directory, primary", [(SDN, "sdn.csv"), (CONS, "cons_prim.csv")])
def test_entity_types_follow_the_type_column(directory, primary):
    rows = raw_rows(directory / primary)
    expected = {"individual": EntityType.person, "vessel": EntityType.vessel,
                "aircraft": EntityType.aircraft, "": EntityType.organization}
    entities = read_ofac(directory).entities
    assert [entity.type for entity in entities] == [expected[row[2]] for row in rows]
    if primary == "sdn.csv":
        assert collections.Counter(entity.type for entity in entities) == {
            EntityType.person: 4620, EntityType.organization: 3673,
            EntityType.vessel: 406, EntityType.aircraft: 277}


@pytest.mark.parametrize("directory, primary", [(SDN, "sdn.csv"), (CONS, "cons_prim.csv")])
def test_programs_are_the_bracketed_list_split(directory, primary):
    rows = {row[0]: row[3] for row in raw_rows(directory / primary)}
    entities = read_ofac(directory).entities
    for entity in entities:
        assert "] [".join(entity.programs) == rows[entity.source_id]
        assert all(program and "[" not in program and "]" not in program
                   for program in entity.programs)
    assert sum(len(entity.programs) > 1 for entity in entities) > 0


def test_every_alt_csv_row_is_an_alias_of_its_entity(sdn):
    rows = raw_rows(SDN / "alt.csv")
    assert len(rows) == 11910
    # kinds counted from the raw text itself, not through the csv module
    lines = [line for line in (SDN / "alt.csv").read_bytes().decode("utf-8").split("\r\n")
             if line not in ("", "\x1a")]
    raw_kinds = collections.Counter(line.split(",", 3)[2].strip('"') for line in lines)
    assert raw_kinds == {"aka": 11523, "fka": 369, "nka": 18}

    expected: dict[str, list[tuple[str, NameKind]]] = collections.defaultdict(list)
    for ent_num, _alt_num, kind, name, remarks in rows:
        assert "weak" not in remarks.lower()  # the 2021 file marks no alt.csv alias weak
        expected[ent_num].append((name, NameKind(kind)))
    for entity in sdn.entities:
        assert strong(entity) == expected.get(entity.source_id, [])
    attached = collections.Counter(kind for entity in sdn.entities for _name, kind in strong(entity))
    assert attached == {NameKind(kind): count for kind, count in raw_kinds.items()}


def test_every_cons_alt_csv_row_is_an_alias_of_its_entity(cons):
    rows = raw_rows(CONS / "cons_alt.csv")
    expected: dict[str, list[tuple[str, NameKind]]] = collections.defaultdict(list)
    for ent_num, _alt_num, kind, name, _remarks in rows:
        expected[ent_num].append((name, NameKind(kind)))
    for entity in cons.entities:
        assert strong(entity) == expected.get(entity.source_id, [])
    assert collections.Counter(kind for entity in cons.entities for _n, kind in strong(entity)) \
        == {NameKind.aka: 932, NameKind.fka: 141}


@pytest.mark.parametrize("directory, primary, alt, comments",
                         [(SDN, "sdn.csv", "alt.csv", "sdn_comments.csv"),
                          (CONS, "cons_prim.csv", "cons_alt.csv", "cons_comments.csv")])
def test_remarks_akas_are_weak_aliases_and_remarks_are_kept_whole(directory, primary, alt,
                                                                  comments):
    """OFAC FAQ 123: in the CSV files, weak a.k.a.s are the quoted ones in the remarks."""
    remarks = raw_remarks(directory / primary, directory / comments)
    parsed = read_ofac(directory)
    total = 0
    for entity in parsed.entities:
        text = remarks[entity.source_id]
        assert entity.remarks == (text.strip() or None)
        quoted = re.findall(r"\b[afn]\.k\.a\. '", text)
        assert len(weak(entity)) == len(quoted), entity.id
        for name in weak(entity):
            assert f"'{name}'" in text or f"'{name}''" in text
        total += len(quoted)
    assert total > 50
    assert parsed.name_count() == len(parsed.entities) + len(raw_rows(directory / alt)) + total


def test_addresses_one_per_non_empty_add_csv_row(sdn):
    rows = raw_rows(SDN / "add.csv")
    assert len(rows) == 13837
    expected = collections.defaultdict(list)
    for ent_num, _add_num, street, city, country, _remarks in rows:
        if street or city or country:
            expected[ent_num].append((street or None, country or None))
    assert sum(len(addresses) for addresses in expected.values()) == 13837 - 2397
    for entity in sdn.entities:
        got = [(address.street, address.country_name) for address in entity.addresses]
        assert got == expected.get(entity.source_id, [])
        for address in entity.addresses:
            assert address.country == country_code(address.country_name)
            if address.country:
                assert address.country in entity.countries


def test_vessel_columns_become_properties_and_the_flag_a_country(sdn):
    rows = {row[0]: row for row in raw_rows(SDN / "sdn.csv")}
    keys = ["call_sign", "vessel_type", "tonnage", "gross_registered_tonnage", "vessel_flag",
            "vessel_owner"]
    flagged = 0
    for entity in sdn.entities:
        row = rows[entity.source_id]
        for key, value in zip(keys, row[5:11], strict=True):
            assert entity.properties.get(key) == (value or None)
        if code := country_code(row[9]):  # not "None Identified"
            flagged += 1
            assert entity.countries[0] == code
    assert flagged > 350


def test_a_set_is_read_from_any_of_its_files(sdn):
    from_alt = read_ofac(SDN / "alt.csv")
    assert [entity.id for entity in from_alt.entities] == [entity.id for entity in sdn.entities]
    assert read_ofac(CONS / "cons_comments.csv").source == "ofac-cons"


# --------------------------------------------------------------------------- spot checks


def test_individual_with_dob_pob_passport_nationality(sdn_by_id):
    # 26235,"MALKEVICH, Alexander Aleksandrovich","individual","UKRAINE-EO13661] [CYBER2]
    # [ELECTION-EO13848",-0- x7,"DOB 14 Jun 1975; POB Leningrad, Russia; nationality Russia;
    # Gender Male; Passport 717637093 (Russia); National ID No. 781005202108 (Russia);
    # Linked To: USA REALLY; Linked To: PRIGOZHIN, Yevgeniy Viktorovich."
    # add.csv: 26235,39824,-0- ,"St. Petersburg","Russia",-0-
    entity = sdn_by_id["26235"]
    assert entity.type == EntityType.person
    assert entity.name == "MALKEVICH, Alexander Aleksandrovich"
    assert entity.programs == ["UKRAINE-EO13661", "CYBER2", "ELECTION-EO13848"]
    assert entity.title is None
    assert entity.birth_dates == ["1975-06-14"]
    assert entity.birth_places == ["Leningrad, Russia"]
    assert entity.nationalities == ["RU"]
    assert entity.gender == "Male"
    assert ids(entity) == [("passport", "717637093", "RU"), ("national_id", "781005202108", "RU")]
    assert entity.properties["linked_to"] == "USA REALLY; PRIGOZHIN, Yevgeniy Viktorovich"
    assert [(a.street, a.city, a.country) for a in entity.addresses] == [(None, "St. Petersburg", "RU")]
    assert entity.countries == ["RU"]
    assert entity.aliases == []
    assert entity.remarks.startswith("DOB 14 Jun 1975; POB Leningrad")


def test_organization_with_addresses_and_a_weak_aka(sdn_by_id):
    # 306,"BANCO NACIONAL DE CUBA",-0- ,"CUBA",...,"a.k.a. 'BNC'."
    # alt.csv: 306,220,"aka","NATIONAL BANK OF CUBA",-0-
    # add.csv: "Zweierstrasse 35","Zurich CH-8022","Switzerland" / "Avenida de Concha Espina 8",
    # "Madrid E-28036","Spain" / "Dai-Ichi Bldg. ...","Tokyo 103","Japan" /
    # "Federico Boyd Avenue & 51 Street","Panama City","Panama"
    entity = sdn_by_id["306"]
    assert entity.type == EntityType.organization
    assert entity.programs == ["CUBA"]
    assert strong(entity) == [("NATIONAL BANK OF CUBA", NameKind.aka)]
    assert weak(entity) == ["BNC"]
    assert [(a.city, a.postal_code, a.country, a.country_name) for a in entity.addresses] == [
        ("Zurich", "CH-8022", "CH", "Switzerland"),
        ("Madrid", "E-28036", "ES", "Spain"),
        ("Tokyo", "103", "JP", "Japan"),
        ("Panama City", None, "PA", "Panama"),
    ]
    assert entity.addresses[0].street == "Zweierstrasse 35"
    assert entity.countries == ["CH", "ES", "JP", "PA"]
    assert entity.birth_dates == [] and entity.gender is None and entity.identifiers == []


def test_vessel_with_call_sign_flag_imo_and_former_names(sdn_by_id):
    # 15036,"ARTAVIL","vessel","IRAN",-0- ,"T2EU4","Crude/Oil Products Tanker","99,144","56,068",
    # "Iran",-0- ,"Former Vessel Flag Malta; alt. Former Vessel Flag Tuvalu; alt. Former Vessel Flag
    # None Identified; alt. Former Vessel Flag Tanzania; Additional Sanctions Information - Subject
    # to Secondary Sanctions; Vessel Registration Identification IMO 9187629; MMSI 572469210;
    # f.k.a. 'ALPHA'; Linked To: NATIONAL IRANIAN TANKER COMPANY."
    # alt.csv: "fka","ABADAN" / "fka","SHONA"; add.csv: one all -0- row
    entity = sdn_by_id["15036"]
    assert entity.type == EntityType.vessel
    assert entity.properties["call_sign"] == "T2EU4"
    assert entity.properties["vessel_type"] == "Crude/Oil Products Tanker"
    assert entity.properties["tonnage"] == "99,144"
    assert entity.properties["gross_registered_tonnage"] == "56,068"
    assert entity.properties["vessel_flag"] == "Iran"
    assert "vessel_owner" not in entity.properties
    assert entity.properties["former_vessel_flag"] == "Malta; Tuvalu; None Identified; Tanzania"
    assert entity.properties["linked_to"] == "NATIONAL IRANIAN TANKER COMPANY"
    assert entity.countries == ["IR"]
    assert ids(entity) == [("imo", "9187629", None), ("mmsi", "572469210", None)]
    assert strong(entity) == [("ABADAN", NameKind.fka), ("SHONA", NameKind.fka)]
    assert [(a.name, a.kind, a.quality) for a in entity.aliases if a.kind == NameKind.weak] == [
        ("ALPHA", NameKind.weak, "weak f.k.a.")]
    assert entity.addresses == []


def test_aircraft(sdn_by_id):
    # 15431,"EP-GOM","aircraft","SDGT",...,"Aircraft Construction Number (also called L/N or S/N
    # or F/N) 8401; Aircraft Manufacture Date 1992; Aircraft Model IL76-TD; Aircraft Operator
    # YAS AIR; Aircraft Manufacturer's Serial Number (MSN) 1023409321; Linked To: POUYA AIR."
    entity = sdn_by_id["15431"]
    assert entity.type == EntityType.aircraft
    assert ids(entity) == [("aircraft_construction_number", "8401", None),
                           ("aircraft_msn", "1023409321", None)]
    assert entity.properties == {"aircraft_manufacture_date": "1992", "aircraft_model": "IL76-TD",
                                 "aircraft_operator": "YAS AIR", "linked_to": "POUYA AIR"}
    assert entity.birth_dates == []


def test_remarks_continued_in_sdn_comments(sdn_by_id):
    # sdn.csv cuts 12300's remarks at 1,000 characters: "...; Linked To: PROMO RAI"; the
    # comments row goes on "Z S.A.S.; Linked To: RED MUNDIAL INMOBILIARIA, S.A. DE C.V.; ..."
    entity = sdn_by_id["12300"]
    linked = entity.properties["linked_to"].split("; ")
    assert "PROMO RAIZ S.A.S." in linked
    assert "RED MUNDIAL INMOBILIARIA, S.A. DE C.V." in linked
    assert linked[-1] == "R D I S.A."  # the remarks' final period is OFAC's own: "S.A." keeps its
    assert entity.remarks.endswith("Linked To: R D I S.A.")
    assert len(entity.remarks) > 1000
    assert entity.birth_dates == ["1965-05-13", "1968-04-13", "1964-07-07"]
    assert entity.birth_places == ["Medellin, Colombia", "Marinilla, Antioquia, Colombia",
                                   "Ciudad Victoria, Tamaulipas, Mexico"]
    assert ("cedula", "172489729-1", "EC") in ids(entity)
    assert ("passport", "AL720622", "CO") in ids(entity)
    assert ("rfc", "OUSV-640707", "MX") in ids(entity)
    # "Mexico City, Distrito Federal C.P. 11510","Mexico"
    mexico_city = entity.addresses[2]
    assert (mexico_city.city, mexico_city.region, mexico_city.postal_code, mexico_city.country) == (
        "Mexico City", "Distrito Federal", "11510", "MX")
    assert entity.countries == ["CO", "MX"]


def test_weak_aka_cut_by_the_comments_file(sdn_by_id):
    # sdn.csv: "...; a.k.a. 'tianyinyin0404'; a.k.a. 'snowsjo"  sdn_comments.csv: "hn'; Linked To:
    # LAZARUS GROUP."
    entity = sdn_by_id["28263"]
    assert weak(entity) == ["tianyinyin0404", "snowsjohn"]
    assert entity.properties["linked_to"] == "LAZARUS GROUP"
    assert entity.programs == ["DPRK3", "CYBER2"]
    assert ("email", "417136259@qq.com", None) in ids(entity)
    assert ("identification_number", "321284198607120616", "CN") in ids(entity)
    wallets = [i for i in entity.identifiers if i.type == "digital_currency_address"]
    assert len(wallets) == 8 and {wallet.note for wallet in wallets} == {"XBT"}
    assert wallets[0].value == "134r8iHv69xdT6p5qVKTsHrcUEuBVZAYak"


def test_bank_with_swift_website_and_company_number(sdn_by_id):
    # 906,"HAVIN BANK LIMITED",...,"SWIFT/BIC HAVIGB2L; Website www.havanaintbank.co.uk; alt.
    # Website www.hib.uk.com; Company Number 01074897 (United Kingdom)."
    # add.csv: "4th Floor, 189 Marsh Wall","London E14 9SH","United Kingdom"
    entity = sdn_by_id["906"]
    assert ids(entity) == [("swift_bic", "HAVIGB2L", None),
                           ("website", "www.havanaintbank.co.uk", None),
                           ("website", "www.hib.uk.com", None),
                           ("company_number", "01074897", "GB")]
    london = entity.addresses[0]
    assert (london.street, london.city, london.postal_code) == (
        "4th Floor, 189 Marsh Wall", "London", "E14 9SH")
    assert strong(entity) == [("HAVANA INTERNATIONAL BANK, LTD", NameKind.aka)]


def test_title_programs_and_passport_expiry(sdn_by_id):
    # 22689,"PARSAJAM, Mohsen","individual","NPWMD] [IFSR","Chairman of the Board, Rayan Roshd
    # Afzar Company",...,"...Passport N95873956 (Iran) expires 05 May 2020; National ID No.
    # 038-1-57690-6 (Iran); ...; a.k.a. 'KARGAR, Mohsen'; Linked To: RAYAN ROSHD AFZAR COMPANY."
    entity = sdn_by_id["22689"]
    assert entity.title == "Chairman of the Board, Rayan Roshd Afzar Company"
    assert entity.programs == ["NPWMD", "IFSR"]
    passport = entity.identifiers[0]
    assert (passport.type, passport.value, passport.country, passport.note) == (
        "passport", "N95873956", "IR", "expires 05 May 2020")
    assert weak(entity) == ["KARGAR, Mohsen"]
    assert len(strong(entity)) == 2
    assert entity.properties["additional_sanctions_information"] == "Subject to Secondary Sanctions"


def test_dob_ranges_and_months(sdn_by_id):
    # 16540: "DOB 01 Jan 1977 to 31 Dec 1985; nationality Uzbekistan."
    sadikov = sdn_by_id["16540"]
    assert sadikov.birth_dates == [str(year) for year in range(1977, 1986)]
    assert sadikov.properties["birth_dates_approximate"] == "01 Jan 1977 to 31 Dec 1985"
    assert sadikov.nationalities == ["UZ"]
    # 20700: "DOB 01 Oct 1992 to 31 Oct 1992; POB Marrakech, Morocco; a.k.a. 'AL-ITALY, Anas';
    # a.k.a. 'Abu Rawaha the Italian'; ... a.k.a. 'Mc Khaliph'."
    abboubi = sdn_by_id["20700"]
    assert abboubi.birth_dates == ["1992-10"]
    assert weak(abboubi) == ["AL-ITALY, Anas", "Abu Rawaha the Italian", "Abu the Italian",
                             "Rawaha al Itali", "Mc Khalifh", "McKhalif", "Mc Khaliph"]
    # 8170: "DOB 18 Mar 1947; alt. DOB Feb 1949; POB Barrancas, La Guajira, Colombia; ..."
    toncel = sdn_by_id["8170"]
    assert toncel.birth_dates == ["1947-03-18", "1949-02"]
    assert "birth_dates_approximate" not in toncel.properties
    assert toncel.birth_places == ["Barrancas, La Guajira, Colombia", "Ubita, Boyaca, Colombia"]
    # 15496: "DOB 1929 to 1930"; 7782: "DOB circa 1951"
    assert sdn_by_id["15496"].birth_dates == ["1929", "1930"]
    assert sdn_by_id["7782"].birth_dates == ["1951"]
    assert sdn_by_id["7782"].properties["birth_dates_approximate"] == "circa 1951"


def test_citizen_and_digital_currency(sdn_by_id):
    # 25308,"YAN, Xiaobing": "...; citizen China; Gender Male; Digital Currency Address - XBT
    # 12QtD5BF...; ...; Citizen's Card Number 421002197703250019 (China); a.k.a. 'ZHOU, William'..."
    entity = sdn_by_id["25308"]
    assert entity.nationalities == ["CN"]
    assert ("citizens_card", "421002197703250019", "CN") in ids(entity)
    assert ("chinese_commercial_code", "7346 2556 0365", None) in ids(entity)
    assert weak(entity) == ["ZHOU, William", "YAN, Steven"]
    assert [a.region for a in entity.addresses] == ["Hubei"]  # "Wuhan, Hubei","China"


def test_names_with_apostrophes_and_ofac_quote_slips(sdn_by_id):
    # 17166,"AL-'ANIZI, 'Abd al-Rahman Khalaf 'Ubayd Juday'": "DOB 01 Jan 1973 to 31 Dec 1973;
    # a.k.a. 'AL-RAHMAN, Abu Usamah'; a.k.a. 'ABU USAMA'; a.k.a. 'YUSUF'; a.k.a. 'KUWAITI, Abu
    # Shaima''; a.k.a. 'AL-KUWAITI, Abu Usamah'."
    entity = sdn_by_id["17166"]
    assert entity.name == "AL-'ANIZI, 'Abd al-Rahman Khalaf 'Ubayd Juday'"
    assert weak(entity) == ["AL-RAHMAN, Abu Usamah", "ABU USAMA", "YUSUF", "KUWAITI, Abu Shaima",
                            "AL-KUWAITI, Abu Usamah"]
    assert strong(entity)[0] == ("AL-'ANZI, 'Abd al-Rahman Khalaf", NameKind.aka)
    assert entity.birth_dates == ["1973"]


def test_unresolvable_nationality_is_kept_as_text(sdn_by_id):
    # 7940: "DOB 01 Feb 1966; POB Hashmija, Iraq; nationality possibly Palestinian;arrested
    # 23 Apr 2002; a.k.a. 'ABU ALI'."  (OFAC's missing space after the semicolon)
    entity = sdn_by_id["7940"]
    assert entity.nationalities == []
    assert entity.properties["nationalities_unresolved"] == "possibly Palestinian"
    assert weak(entity) == ["ABU ALI"]
    assert entity.countries == ["DE", "IQ"]  # its address in Essen, its birthplace in Iraq


def test_consolidated_comment_continuation_starting_with_a_space(cons_by_id):
    # cons_prim.csv 17254 ends "...; Tax ID No. 7706061801 (Russia); Government"; cons_comments.csv
    # goes on " Gazette Number 00044463 (Russia); Registration Number 1027700049486 (Russia); ..."
    entity = cons_by_id["17254"]
    assert entity.name == "PUBLIC JOINT STOCK COMPANY TRANSNEFT"
    assert entity.type == EntityType.organization
    assert entity.programs == ["UKRAINE-EO13662", "RUSSIA-EO14024"]
    assert "; Government Gazette Number 00044463 (Russia);" in entity.remarks
    assert ids(entity) == [("website", "www.transneft.ru", None), ("tax_id", "7706061801", "RU"),
                           ("government_gazette", "00044463", "RU"),
                           ("registration", "1027700049486", "RU")]
    assert strong(entity)[:2] == [("AK TRANSNEFT OAO", NameKind.fka),
                                  ("AKTSIONERNAYA KOMPANIYA PO TRANSPORTU NEFTI TRANSNEFT PAO",
                                   NameKind.fka)]
    assert [(a.city, a.postal_code, a.country) for a in entity.addresses] == [
        ("Moscow", "123112", "RU")]
    assert entity.properties["executive_order_13662"] == "Subject to Directive 2"


def test_consolidated_individual(cons_by_id):
    # 9639,"HANIYA, Ismail Abdul Salah","individual","NS-PLC",...,"DOB 1962; POB Shati."
    # cons_alt: "HANIYA, Ismail" / "HANIYYA, Ismaeel"; cons_add: one all -0- row
    entity = cons_by_id["9639"]
    assert entity.type == EntityType.person
    assert entity.programs == ["NS-PLC"]
    assert entity.birth_dates == ["1962"]
    assert entity.birth_places == ["Shati"]
    assert strong(entity) == [("HANIYA, Ismail", NameKind.aka), ("HANIYYA, Ismaeel", NameKind.aka)]
    assert entity.addresses == [] and entity.countries == []
    assert entity.source_url.endswith("id=9639")


# --------------------------------------------------------------------------- the broken samples


def clean_bad_set(tmp_path: Path, broken: str | None) -> Path:
    """bad-inputs' four SDN files, all but `broken` without their corrupt last row."""
    directory = tmp_path / "set"
    directory.mkdir()
    for name in ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"):
        data = (BAD / name).read_bytes()
        if name != broken:
            assert data.endswith(b"\n||||")
            data = data[: -len(b"||||")]
        (directory / name).write_bytes(data)
    return directory


def test_bad_inputs_without_their_corrupt_rows_read(tmp_path):
    parsed = read_ofac(clean_bad_set(tmp_path, None))  # LF line ends, unquoted fields
    assert len(parsed.entities) == (BAD / "sdn.csv").read_bytes().count(b"\n") == 7379


@pytest.mark.parametrize("broken", ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"])
def test_each_bad_input_file_is_rejected_with_file_and_line(tmp_path, broken):
    directory = clean_bad_set(tmp_path, broken)
    line = (BAD / broken).read_bytes().count(b"\n") + 1
    with pytest.raises(BadInput) as caught:
        read_ofac(directory)
    assert caught.value.where == f"{directory / broken} line {line}"
    assert "1 column where" in caught.value.problem


def test_the_bad_inputs_directory_is_rejected_at_sdn_csv():
    with pytest.raises(BadInput) as caught:
        read_ofac(BAD)
    assert caught.value.where == f"{BAD / 'sdn.csv'} line 7380"


# --------------------------------------------------------------------------- files made to break it


def copy_set(tmp_path: Path, directory: Path = SDN) -> Path:
    target = tmp_path / "ofac"
    shutil.copytree(directory, target)
    for path in target.iterdir():
        path.chmod(0o644)
    return target


def write_set(tmp_path: Path, sdn_rows: list[str], alt_rows: list[str] = (),
              add_rows: list[str] = (), comment_rows: list[str] | None = None) -> Path:
    """A small SDN set in OFAC's own layout: CRLF rows, 0x1A at the end."""
    directory = tmp_path / "small"
    directory.mkdir(exist_ok=True)
    files = {"sdn.csv": sdn_rows, "alt.csv": alt_rows or ['1,1,"aka","ALIAS ONE",-0- '],
             "add.csv": add_rows or ["1,1,-0- ,-0- ,-0- ,-0- "]}
    if comment_rows is not None:
        files["sdn_comments.csv"] = comment_rows
    for name, rows in files.items():
        (directory / name).write_bytes(("".join(row + "\r\n" for row in rows) + "\x1a").encode())
    return directory


def sdn_row(ent_num: str, name: str, kind: str = "-0- ", remarks: str = "-0- ") -> str:
    kind = kind if kind == "-0- " else f'"{kind}"'
    remarks = remarks if remarks == "-0- " else f'"{remarks}"'
    return f'{ent_num},"{name}",{kind},"SDGT",' + "-0- ," * 7 + remarks


def raises_at(directory: Path, where: str, problem: str) -> BadInput:
    with pytest.raises(BadInput) as caught:
        read_ofac(directory)
    assert caught.value.where == where, str(caught.value)
    assert problem in caught.value.problem, str(caught.value)
    return caught.value


def test_a_small_set_reads(tmp_path):
    directory = write_set(tmp_path, [sdn_row("1", "ONE CO"), sdn_row("2", "TWO, Person", "individual")])
    parsed = read_ofac(directory)
    assert [entity.id for entity in parsed.entities] == ["ofac-sdn:1", "ofac-sdn:2"]
    assert [entity.type for entity in parsed.entities] == [EntityType.organization, EntityType.person]
    assert parsed.entities[0].aliases[0].name == "ALIAS ONE"
    assert parsed.entities[0].addresses == []


def cut_points(data: bytes) -> dict[str, int]:
    row_start = data.index(b"\r\n", 50_000) + 2
    row_end = data.index(b"\r\n", row_start)
    quote = data.index(b',"', row_start) + 5  # inside the quoted name
    comma = data.index(b",", quote + 40) + 1  # between two fields
    return {"inside a quoted field": quote, "after a comma": comma,
            "before the row's line end": row_end}


@pytest.mark.parametrize("where, problem", [
    ("inside a quoted field", "broken CSV quoting"),
    ("after a comma", "where an OFAC sdn.csv row has 12"),
    ("before the row's line end", "no line end: the file is truncated"),
])
def test_truncated_sdn_csv(tmp_path, where, problem):
    directory = copy_set(tmp_path)
    data = (SDN / "sdn.csv").read_bytes()
    cut = cut_points(data)[where]
    (directory / "sdn.csv").write_bytes(data[:cut])
    line = data[:cut].count(b"\n") + 1
    raises_at(directory, f"{directory / 'sdn.csv'} line {line}", problem)


def test_truncated_alt_csv_is_rejected_too(tmp_path):
    directory = copy_set(tmp_path)
    data = (SDN / "alt.csv").read_bytes()[: 300_000]
    (directory / "alt.csv").write_bytes(data)
    line = data.count(b"\n") + 1
    raises_at(directory, f"{directory / 'alt.csv'} line {line}", "")


@pytest.mark.parametrize("name", ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"])
def test_empty_file(tmp_path, name):
    directory = copy_set(tmp_path)
    (directory / name).write_bytes(b"")
    raises_at(directory, str(directory / name), "empty")


def test_file_of_only_the_end_of_file_mark(tmp_path):
    directory = copy_set(tmp_path)
    (directory / "sdn.csv").write_bytes(b"\r\n\x1a")
    raises_at(directory, str(directory / "sdn.csv"), "no rows")


def test_cp1252_bytes(tmp_path):
    directory = copy_set(tmp_path)
    data = (SDN / "sdn.csv").read_bytes()
    lines = data.split(b"\r\n")
    lines[99] = lines[99].replace(b'"', b'"JOS\xc9 ', 1)  # É in cp1252, in line 100's name
    (directory / "sdn.csv").write_bytes(b"\r\n".join(lines))
    raises_at(directory, f"{directory / 'sdn.csv'} line 100", "not UTF-8")


def test_nul_bytes(tmp_path):
    directory = copy_set(tmp_path)
    data = bytearray((SDN / "add.csv").read_bytes())
    data[500:510] = b"\x00" * 10
    (directory / "add.csv").write_bytes(bytes(data))
    line = data[:500].count(b"\n") + 1
    raises_at(directory, f"{directory / 'add.csv'} line {line}", "NUL")


@pytest.mark.parametrize("other, problem", [
    (BAD / "csl.csv", "not an OFAC sdn.csv file: it starts with 'source,entity_number,"),  # the CSL, with header
    (DATA / "un" / "consolidated.xml", "XML"),
    (DATA / "bis" / "dpl.txt", "not an OFAC sdn.csv file"),
    (SDN / "alt.csv", "not an OFAC sdn.csv file: the first row has 5 columns"),
])
def test_another_lists_file_named_sdn_csv(tmp_path, other, problem):
    directory = copy_set(tmp_path)
    (directory / "sdn.csv").write_bytes(other.read_bytes())
    raises_at(directory, f"{directory / 'sdn.csv'} line 1", problem)


def test_sdn_csv_given_as_alt_csv(tmp_path):
    directory = copy_set(tmp_path)
    shutil.copyfile(SDN / "sdn.csv", directory / "alt.csv")
    raises_at(directory, f"{directory / 'alt.csv'} line 1",
              "not an OFAC alt.csv file: the first row has 12 columns")


@pytest.mark.parametrize("missing", ["alt.csv", "add.csv"])
def test_missing_required_file(tmp_path, missing):
    directory = copy_set(tmp_path)
    (directory / missing).unlink()
    error = raises_at(directory, str(directory), f"{missing} is missing")
    assert "sdn.csv, alt.csv, add.csv" in error.problem


def test_comments_file_is_optional(tmp_path):
    directory = copy_set(tmp_path)
    (directory / "sdn_comments.csv").unlink()
    parsed = read_ofac(directory)
    assert len(parsed.entities) == 8976
    assert [path.name for path in parsed.files] == ["sdn.csv", "alt.csv", "add.csv"]
    entity = next(entity for entity in parsed.entities if entity.source_id == "28263")
    assert entity.remarks.endswith("a.k.a. 'snowsjo")  # cut where OFAC cut it, not invented


def test_directory_without_a_list(tmp_path):
    (tmp_path / "notes.csv").write_text("1,2\r\n")
    error = raises_at(tmp_path, str(tmp_path), "no OFAC CSV list here")
    assert "sdn.csv, alt.csv, add.csv" in error.problem
    assert "cons_prim.csv, cons_alt.csv, cons_add.csv" in error.problem


def test_file_that_is_not_of_a_set(tmp_path):
    other = tmp_path / "dpl.txt"
    shutil.copyfile(DATA / "bis" / "dpl.txt", other)
    raises_at(other, str(other), "not a file of an OFAC CSV list")
    raises_at(tmp_path / "absent", str(tmp_path / "absent"), "no such file")


def test_directory_with_both_lists(tmp_path):
    directory = copy_set(tmp_path)
    for path in CONS.iterdir():
        shutil.copyfile(path, directory / path.name)
    raises_at(directory, str(directory), "both")
    assert read_ofac(directory / "cons_prim.csv").source == "ofac-cons"  # a file says which


def test_alias_of_an_unknown_entry(tmp_path):
    directory = write_set(tmp_path, [sdn_row("1", "ONE CO")],
                          alt_rows=['1,1,"aka","ALIAS ONE",-0- ', '7,2,"aka","ORPHAN",-0- '])
    raises_at(directory, f"{directory / 'alt.csv'} line 2", "entry number 7 is not in")


def test_address_and_comment_of_an_unknown_entry(tmp_path):
    directory = write_set(tmp_path, [sdn_row("1", "ONE CO")],
                          add_rows=['1,1,-0- ,"Paris","France",-0- ', '9,2,-0- ,"Rome","Italy",-0- '])
    raises_at(directory, f"{directory / 'add.csv'} line 2", "entry number 9 is not in")
    directory = write_set(tmp_path, [sdn_row("1", "ONE CO")], comment_rows=['5,"more."'])
    raises_at(directory, f"{directory / 'sdn_comments.csv'} line 1", "entry number 5 is not in")


def test_duplicate_entry_number(tmp_path):
    directory = write_set(tmp_path, [sdn_row("1", "ONE CO"), sdn_row("2", "TWO CO"),
                                     sdn_row("1", "ONE AGAIN")])
    raises_at(directory, f"{directory / 'sdn.csv'} line 3", "entry number 1 again (first on line 1)")


def test_duplicate_alias_number(tmp_path):
    directory = write_set(tmp_path, [sdn_row("1", "ONE CO")],
                          alt_rows=['1,1,"aka","A",-0- ', '1,1,"aka","B",-0- '])
    raises_at(directory, f"{directory / 'alt.csv'} line 2", "alias number 1 again (first on line 1)")


@pytest.mark.parametrize("row, problem", [
    (sdn_row("X7", "BAD CO"), "entry number 'X7' is not a number"),
    (sdn_row("", "BAD CO"), "is not a number"),
    ('3,"SHORT CO","SDGT",-0- ', "4 columns where an OFAC sdn.csv row has 12"),
    (sdn_row("3", "EXTRA CO") + ",-0- ", "13 columns"),
    ('3,"BROKEN "QUOTE" CO",-0- ,"SDGT"' + ",-0- " * 8, "broken CSV quoting"),
    (sdn_row("3", "ODD", "entity"), "unknown entry type 'entity'"),
    (sdn_row("3", ""), "has no name"),
    ("", "empty line"),
])
def test_malformed_row_in_the_middle(tmp_path, row, problem):
    directory = write_set(tmp_path, [sdn_row("1", "ONE CO"), row, sdn_row("4", "FOUR CO")])
    raises_at(directory, f"{directory / 'sdn.csv'} line 2", problem)


@pytest.mark.parametrize("row, problem", [
    ('1,1,"alias","A",-0- ', "unknown alias type 'alias'"),
    ('1,x,"aka","A",-0- ', "alias number 'x' is not a number"),
    ('1,1,"aka",-0- ,-0- ', "has no name"),
])
def test_malformed_alias_row(tmp_path, row, problem):
    directory = write_set(tmp_path, [sdn_row("1", "ONE CO")], alt_rows=['1,9,"aka","OK",-0- ', row])
    raises_at(directory, f"{directory / 'alt.csv'} line 2", problem)


def test_unterminated_quote_reports_the_row_it_opens(tmp_path):
    directory = write_set(tmp_path, [sdn_row("1", "ONE CO"), sdn_row("2", "TWO CO"),
                                     '3,"OPEN CO,-0- ,"SDGT"'])
    raises_at(directory, f"{directory / 'sdn.csv'} line 3", "broken CSV quoting")


# --------------------------------------------------------------------------- remarks, in small sets


def test_remarks_vocabulary(tmp_path):
    remarks = ("DOB 1960 to 1962; alt. DOB Jun 1975; alt. DOB sometime in spring; POB Kyiv, "
               "Ukraine; nationality Ukraine; alt. citizen Korea, North; Gender Female; "
               "Tax ID No. 7706061801 (Russia); alt. Passport A1 (Atlantis) issued 2001; "
               "Email Address a@b.example; IMO 1234567; a.k.a. 'SHORTY'; "
               "Linked To: OTHER CO.; Linked To: NOT LISTED HOLDINGS.")
    directory = write_set(tmp_path, [sdn_row("1", "ONE, Person", "individual", remarks),
                                     sdn_row("2", "OTHER CO.")])
    person = read_ofac(directory).entities[0]
    assert person.birth_dates == ["1960", "1961", "1962", "1975-06"]
    assert person.properties["birth_dates_approximate"] == "1960 to 1962"
    assert person.properties["birth_dates_unparsed"] == "sometime in spring"
    assert person.birth_places == ["Kyiv, Ukraine"]
    assert person.nationalities == ["UA", "KP"]
    assert person.countries == ["UA", "KP"]
    assert person.gender == "Female"
    assert ids(person) == [("tax_id", "7706061801", "RU"),
                           ("passport", "A1 (Atlantis)", None),  # not a country: kept in the value
                           ("email", "a@b.example", None), ("imo", "1234567", None)]
    assert person.identifiers[1].note == "issued 2001"
    assert [(a.name, a.kind) for a in person.aliases] == [
        ("ALIAS ONE", NameKind.aka), ("SHORTY", NameKind.weak)]
    # "OTHER CO." is an entry of the list: its period stays; the remarks' closing one goes
    assert person.properties["linked_to"] == "OTHER CO.; NOT LISTED HOLDINGS"


def test_weak_alias_marked_in_alt_csv_remarks(tmp_path):
    directory = write_set(tmp_path, [sdn_row("1", "ONE CO")],
                          alt_rows=['1,1,"aka","STRONG NAME",-0- ', '1,2,"aka","ONE","weak"'])
    aliases = read_ofac(directory).entities[0].aliases
    assert [(a.name, a.kind) for a in aliases] == [("STRONG NAME", NameKind.aka),
                                                   ("ONE", NameKind.weak)]


def test_comment_continuation_is_appended_as_is(tmp_path):
    directory = write_set(tmp_path, [sdn_row("1", "ONE CO", remarks="Website www.exam")],
                          comment_rows=['1,"ple.com; Linked To: SOMEONE."'])
    entity = read_ofac(directory).entities[0]
    assert entity.remarks == "Website www.example.com; Linked To: SOMEONE."
    assert ids(entity) == [("website", "www.example.com", None)]
    assert entity.properties["linked_to"] == "SOMEONE"
