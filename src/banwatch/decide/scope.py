"""Whether a measure binds the parties of a transaction: U.S. persons,
federal agencies, federal contractors, anyone exporting items subject to the
EAR (the `bound` list of each measure), and which of them the transaction has.

- A U.S. person is a U.S. citizen or permanent resident, an entity organised
  under U.S. law (its branches abroad included), or anyone in the United
  States. A party said to be one (`buyer_us_person`) is one wherever it is;
  otherwise its country decides: a party in the US is one, and a party
  elsewhere is taken not to be, which the warnings say, because a U.S.
  company's branch or a U.S. citizen abroad is one too.
- Federal agencies: a federal buyer, or a federal procurement. Federal
  contractors: a buyer that is one, or the seller in a federal procurement.
- The EAR bind any person, anywhere, who exports, reexports or transfers an
  item subject to them: whether the items are (`subject_to_ear`) decides, and
  when it is not known, the outcome is at most a review saying what to establish.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from banwatch.model import Bound, Answer, Measure, Transaction, TransactionType

US = "US"
FEDERAL = {Bound.federal_agencies, Bound.federal_contractors}


@dataclass(frozen=True)
class Scope:
    applies: bool
    why: str = ""
    warnings: list[str] = field(default_factory=list)
    #: the bound persons the transaction has among the measure's: which phases apply
    categories: frozenset[Bound] = frozenset()
    #: what must be established before the measure can prohibit (the outcome is then a review)
    doubt: str | None = None


def categories_of(transaction: Transaction) -> set[Bound]:
    found: set[Bound] = set()
    procurement = transaction.type is TransactionType.federal_procurement
    if transaction.buyer_is_federal or procurement:
        found.add(Bound.federal_agencies)
    if transaction.buyer_is_federal_contractor or procurement:
        found.add(Bound.federal_contractors)
    if transaction.subject_to_ear is not Answer.no:
        found.add(Bound.ear_exporters)
    if transaction.buyer_government:
        found.add(Bound.state_and_local_government)
    return found


def binds(measure: Measure, transaction: Transaction) -> Scope:
    return bound_scope(measure.bound, transaction, measure.jurisdiction)


def bound_scope(bound_persons: Iterable[Bound], transaction: Transaction, jurisdiction: str = US) -> Scope:
    """Whether a rule binding `bound_persons` (a measure's, a list's legal effect's) binds the transaction."""
    bound = set(bound_persons)
    if Bound.state_and_local_government in bound:
        if transaction.buyer_government == jurisdiction:
            return Scope(True, categories=frozenset({Bound.state_and_local_government}))
        return Scope(False, why=f"it binds only the state and local government bodies of {jurisdiction} "
                                "and the buyer is not one")
    categories = categories_of(transaction) & bound
    if categories & FEDERAL:
        return Scope(True, categories=frozenset(categories | (bound & {Bound.us_persons})))
    if Bound.us_persons in bound:
        scope = us_person_scope(transaction)
        if scope.applies or Bound.ear_exporters not in bound:
            return Scope(scope.applies, scope.why, scope.warnings, frozenset(categories | {Bound.us_persons}))
    if Bound.ear_exporters in bound:
        return ear_scope(transaction, frozenset(categories))
    who = " and ".join(b.value.replace("_", " ") for b in bound)
    return Scope(False, why=f"it binds only {who} and the buyer is not federal")


def us_person_scope(transaction: Transaction) -> Scope:
    """Whether a U.S. person takes part, by the parties' own say-so, else their countries."""
    parties = (("buyer", transaction.buyer_us_person, transaction.buyer_country),
               ("seller", transaction.seller_us_person, transaction.seller_country))
    federal = transaction.buyer_is_federal or transaction.type is TransactionType.federal_procurement
    if federal or any(said or (said is None and country == US) for _role, said, country in parties):
        return Scope(True)  # a federal buyer is a U.S. person; so is anyone in the US
    known = [(role, said, country) for role, said, country in parties if said is not None or country]
    if not known:
        return Scope(True, warnings=[
            "No buyer or seller country was given: banwatch assumed a US person takes part. "
            "Give the buyer's or seller's country, or say whether each is a U.S. person, to decide for "
            "non-US parties."])
    assumed = [f"the {role} in {country}" for role, said, country in known if said is None]
    warnings = [f"banwatch took {' and '.join(assumed)} for no U.S. person; a U.S. company's branch or a "
                "U.S. citizen abroad is one: say so (buyer_us_person, seller_us_person) if the measure "
                "should bind the transaction."] if assumed else []
    if all(said is None for _role, said, _country in known):
        why = f"it binds US persons and the parties are in {', '.join(sorted({c for _r, _s, c in known}))}"
    else:
        why = "it binds US persons and " + "; ".join(
            f"the {role} is not one" if said is False else f"the {role} is in {country}"
            for role, said, country in known)
    return Scope(False, why=why, warnings=warnings)


def ear_scope(transaction: Transaction, categories: frozenset[Bound]) -> Scope:
    if transaction.subject_to_ear is Answer.yes:
        return Scope(True, categories=categories)
    if transaction.subject_to_ear is Answer.no:
        return Scope(False, why="it controls items subject to the EAR and the transaction's items are not "
                                "(as given)")
    return Scope(True, categories=categories,
                 doubt="if the items are subject to the EAR (all US-origin items are, wherever they are: "
                       "15 CFR 734.3(a); establish whether these are)")
