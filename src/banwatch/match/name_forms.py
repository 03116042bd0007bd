"""How names are written around the name itself, undone before words are compared.

- Annotations: a bracketed note ("YUK TUNG (IMO 9030591)"), an appended port
  ("JW JEWEL, port of Abidjan"), a former name ("ARGO I (ex-AMOL)"). A query is
  screened without them; a listed name is indexed with and without them.
- Vessel prefixes: MV, M/V, MT, M/T, M.V. (rigour's list of object-name
  prefixes, less "SS" and "The", which also begin persons' and companies' names).
- Words run together in CamelCase ("RamiMakhlouf", "SiemensAG").
- Ordinary words abbreviated in company names (Mgmt, Intl, Bros ...), and
  numerals (Roman numerals and the forms of rigour's ordinals table: "III",
  "3rd", "No. 3"): the tables here, the comparison in `score`, since whether
  "Dev" is "Development" or "XI" is 11 depends on whether the name is a person's.
"""

from __future__ import annotations

import functools
import re

from rigour._core import obj_name_prefixes_list, ordinals_dict

ANNOTATION = re.compile(
    r"\s*[(\[][^()\[\]]*[)\]]"  # (IMO 9030591), [tanker]
    r"|,?\s+\bport\s+(?:of\s+|d['’]\s*|de\s+)?[\w'’ -]+$"  # , port of Abidjan / port d'Abidjan
    r"|,?\s+\b(?:ex|f\.?k\.?a\.?|formerly)[\s.:-]+[\w'’ .-]+$",  # ex-AMOL, f.k.a. SINA
    re.IGNORECASE)
VESSEL_PREFIXES = [p for p in obj_name_prefixes_list() if p.upper().startswith("M")]
VESSEL_PREFIX = re.compile(r"^\W*(?:(?:%s)\.?\s+)+" % "|".join(re.escape(p) for p in VESSEL_PREFIXES), re.IGNORECASE)
#: a word begun after two small letters: "RamiMakhlouf", "SiemensAG"; not "McDonald", nor a typo's
#: "TaARYOV", nor a legal form's last capital ("GmbH")
CAMEL = re.compile(r"(?<=[a-z]{2})(?=[A-Z][a-z]|[A-Z]{2})")

#: Abbreviations of ordinary words in company names, written out. Our own table:
#: rigour and FollowTheMoney keep tables of legal forms (handled by rigour's
#: org types), not of the other words of a company's name.
ABBREVIATIONS = {
    "bros": "brothers", "mfg": "manufacturing", "mfrs": "manufacturers", "intl": "international",
    "int'l": "international", "svcs": "services", "svc": "service", "servs": "services", "engg": "engineering",
    "engr": "engineering", "assn": "association", "assoc": "associates", "inds": "industries", "ind": "industries",
    "indl": "industrial", "dept": "department", "natl": "national", "nat'l": "national", "tech": "technology",
    "mgmt": "management", "mgt": "management", "hldgs": "holdings", "hldg": "holding", "grp": "group",
    "devt": "development", "dev": "development", "invt": "investment", "invts": "investments", "trdg": "trading",
    "coml": "commercial", "comml": "commercial", "shpg": "shipping", "chem": "chemical", "gen": "general",
    "org": "organization", "ctr": "center", "inst": "institute", "univ": "university", "equip": "equipment",
    "agcy": "agency", "ents": "enterprises", "ent": "enterprise", "elec": "electronics", "constr": "construction",
    "distr": "distribution", "dist": "distribution", "labs": "laboratories", "sys": "systems", "marit": "maritime",
    "transp": "transport", "ins": "insurance", "pharma": "pharmaceutical",  # not 'petro': also a given name
    "pharm": "pharmaceutical", "natl.": "national", "manuf": "manufacturing", "mkt": "market", "mktg": "marketing",
    "bldg": "building", "contr": "contractors", "fin": "financial", "admin": "administration", "ctre": "centre",
}
#: a word -> its abbreviations: a query's full word also finds the lists' abbreviated one
SHORT_FORMS: dict[str, tuple[str, ...]] = {
    word: tuple(short for short, full in ABBREVIATIONS.items() if full == word) for word in set(ABBREVIATIONS.values())}
