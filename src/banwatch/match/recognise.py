"""Recognise a measure's covered parties, products and exclusions in the free
text of a transaction ("KASPERSKY ENDPOINT SECURITY for Windows 11.6",
"AO Kaspersky Lab", "Касперский").

Every match is returned as `Evidence`: which field, which catalog name, how,
and whether it is `clear` (the same thing) or only `resembles` (a typo, a
dropped name part, another legal form). The decision layer turns a clear match
into a prohibition and a resemblance into a review, never into a silent
"allowed".

The catalog holds a few hundred names, so each query is compared with every
name of a measure; the large-list index belongs to the screening engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rapidfuzz.distance import OSA

from banwatch.match.normalise import compact, product_words, split_legal_form, words
from banwatch.model import Evidence, Measure, Party, Role

#: the fewest letters a word needs before a typo in it is worth flagging;
#: shorter words ("zte", "ao") are too easily one edit from something else.
MIN_TYPO_LENGTH = 5


def allowed_edits(word: str) -> int:
    """Edits tolerated in a word of this length (OSA counts a swap as one)."""
    if len(word) >= 9:
        return 2
    return 1 if len(word) >= MIN_TYPO_LENGTH else 0


def edits_between(query_word: str, listed_word: str) -> int | None:
    """Edit count when the two words are near enough to be a typo, else None."""
    limit = allowed_edits(listed_word)
    if limit == 0 or query_word == listed_word:
        return None
    distance = OSA.distance(query_word, listed_word, score_cutoff=limit)
    return distance if distance <= limit else None


def find_run(needle: tuple[str, ...], haystack: tuple[str, ...]) -> tuple[int, int] | None:
    """(start, end) of the first place `needle` appears as consecutive words of
    `haystack`, written together or apart ('anti virus' == 'antivirus'), or None."""
    if not needle:
        return None
    target = compact(needle)
    for start in range(len(haystack)):
        joined = ""
        for end in range(start, len(haystack)):
            joined += haystack[end]
            if joined == target:
                return start, end + 1
            if len(joined) >= len(target):
                break
    return None


def contains_run(needle: tuple[str, ...], haystack: tuple[str, ...]) -> bool:
    return find_run(needle, haystack) is not None


def without_run(needle: tuple[str, ...], haystack: tuple[str, ...]) -> tuple[str, ...]:
    """`haystack` with the words where `needle` appears taken out (all of them)."""
    while (span := find_run(needle, haystack)) is not None:
        haystack = haystack[:span[0]] + haystack[span[1]:]
    return haystack


def typo_of(query: tuple[str, ...], listed: tuple[str, ...]) -> str | None:
    """A phrase explaining how `query` is a misspelling of `listed` (same words,
    any order, some within a few edits), or None."""
    if len(query) != len(listed):
        return None
    remaining = list(listed)
    notes: list[str] = []
    for word in query:
        if word in remaining:
            remaining.remove(word)
            continue
        for candidate in remaining:
            edits = edits_between(word, candidate)
            if edits is not None:
                remaining.remove(candidate)
                notes.append(f"'{word}' is {edits} edit{'s' if edits > 1 else ''} from '{candidate}'")
                break
        else:
            return None
    return "; ".join(notes) if notes else None


def near_word(query: tuple[str, ...], brand: tuple[str, ...]) -> str | None:
    """A one-word brand misspelt or declined inside a longer name: 'Kasperski
    Antivirus', 'Антивирус Касперского' (-> 'kasperskogo')."""
    if len(brand) != 1:
        return None
    (listed,) = brand
    for word in query:
        edits = edits_between(word, listed)
        if edits is not None:
            return f"'{word}' is {edits} edit{'s' if edits > 1 else ''} from '{listed}'"
        stem = listed[:-1]
        if len(stem) >= MIN_TYPO_LENGTH and word.startswith(stem) and len(word) - len(listed) <= 3:
            return f"'{word}' looks like a grammatical form of '{listed}'"
    return None


