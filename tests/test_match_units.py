"""The matching engine's parts, one at a time, on a small fixture of listed
names (tests/fixtures/screening-entities.json): how two words compare, the key
a name is reduced to, the near words a typo reaches, and which listed names a
query reaches as candidates before any is scored. test_screen.py runs the
whole engine on the real lists; these say which part does what."""

from __future__ import annotations

import json

import pytest

from banwatch.match.index import ScreeningIndex, deletions, identifier_key, name_key, trigrams
from banwatch.match.name_forms import abbreviation_partners
from banwatch.match.normalise import phonetic, words
from banwatch.match.score import compare
from banwatch.match.screen import DEFAULT_THRESHOLD, Screener
from banwatch.match.words import english_spelling, ruled_forms, word_similarity
from banwatch.model import ListedEntity, NameKind, ScreenQuery
from conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "screening-entities.json"
SYLLABLES = ("bra", "cel", "dor", "fin", "gal", "hes", "jor", "kel", "lum", "mir", "nov", "pel", "quo", "ros", "sil")


def filler() -> list[ListedEntity]:
    """240 names that share no word with each other or the fixture: with them
    a word of the fixture is as rare as such a word is in the real lists."""
    words = [a + b + c for a in SYLLABLES for b in SYLLABLES for c in ("x", "z", "q")]
    return [ListedEntity(id=f"filler:{n}", source="filler", source_id=str(n), type="person",
                         name=f"{words[2 * n]} {words[2 * n + 1]}") for n in range(240)]


@pytest.fixture(scope="module")
def screener() -> Screener:
    entities = [ListedEntity.model_validate(item) for item in json.loads(FIXTURE.read_text(encoding="utf-8"))]
    return Screener.from_entities(entities + filler())


@pytest.fixture(scope="module")
def index(screener) -> ScreeningIndex:
    return screener.index


def similarity(query: str, listed: str, person: bool = True) -> tuple[float, str]:
    value, how = word_similarity(query, phonetic(query), listed, phonetic(listed), person)
    return round(value, 3), how


# ---------------------------------------------------------------------- two words


@pytest.mark.parametrize(("query", "listed", "expected"), [
    ("tikhonov", "tikhonov", (1.0, "same")),
    ("mohammed", "muhammad", (0.9, "sounds alike")),
    ("smith", "smyth", (0.9, "sounds alike")),
    ("kasperksy", "kaspersky", (0.928, "typo")),      # a swap, Jaro-Winkler
    ("cihn", "chin", (0.85, "typo")),                 # a swap in a short word: by edit count
    ("geb", "gleb", (0.8, "typo")),                   # a letter dropped between 3 and 4 letters
    ("co", "company", (1.0, "same legal form")),
    ("ltd", "limited", (1.0, "same legal form")),
    ("a", "andrei", (0.7, "initial")),
    ("bill", "william", (0.9, "same name")),
    ("455", "456", (0.0, "")),                        # numbers must be equal: another ship
    ("ivan", "oleg", (0.0, "")),
])
def test_how_two_words_compare(query, listed, expected):
    assert similarity(query, listed) == expected


@pytest.mark.parametrize(("query", "listed", "expected"), [
    ("aly", "ali", (0.85, "same consonants")),        # علي: a final long i is written
    ("al", "ali", (0.0, "")),                         # آل, the family, is another word
    ("hsyn", "hussein", (0.85, "same consonants")),
    ("ahmdy", "ahmad", (0.0, "")),                    # a name and its nisba: another name
    ("jfr", "jafar", (0.85, "same consonants")),      # جعفر: the ayin is no letter in Latin
    ("hsyn", "hisn", (0.0, "")),                      # حسين has a long i where al-Hisn has no vowel
    ("syd", "sayyid", (0.85, "same consonants")),     # سيد: the y is a vowel in both
])
def test_words_read_from_arabic_letters_compare_by_consonants(query, listed, expected):
    value, how = word_similarity(query, phonetic(query), listed, phonetic(listed), True, abjad=True)
    assert (round(value, 3), how) == expected


def test_one_syllable_names_grouped_across_languages_are_weak_evidence():
    # Wikidata's name items group one character's readings in Mandarin, Cantonese,
    # Korean and Vietnamese: the same character perhaps, but not the same name to a reviewer
    assert similarity("wang", "chung") == (0.7, "the same character read in another language")
    assert similarity("chan", "tran") == (0.7, "the same character read in another language")
    assert similarity("paul", "pavel") == (0.9, "same name")  # not syllables: another language's form


