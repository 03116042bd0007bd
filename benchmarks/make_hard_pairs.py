"""Write `benchmarks/data/hard-pairs.csv`: labelled name pairs as other people
write names, the ground truth of `bench_pairs.py`.

    .venv/bin/python benchmarks/make_hard_pairs.py

Independent of the engine: the rules below were written, and the file
generated, before the engine was tuned on it, and they call nothing of
banwatch's matching (only its list readers, to read ../shared/data). They
take real names from the lists (OFAC SDN 2021, OFAC consolidated, UN, BIS DPL,
CSL sample, banwatch's catalog) and write them the ways the world does; the
hand-written pairs of `hard-pairs-hand.csv` (public figures in their own
scripts, CJK names, homophones, names of the other gender; each row citing the
Wikipedia article of the person or company) are added as they are.

One row a pair: `pair_id, query, candidate, type, match, category, origin,
split`. `match` is 1 when both sides name the same party, 0 when they name
different parties; `origin` names the list entries (`ofac-sdn:36`) or the
article the names come from and the rule that made the query.

The split: pairs are joined into groups by shared names (the same name, as
lower-case ASCII words, on either side of two pairs puts them in one group),
and each group goes wholly to `tuning` or `held-out` with a seeded coin
(SEED), so that no name is in both parts. The engine is tuned on `tuning`
only; `held-out` is reported, never looked at row by row.

Rules, per category (about half of each category's pairs are non-matches).
"Sibling" below, for a listed name S of entity E, is another entity's listed
name of the same type that shares a word of 3+ letters with S (legal forms and
the generic words of GENERIC left out), the one sharing most such words, ties
broken by the seeded random order; never a name of an entity that shares a
name with E (the same person on two lists), and never one whose words all
appear in the query or whose words the query all holds (a reviewer would call
such a pair the same name).

- `initials` (persons written "SURNAME, Given ..."): match: the given names
  to initials, one of "A. Surname", "A Surname", "Given M. Surname" (a middle
  name to its initial), "A.B. Surname", "J.-C. Surname" (a hyphenated given
  name); non-match: the same form with the first initial changed to a letter
  none of the given names starts with.
- `punctuation`: names with hyphens, apostrophes, dots, slashes or "&": match:
  the punctuation dropped (words joined), or turned into spaces, "&" <-> "and",
  dotted initials "N.K." -> "N K"; non-match: the same rewrite of S against a
  sibling.
- `joined_split`: match: two neighbouring words of S written as one
  ("Siemens AG" -> "SiemensAG", in CamelCase for persons "RamiMakhlouf"), or a
  word of 8+ letters split where both halves are words of the lists
  ("PETROCHEMICAL" -> "PETRO CHEMICAL"); non-match: the rewrite against a sibling.
- `abbreviation` (organisations with a word of ABBREVIATIONS): match: one or
  two such words abbreviated; non-match: the rewrite against a sibling.
- `legal_form` (organisations with a legal form of LEGAL_FORMS): match: the
  form written out or translated (another entry of its row, in the place the
  other language puts it: "OOO Vega" -> "Vega LLC"); non-match: the rewrite
  against a sibling that has a legal form too.
- `translit_cyrillic` (persons tied to RU, UA, BY, KZ, KG, TJ): match: one or
  more of ROMANISATIONS applied (kh/h, ts/c/tz, ya/ja/ia, yu/ju/iu, iy/yy/ii,
  ye/e, zh/j, shch/sch, ...), or the name in Cyrillic by a reverse BGN/PCGN
  table; non-match: the rewrite against a sibling.
- `translit_arabic` (UN persons and organisations with an Arabic-script name):
  match: the Arabic-script name against the Latin primary name; non-match:
  the Arabic name against a sibling of the Latin name.
- `vessel` (vessels): match: a prefix (MV, M/V, MT, M/T, M.V.), an appended
  port (", port of <a port of the vessel's flag>"), a former name from the
  entry's own f.k.a. ("(ex-AMOL)"), or a bracketed note (its IMO number, its
  type); non-match: the same prefix or note on a sibling vessel's name.
- `numerals` (names with a number or a Roman numeral word): non-match: the
  number changed (Roman: the next or the previous; Arabic: its last digit
  changed; a code "AHL1": its digit changed); match: a Roman numeral written in
  Arabic digits or the reverse ("III" -> "3"), "NO. 1" -> "No 1" / "#1".
- `one_letter`: non-match: in an organisation's or vessel's name of at most
  four words, its rarest distinctive word of 4 to 8 letters made plural or
  singular (an S added or dropped); in a Chinese person's or company's name a
  pinyin syllable changed by one sound (ing/in, ang/an, eng/en, sh/s, zh/z,
  ch/c) to another syllable the lists' Chinese names use; match: one letter
  changed in a distinctive word of 9+ letters (a typo, as a guard).
- `distinctive_word` (organisations whose words are all GENERIC or legal forms
  but one or two): non-match: the distinctive words replaced by those of
  another such organisation; match: one generic word or the legal form dropped.
- `patronymic` (persons with a chain of bin/ibn/ben): non-match: the two
  names on either side of a "bin" swapped ("Salman bin Muhammad" ->
  "Muhammad bin Salman"); match: bin written ibn or ben, or al- written el-.
- `cjk_script` (CJK names of the lists and the catalog): non-match: one Han
  character replaced by another common character (GB2312 level 1) of the same
  toneless Mandarin reading; match: the name in traditional characters
  (ICU's Simplified-Traditional), or the surname and given name spaced.
- `gender` (persons tied to RU, UA, BY with a given name of GENDER_PAIRS):
  non-match: the given name, the patronymic and the surname ending moved to the
  other gender ("Oleg Baranov" -> "Olga Baranova"); match: the given name in
  another romanisation of the same gender (Aleksandr -> Alexander).
"""

from __future__ import annotations

