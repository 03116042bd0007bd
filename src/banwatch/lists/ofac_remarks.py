"""OFAC's free-text remarks, parsed: the semicolon-separated segments of an
entry's remarks (`DOB 14 Jun 1975; POB Leningrad, Russia; Passport 717637093
(Russia); a.k.a. 'BNC'; Linked To: USA REALLY.`) become dates of birth, places
of birth, nationalities, gender, identifiers, weak aliases and properties
(links, executive orders, ...). `parse_remarks` is what `banwatch.lists.ofac`
calls; the label tables below are its vocabulary.
"""

from __future__ import annotations

import calendar
import re

from banwatch.lists.reading import country_code, iso_date
from banwatch.model import ListedIdentifier, ListedName, NameKind


# --------------------------------------------------------------------------- remarks vocabulary

#: remark label -> identifier type. Matched at the start of a segment (after an
#: optional "alt. "), longest label first, case-insensitively.
IDENTIFIER_LABELS: dict[str, str] = {
    "Passport": "passport",
    "Diplomatic Passport": "diplomatic_passport",
    "Passport Booklet": "passport_booklet",
    "National ID No.": "national_id",
    "National ID Number": "national_id",
    "Kenyan ID No.": "national_id",
    "Turkish Identification Number": "national_id",
    "Numero de Identidad": "national_id",
    "Personal ID Card": "personal_id_card",
    "Citizen's Card Number": "citizens_card",
    "National Foreign ID Number": "national_foreign_id",
    "Identification Number": "identification_number",
    "Travel Document Number": "travel_document",
    "Residency Number": "residency_number",
    "Birth Certificate Number": "birth_certificate",
    "Driver's License No.": "drivers_license",
    "Cedula No.": "cedula",
    "D.N.I.": "dni",
    "C.U.R.P.": "curp",
    "C.U.I.P.": "cuip",
    "C.U.I.T.": "cuit",
    "C.U.I.": "cui",
    "I.F.E.": "ife",
    "Credencial electoral": "electoral_credential",
    "Electoral Registry No.": "electoral_registry",
    "Cartilla de Servicio Militar Nacional": "military_service_card",
    "VisaNumberID": "visa",
    "SSN": "ssn",
    "Tax ID No.": "tax_id",
    "R.F.C.": "rfc",
    "RFC": "rfc",
    "RTN": "rtn",
    "NIT #": "nit",
    "US FEIN": "us_fein",
    "Italian Fiscal Code": "fiscal_code",
    "V.A.T. Number": "vat",
    "Registration Number": "registration",
    "Registration ID": "registration",
    "Business Registration Number": "business_registration",
    "Business Registration Document #": "business_registration",
    "Public Registration Number": "public_registration",
    "Commercial Registry Number": "commercial_registry",
    "C.R. No.": "commercial_registry",
    "Company Number": "company_number",
    "UK Company Number": "company_number",
    "Certificate of Incorporation Number": "incorporation_certificate",
    "Enterprise Number": "enterprise_number",
    "Branch Unit Number": "branch_unit_number",
    "Chamber of Commerce Number": "chamber_of_commerce",
    "Dubai Chamber of Commerce Membership No.": "chamber_of_commerce",
    "Folio Mercantil No.": "folio_mercantil",
    "Matricula Mercantil No": "matricula_mercantil",
    "Matricula Mercantil No.": "matricula_mercantil",
    "Trade License No.": "trade_license",
    "License": "license",
    "Registered Charity No.": "charity_registration",
    "Government Gazette Number": "government_gazette",
    "LE Number": "le_number",
    "File Number": "file_number",
    "Unified Social Credit Code (USCC)": "uscc",
    "United Social Credit Code Certificate (USCCC)": "uscc",
    "Chinese Commercial Code": "chinese_commercial_code",
    "Legal Entity Number": "lei",
    "D-U-N-S Number": "duns",
    "SWIFT/BIC": "swift_bic",
    "BIK (RU)": "bik",
    "ISIN": "isin",
    "Equity Ticker": "equity_ticker",
    "UN/LOCODE": "un_locode",
    "Vessel Registration Identification IMO": "imo",
    "Vessel Registration Identification": "vessel_registration",
    "IMO": "imo",
    "MMSI": "mmsi",
    "Aircraft Manufacturer's Serial Number (MSN)": "aircraft_msn",
    "Aircraft Construction Number (also called L/N or S/N or F/N)": "aircraft_construction_number",
    "Aircraft Tail Number": "aircraft_tail_number",
    "Previous Aircraft Tail Number": "previous_aircraft_tail_number",
    "RUC #": "ruc",
    "RIF #": "rif",
    "N.I.E.": "nie",
    "C.I.F.": "cif",
    "RSIN": "rsin",
    "Fiscal Code": "fiscal_code",
    "Romanian Tax Registration": "tax_id",
    "Paraguayan tax identification number": "tax_id",
    "Numero Unico de Identificacao Tributaria (NUIT)": "tax_id",
    "Business Number": "business_number",
    "Central Registration System Number": "registration",
    "MSB Registration Number": "msb_registration",
    "Istanbul Chamber of Comm. No.": "chamber_of_commerce",
    "Tourism License No.": "license",
    "Afghan Money Service Provider License Number": "license",
    "Pilot License Number": "pilot_license",
    "SRE Permit No.": "sre_permit",
    "Immigration No.": "immigration_number",
    "Public Security and Immigration No.": "immigration_number",
    "Stateless Person Passport": "passport",
    "British National Overseas Passport": "passport",
    "Stateless Person ID Card": "stateless_person_id",
    "Refugee ID Card": "refugee_id",
    "Tazkira National ID Card": "national_id",
    "Moroccan Personal ID No.": "national_id",
    "Bosnian Personal ID No.": "national_id",
    "UAE Identification": "national_id",
    "CNP (Personal Numerical Code)": "national_id",
    "Romanian Permanent Resident CAN": "residency_number",
    "Seafarer's Identification Document": "seafarer_id",
    "International Maritime Organization No.": "imo",
    "Aircraft Mode S Transponder Code": "aircraft_mode_s",
    "Aircraft Serial Identification": "aircraft_serial",
    "Serial No.": "serial_number",
    "MICEX Code": "micex_code",
    "Website": "website",
    "Email Address": "email",
    "Phone Number": "phone",
    "Telephone": "phone",
    "Telephone No.": "phone",
    "Phone": "phone",
    "Fax": "fax",
    "Digital Currency Address": "digital_currency_address",
}

