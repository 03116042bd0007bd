"""Write the labelled screening set `benchmarks/data/labelled.jsonl`, the ground
truth of `bench_quality.py`.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/make_labelled_set.py

Deterministic: one seeded `random.Random` and per-locale seeded Faker instances,
every pool sorted before it is sampled, so the same lists and the same Faker
version give the same file byte for byte. The file is small (~4,000 lines) and
is committed, so the benchmark does not depend on the Faker version.

The lists: OFAC SDN (2021), OFAC consolidated, UN, BIS DPL and the CSL sample
from ../shared/data, plus the parties of banwatch's own catalog.

One JSON object a line:

    {"query": "Eugene Kaspersky", "type": "person", "expected_entity_id": "...",
     "category": "word_order", "source_name": "KASPERSKY, Eugene",
     "equivalent_ids": ["..."]}

- `type` (optional): the entity type a caller would know (person, organization,
  vessel); left out when the list itself does not say (BIS DPL's "entity").
- `expected_entity_id`: the entity the query names, or null for a negative.
- `source_name`: the listed name the query was made from (for reading misses).
- `equivalent_ids` (only when not empty): other entities that carry the very
  same source name (same words, any order, case and punctuation ignored) --
  the same person on the OFAC and the UN list, say. Ranking one of them first
  counts as correct: no engine can tell them apart by name.

"Key" below means the sorted lower-case ASCII words of a name (rigour's
`ascii_text`, split on anything that is not a letter or digit), so
"HUSSEIN AL-TIKRITI, Saddam" and "Saddam Hussein al Tikriti" have one key.

Positive categories (300 each, at most one query per entity per category;
aircraft and names with digits or brackets are left out; a query whose key is
a name of some *other* entity than the expected one and its equivalents is
dropped, since the other entity would then be right to win):

- `alias`: an a.k.a./f.k.a./n.k.a. alias in Latin letters (not OFAC's "weak"
  a.k.a.), whose key differs from the primary name's, used as written.
- `word_order`: a person's primary name with its word order changed: OFAC's
  "KASPERSKY, Eugene" becomes "Eugene Kaspersky" (given names first, the
  surname title-cased); a name written without a comma ("SADDAM HUSSEIN
  AL-TIKRITI") has its last word moved to the front.
- `typo1`: the primary name with one typo in one word of 4+ letters: a letter
  substituted, deleted, inserted or swapped with its neighbour (one of the four,
  uniformly; the case of the letters kept).
- `typo2`: two such typos in a primary name of 10+ letters: in two different
  words when the name has two words of 4+ letters, else in one word of 8+
  letters at two different positions.
- `original_script`: a UN entity's name in its own script (aliases of kind
  original_script, and UN a.k.a.s in Arabic or Han letters): Arabic, Cyrillic,
  Chinese; every Cyrillic and Han one, the rest Arabic.
- `transliteration`: the name written in another script or another
  romanisation than the list's. The lists have no entity whose primary name is
  not in Latin letters, so: (a) up to 170 persons tied to a Cyrillic-writing
  country (RU, BY, UA, KZ, KG, TJ) whose Latin name is written in
  Russian Cyrillic by a reverse BGN/PCGN table ("TIKHONOV, Andrei" -> "Тихонов
  Андрей"), surname first as Russian documents write it; (b) the catalog's
  Cyrillic and Chinese aliases (a non-Latin alias of a Latin primary name);
  (c) the rest: the Latin name of a person re-romanised with common variant
  spellings of Arabic, Persian and Russian names (Mohammed -> Muhammad, Hussein
  -> Husayn, Abdul -> Abd al, -yevich -> -evich, ...), at least one word
  changed, and the result not already a name of the entity.
- `legal_form`: an organisation's name (primary or alias) with its legal form
  written another way -- one of: "Co., Ltd." <-> "Company Limited", "Ltd" <->
  "Limited", "LLC" dropped / "L.L.C." / "Limited Liability Company", "Inc" <->
  "Incorporated", "Corp" <-> "Corporation", "Co" <-> "Company", "JSC" <-> "Joint
  Stock Company" (and OJSC, CJSC, PJSC), "PLC" <-> "Public Limited Company",
  "S.A." <-> "SA", "S.A. de C.V." <-> "SA de CV", "GmbH", "OOO", "ZAO", "OAO",
  "AO" dropped, "Cia" <-> "Compania", "Ltda" <-> "Limitada", "Pte Ltd" <->
  "Private Limited"; with commas and dots removed in half of the queries. When
  not enough names have a legal form, the rest are names whose commas, dots
  and quotes are removed.
- `middle_name`: a person's primary name of 3+ words with one middle word
  dropped: in "SURNAME, Given Middle" one given name after the first; in a
  name without a comma one word that is neither the first nor the last.

Negative categories (expected_entity_id null):

- `faker`: names from Faker in 27 locale variants (en_US, en_GB, en_IN, en_PK,
  ru_RU in Cyrillic and transliterated, uk_UA, ar_AA, ar_SA, zh_CN in Han and
  in pinyin, es_MX, es_CO, es_ES, de_DE, fr_FR, it_IT, pt_BR, pl_PL, hi_IN,
  tr_TR, fa_IR, ko_KR, ja_JP, vi_VN, id_ID, he_IL): 28 persons and 18 companies
  each, duplicates removed, and any whose key is the key of a listed name
  dropped (transliterated forms use rigour's `ascii_text`). Faker's lists of
  *real* companies are not negatives: a company name containing one of a
  provider's `large_companies` (ru_RU: Rosneft, Sberbank, VTB ...; tr_TR) is
  skipped, and fa_IR gives persons only, since its `company_names` are real
  Iranian firms, several of them designated (Mashin Sazi Arak, Al Mahdi
  Aluminum).
- `near_miss`: a listed name of 2 to 5 words (persons and organisations; in a
  longer name one word replaced still leaves the same name to a reviewer,
  "MARITIME ADMINISTRATION OF THE RESTAURANTE PEOPLE'S REPUBLIC OF KOREA") with its
  rarest word of 4+ letters -- rarest by how many listed names contain it, legal
  forms excluded -- replaced by another word of the lists' names of similar
  length (+-1 letter) that appears in 2+ names and is clearly a different word
  (Levenshtein >= 3 and Jaro-Winkler < 0.8 to the word replaced). Dropped when
  the result is the key of a listed name, or when some listed name has the new
  word and all but at most one of the query's words (it would then be a
  variant of that other listed name, not a near miss), or when the query holds
  every word of some listed name of 2+ words ("ISLAMIC STATE IN IRAQ AND THE
  LEVANT - GAZA" holds the listed "Islamic State in Iraq and the Levant": an
  alert on it is right).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
OUT = Path(__file__).resolve().parent / "data" / "labelled.jsonl"
SEED = 20240620
PER_CATEGORY = 300
LIST_PATHS = ("ofac-sdn-2021", "ofac-consolidated", "un/consolidated.xml", "bis/dpl.txt", "bis/csl-sample.csv")

POSITIVE = ("alias", "word_order", "typo1", "typo2", "original_script", "transliteration",
            "legal_form", "middle_name")
NEGATIVE = ("faker", "near_miss")
CATEGORIES = POSITIVE + NEGATIVE


def load_entities() -> list:
    """Every entity of the five lists and of the catalog, in a fixed order."""
    from banwatch.catalog import bundled_catalog
    from banwatch.lists.catalog_parties import catalog_entities
    from banwatch.lists.sources import read_list

    entities = []
    for relative in LIST_PATHS:
        entities.extend(read_list(DATA / relative).entities)
    entities.extend(catalog_entities(bundled_catalog()).entities)
    return entities


# --------------------------------------------------------------------------- keys


def key_words(text: str) -> list[str]:
    from rigour.text import ascii_text

    return [w for w in re.split(r"[^a-z0-9]+", ascii_text(unicodedata.normalize("NFKC", text)).lower()) if w]


def key(text: str) -> tuple[str, ...]:
    return tuple(sorted(key_words(text)))


def is_latin(text: str) -> bool:
    return all(not ch.isalpha() or "LATIN" in unicodedata.name(ch, "") for ch in text)


def clean(text: str) -> bool:
    """A plain name: no digits, brackets or separators of several names."""
    return not re.search(r"[\d()\[\]/;:|]", text) and len(text.strip()) >= 3


TYPE_OF = {"person": "person", "organization": "organization", "vessel": "vessel"}

# --------------------------------------------------------------------------- typos

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def typo(word: str, rng: random.Random, avoid: set[int] = frozenset()) -> tuple[str, int]:
    """One edit of a Latin word: substitute, delete, insert or swap; (word, position)."""
    positions = [i for i in range(len(word)) if word[i].isalpha() and i not in avoid]
    while True:
        kind = rng.choice(("substitute", "delete", "insert", "swap"))
        i = rng.choice(positions)
        upper = word[i].isupper()
        letter = rng.choice(LETTERS)
        letter = letter.upper() if upper else letter
        if kind == "substitute":
            if letter.lower() == word[i].lower():
                continue
            out = word[:i] + letter + word[i + 1:]
        elif kind == "delete":
            out = word[:i] + word[i + 1:]
        elif kind == "insert":
            out = word[:i] + letter + word[i:]
        else:
            if i + 1 >= len(word) or not word[i + 1].isalpha() or word[i].lower() == word[i + 1].lower():
                continue
            out = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        if out.lower() != word.lower():
            return out, i


def letters(word: str) -> int:
    return sum(ch.isalpha() for ch in word)


def with_typos(name: str, count: int, rng: random.Random) -> str | None:
    parts = name.split(" ")
    eligible = [i for i, part in enumerate(parts) if letters(part) >= 4 and is_latin(part)]
    if not eligible:
        return None
    if count == 1:
        i = rng.choice(eligible)
        parts[i] = typo(parts[i], rng)[0]
        return " ".join(parts)
    if len(eligible) >= 2:
        for i in rng.sample(eligible, 2):
            parts[i] = typo(parts[i], rng)[0]
        return " ".join(parts)
    long = [i for i in eligible if letters(parts[i]) >= 8]
    if not long:
        return None
    i = long[0]
    once, position = typo(parts[i], rng)
    # the second edit at a letter at least two away from the first
    twice, _ = typo(once, rng, avoid={p for p in range(position - 1, position + 2)})
    parts[i] = twice
    return " ".join(parts)


# --------------------------------------------------------------------------- scripts

CYRILLIC_COUNTRIES = {"RU", "BY", "UA", "KZ", "KG", "TJ"}
# reverse BGN/PCGN, longest first
TO_CYRILLIC = [
    ("shch", "щ"), ("yevich", "евич"), ("yevna", "евна"), ("iy", "ий"), ("yy", "ый"),
    ("kh", "х"), ("zh", "ж"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"), ("yu", "ю"), ("ya", "я"),
    ("ye", "е"), ("yo", "ё"), ("ey", "ей"), ("ay", "ай"), ("oy", "ой"), ("uy", "уй"), ("'", "ь"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"), ("i", "и"),
    ("y", "ы"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"),
    ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("c", "к"), ("h", "х"), ("j", "дж"), ("w", "в"),
    ("x", "кс"), ("q", "к"),
]


def cyrillic_word(word: str) -> str:
    word = word.lower()
    word = re.sub(r"([aeou])i$", r"\1y", word)  # Nikolai -> Николай, Aleksei -> Алексей
    word = re.sub(r"ii$", "iy", word)  # Dmitrii -> Дмитрий
    out, i = [], 0
    while i < len(word):
        for latin, cyr in TO_CYRILLIC:
            if word.startswith(latin, i):
                # word-initial 'e' is 'е' too (Evgeny -> Евгений); 'y' before a vowel is 'й'
                if latin == "y" and i + 1 < len(word) and word[i + 1] in "aeiou":
                    cyr = "й"
                out.append(cyr)
                i += len(latin)
                break
        else:
            out.append(word[i])
            i += 1
    text = "".join(out)
    return text[:1].upper() + text[1:]


def to_cyrillic(name: str) -> str | None:
    """'TIKHONOV, Andrei Gennadyevich' -> 'Тихонов Андрей Геннадьевич' (surname first)."""
    if "," in name:
        surname, given = (part.strip() for part in name.split(",", 1))
        ordered = f"{surname} {given}"
    else:
        ordered = name
    words = [w for w in re.split(r"[\s\-]+", ordered) if w]
    if len(words) < 2 or not all(re.fullmatch(r"[A-Za-z']+", w) for w in words):
        return None
    return " ".join(cyrillic_word(w) for w in words)


# whole-word romanisation variants (lower case); several spellings of one name
VARIANT_GROUPS = [
    ("mohammed", "muhammad", "mohammad", "mohamed", "muhammed", "mohamad"),
    ("ahmed", "ahmad"), ("hussein", "husayn", "hussain", "husein", "hosein"),
    ("hassan", "hasan"), ("hasan", "hassan"), ("hussain", "hussein"),
    ("abdul", "abd al", "abdel"), ("abdel", "abd al", "abdul"), ("abdallah", "abdullah", "abd allah"),
    ("abdullah", "abdallah"), ("yusuf", "yousef", "youssef", "yusef"), ("yousef", "yusuf"),
    ("omar", "umar"), ("umar", "omar"), ("osama", "usama"), ("usama", "osama"),
    ("ali", "aly"), ("mahmoud", "mahmud"), ("mahmud", "mahmoud"), ("mustafa", "mostafa", "moustafa"),
    ("mostafa", "mustafa"), ("khalid", "khaled"), ("khaled", "khalid"), ("said", "saeed", "sayed"),
    ("saeed", "said"), ("saleh", "salih"), ("salih", "saleh"), ("ibrahim", "ebrahim"),
    ("ebrahim", "ibrahim"), ("ismail", "esmail", "ismael"), ("esmail", "ismail"),
    ("hamid", "hameed"), ("rahman", "rehman"), ("rehman", "rahman"), ("reza", "riza"),
    ("hosseini", "husseini", "hosayni"), ("husseini", "hosseini"), ("jafar", "jaafar", "ja'far"),
    ("qasim", "kassem", "qassem"), ("qassem", "qasim"), ("kassem", "qasim"), ("nasser", "nasir", "naser"),
    ("nasir", "nasser"), ("naser", "nasser"), ("abu", "abou"), ("abou", "abu"), ("bin", "ben"),
    ("ben", "bin"), ("al", "el"), ("yasin", "yassin", "yaseen"), ("yassin", "yasin"),
    ("karim", "kareem"), ("kareem", "karim"), ("rashid", "rasheed"), ("rasheed", "rashid"),
    ("majid", "majeed"), ("sharif", "sharif"), ("zadeh", "zade"), ("jalal", "djalal"),
    ("muhammad", "mohammed"), ("mohammad", "muhammad"), ("mohamed", "mohammed"), ("muhammed", "mohammed"),
    ("ahmad", "ahmed"), ("husayn", "hussein"), ("faisal", "faysal"), ("faysal", "faisal"),
    ("yevgeny", "evgeny", "evgeniy"), ("evgeny", "yevgeny", "evgenii"), ("evgeniy", "yevgeny"),
    ("sergey", "sergei"), ("sergei", "sergey"), ("andrey", "andrei"), ("andrei", "andrey"),
    ("alexey", "aleksei", "alexei"), ("aleksey", "alexei"), ("aleksei", "alexey"), ("alexander", "aleksandr"),
    ("aleksandr", "alexander", "alexandr"), ("dmitriy", "dmitry", "dmitri"), ("dmitry", "dmitri", "dmitriy"),
    ("dmitri", "dmitry"), ("yuriy", "yuri", "iurii"), ("yury", "yuri"), ("yuri", "yury"),
    ("vitaliy", "vitaly"), ("vitaly", "vitalii"), ("nikolay", "nikolai"), ("nikolai", "nikolay"),
    ("mikhail", "mihail", "michail"), ("valeriy", "valery"), ("valery", "valeri"), ("anatoliy", "anatoly"),
    ("anatoly", "anatolii"), ("georgiy", "georgy"), ("arkadiy", "arkady"), ("gennadiy", "gennady"),
    ("gennady", "gennadi"), ("vasiliy", "vasily"), ("vasily", "vassily"), ("oleg", "oleg"),
    ("tatyana", "tatiana"), ("tatiana", "tatyana"), ("natalya", "natalia"), ("natalia", "natalya"),
    ("olga", "olga"), ("yelena", "elena"), ("elena", "yelena"), ("igor", "igor"),
]
VARIANTS: dict[str, tuple[str, ...]] = {}
for group in VARIANT_GROUPS:
    VARIANTS.setdefault(group[0], tuple(v for v in group[1:] if v != group[0]))
SUFFIX_RULES = [(r"yevich$", "evich"), (r"yevna$", "evna"), (r"iy$", "y"), (r"kh", "h"), (r"ya$", "ia"),
                (r"yu", "iu"), (r"ei$", "ey"), (r"ii$", "y"), (r"ov$", "off"), (r"ts", "tz")]


def romanisation_variant(name: str, rng: random.Random, russian: bool) -> str | None:
    words = re.split(r"(\s+|-|,\s*)", name)
    changed = False
    out = []
    for token in words:
        low = token.lower()
        new = None
        if low in VARIANTS and VARIANTS[low]:
            new = rng.choice(VARIANTS[low])
        elif russian and re.fullmatch(r"[a-z']+", low):
            rules = [(p, r) for p, r in SUFFIX_RULES if re.search(p, low)]
            if rules:
                pattern, replacement = rng.choice(rules)
                new = re.sub(pattern, replacement, low, count=1)
        if new and new != low:
            changed = True
            token = new.upper() if token.isupper() else (new.title() if token[:1].isupper() else new)
        out.append(token)
    return "".join(out) if changed else None


# --------------------------------------------------------------------------- legal forms

LF = r"(?<![\w.])"  # start of a legal-form word
LE = r"(?![\w])"  # its end
LEGAL_RULES: list[tuple[str, str]] = [
    (rf"{LF}co\.?,?\s*ltd\.?{LE}", "Company Limited"),
    (rf"{LF}company\s+limited{LE}", "Co., Ltd."),
    (rf"{LF}limited\s+liability\s+company{LE}", "LLC"),
    (rf"{LF}pte\.?\s+ltd\.?{LE}", "Private Limited"),
    (rf"{LF}private\s+limited{LE}", "Pte. Ltd."),
    (rf"{LF}ltd\.?{LE}", "Limited"),
    (rf"{LF}limited{LE}", "Ltd"),
    (rf",?\s*{LF}l\.?l\.?c\.?{LE}", ""),
    (rf"{LF}llc{LE}", "L.L.C."),
    (rf"{LF}llc{LE}", "Limited Liability Company"),
    (rf"{LF}inc\.?{LE}", "Incorporated"),
    (rf"{LF}incorporated{LE}", "Inc."),
    (rf"{LF}corp\.?{LE}", "Corporation"),
    (rf"{LF}corporation{LE}", "Corp."),
    (rf"{LF}co\.?{LE}(?!\.?,?\s*ltd)", "Company"),
    (rf"{LF}company{LE}(?!\s+limited)", "Co."),
    (rf"{LF}ojsc{LE}", "Open Joint Stock Company"),
    (rf"{LF}open\s+joint[\s-]+stock\s+company{LE}", "OJSC"),
    (rf"{LF}cjsc{LE}", "Closed Joint Stock Company"),
    (rf"{LF}closed\s+joint[\s-]+stock\s+company{LE}", "CJSC"),
    (rf"{LF}pjsc{LE}", "Public Joint Stock Company"),
    (rf"{LF}public\s+joint[\s-]+stock\s+company{LE}", "PJSC"),
    (rf"{LF}jsc{LE}", "Joint Stock Company"),
    (rf"(?<!open\s)(?<!closed\s)(?<!public\s){LF}joint[\s-]+stock\s+company{LE}", "JSC"),
    (rf"{LF}plc{LE}", "Public Limited Company"),
    (rf"{LF}public\s+limited\s+company{LE}", "PLC"),
    (rf"{LF}s\.\s*a\.\s+de\s+c\.\s*v\.?", "SA de CV"),
    (rf"{LF}sa\s+de\s+cv{LE}", "S.A. de C.V."),
    (rf"{LF}s\.\s*a\.(?!\s+de\s+c)", "SA"),
    (rf"{LF}sa{LE}(?!\s+de\s+cv)", "S.A."),
    (rf",?\s*{LF}gmbh{LE}", ""),
    (rf",?\s*{LF}ooo{LE}", ""),
    (rf",?\s*{LF}zao{LE}", ""),
    (rf",?\s*{LF}oao{LE}", ""),
    (rf",?\s*{LF}ao{LE}", ""),
    (rf"{LF}cia\.?{LE}", "Compania"),
    (rf"{LF}compa[nñ]ia{LE}", "Cia."),
    (rf"{LF}ltda\.?{LE}", "Limitada"),
    (rf"{LF}limitada{LE}", "Ltda."),
]


def legal_variant(name: str, rng: random.Random) -> str | None:
    applicable = [(p, r) for p, r in LEGAL_RULES if re.search(p, name, flags=re.I)]
    if not applicable:
        return None
    pattern, replacement = rng.choice(applicable)
    if name.isupper():
        replacement = replacement.upper()
    out = re.sub(pattern, replacement, name, count=1, flags=re.I)
    if rng.random() < 0.5:
        out = strip_punctuation(out)
    out = re.sub(r"\s+", " ", out).strip(" ,")
    return out if out and out != name else None


def strip_punctuation(name: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[.,'\"`«»“”]", "", name)).strip()


# --------------------------------------------------------------------------- the set


class Lists:
    """The loaded entities and what the generator needs to know about their names."""

    def __init__(self, entities: list):
        self.entities = sorted({e.id: e for e in entities}.values(), key=lambda e: e.id)
        self.owners: dict[tuple[str, ...], set[str]] = defaultdict(set)
        self.token_names: dict[str, int] = defaultdict(int)
        self.names_with: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        seen: set[tuple[str, ...]] = set()
        for entity in self.entities:
            for text in entity.all_names():
                k = key(text)
                if not k:
                    continue
                self.owners[k].add(entity.id)
                if k in seen:
                    continue
                seen.add(k)
                for token in set(k):
                    self.token_names[token] += 1
                    self.names_with[token].append(k)

    def equivalents(self, source_name: str, entity_id: str) -> list[str]:
        return sorted(self.owners.get(key(source_name), set()) - {entity_id})

    def acceptable(self, query: str, source_name: str, entity_id: str) -> bool:
        """False when the query is exactly a name of some other entity."""
        others = self.owners.get(key(query), set()) - {entity_id} - set(self.equivalents(source_name, entity_id))
        return bool(key(query)) and not others


def record(query: str, entity, category: str, source_name: str, lists: Lists) -> dict:
    row = {"query": query}
    kind = TYPE_OF.get(entity.type.value)
    if kind:
        row["type"] = kind
    row["expected_entity_id"] = entity.id
    row["category"] = category
    row["source_name"] = source_name
    if equivalents := lists.equivalents(source_name, entity.id):
        row["equivalent_ids"] = equivalents
    return row


def sample(rows_of: Callable[[object], list[tuple[str, str]]], lists: Lists, category: str,
           rng: random.Random, count: int = PER_CATEGORY, pool: list | None = None) -> list[dict]:
    """Up to `count` queries, one per entity, in seeded random order of entities."""
    pool = list(pool if pool is not None else lists.entities)
    rng.shuffle(pool)
    out = []
    for entity in pool:
        if len(out) >= count:
            break
        for query, source in rows_of(entity):
            if query and lists.acceptable(query, source, entity.id):
                out.append(record(query, entity, category, source, lists))
                break
    return out


def positives(lists: Lists, rng: random.Random) -> list[dict]:
    usable = [e for e in lists.entities if e.type.value != "aircraft"]
    people = [e for e in usable if e.type.value == "person"]
    rows: list[dict] = []

    def alias(entity):
        primary = key(entity.name)
        options = [a.name for a in entity.aliases
                   if a.kind.value in ("aka", "fka", "nka") and is_latin(a.name) and clean(a.name)
                   and key(a.name) != primary and letters(a.name) >= 5]
        return [(name, name) for name in rng.sample(options, len(options))]

    rows += sample(alias, lists, "alias", rng, pool=usable)

    def word_order(entity):
        name = entity.name
        if not clean(name) or not is_latin(name):
            return []
        if "," in name:
            surname, given = (part.strip() for part in name.split(",", 1))
            if not surname or not given or "," in given:
                return []
            surname = surname.title() if surname.isupper() else surname
            return [(f"{given} {surname}", name)]
        words = name.split()
        if len(words) < 2:
            return []
        return [(" ".join([words[-1], *words[:-1]]), name)]

    rows += sample(word_order, lists, "word_order", rng, pool=people)

    def typo1(entity):
        if not clean(entity.name) or not is_latin(entity.name):
            return []
        return [(with_typos(entity.name, 1, rng), entity.name)]

    def typo2(entity):
        if not clean(entity.name) or not is_latin(entity.name) or letters(entity.name) < 10:
            return []
        return [(with_typos(entity.name, 2, rng), entity.name)]

    rows += sample(typo1, lists, "typo1", rng, pool=usable)
    rows += sample(typo2, lists, "typo2", rng, pool=usable)

    # original script: every Cyrillic and Han UN name, then Arabic
    def script_options(entity, scripts):
        return [a.name for a in entity.aliases
                if a.script in scripts and (a.kind.value == "original_script" or a.kind.value == "aka")
                and not re.search(r"[A-Za-z]", a.name)]

    un = [e for e in usable if e.source == "un"]
    first = sample(lambda e: [(n, n) for n in script_options(e, {"Cyrl", "Hani", "Hans", "Hant"})],
                   lists, "original_script", rng, pool=un)
    done = {row["expected_entity_id"] for row in first}
    rest = sample(lambda e: [(n, n) for n in script_options(e, {"Arab"})], lists, "original_script", rng,
                  count=PER_CATEGORY - len(first), pool=[e for e in un if e.id not in done])
    rows += first + rest

    # transliteration: (a) Cyrillic, (b) the catalog's non-Latin aliases, (c) romanisation variants
    def cyrillic(entity):
        if not set(entity.countries) & CYRILLIC_COUNTRIES and not set(entity.nationalities) & CYRILLIC_COUNTRIES:
            return []
        query = to_cyrillic(entity.name) if clean(entity.name) else None
        return [(query, entity.name)] if query else []

    translit = sample(cyrillic, lists, "transliteration", rng, count=170, pool=people)
    catalog = [e for e in usable if e.source == "catalog"]
    translit += sample(lambda e: [(a.name, a.name) for a in e.aliases if a.script and not is_latin(a.name)],
                       lists, "transliteration", rng, count=60, pool=catalog)
    done = {row["expected_entity_id"] for row in translit}

    def variant(entity):
        if not clean(entity.name) or not is_latin(entity.name):
            return []
        russian = bool((set(entity.countries) | set(entity.nationalities)) & CYRILLIC_COUNTRIES)
        query = romanisation_variant(entity.name, rng, russian)
        own = {key(n) for n in entity.all_names()}
        if not query or key(query) in own:
            return []
        return [(query, entity.name)]

    translit += sample(variant, lists, "transliteration", rng, count=PER_CATEGORY - len(translit),
                       pool=[e for e in people if e.id not in done])
    rows += translit

    # legal forms, then punctuation only
    orgs = [e for e in usable if e.type.value in ("organization", "entity")]

    def legal(entity):
        names = [n for n in entity.all_names() if clean(n) and is_latin(n)]
        out = []
        for name in names:
            variant_name = legal_variant(name, rng)
            if variant_name and key_words(variant_name):
                out.append((variant_name, name))
        return out[:1]

    legal_rows = sample(legal, lists, "legal_form", rng, pool=[e for e in orgs if e.type.value == "organization"])
    done = {row["expected_entity_id"] for row in legal_rows}

    def punctuation(entity):
        name = entity.name
        if not clean(name) or not re.search(r"[.,'\"]", name):
            return []
        return [(strip_punctuation(name), name)]

    legal_rows += sample(punctuation, lists, "legal_form", rng, count=PER_CATEGORY - len(legal_rows),
                         pool=[e for e in orgs if e.id not in done and e.type.value == "organization"])
    rows += legal_rows

    def middle(entity):
        name = entity.name
        if not clean(name) or not is_latin(name):
            return []
        if "," in name:
            surname, given = (part.strip() for part in name.split(",", 1))
            givens = given.split()
            if len(surname.split()) + len(givens) < 3 or len(givens) < 2:
                return []
            drop = rng.randrange(1, len(givens))
            return [(f"{surname}, {' '.join(g for i, g in enumerate(givens) if i != drop)}", name)]
        words = name.split()
        if len(words) < 3:
            return []
        drop = rng.randrange(1, len(words) - 1)
        return [(" ".join(w for i, w in enumerate(words) if i != drop), name)]

    rows += sample(middle, lists, "middle_name", rng, pool=people)
    return rows


FAKER_LOCALES = [
    ("en_US", False), ("en_GB", False), ("en_IN", False), ("en_PK", False), ("ru_RU", False),
    ("ru_RU", True), ("uk_UA", False), ("ar_AA", False), ("ar_SA", False), ("zh_CN", False),
    ("zh_CN", True), ("es_MX", False), ("es_CO", False), ("es_ES", False), ("de_DE", False),
    ("fr_FR", False), ("it_IT", False), ("pt_BR", False), ("pl_PL", False), ("hi_IN", False),
    ("tr_TR", False), ("fa_IR", False), ("ko_KR", False), ("ja_JP", False), ("vi_VN", False),
    ("id_ID", False), ("he_IL", False),
]
FAKER_PERSONS, FAKER_COMPANIES = 28, 18


def faker_negatives(lists: Lists) -> list[dict]:
    from faker import Faker
    from rigour.text import ascii_text

    rows, seen = [], set()
    for n, (locale, transliterate) in enumerate(FAKER_LOCALES):
        fake = Faker(locale)
        fake.seed_instance(SEED + n)
        real = {name for provider in fake.get_providers() for name in getattr(provider, "large_companies", ())}
        kinds = [("person", FAKER_PERSONS, fake.name)]
        if locale != "fa_IR":
            kinds.append(("organization", FAKER_COMPANIES, fake.company))
        for kind, count, make in kinds:
            made = 0
            for _ in range(count * 5):
                if made >= count:
                    break
                name = make()
                if kind == "organization" and any(company in name for company in real):
                    continue
                if transliterate:
                    name = ascii_text(name)
                k = key(name)
                if not k or name in seen or k in lists.owners:
                    continue
                seen.add(name)
                made += 1
                rows.append({"query": name, "type": kind, "expected_entity_id": None, "category": "faker",
                             "source_name": f"faker {locale}{' transliterated' if transliterate else ''}"})
    return rows


def near_misses(lists: Lists, rng: random.Random, count: int = 400) -> list[dict]:
    from rapidfuzz.distance import JaroWinkler, Levenshtein

    from banwatch.match.normalise import is_legal_form

    vocabulary: dict[str, dict[int, list[str]]] = {"person": defaultdict(list), "organization": defaultdict(list)}
    for entity in lists.entities:
        kind = entity.type.value
        if kind not in vocabulary:
            continue
        for text in entity.all_names():
            if not is_latin(text):
                continue
            for word in key_words(text):
                if word.isalpha() and len(word) >= 4 and lists.token_names[word] >= 2 and not is_legal_form(word):
                    vocabulary[kind][len(word)].append(word)
    for kind in vocabulary:
        for length in vocabulary[kind]:
            vocabulary[kind][length] = sorted(set(vocabulary[kind][length]))

    pool = [e for e in lists.entities if e.type.value in vocabulary and clean(e.name) and is_latin(e.name)]
    rng.shuffle(pool)
    rows = []
    for entity in pool:
        if len(rows) >= count:
            break
        name = entity.name
        words = key_words(name)
        if not 2 <= len(set(words)) <= 5:
            continue
        significant = [w for w in set(words) if w.isalpha() and len(w) >= 4 and not is_legal_form(w)]
        if not significant:
            continue
        rarest = min(significant, key=lambda w: (lists.token_names[w], w))
        options = [w for length in (len(rarest) - 1, len(rarest), len(rarest) + 1)
                   for w in vocabulary[entity.type.value].get(length, [])]
        rng.shuffle(options)
        for other in options[:50]:
            if Levenshtein.distance(other, rarest) < 3 or JaroWinkler.similarity(other, rarest) >= 0.8:
                continue
            query = re.sub(rf"(?i)(?<![a-z]){re.escape(rarest)}(?![a-z])",
                           lambda m: other.upper() if m.group(0).isupper()
                           else other.title() if m.group(0)[:1].isupper() else other, name, count=1)
            if query == name:
                break
            qk = key(query)
            if qk in lists.owners:
                continue
            query_words = set(qk)
            if any(other in listed and len(query_words & set(listed)) >= len(query_words) - 1
                   for listed in lists.names_with.get(other, ())):
                continue
            if any(len(listed) >= 2 and set(listed) <= query_words
                   for word in query_words for listed in lists.names_with.get(word, ())):
                continue
            row = {"query": query}
            if kind := TYPE_OF.get(entity.type.value):
                row["type"] = kind
            row.update({"expected_entity_id": None, "category": "near_miss",
                        "source_name": f"{name} ({rarest} -> {other})"})
            rows.append(row)
            break
    return rows


def main() -> int:
    global SEED
    parser = argparse.ArgumentParser(description="Write the labelled screening set.")
    parser.add_argument("--seed", type=int, default=SEED,
                        help="another seed gives a held-out set built the same way (default: the committed set's)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    SEED = args.seed
    rng = random.Random(SEED)
    lists = Lists(load_entities())
    rows = positives(lists, rng) + faker_negatives(lists) + near_misses(lists, rng)
    out = args.out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row["category"]] += 1
    print(f"wrote {len(rows)} queries to {out}")
    for category in CATEGORIES:
        print(f"  {category:16} {counts[category]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