import csv
import random
import re
import sys
import unicodedata
from collections import defaultdict
from difflib import SequenceMatcher
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_labelled_set import key, key_words, load_entities, to_cyrillic  # noqa: E402
from make_pinyin import common_han_characters  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "data" / "hard-pairs.csv"
HAND = HERE / "data" / "hard-pairs-hand.csv"
SEED = 20261202
#: pairs per category from the lists, before the hand-written ones
PER_SIDE = 80
FIELDS = ("pair_id", "query", "candidate", "type", "match", "category", "origin", "split")

GENERIC = set("""trading trade company co limited ltd llc inc corp corporation group international intl general
industrial industries industry commercial investment investments holding holdings services service shipping bank
enterprise enterprises import export development technology technologies engineering petroleum oil gas foreign
national state the of and for de la el al del des du y e et und for in s a sa srl jsc ojsc cjsc pjsc ooo zao oao ao
fze fzco fzc plc pte pvt private public joint stock gmbh ag bv nv llp lp sdn bhd pt cia ltda sas sarl establishment
est office agency center centre institute organization organisation association foundation society construction
marine maritime management logistics transport import-export exports imports global world middle east new""".split())

ABBREVIATIONS = {
    "BROTHERS": ["BROS"], "MANUFACTURING": ["MFG"], "INTERNATIONAL": ["INTL", "INT'L"], "SERVICES": ["SVCS"],
    "SERVICE": ["SVC"], "ENGINEERING": ["ENGG", "ENG"], "ASSOCIATION": ["ASSN"], "INDUSTRIES": ["INDS"],
    "INDUSTRIAL": ["INDL"], "DEPARTMENT": ["DEPT"], "NATIONAL": ["NATL", "NAT'L"], "TECHNOLOGY": ["TECH"],
    "MANAGEMENT": ["MGMT"], "HOLDINGS": ["HLDGS"], "GROUP": ["GRP"], "DEVELOPMENT": ["DEVT", "DEV"],
    "INVESTMENT": ["INVT"], "INVESTMENTS": ["INVTS"], "TRADING": ["TRDG"], "COMMERCIAL": ["COML"],
    "SHIPPING": ["SHPG"], "PETROLEUM": ["PETRO"], "CHEMICAL": ["CHEM"], "GENERAL": ["GEN"],
    "ORGANIZATION": ["ORG"], "CENTER": ["CTR"], "CENTRE": ["CTR"], "INSTITUTE": ["INST"], "UNIVERSITY": ["UNIV"],
    "EQUIPMENT": ["EQUIP"], "AGENCY": ["AGCY"], "ENTERPRISES": ["ENTS"], "ENTERPRISE": ["ENT"],
    "ELECTRONICS": ["ELEC"], "CONSTRUCTION": ["CONSTR"], "DISTRIBUTION": ["DISTR"], "LABORATORY": ["LAB"],
    "LABORATORIES": ["LABS"], "SYSTEMS": ["SYS"], "MARITIME": ["MARIT"], "TRANSPORT": ["TRANSP"],
    "COMPANY": ["CO"], "CORPORATION": ["CORP"], "ASSOCIATES": ["ASSOC"], "INSURANCE": ["INS"],
}

#: legal forms and their written-out or translated equivalents: each row is one
#: form; the first entry is how lists abbreviate it. "after" forms follow the
#: name in English ("Vega LLC"), the others lead it in their language ("OOO Vega").
LEGAL_FORMS = [
    (["OOO", "LLC", "Obshchestvo s Ogranichennoy Otvetstvennostyu", "Limited Liability Company", "ООО"], "ru"),
    (["ZAO", "CJSC", "Zakrytoye Aktsionernoye Obshchestvo", "Closed Joint Stock Company", "ЗАО"], "ru"),
    (["OAO", "OJSC", "Otkrytoye Aktsionernoye Obshchestvo", "Open Joint Stock Company", "ОАО"], "ru"),
    (["PAO", "PJSC", "Publichnoye Aktsionernoye Obshchestvo", "Public Joint Stock Company", "ПАО"], "ru"),
    (["AO", "JSC", "Aktsionernoye Obshchestvo", "Joint Stock Company", "АО"], "ru"),
    (["GmbH", "Gesellschaft mit beschränkter Haftung", "Gesellschaft mbH"], "de"),
    (["AG", "Aktiengesellschaft"], "de"),
    (["S.A. de C.V.", "Sociedad Anónima de Capital Variable", "SA de CV"], "es"),
    (["S.A.", "Sociedad Anónima", "SA"], "es"),
    (["LTDA", "Limitada", "Ltda."], "es"),
    (["S.R.L.", "Sociedad de Responsabilidad Limitada", "SRL"], "es"),
    (["SARL", "Société à responsabilité limitée", "S.A.R.L."], "fr"),
    (["Sp. z o.o.", "spółka z ograniczoną odpowiedzialnością", "Sp. z o. o."], "pl"),
    (["CO., LTD.", "Company Limited", "Co Ltd"], "en"),
    (["LTD.", "Limited", "Ltd"], "en"),
    (["LLC", "Limited Liability Company", "L.L.C."], "en"),
    (["INC.", "Incorporated", "Inc"], "en"),
    (["CORP.", "Corporation", "Corp"], "en"),
    (["PLC", "Public Limited Company", "P.L.C."], "en"),
    (["PVT. LTD.", "Private Limited", "Pvt Ltd"], "en"),
    (["PTE. LTD.", "Private Limited", "Pte Ltd"], "en"),
    (["FZE", "Free Zone Establishment", "F.Z.E."], "en"),
    (["FZCO", "Free Zone Company", "FZ CO"], "en"),
    (["SDN. BHD.", "Sendirian Berhad", "Sdn Bhd"], "ms"),
    (["OÜ", "osaühing", "OU"], "et"),
]
#: "AO Vega" <-> "Vega JSC": these rows' English forms follow the name
ENGLISH_AFTER = {"LLC", "CJSC", "OJSC", "PJSC", "JSC", "Limited Liability Company", "Closed Joint Stock Company",
                 "Open Joint Stock Company", "Public Joint Stock Company", "Joint Stock Company"}