#: spellings of one word that differ in more than a typo
SPELLINGS = {"centre": "center", "organisation": "organization"}
TABLED_WORDS = frozenset((*ABBREVIATIONS, *ABBREVIATIONS.values(), *SPELLINGS, *SPELLINGS.values()))
SPELLINGS_OF = {word: tuple(other for other, same in SPELLINGS.items() if same == word) for word in SPELLINGS.values()}

NUMBER_MARKS = {"no", "nr", "number", "num"}  # 'No. 3', 'Nr 3': the number is the word that counts
ROMAN = re.compile(r"^[ivx]+$")


@functools.cache
def numerals() -> dict[str, int]:
    """'iii' -> 3, '3rd' -> 3, '#3' -> 3 ... for 1-100, from rigour's ordinals
    table: Roman numerals and forms with digits, single words, lower case. Not the
    spelled-out words ('one', 'first'), which are also ordinary words of names."""
    table: dict[str, int] = {}
    for value, forms in ordinals_dict().items():
        if 0 < value <= 100:
            for form in forms:
                word = form.lower().strip(".")
                if " " not in word and word.isascii() and word.isalnum() and (
                        ROMAN.match(word) or any(char.isdigit() for char in word)):
                    table[word] = value
    for value in range(1, 40):  # the table has only some Roman numerals ('xi' is missing)
        table[roman(value)] = value
    for value in range(1, 101):
        table[str(value)] = value
    return table


def roman(value: int) -> str:
    tens, units = divmod(value, 10)
    return "x" * tens + ["", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix"][units]


def numeral_value(token: str) -> int | None:
    """The number a word writes, or None: '3', 'iii', '3rd' -> 3. Whether a lone
    'i', 'v' or 'x' is a number or an initial is the caller's call."""
    return numerals().get(token)


def abbreviation_of(short: str, word: str) -> bool:
    """'mgmt' abbreviates 'management' (company names only: 'Dev' and 'Petro' are
    also given names)."""
    return ABBREVIATIONS.get(short) == SPELLINGS.get(word, word) or \
        SPELLINGS.get(short, short) == SPELLINGS.get(word, word) != short


def abbreviation_partners(token: str) -> frozenset[str]:
    """Every word `abbreviation_of` pairs with `token`, either way round:
    'mgmt' -> 'management'; 'centre' -> 'center', 'ctr', 'ctre'."""
    if token not in TABLED_WORDS:  # most words: no table knows them
        return frozenset()
    canons = {SPELLINGS.get(word, word) for word in (token, ABBREVIATIONS.get(token)) if word}
    spellings = {word for canon in canons for word in (canon, *SPELLINGS_OF.get(canon, ()))}
    partners = spellings.union(*(SHORT_FORMS.get(word, ()) for word in spellings))
    return frozenset(partners - {token})  # a superset: abbreviation_of decides


def without_number_marks(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """'no 3' -> '3': the mark says only that a number follows."""
    return tuple(token for i, token in enumerate(tokens)
                 if not (token in NUMBER_MARKS and i + 1 < len(tokens) and tokens[i + 1].isdigit()))


def annotations_removed(text: str) -> str:
    """The name without its bracketed notes, appended port and former name."""
    stripped = text
    for _ in range(3):  # 'NAME (ex-A) (IMO 1)' has two
        shorter = ANNOTATION.sub("", stripped).strip(" ,;-")
        if shorter == stripped or not re.search(r"\w", shorter):
            break
        stripped = shorter
    return stripped


def prepared(text: str) -> str:
    """A name as its words should be read: vessel prefix dropped, CamelCase split."""
    without_prefix = VESSEL_PREFIX.sub("", text)
    if re.search(r"\w", without_prefix):
        text = without_prefix
    return CAMEL.sub(" ", text)