class MeasureRecogniser:
    """Finds one measure's parties, products and exclusions in transaction fields."""

    def __init__(self, measure: Measure):
        self.measure = measure

    # ------------------------------------------------------------------ parties

    def parties(self, field: str, value: str, role: Role) -> list[Evidence]:
        found: list[Evidence] = []
        for party in self.measure.parties:
            if role in party.roles:
                found.extend(self._party(field, value, party))
        return found

    def _party(self, field: str, value: str, party: Party) -> Iterator[Evidence]:
        query_core, query_forms = split_legal_form(value)

        def evidence(matched: str, strength: str, how: str) -> Evidence:
            return Evidence(field=field, value=value, matched=matched, target="party",
                            strength=strength, how=how, party=party.name)

        for name in party.all_names():
            listed_core, listed_forms = split_legal_form(name)
            if compact(query_core) == compact(listed_core) or set(query_core) == set(listed_core):
                if query_forms and listed_forms and query_forms != listed_forms:
                    yield evidence(name, "resembles", "same name but another legal form "
                                   f"({' '.join(sorted(query_forms))} vs {' '.join(sorted(listed_forms))})")
                else:
                    yield evidence(name, "clear", "same name")
                continue
            shared = set(query_core) & set(listed_core)
            if party.kind == "person" and len(shared) >= 2 and set(query_core) < set(listed_core):
                yield evidence(name, "resembles", f"{len(shared)} of {len(listed_core)} name parts")
            elif party.kind == "organization" and len(listed_core) >= 2 and set(listed_core) < set(query_core):
                yield evidence(name, "resembles", "contains the listed name with more words")
            elif how := typo_of(query_core, listed_core):
                yield evidence(name, "resembles", how)
        yield from self._brands(field, value, party, target="party")

    def _brands(self, field: str, value: str, party: Party, target: str,
                query: tuple[str, ...] | None = None) -> Iterator[Evidence]:
        """A name carrying the party's brand ('Kaspersky Labs GmbH'): the party
        itself where the measure covers affiliates, otherwise a resemblance.
        `query`: the words to look in, when not all of `value`'s."""
        query = words(value) if query is None else query
        for brand in party.brands:
            brand_words = words(brand)
            if contains_run(brand_words, query):
                if party.covers_affiliates or target == "product":
                    yield Evidence(field=field, value=value, matched=brand, target=target, strength="clear",
                                   how=self._brand_reason(party, brand, target), party=party.name)
                else:
                    yield Evidence(field=field, value=value, matched=party.name, target=target,
                                   strength="resembles", party=party.name,
                                   how=f"carries the name '{brand}' but is not the listed entity by name")
            elif how := near_word(query, brand_words):
                yield Evidence(field=field, value=value, matched=brand, target=target,
                               strength="resembles", how=how, party=party.name)

    @staticmethod
    def _brand_reason(party: Party, brand: str, target: str) -> str:
        written = f" (written '{brand}')" if brand != party.brands[0] else ""
        if target == "product":
            return f"a {party.brands[0]} product{written}, made by {party.name}"
        return (f"a {party.brands[0]} company{written}; {party.name} is covered "
                "with its affiliates, subsidiaries and parents")

    # ------------------------------------------------------------------ products

    def product(self, value: str) -> list[Evidence]:
        """The exclusions, products and brands the product field names. An
        exclusion clears only what it names: products and brands are looked
        for in the words that remain once every clearly named exclusion is
        taken out ('Kaspersky Threat Intelligence and Kaspersky Endpoint
        Security bundle' still names Endpoint Security)."""
        query, all_words = product_words(value), words(value)

        def evidence(matched: str, target: str, strength: str, how: str) -> Evidence:
            return Evidence(field="product", value=value, matched=matched, target=target,
                            strength=strength, how=how)

        found: list[Evidence] = []
        for exclusion in self.measure.exclusions:
            for name in exclusion.all_names():
                listed = product_words(name)
                if contains_run(listed, query):
                    found.append(evidence(name, "exclusion", "clear", "names an excluded product or service"))
                    query, all_words = without_run(listed, query), without_run(words(name), all_words)
                elif set(listed) <= set(query):
                    found.append(evidence(name, "exclusion", "resembles",
                                          "has its words, in another order or with others"))
        for product in self.measure.products:
            for name in product.all_names():
                listed = product_words(name)
                if contains_run(listed, query):
                    found.append(evidence(name, "product", "clear", "names the covered product"))
                elif how := typo_of(query, listed):
                    found.append(evidence(name, "product", "resembles", how))
        if self.measure.vendor_products_covered:
            for party in self.measure.parties:
                if Role.vendor in party.roles:
                    found.extend(self._brands("product", value, party, target="product", query=all_words))
        return found

    def vendor(self, value: str) -> list[Evidence]:
        """The maker named in the vendor field: covers the product when the
        measure covers all of that vendor's products, else it needs review."""
        found = self.parties("vendor", value, Role.vendor)
        if self.measure.vendor_products_covered:
            return found
        return [item.model_copy(update={"strength": "resembles",
                                        "how": item.how + "; only listed products are covered"})
                for item in found]


def strongest(evidence: Iterable[Evidence]) -> list[Evidence]:
    """The best evidence per transaction field: a clear match before a
    resemblance, the longest catalog name first ('Kaspersky Total Security'
    says more than 'Kaspersky')."""
    best: dict[str, Evidence] = {}
    for item in evidence:
        current = best.get(item.field)
        if current is None or rank(item) > rank(current):
            best[item.field] = item
    return list(best.values())


def rank(item: Evidence) -> tuple[bool, int, bool]:
    # On a tie the exclusion wins: the measure's own text carves it out.
    return item.strength == "clear", len(words(item.matched)), item.target == "exclusion"