ROMANISATIONS = [("kh", "h"), ("ts", "c"), ("ts", "tz"), ("ya", "ja"), ("ya", "ia"), ("yu", "ju"), ("yu", "iu"),
                 ("iy", "y"), ("iy", "ii"), ("yy", "iy"), ("ye", "e"), ("zh", "j"), ("shch", "sch"),
                 ("shch", "shh"), ("ch", "tch"), ("yevich", "evich"), ("yevna", "evna"), ("ei", "ey"),
                 ("ey", "ei"), ("aya", "aja"), ("v", "w"), ("ks", "x"), ("y", "j"), ("ii", "y")]
CYRILLIC_COUNTRIES = {"RU", "UA", "BY", "KZ", "KG", "TJ"}

#: Russian given names and their other-gender forms; patronymic and surname endings
GENDER_PAIRS = {"aleksandr": "aleksandra", "alexander": "alexandra", "yevgeniy": "yevgeniya", "evgeniy": "evgeniya",
                "evgeny": "evgenia", "yevgeny": "yevgenia", "valeriy": "valeriya", "valery": "valeria",
                "oleg": "olga", "vladislav": "vladislava", "yaroslav": "yaroslava", "stanislav": "stanislava",
                "viktor": "viktoriya", "victor": "victoria", "vitaliy": "vitaliya", "nikolay": "nikoleta",
                "ruslan": "ruslana", "vladimir": "vladimira", "bogdan": "bogdana", "svyatoslav": "svyatoslava",
                "anatoliy": "anatoliya", "igor": "inga", "ivan": "ivanna", "yuriy": "yuliya", "yury": "yulia",
                "dmitriy": "darya", "dmitry": "daria", "roman": "romana", "denis": "denisa", "pavel": "pavla",
                "gennadiy": "galina", "mikhail": "milena", "leonid": "lidiya", "boris": "borislava",
                "sergey": "svetlana", "sergei": "svetlana", "andrei": "anna", "andrey": "anna", "aleksei": "alla",
                "aleksey": "alla", "artem": "alina", "kirill": "kira", "maksim": "marina", "petr": "polina",
                "vasiliy": "vasilisa", "vasily": "vasilisa", "yan": "yana", "zhan": "zhanna", "arkadiy": "arina"}
GENDER_SAME = {"aleksandr": "alexander", "yevgeniy": "evgeny", "evgeniy": "yevgeny", "valeriy": "valery",
               "viktor": "victor", "vitaliy": "vitaly", "nikolay": "nikolai", "yuriy": "yury", "dmitriy": "dmitry",
               "gennadiy": "gennady", "mikhail": "michail", "sergey": "sergei", "sergei": "sergey",
               "andrei": "andrey", "andrey": "andrei", "aleksei": "alexey", "aleksey": "alexei", "artem": "artyom",
               "petr": "pyotr", "vasiliy": "vasily", "anatoliy": "anatoly", "arkadiy": "arkady", "maksim": "maxim",
               "igor": "ihor", "oleg": "oleh", "pavel": "pavlo", "olga": "olha", "yuliya": "yulia", "yelena": "elena",
               "natalya": "natalia", "tatyana": "tatiana", "irina": "iryna", "svetlana": "sviatlana"}
ENDINGS = [("ovich", "ovna"), ("evich", "evna"), ("ich", "ichna"), ("skiy", "skaya"), ("sky", "skaya"),
           ("ov", "ova"), ("ev", "eva"), ("in", "ina"), ("yn", "yna")]

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
PORTS = {"IR": "Bandar Abbas", "KP": "Nampo", "SY": "Latakia", "PA": "Balboa", "VE": "Puerto La Cruz",
         "CU": "Havana", "AE": "Fujairah", "LR": "Monrovia", "CI": "Abidjan", "RU": "Novorossiysk"}
PINYIN_CHANGES = [("ing", "in"), ("in", "ing"), ("ang", "an"), ("an", "ang"), ("eng", "en"), ("en", "eng"),
                  ("sh", "s"), ("zh", "z"), ("ch", "c"), ("s", "sh"), ("z", "zh"), ("c", "ch")]
CHINESE_COUNTRIES = {"CN", "HK", "TW", "MO"}
#: the generic words of Chinese company names (limited company, joint-stock, group, technology, ...)
CJK_GENERIC = ("股份有限公司", "有限责任公司", "有限公司", "有限責任公司", "公司", "集团", "集團", "技术", "技術", "科技",
               "国际", "國際", "贸易", "貿易", "海运", "海運", "通讯", "通訊", "工业", "工業", "电子", "電子", "通信", "数字", "股份", "株式会社")


class Pairs:
    """The pairs of one category, with the entity or article behind each side."""

    def __init__(self, category: str):
        self.category = category
        self.rows: list[dict] = []
        self.seen: set[tuple[str, str]] = set()

    def add(self, query: str, candidate: str, type_: str, match: int, origin: str) -> bool:
        query, candidate = " ".join(query.split()), " ".join(candidate.split())
        if not query or query == candidate or (query, candidate) in self.seen:
            return False
        if match and latin(query) and key(query) == key(candidate):
            return False  # the rewrite changed nothing a reader would see
        self.seen.add((query, candidate))
        self.rows.append({"query": query, "candidate": candidate, "type": type_, "match": match,
                          "category": self.category, "origin": origin})
        return True

    def count(self, match: int) -> int:
        return sum(row["match"] == match for row in self.rows)

    def full(self, match: int) -> bool:
        return self.count(match) >= PER_SIDE


def words_of(text: str) -> set[str]:
    return {word for word in key_words(text) if len(word) >= 3 and word not in GENERIC}


