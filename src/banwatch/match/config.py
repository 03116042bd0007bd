"""Every weight, similarity and bonus of the screening score, in one place (as
nomenklatura's `ScoringConfig`): a weight change is one line here, and the
explanation of a hit prints the figures it used from here.

`benchmarks/bench_quality.py` and `benchmarks/bench_pairs.py` measure them;
change one, run both.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScoringConfig:
    # ------------------------------------------------------------------ the alert
    #: the default alert threshold
    threshold: float = 0.80

    # ------------------------------------------------------------------ a name's score
    #: the name score counts the query's matched words this much, the listed name's the rest
    query_share: float = 0.6
    #: how much a legal form (AO, LLC, GmbH) or a vessel prefix weighs against an ordinary word as rare
    legal_form_factor: float = 0.2
    #: the most an initial ('A.') weighs: a letter says less than a name, however rare the letter is
    initial_weight: float = 1.0

    # ------------------------------------------------------------------ one word against another
    #: sounds alike (same metaphone) with Jaro-Winkler at least `sound_floor`
    sound_similarity: float = 0.9
    sound_floor: float = 0.80
    #: a typo by Jaro-Winkler: at least `typo_floor`, both words of `min_typo_length`+ letters, less `typo_penalty`
    typo_floor: float = 0.88
    typo_penalty: float = 0.05
    min_typo_length: int = 5
    #: a typo by edit count: one edit in words of 4+ letters, two in words of 8+ (less 0.05 per extra edit)
    edit_similarity: float = 0.85
    #: an initial for a person's given name ('A.' for 'Andrei')
    initial_similarity: float = 0.7
    #: another form of the same given name ('Bill'/'William', 'Iosif'/'Joseph')
    name_variant_similarity: float = 0.9
    #: two one-syllable names Wikidata groups as one ('Wang'/'Chung', 'Dang'/'Tong'): one character
    #: read in two languages, too little alone to say it is the same person
    syllable_variant_similarity: float = 0.7
    #: a person's name romanised by German or Polish rules against English ones ('Walentinowitsch'/'Valentinovich')
    romanisation_similarity: float = 0.9
    #: an abbreviated word of a company name ('Mgmt' for 'Management')
    abbreviation_similarity: float = 0.95
    #: two words written as one ('Goodwill' for 'Good Will'), counted for both
    joined_similarity: float = 0.95
    #: the same consonants, one side written in an abjad (Arabic, Hebrew) without vowels ('hsyn'/'hussein')
    consonant_similarity: float = 0.85
    #: a plural against a singular in a company's name ('Trusts'/'Trust'): another word to a reviewer
    plural_similarity: float = 0.7
    #: a Russian surname or patronymic in the other gender's form ('Baranova'/'Baranov')
    other_gender_similarity: float = 0.5
    #: two romanised Chinese syllables one sound apart ('Jiang'/'Jian', 'Shen'/'Sheng'): other syllables
    syllable_similarity: float = 0.5
    #: two different common words of English in other names than persons' ('Steal'/'Steel',
    #: 'Peer'/'Pier'): a homophone or a one-letter change that makes another word, not a typo
    other_word_similarity: float = 0.5

    # ------------------------------------------------------------------ conflicts in a name
    #: numbers on both sides that differ ('Wattle Star II'/'III'): a different ship or fund
    number_conflict: float = 0.6
    #: an initial against a given name it cannot stand for ('B. Khamenei'/'Ali Khamenei')
    initial_conflict: float = 0.8
    #: the names on either side of bin/ibn/ben swapped: father and son are different people
    patronymic_conflict: float = 0.7
    #: per character that differs between two names both written in Han, kana or Hangul
    script_character_conflict: float = 0.75

    # ------------------------------------------------------------------ secondary fields
    birth_year_bonus: float = 0.05
    birth_year_conflict: float = 0.75  # more than a year apart
    country_bonus: float = 0.03
    country_conflict: float = 0.95  # lists name only some of an entry's countries
    type_conflict: float = 0.8  # a person against a company
    weak_alias: float = 0.9  # OFAC's "weak a.k.a.", UN "low quality"

    @property
    def best_bonus(self) -> float:
        """The most the secondary fields can add: a name must reach threshold - this to be worth scoring."""
        return self.birth_year_bonus + self.country_bonus


SCORING = ScoringConfig()