def test_the_words_a_rule_pairs_a_word_with():
    assert {"limited", "ltda"} <= ruled_forms("ltd")
    assert "baranov" in ruled_forms("baranova") and "ivanovna" in ruled_forms("ivanovich")
    assert {"trusts"} <= ruled_forms("trust") and "jiang" in ruled_forms("jian")
    assert abbreviation_partners("ctr") == {"center", "centre", "ctre"}
    assert similarity("pharma", "pharmaceutical", person=False) == (0.95, "abbreviation")
    assert ruled_forms("xqzv") <= {"xqzvs"}  # a word no table knows: only its plural


def test_a_homophone_is_another_word_in_other_names_than_persons():
    assert similarity("steal", "steel", person=False) == (0.5, "another word")  # two common words
    assert similarity("peer", "pier", person=False) == (0.5, "another word")
    assert similarity("steal", "steel") == (0.9, "sounds alike")  # a person's name is spelled every way
    assert similarity("back", "bank", person=False) == (0.85, "typo")  # a slip of one key stays a typo
    assert similarity("kasperski", "kaspersky", person=False)[1] == "sounds alike"  # not common words


@pytest.mark.parametrize(("german_or_polish", "english"), [
    ("walentinowitsch", "valentinovich"), ("jakubec", "yakubets"), ("basowa", "basova"), ("jurij", "yuriy"),
    ("szczepan", "shchepan"), ("alexandrowna", "aleksandrovna"),
])
def test_german_and_polish_spellings_of_russian_names_are_rewritten_as_english_ones(german_or_polish, english):
    assert english_spelling(german_or_polish) == english


def test_a_russian_name_romanised_by_german_rules_is_the_same_name():
    # too many letters apart for a typo, and no name table holds them
    assert similarity("walentinowitsch", "valentinovich") == (0.9, "another romanisation")
    assert similarity("alexandrowna", "aleksandrovna") == (0.9, "another romanisation")
    assert similarity("walentinowitsch", "valentinovich", person=False) == (0.0, "")  # people's names only


def test_a_j_alone_is_no_german_or_polish_spelling():
    assert english_spelling("juan") == "juan" and english_spelling("jelena") == "jelena"


def test_initials_and_name_forms_count_only_for_people():
    assert similarity("a", "andrei", person=False) == (0.0, "")
    assert similarity("bill", "william", person=False) == (0.0, "")


# ---------------------------------------------------------------------- the key of a name


@pytest.mark.parametrize(("text", "tokens", "legal"), [
    ("AO «Лаборатория Касперского»", ("ao", "laboratoriya", "kasperskogo"), (True, False, False)),  # transliterated
    ("Joint-Stock Company Concern Sozvezdie", ("jsc", "concern", "sozvezdie"), (True, False, False)),
    ("JSC Concern Sozvezdie", ("jsc", "concern", "sozvezdie"), (True, False, False)),  # one spelling of the form
    ("el-Shami, Abdul Qader", ("al", "shami", "abdul", "qader"), (False, False, False, False)),  # el -> al
    ("Hamza ibn Laden", ("hamza", "bin", "laden"), (False, False, False)),  # ibn -> bin
    ("جعفر عمر", ("jfr", "amr"), (False, False)),  # ICU's '?' for the ayin: dropped, a first one a vowel
    ("موسى", ("mwsa",), (False,)),  # the alif maqsura is an 'a' (Musa)
    ("Siemens GmbH", ("siemens", "gmbh"), (False, True)),  # a legal form's last capital is no new word
    ("SiemensAG", ("siemens", "ag"), (False, True)),
])
def test_a_name_becomes_latin_words_with_legal_forms_spelled_one_way(text, tokens, legal):
    key = name_key(text)
    assert (key.tokens, key.legal) == (tokens, legal)
    assert key.sounds == tuple(phonetic(token) for token in tokens)


def test_words_fold_case_width_and_punctuation():
    assert words("ＴＩＫＨＯＮＯＶ, Andrei-Gennadyevich") == ("tikhonov", "andrei", "gennadyevich")