class Lists:
    """The listed entities with the lookups the rules need."""

    def __init__(self, entities: list):
        self.entities = [e for e in entities if e.type.value in ("person", "organization", "vessel")]
        self.keys_of = {e.id: {key(n) for n in e.all_names()} for e in self.entities}
        self.owners: dict[tuple, set[str]] = defaultdict(set)
        for e in self.entities:
            for k in self.keys_of[e.id]:
                self.owners[k].add(e.id)
        self.by_word: dict[str, list] = defaultdict(list)
        for e in self.entities:
            for word in words_of(e.name):
                self.by_word[word].append(e)
        self.vocabulary = {w for e in self.entities for n in e.all_names() for w in key_words(n) if len(w) >= 3}

    def same_party(self, a, b) -> bool:
        """One party listed twice (the same person on OFAC's and the UN's list)."""
        return a.id == b.id or bool(self.keys_of[a.id] & self.keys_of[b.id])

    def sibling(self, entity, source_name: str, query: str, rng: random.Random):
        """Another entity's name like `source_name` (see the module docstring), or None."""
        mine = words_of(source_name)
        query_words = set(key_words(query))
        shared: dict[str, tuple[int, object]] = {}
        for word in sorted(mine):
            for other in self.by_word.get(word, ()):
                if other.type != entity.type or self.same_party(entity, other):
                    continue
                count = len(words_of(other.name) & mine)
                shared[other.id] = (count, other)
        options = []
        for count, other in shared.values():
            other_words = set(key_words(other.name))
            if other_words <= query_words or query_words <= other_words:
                continue
            # one party listed twice under two spellings is not a sibling: a name of the
            # other entry this close to one of the entity's own names is left out
            closeness = max(SequenceMatcher(None, " ".join(key(other.name)), " ".join(key(n))).ratio()
                            for n in entity.all_names())
            if closeness >= 0.8:
                continue
            options.append((count, closeness, other.id, other))
        if not options:
            return None
        options.sort(key=lambda option: (-option[0], -option[1], option[2]))  # most shared, then closest
        return options[0][3]

    def of_type(self, type_: str, rng: random.Random) -> list:
        chosen = sorted((e for e in self.entities if e.type.value == type_), key=lambda e: e.id)
        rng.shuffle(chosen)
        return chosen


def origin_of(*entities, rule: str) -> str:
    return "|".join(e.id for e in entities) + f"|rule:{rule}"


def latin(text: str) -> bool:
    return all(not ch.isalpha() or "LATIN" in unicodedata.name(ch, "") for ch in text)


def sibling_negative(pairs: Pairs, lists: Lists, entity, source_name: str, query: str, rng, rule: str) -> None:
    if pairs.full(0):
        return
    other = lists.sibling(entity, source_name, query, rng)
    if other is not None:
        pairs.add(query, other.name, entity.type.value, 0, origin_of(entity, other, rule=f"{rule}, sibling"))


def match_else_sibling(pairs: Pairs, lists: Lists, entity, source_name: str, query: str, rng, rule: str) -> None:
    """The rewrite against its own name while the category wants matches, then against a sibling."""
    if not pairs.full(1):
        pairs.add(query, source_name, entity.type.value, 1, origin_of(entity, rule=rule))
    else:
        sibling_negative(pairs, lists, entity, source_name, query, rng, rule)


# --------------------------------------------------------------------------- persons' names


def split_person(name: str) -> tuple[str, list[str]] | None:
    """'KHAMENEI, Ali Hosseini' -> ('KHAMENEI', ['Ali', 'Hosseini'])."""
    if name.count(",") != 1:
        return None
    surname, given = (part.strip() for part in name.split(","))
    given_words = given.split()
    if not surname or not given_words or not latin(name) or re.search(r"[\d()]", name):
        return None
    return surname, given_words


def natural(surname: str, given: list[str]) -> str:
    return " ".join([*given, surname.title()])


def initials(lists: Lists, rng: random.Random) -> Pairs:
    pairs = Pairs("initials")
    forms = ("A. Surname", "A Surname", "Given M. Surname", "A.B. Surname", "J.-C. Surname")
    for i, entity in enumerate(lists.of_type("person", rng)):
        if pairs.full(1) and pairs.full(0):
            break
        parts = split_person(entity.name)
        if not parts:
            continue
        surname, given = parts
        if not all(word[0].isalpha() for word in given):
            continue
        form = forms[i % len(forms)]
        hyphenated = next((w for w in given if "-" in w.strip("-")), None)
        if hyphenated and not pairs.full(1):
            form = "J.-C. Surname"
        if form == "Given M. Surname" and len(given) < 2:
            form = "A. Surname"
        if form == "A.B. Surname" and len(given) < 2:
            form = "A Surname"
        if form == "J.-C. Surname" and not hyphenated:
            form = "A. Surname"

        def write(first_letter: str) -> str:
            if form == "A. Surname":
                return f"{first_letter}. {' '.join(given[1:])} {surname.title()}"
            if form == "A Surname":
                return f"{first_letter} {surname.title()}"
            if form == "Given M. Surname":
                return f"{given[0]} {first_letter}. {surname.title()}"
            if form == "A.B. Surname":
                return f"{first_letter}.{given[1][0].upper()}. {surname.title()}"
            halves = hyphenated.split("-")
            return f"{first_letter}.-{halves[1][0].upper()}. {surname.title()}"

        initial_of = given[1][0] if form == "Given M. Surname" else given[0][0]
        initial_of = initial_of.upper()
        if not pairs.full(1):
            pairs.add(write(initial_of), entity.name, "person", 1, origin_of(entity, rule=form))
        elif not pairs.full(0):
            starts = {w[0].upper() for w in given}
            letters = [c for c in "ABDEFGHIJKLMNOPRSTVWYZ" if c not in starts]
            pairs.add(write(rng.choice(letters)), entity.name, "person", 0,
                      origin_of(entity, rule=f"{form}, another initial"))
    return pairs


# --------------------------------------------------------------------------- rewrites of any name