#: remark label -> key in `properties` (several values are joined with "; ").
PROPERTY_LABELS: dict[str, str] = {
    "Linked To": "linked_to",
    "Aircraft Model": "aircraft_model",
    "Aircraft Operator": "aircraft_operator",
    "Aircraft Manufacture Date": "aircraft_manufacture_date",
    "Nationality of Registration": "nationality_of_registration",
    "Former Vessel Flag": "former_vessel_flag",
    "Other Vessel Flag": "other_vessel_flag",
    "Listing Date": "listing_date",
    "Effective Date": "effective_date",
    "Purchase/Sales For Divestment Date": "divestment_date",
    "Vessel Year of Build": "vessel_year_of_build",
    "Organization Established Date": "organization_established_date",
    "Organization Type": "organization_type",
    "Target Type": "target_type",
    "Issuer Name": "issuer_name",
    "Secondary sanctions risk": "secondary_sanctions_risk",
    "Additional Sanctions Information -": "additional_sanctions_information",
    "Transactions Prohibited For Persons Owned or Controlled By U.S. Financial Institutions":
        "transactions_prohibited",
    "CAATSA Section 235 Information": "caatsa_section_235",
    "IFCA Determination -": "ifca_determination",
}

_OTHER_LABELS = {
    "DOB": "dob",
    "POB": "pob",
    "nationality": "nationality",
    "citizen": "nationality",
    "Gender": "gender",
}


def _label_index() -> dict[str, list[tuple[str, str, str]]]:
    """first word of a label, lower case -> (label, target, key), longest label
    first. Looking a segment's first word up here is much faster than trying
    one big alternation of every label on every segment."""
    index: dict[str, list[tuple[str, str, str]]] = {}
    for labels, target in ((IDENTIFIER_LABELS, "id"), (PROPERTY_LABELS, "prop"),
                           (_OTHER_LABELS, "field")):
        for label, key in labels.items():
            lower = label.lower()
            index.setdefault(lower.split()[0], []).append((lower, target, key))
    for candidates in index.values():
        candidates.sort(key=lambda candidate: len(candidate[0]), reverse=True)
    return index


_LABELS = _label_index()


def _labelled(segment: str) -> tuple[str, str, str] | None:
    """(target, key, value) for "<label> <value>" or "<label>: <value>", after
    an optional "alt." (OFAC's mark of a second value); None for other text."""
    text = segment[5:].lstrip() if segment[:5].lower() == "alt. " else segment
    lower = text.lower()
    words = lower.split(None, 1)
    if not words:
        return None
    for label, target, key in _LABELS.get(words[0].rstrip(":"), ()):
        if lower.startswith(label):
            rest = text[len(label):]
            if rest[:1] == ":" or rest[:1].isspace():
                value = rest.lstrip(": \t").strip()
                if value:
                    return target, key, value
    return None


