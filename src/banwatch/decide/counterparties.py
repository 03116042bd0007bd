"""Sellers and buyers screened against the loaded lists (OFAC, UN, BIS, CSL).

The catalog's own parties are decided by their measures; this covers everyone
else the official lists name. A hit is a `review` by default: a person must
confirm that the counterparty is the listed one and apply that list's
consequences. A catalog measure can cover every entry of a list
(`Measure.lists`): the OFAC SDN blocking rule does, so a near-certain hit on
the SDN list, where the measure binds the parties and its phase prohibits the
transaction, is `prohibited` with the measure's citation. Near-certain means a
score of 0.95 or more with every word of the name found as written: a typo is
always a review.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from banwatch.decide.phases import PhaseVerdict, phase_verdict
from banwatch.decide.scope import binds
from banwatch.lists.sources import SOURCES
from banwatch.match.screen import DEFAULT_THRESHOLD, Screener
from banwatch.model import (Evidence, Measure, MeasureFinding, Outcome, ScreeningHit, ScreenQuery,
                            Transaction)

CERTAIN = 0.95


@dataclass(frozen=True)
class ListsInUse:
    """The official lists a seller or buyer is screened against, as the caller
    found them: a screener over them, or None with the reason (no list is
    loaded, screening was turned off), and what to warn of (lists missing or old)."""

    screener: Screener | None
    warnings: tuple[str, ...] = ()
    unscreened_because: str = ""


def screen_counterparties(transaction: Transaction, lists: ListsInUse, measures: Sequence[Measure]
                          ) -> tuple[list[MeasureFinding], list[str], list[str]]:
    """Findings for the seller and buyer found on a list (or not screened at
    all: never cleared), their reasons, and warnings."""
    findings: list[MeasureFinding] = []
    reasons: list[str] = []
    parties = [(field, name, country) for field, name, country in
               (("seller", transaction.seller, transaction.seller_country),
                ("buyer", transaction.buyer, transaction.buyer_country)) if name]
    warnings: list[str] = list(lists.warnings) if parties else []
    for field, name, country in parties:
        if lists.screener is None:
            findings.append(unscreened(field, name, lists.unscreened_because))
            reasons.append(f"The {field} '{name}' was not screened against the official lists "
                           f"({lists.unscreened_because}), so it is not cleared: review it, or load the lists "
                           "and decide again.")
            continue
        for hit in lists.screener.screen(ScreenQuery(name=name, country=country), threshold=DEFAULT_THRESHOLD):
            if hit.source == "catalog":
                continue  # decided by the catalog measure the party belongs to
            finding, reason, hit_warnings = judge_hit(transaction, field, name, hit, measures)
            findings.append(finding)
            reasons.append(reason)
            warnings.extend(w for w in hit_warnings if w not in warnings)
    return findings, reasons, warnings


def unscreened(field: str, name: str, because: str) -> MeasureFinding:
    evidence = Evidence(field=field, value=name, matched="", target="party", strength="resembles",
                        how=f"not screened: {because}")
    return MeasureFinding(id=f"lists:unscreened-{field}", title="Official sanctions and export-control lists",
                          citation="not screened", outcome=Outcome.review, phase=None, effective=None,
                          evidence=[evidence])


def judge_hit(transaction: Transaction, field: str, name: str, hit: ScreeningHit, measures: Sequence[Measure]
              ) -> tuple[MeasureFinding, str, list[str]]:
    certain = hit.score >= CERTAIN and all(word.how == "same" for word in hit.words if word.query)
    title = SOURCES[hit.source].title if hit.source in SOURCES else hit.source
    evidence = Evidence(field=field, value=name, matched=hit.name, target="party",
                        strength="clear" if certain else "resembles", how=f"{hit.entity_id}, score {hit.score:.2f}")
    prohibition = prohibiting_measure(transaction, hit.source, evidence, measures) if certain else None
    warnings: list[str] = []
    if prohibition is not None:
        measure, verdict, warnings = prohibition
        finding = MeasureFinding(id=f"list:{hit.entity_id}", title=title, citation=measure.citation,
                                 outcome=Outcome.prohibited, phase=verdict.phase_name, effective=verdict.effective,
                                 evidence=[evidence])
        ruling = f"is prohibited by {measure.title} ({measure.citation})"
    else:
        finding = MeasureFinding(id=f"list:{hit.entity_id}", title=title, citation=f"{title}, entry {hit.entity_id}",
                                 outcome=Outcome.review, phase=None, effective=None, evidence=[evidence])
        ruling = "needs review"
    reason = (f"The {field} '{name}' matches {hit.entity_id} '{hit.name}' on the {title} "
              f"(score {hit.score:.2f}; programs: {', '.join(hit.programs) or 'none given'}): "
              f"the transaction {ruling}. {hit.explanation}")
    return finding, reason, warnings


def prohibiting_measure(transaction: Transaction, source: str, evidence: Evidence, measures: Sequence[Measure]
                        ) -> tuple[Measure, PhaseVerdict, list[str]] | None:
    """The first measure covering every entry of `source` that binds the
    transaction's parties and prohibits it on its date, with its verdict and warnings."""
    for measure in measures:
        if source in measure.lists:
            scope = binds(measure, transaction)
            verdict = phase_verdict(measure, transaction, [evidence], scope.categories)
            if scope.applies and not scope.doubt and verdict.outcome is Outcome.prohibited:
                return measure, verdict, scope.warnings
    return None