def rewrite_punctuation(name: str, rng: random.Random) -> str | None:
    options = []
    if re.search(r"\w-\w", name):
        options += [name.replace("-", ""), name.replace("-", " ")]
    if "'" in name:
        options.append(name.replace("'", ""))
    if "&" in name:
        options.append(name.replace("&", " and "))
    if re.search(r"\band\b", name, re.I):
        options.append(re.sub(r"\band\b", "&", name, count=1, flags=re.I))
    if re.search(r"\b\w\.\w\.", name):
        options.append(re.sub(r"\b(\w)\.", r"\1 ", name))
    if "/" in name:
        options += [name.replace("/", ""), name.replace("/", " ")]
    if re.search(r"\w\.\w", name):
        options.append(re.sub(r"(\w)\.(\w)", r"\1\2", name))
    options = [" ".join(o.split()) for o in options if " ".join(o.split()) != name]
    return rng.choice(options) if options else None


def punctuation(lists: Lists, rng: random.Random) -> Pairs:
    pairs = Pairs("punctuation")
    entities = sorted(lists.entities, key=lambda e: e.id)
    rng.shuffle(entities)
    for entity in entities:
        if pairs.full(1) and pairs.full(0):
            break
        for name in entity.all_names():
            if not latin(name) or not re.search(r"[-'&./]|\band\b", name, re.I):
                continue
            query = rewrite_punctuation(name, rng)
            if query is None:
                continue
            match_else_sibling(pairs, lists, entity, name, query, rng, "punctuation")
            break
    return pairs


def joined_split(lists: Lists, rng: random.Random) -> Pairs:
    pairs = Pairs("joined_split")
    entities = sorted(lists.entities, key=lambda e: e.id)
    rng.shuffle(entities)
    for n, entity in enumerate(entities):
        if pairs.full(1) and pairs.full(0):
            break
        name = entity.name
        if not latin(name) or re.search(r"\d", name):
            continue
        query = None
        if entity.type.value == "person" and (parts := split_person(name)):
            surname, given = parts
            query = given[0] + surname.title().replace(" ", "")  # 'RamiMakhlouf'
        else:
            tokens = name.replace(",", " ").split()
            if n % 2 == 0:  # split a long word where both halves are words of the lists
                for i, token in enumerate(tokens):
                    plain = token.lower()
                    if len(plain) >= 8 and plain.isalpha():
                        cuts = [c for c in range(3, len(plain) - 2)
                                if plain[:c] in lists.vocabulary and plain[c:] in lists.vocabulary]
                        if cuts:
                            c = cuts[0]
                            query = " ".join([*tokens[:i], token[:c], token[c:], *tokens[i + 1:]])
                            break
            if query is None and len(tokens) >= 2:
                i = rng.randrange(len(tokens) - 1)
                if tokens[i].isalpha() and tokens[i + 1].rstrip(".").isalpha():
                    query = " ".join([*tokens[:i], tokens[i] + tokens[i + 1], *tokens[i + 2:]])
        if query is None:
            continue
        match_else_sibling(pairs, lists, entity, name, query, rng, "joined or split")
    return pairs


def abbreviation(lists: Lists, rng: random.Random) -> Pairs:
    pairs = Pairs("abbreviation")
    for entity in lists.of_type("organization", rng):
        if pairs.full(1) and pairs.full(0):
            break
        name = entity.name
        words = name.split()
        spots = [i for i, w in enumerate(words) if w.upper().strip(",.") in ABBREVIATIONS
                 and w.upper().strip(",.") not in ("COMPANY", "CORPORATION")]
        if not spots or not latin(name):
            continue
        chosen = rng.sample(spots, min(len(spots), rng.choice((1, 2))))
        for i in chosen:
            bare = words[i].upper().strip(",.")
            short = rng.choice(ABBREVIATIONS[bare])
            words[i] = words[i].upper().replace(bare, short + rng.choice(("", ".")), 1)
        query = " ".join(words)
        match_else_sibling(pairs, lists, entity, name, query, rng, "abbreviated words")
    return pairs


def find_legal_form(name: str) -> tuple[int, list[str], str, str] | None:
    """(row, its forms, the form found, the name without it)."""
    for row, (forms, _language) in enumerate(LEGAL_FORMS):
        for form in forms:
            pattern = r"(^|[\s,])" + re.escape(form) + r"($|[\s,])"
            match = re.search(pattern, name, re.I)
            if match:
                rest = (name[:match.start()] + " " + name[match.end():]).strip(" ,")
                if rest and len(key_words(rest)) >= 1:
                    return row, forms, form, " ".join(rest.split())
    return None


def legal_form(lists: Lists, rng: random.Random) -> Pairs:
    pairs = Pairs("legal_form")
    for entity in lists.of_type("organization", rng):
        if pairs.full(1) and pairs.full(0):
            break
        name = entity.name
        if not latin(name):
            continue
        found = find_legal_form(name)
        if not found:
            continue
        row, forms, form, rest = found
        other = rng.choice([f for f in forms if f.lower() != form.lower()])
        # Russian forms lead the name in Russian ("OOO Vega"), their English translations
        # follow it ("Vega LLC"), as do the forms of the other languages ("Vega GmbH")
        leads = LEGAL_FORMS[row][1] == "ru" and other not in ENGLISH_AFTER
        query = f"{other} {rest}" if leads else f"{rest} {other}"
        if not pairs.full(1):
            pairs.add(query, name, "organization", 1, origin_of(entity, rule=f"{form} -> {other}"))
        elif not pairs.full(0):
            sibling = lists.sibling(entity, name, query, rng)
            if sibling is not None and find_legal_form(sibling.name):
                pairs.add(query, sibling.name, "organization", 0,
                          origin_of(entity, sibling, rule=f"{form} -> {other}, sibling"))
    return pairs