_SEGMENTS = re.compile(r";\s*")  # OFAC slips: "possibly Palestinian;arrested 23 Apr 2002"
_EXECUTIVE_ORDER = re.compile(
    r"(?:alt\.\s+)?Executive Order (\d{5}) (?:Directive Determination|Directive Information|information)"
    r"\s*[-:]?\s*(\S.*)", re.IGNORECASE | re.DOTALL)
_ALIAS = re.compile(r"([afn])\.k\.a\.\s+(.+)", re.IGNORECASE | re.DOTALL)
# (?<!\s) before a leading \s* or \s+: a match never starts inside a run of
# spaces (it would start at the run's first space), and without it every
# position of a long run is tried against the rest of the run: a remark of
# 100,000 spaces took minutes. The matches are the same.
_ID_COUNTRY = re.compile(r"(.*?)(?<!\s)\s*\(([^()]+)\)\s*(.*)", re.DOTALL)
_ID_DATES = re.compile(r"(?<!\s)\s+((?:issued|expires|Issue Date|Expire Date)\b.*)", re.IGNORECASE | re.DOTALL)
_DIGITAL_CURRENCY = re.compile(r"-\s*([A-Z0-9]{2,6})\s+(\S.*)", re.DOTALL)
_RANGE = re.compile(r"(?<!\s)\s+to\s+|(?<=\d{4})\s*-\s*(?=\d{4}$)", re.IGNORECASE)
_CIRCA = re.compile(r"(?:circa|approximately|approx\.)\s+", re.IGNORECASE)

#: words that end in a period of their own at the end of a company's name
ABBREVIATIONS = frozenset({"INC", "LTD", "LTDA", "CORP", "CO", "CIA", "BHD", "PTE", "PVT", "JR",
                           "SR", "NO", "ST", "BROS", "INT", "INTL", "SDN"})

#: a DOB range of more years than this is kept as text, not expanded to years
MAX_YEAR_RANGE = 30


# --------------------------------------------------------------------------- remarks

class Remarks:
    __slots__ = ("aliases", "birth_dates", "birth_places", "nationalities", "identifiers",
                 "gender", "registration_countries")

    def __init__(self) -> None:
        self.aliases: list[ListedName] = []
        self.birth_dates: list[str] = []
        self.birth_places: list[str] = []
        self.nationalities: list[str] = []
        self.identifiers: list[ListedIdentifier] = []
        self.gender: str | None = None
        self.registration_countries: list[str] = []


def parse_remarks(remarks: str, names: set[str], properties: dict[str, list[str]]) -> Remarks:
    parsed = Remarks()
    segments = _SEGMENTS.split(remarks)
    for index, segment in enumerate(segments):
        segment = segment.strip()
        last = index == len(segments) - 1
        if segment[1:6].lower() == ".k.a." and (match := _ALIAS.fullmatch(segment)):
            if name := _quoted_name(match.group(2)):
                # OFAC: in the CSV files, the aliases in the remarks are its weak a.k.a.s
                letter = match.group(1).lower()
                quality = "weak" if letter == "a" else f"weak {letter}.k.a."
                parsed.aliases.append(ListedName(name=name, kind=NameKind.weak, quality=quality))
            continue
        if "Executive Order" in segment and (match := _EXECUTIVE_ORDER.fullmatch(segment)):
            key = f"executive_order_{match.group(1)}"
            properties.setdefault(key, []).append(match.group(2).removesuffix(".").strip())
            continue
        labelled = _labelled(segment)
        if labelled is None:
            continue  # a title, a free note: kept in `remarks` only
        target, key, value = labelled
        if target == "prop":
            if key == "linked_to":
                value = _linked_name(value, names, last)
            else:
                value = value.removesuffix(".").strip()
            if key == "nationality_of_registration" and (code := country_code(value)):
                parsed.registration_countries.append(code)
            if value:
                properties.setdefault(key, []).append(value)
        elif target == "id":
            if identifier := _identifier(key, value):
                parsed.identifiers.append(identifier)
        else:
            _field(parsed, key, value.removesuffix(".").strip(), properties)
    return parsed