def test_identifiers_compare_by_letters_and_digits_only(index):
    assert identifier_key("530-193 947") == "530193947"
    tikhonov = next(i for i, entity in enumerate(index.entities) if entity.id == "test:tikhonov")
    assert index.entities_with_identifier("530 193 947") == [tikhonov]


def test_deletions_and_trigrams():
    assert deletions("gleb") == {"leb", "geb", "glb", "gle"}
    assert trigrams("cuba") == {"^cu", "cub", "uba", "ba$"}


# ---------------------------------------------------------------------- near words and rarity


@pytest.mark.parametrize(("word", "near"), [
    ("cihn", ["chin"]), ("geb", ["gleb"]), ("tihonov", ["tikhonov"]),
    ("vasilchenkko", ["vasilchenko"]),  # two words of 8+ letters: through trigrams
    ("zzzz", []),
])
def test_a_word_the_lists_do_not_have_reaches_its_near_words(index, word, near):
    assert index.near_words(word) == near


def test_rare_words_weigh_more_and_legal_forms_a_fifth(index):
    assert index.weights["tikhonov"] > index.weights["andrei"]  # one name against four
    weights = index.scaled_weights(("ao", "lab"), (True, False))
    assert weights[0] == pytest.approx(index.weights["ao"] * 0.2)
    assert weights[1] == pytest.approx(index.weights["lab"])


# ---------------------------------------------------------------------- candidates


def candidates(index: ScreeningIndex, query: str, threshold: float = DEFAULT_THRESHOLD) -> list[str]:
    key = name_key(query)
    weights = list(index.scaled_weights(key.tokens, key.legal))
    return [index.names[name_id].text
            for name_id in index.candidates(key, weights, threshold - 0.08, 0.6)]


@pytest.mark.parametrize(("query", "reached"), [
    ("Tihonov Andrei", ["TIKHONOV, Andrei Gennadyevich"]),  # a typo reaches its word, the first name alone not
    ("Chang Cihn Sung", ["CHANG, Chin Sung"]),
    ("Bill Ramirez Valenciano", ["RAMIREZ VALENCIANO, William"]),
    ("IMICO NEKA 456", ["IMICO NEKA 456"]),  # NEKA 455 could not reach the threshold
    ("Andrei Kuznetsov", []),  # four listed names share the first name: none could score enough
    ("Andrei", []),
])
def test_only_names_that_could_reach_the_threshold_are_candidates(index, query, reached):
    assert candidates(index, query) == reached


def test_the_same_word_ranks_before_a_sound_alike(index):
    assert candidates(index, "Jonas Edward Smith") == ["SMITH, Jonas Edward", "SMYTH, Jonas Edward"]
    assert candidates(index, "Jonas Edward Smyth") == ["SMYTH, Jonas Edward", "SMITH, Jonas Edward"]


# ---------------------------------------------------------------------- scoring a candidate


def test_a_dropped_middle_name_costs_less_than_an_extra_word(index):
    listed = next(name for name in index.names if name.text == "TIKHONOV, Andrei Gennadyevich")

    def score(query: str) -> float:
        key = name_key(query)
        return compare(key, list(index.scaled_weights(key.tokens, key.legal)), listed, True)[0]

    assert score("Andrei Gennadyevich Tikhonov") == 1.0  # word order does not count
    dropped, extra = score("Andrei Tikhonov"), score("Andrei Gennadyevich Tikhonov Petrovsky")
    assert DEFAULT_THRESHOLD < dropped < 1.0
    assert extra < dropped


def test_screening_the_fixture_explains_and_adjusts(screener):
    (hit,) = screener.screen(ScreenQuery(name="Tihonov Andrei", birth_date="1966", country="RU"))
    assert hit.entity_id == "test:tikhonov"
    assert "tihonov ~ tikhonov (typo 0.92)" in hit.explanation
    assert hit.adjustments == ["birth year 1966 matches (+0.05)", "country RU matches (+0.03)"]
    (weak,) = screener.screen(ScreenQuery(name="Professor Oleg"))
    assert weak.name_kind is NameKind.weak and weak.score == 0.9  # a weak alias counts x0.9
    assert [hit.entity_id for hit in screener.screen(ScreenQuery(name="Лаборатория Касперского"))] == ["test:kaspersky"]
    assert screener.screen(ScreenQuery(name="Somebody Else", identifiers=["530193947"]))[0].score == 1.0