def romanised(name: str, rng: random.Random) -> str | None:
    lowered = name.lower()
    applicable = [(a, b) for a, b in ROMANISATIONS if a in lowered]
    if not applicable:
        return None
    out = lowered
    for a, b in rng.sample(applicable, min(len(applicable), rng.choice((1, 2, 3)))):
        out = out.replace(a, b)
    if out == lowered:
        return None
    return out.title()


def translit_cyrillic(lists: Lists, rng: random.Random) -> Pairs:
    pairs = Pairs("translit_cyrillic")
    persons = [e for e in lists.of_type("person", rng)
               if set(e.nationalities) | set(e.countries) & CYRILLIC_COUNTRIES
               and (set(e.nationalities) | set(e.countries)) & CYRILLIC_COUNTRIES]
    for n, entity in enumerate(persons):
        if pairs.full(1) and pairs.full(0):
            break
        parts = split_person(entity.name)
        if not parts:
            continue
        surname, given = parts
        if n % 3 == 0:
            query = to_cyrillic(entity.name)
            rule = "Cyrillic, reverse BGN/PCGN"
        else:
            query = romanised(natural(surname, given), rng)
            rule = "another romanisation"
        if not query:
            continue
        match_else_sibling(pairs, lists, entity, entity.name, query, rng, rule)
    return pairs


def script_names(entity, script_word: str) -> list[str]:
    return [a.name for a in entity.aliases
            if any(ch.isalpha() and script_word in unicodedata.name(ch, "") for ch in a.name)]


def translit_arabic(lists: Lists, rng: random.Random) -> Pairs:
    pairs = Pairs("translit_arabic")
    for entity in sorted(lists.entities, key=lambda e: e.id):
        arabic = script_names(entity, "ARABIC")
        if not arabic or not latin(entity.name):
            continue
        query = arabic[0]
        if not pairs.full(1) and (pairs.count(1) <= pairs.count(0) or pairs.full(0)):
            pairs.add(query, entity.name, entity.type.value, 1, origin_of(entity, rule="Arabic script"))
        else:
            sibling_negative(pairs, lists, entity, entity.name, query, rng, "Arabic script")
        if pairs.full(1) and pairs.full(0):
            break
    return pairs


def vessel(lists: Lists, rng: random.Random) -> Pairs:
    pairs = Pairs("vessel")
    prefixes = ("MV ", "M/V ", "MT ", "M/T ", "M.V. ")
    for n, entity in enumerate(lists.of_type("vessel", rng)):
        if pairs.full(1) and pairs.full(0):
            break
        name = entity.name
        kind = n % 4
        former = [a.name for a in entity.aliases if latin(a.name) and not re.search(r"\d", a.name)]
        imo = next((i.value for i in entity.identifiers if "imo" in (i.type or "").lower()), None)
        if kind == 0:
            query = prefixes[n % len(prefixes)] + name
            rule = "prefix"
        elif kind == 1:
            flag = next((c for c in entity.countries if c in PORTS), rng.choice(sorted(PORTS)))
            query = f"{name}, port of {PORTS[flag]}"
            rule = "port appended"
        elif kind == 2 and former:
            query = f"{name} (ex-{former[0]})"
            rule = "former name"
        elif imo:
            query = f"{name} (IMO {imo})"
            rule = "bracketed note"
        else:
            query = f"{prefixes[n % len(prefixes)]}{name} (tanker)"
            rule = "prefix and note"
        if not pairs.full(1):
            pairs.add(query, name, "vessel", 1, origin_of(entity, rule=rule))
        elif not pairs.full(0):
            other = lists.sibling(entity, name, query, rng)
            if other is None:
                others = [e for e in lists.of_type("vessel", random.Random(n)) if not lists.same_party(e, entity)]
                other = others[0]
            pairs.add(query, other.name, "vessel", 0, origin_of(entity, other, rule=f"{rule}, another vessel"))
    return pairs


def renumber(name: str, rng: random.Random, same: bool) -> str | None:
    tokens = name.split()
    spots = [i for i, t in enumerate(tokens) if (t.strip(",.") in ROMAN and (t != "I" or i == len(tokens) - 1))
             or re.search(r"\d", t)]
    if not spots:
        return None
    i = rng.choice(spots)
    token = tokens[i].strip(",.")
    if token in ROMAN:
        value = ROMAN.index(token) + 1
        if same:
            tokens[i] = str(value)
        else:
            tokens[i] = ROMAN[value] if value == 1 or rng.random() < 0.5 else ROMAN[value - 2]
    else:
        digits = [j for j, ch in enumerate(token) if ch.isdigit()]
        if same:
            if token.isdigit() and 1 <= int(token) <= 12:
                tokens[i] = ROMAN[int(token) - 1]
            elif i > 0 and tokens[i - 1].upper() in ("NO.", "NO"):
                tokens[i - 1:i + 1] = [rng.choice(("No", "#")) + ("" if tokens[i - 1] == "#" else " ") + token]
            else:
                return None
        else:
            j = digits[-1]
            new = str((int(token[j]) + rng.randint(1, 8)) % 10)
            tokens[i] = token[:j] + new + token[j + 1:]
    return " ".join(tokens)


def numerals(lists: Lists, rng: random.Random) -> Pairs:
    pairs = Pairs("numerals")
    for entity in sorted(lists.entities, key=lambda e: e.id):
        for name in entity.all_names():
            # persons' 'V' is an initial, and a lone 'I' inside a Russian name is 'and' (и)
            if entity.type.value == "person" or not latin(name) or len(key_words(name)) < 2 \
                    or not re.search(r"\d|\b(I{2,3}|IV|VI{0,3}|IX|XI{0,2})\b|\bI$", name):
                continue
            if not pairs.full(0):
                query = renumber(name, rng, same=False)
                if query and key(query) not in lists.owners:
                    pairs.add(query, name, entity.type.value, 0, origin_of(entity, rule="another number"))
            if not pairs.full(1):
                query = renumber(name, rng, same=True)
                if query:
                    pairs.add(query, name, entity.type.value, 1, origin_of(entity, rule="the number written otherwise"))
    return pairs


