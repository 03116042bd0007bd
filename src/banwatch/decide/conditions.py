"""What a phase concerns beyond its date and parties: the families of the
products a transaction names, the goods' model year, and whether their maker
or seller has a foreign adversary's nexus (the connected-vehicles rule bans
Chinese or Russian vehicle software from model year 2027 and hardware from
model year 2030).

Each test answers: the phase concerns the transaction, it does not (and why),
or it does only if something the caller did not say holds (a doubt, which
makes a prohibition a review saying what to establish: never a silent
"allowed" because the model year was not given).
"""

from __future__ import annotations

from dataclasses import dataclass

from banwatch.model import NO_MODEL_YEAR, Answer, Evidence, Measure, NexusOf, Phase, Transaction

COUNTRY_NAMES = {"CN": "the PRC", "RU": "Russia"}


@dataclass(frozen=True)
class Concern:
    concerns: bool
    why_not: str = ""  # when it does not: why, for the reason sentence (empty: nothing worth saying)
    doubt: str | None = None  # when it does only if this holds


def phase_concerns(measure: Measure, phase: Phase, transaction: Transaction, evidence: list[Evidence]) -> Concern:
    doubts: list[str] = []
    for test in (family_test, model_year_test, nexus_test):
        result = test(measure, phase, transaction, evidence)
        if not result.concerns:
            return result
        if result.doubt:
            doubts.append(result.doubt)
    return Concern(True, doubt=" and ".join(doubts) or None)


def family_test(measure: Measure, phase: Phase, _transaction: Transaction, evidence: list[Evidence]) -> Concern:
    if not phase.families:
        return Concern(True)
    named = {product.family for product in measure.products for item in evidence
             if item.target == "product" and item.matched in product.all_names()}
    if named & set(phase.families):
        return Concern(True)
    return Concern(False)  # another kind of goods: not worth a word in the reason


def model_year_test(_measure: Measure, phase: Phase, transaction: Transaction, _evidence: list[Evidence]) -> Concern:
    year = transaction.model_year
    if phase.without_model_year:
        if year == NO_MODEL_YEAR:
            return Concern(True)
        if year is None:
            return Concern(True, doubt="if the goods are associated with no model year")
        return Concern(False, why_not=f"it concerns goods associated with no model year, and these are of {year}")
    if phase.model_years_from is None:
        return Concern(True)
    if year is None:
        return Concern(True, doubt=f"if the goods are of model year {phase.model_years_from} or later "
                                   "(give the model year)")
    if year == NO_MODEL_YEAR or year < phase.model_years_from:
        shown = "associated with no model year" if year == NO_MODEL_YEAR else f"of model year {year}"
        return Concern(False, why_not=f"it concerns model year {phase.model_years_from} and later, and the goods "
                                      f"are {shown}")
    return Concern(True)


def nexus_test(measure: Measure, phase: Phase, transaction: Transaction, _evidence: list[Evidence]) -> Concern:
    countries = " or ".join(dict.fromkeys(COUNTRY_NAMES.get(code, code) for code in measure.nexus_countries))
    doubts: list[str] = []
    for whose in phase.nexus:
        answer = transaction.origin_nexus if whose is NexusOf.origin else transaction.seller_nexus
        tie = f"owned by, controlled by, or subject to the jurisdiction or direction of {countries}"
        if whose is NexusOf.origin:
            holds, fails = (f"the goods (or the software and hardware a vehicle incorporates) were designed, "
                            f"developed, made or supplied by a person {tie}",
                            f"the goods were not designed, developed, made or supplied by a person {tie} (as given)")
        else:
            hint = (f" (it is in {transaction.seller_country})"
                    if transaction.seller_country in measure.nexus_countries else "")
            holds, fails = f"the seller is {tie}{hint}", f"the seller is not {tie} (as given)"
        if answer is Answer.no:
            return Concern(False, why_not=fails)
        if answer is Answer.unknown:
            doubts.append(f"if {holds}")
    return Concern(True, doubt=" and ".join(doubts) or None)
