"""Which phase of a measure is in force on the transaction's date, and what it
says about the transaction's type. Prohibitions accumulate: a later phase adds
to, never lifts, an earlier one. When a phase starts for what the transaction
names is the catalog's rule (`banwatch.catalog.in_force`), shared with the
estate scan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from banwatch.catalog.in_force import phase_start
from banwatch.model import Bound, Evidence, Measure, Outcome, Phase, Transaction, TransactionType

#: transaction types decided as another: a purchase is the buyer's view of a sale
DECIDED_AS = {TransactionType.purchase: TransactionType.sale}


@dataclass(frozen=True)
class PhaseVerdict:
    outcome: Outcome
    phase_name: str | None
    effective: dt.date | None
    why: str = ""
    warnings: list[str] = field(default_factory=list)


def phase_verdict(measure: Measure, transaction: Transaction, evidence: list[Evidence],
                  categories: frozenset[Bound] | None = None) -> PhaseVerdict:
    """What the phases in force say about the transaction's type. `categories`:
    the bound persons the transaction has (`scope.binds`); a phase limited to
    others (`Phase.binds`) says nothing here."""
    kind = DECIDED_AS.get(transaction.type, transaction.type)
    prohibited: tuple[Phase, dt.date] | None = None
    review: tuple[Phase, dt.date] | None = None
    warnings: list[str] = []
    for phase in measure.phases:
        if phase.binds and categories is not None and not set(phase.binds) & categories:
            continue
        start = phase_start(measure, phase, [item.party for item in evidence])
        if start is None:
            continue
        if prohibited is None and kind in phase.prohibits:
            prohibited = (phase, start)
        if review is None and kind in phase.review:
            review = (phase, start)
        in_force = [warning.text for warning in phase.warnings if kind in warning.types]
        if start <= transaction.date and in_force:
            warnings = in_force  # a later phase's warning supersedes an earlier one
        if start <= transaction.date and (kind in phase.prohibits or kind in phase.review):
            warnings = in_force  # earlier warnings led up to this phase and are moot now

    for decided, outcome in ((prohibited, Outcome.prohibited), (review, Outcome.review)):
        if decided and decided[1] <= transaction.date:
            phase, start = decided
            return PhaseVerdict(outcome, phase.name, start, warnings=warnings)

    action = kind.value.replace("_", " ")
    if prohibited:  # prohibited, but only from a later date
        phase, start = prohibited
        warnings.append(f"From {start}, {action} is prohibited by {measure.title} "
                        f"({measure.citation}), phase '{phase.name}'.")
        return PhaseVerdict(Outcome.allowed, None, None,
                            why=f"{action} is prohibited only from {start}", warnings=warnings)
    return PhaseVerdict(Outcome.allowed, None, None,
                        why=f"the measure does not prohibit {action}", warnings=warnings)