def chinese_syllable(name: str, lists: Lists, rng: random.Random) -> str | None:
    tokens = name.replace(",", " ").split()
    options = []
    for i, token in enumerate(tokens):
        plain = token.lower()
        if not plain.isalpha() or len(plain) > 6:
            continue
        for a, b in PINYIN_CHANGES:
            for start in ([0] if len(a) < 3 and a in ("sh", "zh", "ch", "s", "z", "c") else [len(plain) - len(a)]):
                if plain[start:start + len(a)] == a and start in (0, len(plain) - len(a)):
                    new = plain[:start] + b + plain[start + len(a):]
                    if new != plain and new in lists.chinese_syllables:
                        options.append(" ".join([*tokens[:i], new.title() if token[0].isupper() and not
                                                 token.isupper() else new.upper(), *tokens[i + 1:]]))
    return rng.choice(sorted(set(options))) if options else None


def one_letter(lists: Lists, rng: random.Random) -> Pairs:
    pairs = Pairs("one_letter")
    chinese = [e for e in sorted(lists.entities, key=lambda e: e.id)
               if (set(e.countries) | set(e.nationalities)) & CHINESE_COUNTRIES and latin(e.name)]
    lists.chinese_syllables = {w for e in chinese for n in e.all_names() for w in key_words(n)
                               if w.isalpha() and len(w) <= 6} - GENERIC
    rng.shuffle(chinese)
    for entity in chinese:
        if pairs.count(0) >= PER_SIDE // 2:
            break
        query = chinese_syllable(entity.name, lists, rng)
        if query and key(query) not in lists.owners:
            pairs.add(query, entity.name, entity.type.value, 0, origin_of(entity, rule="one pinyin sound changed"))
    counts: dict[str, int] = defaultdict(int)
    for e in lists.entities:
        for w in set(key_words(e.name)):
            counts[w] += 1
    for entity in sorted(lists.entities, key=lambda e: e.id):
        if pairs.full(0) and pairs.full(1):
            break
        name = entity.name
        if entity.type.value not in ("organization", "vessel") or not latin(name) or len(name.split()) > 4:
            continue
        tokens = name.split()
        plain = [t.strip(",.").lower() for t in tokens]
        distinctive = [i for i, t in enumerate(plain) if t.isalpha() and t not in GENERIC]
        if not distinctive:
            continue
        rarest = min(distinctive, key=lambda i: (counts[plain[i]], i))
        word = tokens[rarest].strip(",.")
        if not pairs.full(0) and 4 <= len(word) <= 8:
            changed = word[:-1] if word.lower().endswith("s") and not word.lower().endswith("ss") else \
                word + ("S" if word.isupper() else "s")
            query = " ".join([*tokens[:rarest], tokens[rarest].replace(word, changed), *tokens[rarest + 1:]])
            if key(query) not in lists.owners:
                pairs.add(query, name, entity.type.value, 0, origin_of(entity, rule="plural or singular"))
        elif not pairs.full(1) and len(word) >= 9:
            j = rng.randrange(1, len(word) - 1)
            letter = rng.choice([c for c in "AEIOURSTNL" if c != word[j].upper()])
            letter = letter if word.isupper() else letter.lower()
            query = " ".join([*tokens[:rarest], tokens[rarest].replace(word, word[:j] + letter + word[j + 1:]),
                              *tokens[rarest + 1:]])
            pairs.add(query, name, entity.type.value, 1, origin_of(entity, rule="one letter in a long word"))
    return pairs


def distinctive_word(lists: Lists, rng: random.Random) -> Pairs:
    pairs = Pairs("distinctive_word")
    shaped = []
    for entity in lists.of_type("organization", rng):
        tokens = entity.name.replace(",", " ").split()
        plain = [t.strip(".").lower() for t in tokens]
        distinctive = [i for i, t in enumerate(plain) if t not in GENERIC]
        generic = len(tokens) - len(distinctive)
        if latin(entity.name) and 1 <= len(distinctive) <= 2 and generic >= 2 and not re.search(r"\d", entity.name):
            shaped.append((entity, tokens, distinctive))
    donors = [(entity, [tokens[i] for i in distinctive]) for entity, tokens, distinctive in shaped]
    for n, (entity, tokens, distinctive) in enumerate(shaped):
        if pairs.full(1) and pairs.full(0):
            break
        if n % 2 == 0 and not pairs.full(0):
            donor, words = donors[(n * 7 + 3) % len(donors)]
            if lists.same_party(donor, entity):
                continue
            new = list(tokens)
            for k, i in enumerate(distinctive):
                new[i] = words[min(k, len(words) - 1)]
            query = " ".join(new)
            if key(query) in lists.owners or words_of(query) & words_of(entity.name):
                continue
            pairs.add(query, entity.name, "organization", 0,
                      origin_of(entity, donor, rule="distinctive word from another organisation"))
        elif not pairs.full(1):
            generic = [i for i in range(len(tokens)) if i not in distinctive]
            drop = rng.choice(generic)
            query = " ".join(t for i, t in enumerate(tokens) if i != drop)
            pairs.add(query, entity.name, "organization", 1, origin_of(entity, rule="a generic word dropped"))
    return pairs


BIN = re.compile(r"\b(bin|ibn|ben)\b", re.I)


