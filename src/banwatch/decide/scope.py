"""Whether a measure binds the parties of a transaction: US persons, federal
agencies, federal contractors (the `bound` list of each measure)."""

from __future__ import annotations

from dataclasses import dataclass, field

from banwatch.model import Bound, Measure, Transaction, TransactionType

US = "US"


@dataclass(frozen=True)
class Scope:
    applies: bool
    why: str = ""
    warnings: list[str] = field(default_factory=list)


def binds(measure: Measure, transaction: Transaction) -> Scope:
    federal = transaction.buyer_is_federal or transaction.type is TransactionType.federal_procurement
    if federal and ({Bound.federal_agencies, Bound.federal_contractors} & set(measure.bound)):
        return Scope(True)
    if Bound.us_persons in measure.bound:
        countries = {transaction.seller_country, transaction.buyer_country} - {None}
        if US in countries or federal:  # a federal buyer is a US person
            return Scope(True)
        if not countries:
            return Scope(True, warnings=[
                "No buyer or seller country was given: banwatch assumed a US person takes part. "
                "Give the buyer's or seller's country to decide for non-US parties."
            ])
        return Scope(False, why=f"it binds US persons and the parties are in {', '.join(sorted(countries))}")
    who = " and ".join(b.value.replace("_", " ") for b in measure.bound)
    return Scope(False, why=f"it binds only {who} and the buyer is not federal")
