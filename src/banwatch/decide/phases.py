"""Which phase of a measure is in force on the transaction's date, and what it
says about the transaction's type. Prohibitions accumulate: a later phase adds
to, never lifts, an earlier one. When a phase starts for what the transaction
names is the catalog's rule (`banwatch.catalog.in_force`), shared with the
estate scan; what else a phase turns on (product families, model years, a
foreign adversary's nexus) is `banwatch.decide.conditions`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from banwatch.catalog.in_force import phase_start
from banwatch.decide.conditions import phase_concerns
from banwatch.model import Bound, Evidence, Measure, Outcome, Phase, PhaseWarning, Transaction, TransactionType

#: transaction types decided as another: a purchase is the buyer's view of a sale
DECIDED_AS = {TransactionType.purchase: TransactionType.sale}


@dataclass(frozen=True)
class PhaseVerdict:
    outcome: Outcome
    phase_name: str | None
    effective: dt.date | None
    why: str = ""
    warnings: list[str] = field(default_factory=list)
    doubt: str | None = None  # what must hold for the deciding phase to concern the transaction


def phase_verdict(measure: Measure, transaction: Transaction, evidence: list[Evidence],
                  categories: frozenset[Bound] | None = None) -> PhaseVerdict:
    """What the phases in force say about the transaction's type. `categories`:
    the bound persons the transaction has (`scope.binds`); a phase limited to
    others (`Phase.binds`) says nothing here."""
    kind = DECIDED_AS.get(transaction.type, transaction.type)
    # per outcome, the first phase in force that decides it: one that surely concerns the
    # transaction before one that does only if a doubt is resolved
    deciding: dict[Outcome, tuple[Phase, dt.date, str | None]] = {}
    later: tuple[Phase, dt.date] | None = None  # the first phase prohibiting it only from a later date
    not_concerned: list[str] = []
    warnings: list[str] = []
    for phase in measure.phases:
        if phase.binds and categories is not None and not set(phase.binds) & categories:
            continue
        start = phase_start(measure, phase, [item.party for item in evidence])
        if start is None:
            continue
        concern = phase_concerns(measure, phase, transaction, evidence)
        decides = kind in phase.prohibits or kind in phase.review
        if not concern.concerns:
            if decides and concern.why_not and concern.why_not not in not_concerned:
                not_concerned.append(concern.why_not)
            continue
        in_force = [warning_text(warning, start, transaction.date) for warning in phase.warnings
                    if kind in warning.types]
        if start <= transaction.date and in_force:
            warnings = in_force  # a later phase's warning supersedes an earlier one
        if start > transaction.date:
            if later is None and kind in phase.prohibits:
                later = (phase, start)
            continue
        if decides:
            warnings = in_force  # earlier warnings led up to this phase and are moot now
            outcome = Outcome.prohibited if kind in phase.prohibits else Outcome.review
            current = deciding.get(outcome)
            if current is None or (current[2] is not None and concern.doubt is None):
                deciding[outcome] = (phase, start, concern.doubt)

    for outcome in (Outcome.prohibited, Outcome.review):
        if outcome in deciding:
            phase, start, doubt = deciding[outcome]
            return PhaseVerdict(outcome, phase.name, start, warnings=warnings, doubt=doubt)

    action = kind.value.replace("_", " ")
    if later:  # prohibited, but only from a later date
        phase, start = later
        warnings.append(f"From {start}, {action} is prohibited by {measure.title} "
                        f"({measure.citation}), phase '{phase.name}'.")
        return PhaseVerdict(Outcome.allowed, None, None,
                            why=f"{action} is prohibited only from {start}", warnings=warnings)
    if not_concerned:
        return PhaseVerdict(Outcome.allowed, None, None, why="; ".join(not_concerned), warnings=warnings)
    return PhaseVerdict(Outcome.allowed, None, None,
                        why=f"the measure does not prohibit {action}", warnings=warnings)


def warning_text(warning: PhaseWarning, listed: dt.date, date: dt.date) -> str:
    """A phase's warning, and for a rule that starts some days after the party's
    listing (`PhaseWarning.days_after_listing`) when it starts for this party."""
    if warning.days_after_listing is None:
        return warning.text
    starts = listed + dt.timedelta(days=warning.days_after_listing)
    if date < starts:
        return (f"{warning.text} For what this transaction names (listed {listed.isoformat()}) it starts on "
                f"{starts.isoformat()}, after the transaction's date: from then it applies.")
    return f"{warning.text} For what this transaction names (listed {listed.isoformat()}) it applies since {starts.isoformat()}."