def _field(parsed: Remarks, key: str, value: str, properties: dict[str, list[str]]) -> None:
    if key == "dob":
        dates, exact = _birth_dates(value)
        parsed.birth_dates.extend(dates)
        if not dates:
            properties.setdefault("birth_dates_unparsed", []).append(value)
        elif not exact:
            properties.setdefault("birth_dates_approximate", []).append(value)
    elif key == "pob":
        parsed.birth_places.append(value)
    elif key == "nationality":
        if code := country_code(value):
            parsed.nationalities.append(code)
        else:
            properties.setdefault("nationalities_unresolved", []).append(value)
    elif key == "gender":
        parsed.gender = value  # as OFAC writes it, "Male" or "Female", like the UN list


def _quoted_name(text: str) -> str | None:
    """The name in "a.k.a. 'X'." as OFAC writes it, including its slips:
    ''FOOPIE'' -> FOOPIE, 'EL PATRON'' -> EL PATRON, 'SUE RC 'KMP'' -> SUE RC 'KMP'."""
    name = text.strip().removesuffix(".").strip()
    while len(name) >= 2 and name[0] == "'" and name[-1] == "'":
        name = name[1:-1].strip()
    if name.endswith("'") and name.count("'") % 2:
        name = name[:-1].strip()
    if name.startswith("'") and name.count("'") % 2:
        name = name[1:].strip()
    return name or None


def _linked_name(value: str, names: set[str], last: bool) -> str:
    """The entry's name as the list writes it: the remarks' closing period is
    not part of it ('Linked To: USA REALLY.'), an abbreviation's is ('... S.A.')."""
    if not value.endswith(".") or value in names:
        return value
    if value[:-1] in names:
        return value[:-1]
    if not last:
        return value
    # not an entry of this list (another list's, or renamed): the period is the
    # sentence's unless it ends an abbreviation ("S.A.", "C.V.", "LTD.")
    word = value[:-1].rsplit(None, 1)[-1]
    if "." in word or word.upper() in ABBREVIATIONS:
        return value
    return value[:-1]


def _identifier(kind: str, text: str) -> ListedIdentifier | None:
    text = text.removesuffix(".").strip()
    note = None
    if kind == "digital_currency_address":  # "Digital Currency Address - XBT 1A2b..."
        if match := _DIGITAL_CURRENCY.fullmatch(text):
            note, text = match.group(1), match.group(2).strip()
    country = None
    if match := _ID_COUNTRY.fullmatch(text):
        before, inside, after = match.groups()
        if before and (code := country_code(inside)):
            country, text = code, before.strip()
            if after:
                note = " ".join(filter(None, (note, after.strip())))
    if match := _ID_DATES.search(text):
        note = " ".join(filter(None, (note, match.group(1).strip())))
        text = text[: match.start()].strip()
    text = text.strip(" ,")
    if text.startswith("(") and text.endswith(")") and text.count("(") == 1:
        text = text[1:-1].strip()  # "International Maritime Organization No. (5777731)"
    if not text:
        return None
    return ListedIdentifier(type=kind, value=text, country=country, note=note)


def _birth_dates(text: str) -> tuple[list[str], bool]:
    """ISO dates for an OFAC DOB, and whether it is exact: '14 Jun 1975' ->
    (['1975-06-14'], True); 'circa 1960' -> (['1960'], False); '1960 to 1962'
    and '01 Jan 1960 to 31 Dec 1962' -> (['1960', '1961', '1962'], False);
    '01 Oct 1992 to 31 Oct 1992' -> (['1992-10'], False); another range -> its
    two ends. ([], False) when it is not a date, or spans over MAX_YEAR_RANGE years."""
    value = text.strip()
    circa = _CIRCA.match(value)
    if circa:
        value = value[circa.end():]
    parts = _RANGE.split(value)
    if len(parts) == 1:
        date = iso_date(value)
        return ([date], not circa) if date else ([], False)
    if len(parts) != 2:
        return [], False
    start, end = iso_date(parts[0]), iso_date(parts[1])
    if not start or not end or end < start:
        return [], False
    first, last = int(start[:4]), int(end[:4])
    if start[4:] in ("", "-01", "-01-01") and end[4:] in ("", "-12", "-12-31"):
        if last - first <= MAX_YEAR_RANGE:  # whole years: each of them
            return [str(year) for year in range(first, last + 1)], False
        return [], False
    if len(start) == len(end) == 10 and start[:7] == end[:7] and start[8:] == "01" \
            and int(end[8:]) == calendar.monthrange(first, int(end[5:7]))[1]:
        return [start[:7]], False  # one whole month: "01 Oct 1992 to 31 Oct 1992"
    return [start, end], False