def patronymic(lists: Lists, rng: random.Random) -> Pairs:
    pairs = Pairs("patronymic")
    for entity in lists.of_type("person", rng):
        if pairs.full(1) and pairs.full(0):
            break
        for name in entity.all_names():
            if not latin(name) or not BIN.search(name):
                continue
            flat = " ".join(reversed([p.strip() for p in name.split(",", 1)])) if "," in name else name
            tokens = flat.split()
            spots = [i for i in range(1, len(tokens) - 1) if BIN.fullmatch(tokens[i])]
            if not pairs.full(0) and spots:
                i = rng.choice(spots)
                swapped = list(tokens)
                swapped[i - 1], swapped[i + 1] = tokens[i + 1], tokens[i - 1]
                query = " ".join(swapped)
                if tokens[i - 1].lower() != tokens[i + 1].lower():
                    pairs.add(query, name, "person", 0, origin_of(entity, rule="names around bin swapped"))
            if not pairs.full(1):
                other = {"bin": "ibn", "ibn": "bin", "ben": "bin"}
                query = BIN.sub(lambda m: other[m.group(1).lower()], flat, count=1)
                if rng.random() < 0.5:
                    query = re.sub(r"\bAl-", "El-", query, flags=re.I)
                pairs.add(query, name, "person", 1, origin_of(entity, rule="bin written otherwise"))
            break
    return pairs


def homophone_characters() -> dict[str, list[str]]:
    """Toneless Mandarin reading -> the common characters (GB2312 level 1) that have it."""
    import icu

    han = icu.Transliterator.createInstance("Han-Latin; Latin-ASCII")
    by_reading: dict[str, list[str]] = defaultdict(list)
    for char in common_han_characters():
        by_reading[han.transliterate(char).strip().lower()].append(char)
    return by_reading


def cjk_script(lists: Lists, rng: random.Random) -> Pairs:
    import icu

    pairs = Pairs("cjk_script")
    han = icu.Transliterator.createInstance("Han-Latin; Latin-ASCII")
    traditional = icu.Transliterator.createInstance("Simplified-Traditional")
    readings = homophone_characters()
    for entity in sorted(lists.entities, key=lambda e: e.id):
        for name in script_names(entity, "CJK"):
            generic = {i for word in CJK_GENERIC for m in re.finditer(word, name) for i in range(m.start(), m.end())}
            # a character changed in 有限公司 is a typo; in the name itself, another name (高市/高石)
            chars = [i for i, ch in enumerate(name) if "CJK" in unicodedata.name(ch, "") and i not in generic]
            if len(chars) < 2:
                continue
            for _ in range(3):  # several one-character changes of one name
                i = rng.choice(chars)
                same = [c for c in readings.get(han.transliterate(name[i]).strip().lower(), []) if c != name[i]]
                if same:
                    pairs.add(name[:i] + rng.choice(same) + name[i + 1:], name, entity.type.value, 0,
                              origin_of(entity, rule="one character, same reading"))
            written = traditional.transliterate(name)
            if written != name:
                pairs.add(written, name, entity.type.value, 1, origin_of(entity, rule="traditional characters"))
    return pairs


def gender(lists: Lists, rng: random.Random) -> Pairs:
    pairs = Pairs("gender")
    for entity in lists.of_type("person", rng):
        if pairs.full(1) and pairs.full(0):
            break
        if not (set(entity.nationalities) | set(entity.countries)) & CYRILLIC_COUNTRIES:
            continue
        parts = split_person(entity.name)
        if not parts:
            continue
        surname, given = parts
        first = given[0].lower()
        if not pairs.full(0) and first in GENDER_PAIRS:
            def other_gender(word: str) -> str:
                for male, female in ENDINGS:
                    if word.lower().endswith(male):
                        return word[: len(word) - len(male)] + (female.upper() if word.isupper() else female)
                return word
            new_given = [GENDER_PAIRS[first].title(), *(other_gender(w) for w in given[1:])]
            query = natural(other_gender(surname), new_given)
            pairs.add(query, entity.name, "person", 0, origin_of(entity, rule="the other gender"))
        elif not pairs.full(1) and first in GENDER_SAME:
            query = natural(surname, [GENDER_SAME[first].title(), *given[1:]])
            pairs.add(query, entity.name, "person", 1, origin_of(entity, rule="another romanisation, same gender"))
    return pairs


RULES = (initials, punctuation, joined_split, abbreviation, legal_form, translit_cyrillic, translit_arabic, vessel,
         numerals, one_letter, distinctive_word, patronymic, cjk_script, gender)


# --------------------------------------------------------------------------- the split


def split(rows: list[dict]) -> None:
    """Groups of pairs joined by a shared name go wholly to one part."""
    parent: dict[tuple, tuple] = {}

    def find(node: tuple) -> tuple:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for row in rows:
        a, b = find(key(row["query"]) or (row["query"],)), find(key(row["candidate"]) or (row["candidate"],))
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups = sorted({find(key(row["candidate"]) or (row["candidate"],)) for row in rows})
    coin = random.Random(SEED)
    held_out = {group for group in groups if coin.random() < 0.5}
    for row in rows:
        row["split"] = "held-out" if find(key(row["candidate"]) or (row["candidate"],)) in held_out else "tuning"


def main() -> int:
    lists = Lists(load_entities())
    rows: list[dict] = []
    for rule in RULES:
        made = rule(lists, random.Random(f"{SEED}-{rule.__name__}"))
        rows.extend(made.rows)
        print(f"{made.category:20} {made.count(1):4} matches {made.count(0):4} non-matches", file=sys.stderr)
    if HAND.exists():
        with HAND.open(encoding="utf-8", newline="") as handle:
            hand = list(csv.DictReader(handle))
        for row in hand:
            row["match"] = int(row["match"])
        rows.extend(hand)
        print(f"{'hand-written':20} {sum(r['match'] for r in hand):4} matches "
              f"{sum(not r['match'] for r in hand):4} non-matches", file=sys.stderr)
    split(rows)
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, FIELDS, lineterminator="\n")
        writer.writeheader()
        for n, row in enumerate(rows, 1):
            writer.writerow({"pair_id": n, **{f: row[f] for f in FIELDS[1:]}})
    parts = defaultdict(int)
    for row in rows:
        parts[row["split"]] += 1
    print(f"{len(rows)} pairs ({sum(r['match'] for r in rows)} matches) -> {OUT}: {dict(parts)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
