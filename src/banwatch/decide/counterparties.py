"""Sellers and buyers screened against the loaded lists (OFAC, UN, BIS, CSL).

The catalog's own parties are decided by their measures; this covers everyone
else the official lists name. What a hit means is the legal effect of the
entry's listing (`banwatch.lists.legal_effects`: the SDN list blocks, E.O.
14024 Directive 4 bans every transaction, an SSI directive only new debt, the
Entity List requires a licence ...). A certain hit where the effect binds a
party and is in force is that effect's outcome; the SDN list's is decided by
the catalog's blocking measure, with its phases. Anything less is a `review`
that says what the list forbids. Certain means a score of 0.95 or more with
every word of the name found as written: a typo is always a review. A listing
whose effect banwatch does not hold is a review too.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from banwatch.decide.phases import phase_verdict
from banwatch.decide.scope import binds, bound_scope
from banwatch.lists.sources import SOURCES
from banwatch.match.screen import DEFAULT_THRESHOLD, Screener
from banwatch.model import (Evidence, ListingEffect, Measure, MeasureFinding, Outcome, ScreeningHit,
                            ScreenQuery, Transaction)

CERTAIN = 0.95
RULINGS = {Outcome.prohibited: "is prohibited", Outcome.review: "needs review", Outcome.allowed: "is allowed"}


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
    """The finding for a seller or buyer that matches a listed entry: the
    outcome its listing's legal effects give (`ListingEffect`), the most severe
    deciding, and a reason that says what each effect forbids."""
    certain = hit.score >= CERTAIN and all(word.how == "same" for word in hit.words if word.query)
    title = SOURCES[hit.source].title if hit.source in SOURCES else hit.source
    evidence = Evidence(field=field, value=name, matched=hit.name, target="party",
                        strength="clear" if certain else "resembles", how=f"{hit.entity_id}, score {hit.score:.2f}")
    judged = [judge_effect(transaction, effect, certain, evidence, measures) for effect in hit.effects]
    warnings = [warning for verdict in judged for warning in verdict.warnings]
    if judged:
        decisive = max(judged, key=lambda verdict: verdict.outcome.severity)
        outcome, citation, phase, effective = (decisive.outcome, decisive.citation, decisive.phase,
                                               decisive.effective)
        ruling = "; ".join(verdict.sentence for verdict in judged)
    else:
        outcome, citation, phase, effective = Outcome.review, f"{title}, entry {hit.entity_id}", None, None
        ruling = f"needs review: what a listing on the {title} forbids is not in banwatch's legal effects"
    if not certain:
        ruling += " (a possible match: confirm that it is the same party)"
    finding = MeasureFinding(id=f"list:{hit.entity_id}", title=title, citation=citation, outcome=outcome,
                             phase=phase, effective=effective, evidence=[evidence])
    reason = (f"The {field} '{name}' matches {hit.entity_id} '{hit.name}' on the {title} "
              f"(score {hit.score:.2f}; programs: {', '.join(hit.programs) or 'none given'}): "
              f"the transaction {RULINGS[outcome]}. {ruling}. {hit.explanation}")
    return finding, reason, list(dict.fromkeys(warnings))


@dataclass(frozen=True)
class EffectVerdict:
    outcome: Outcome
    sentence: str
    citation: str
    phase: str | None = None
    effective: dt.date | None = None
    warnings: tuple[str, ...] = ()


def judge_effect(transaction: Transaction, effect: ListingEffect, certain: bool, evidence: Evidence,
                 measures: Sequence[Measure]) -> EffectVerdict:
    """One legal effect of a listing on the transaction: its certain-hit outcome
    where it binds a party, is in force on the date and the match is certain;
    otherwise a review that says what is missing."""
    says = f"{effect.list}: {effect.prohibits} ({effect.citation})"
    review = functools.partial(EffectVerdict, Outcome.review, citation=effect.citation)
    if effect.expired is not None and effect.expired < transaction.date:
        return review(f"{says}; the listing expired on {effect.expired.isoformat()}, before the transaction: "
                      "check that it was not renewed")
    if effect.effective is not None and transaction.date < effect.effective:
        return review(f"{says}; in force only from {effect.effective.isoformat()}, after the transaction's date")
    if effect.measure is not None:  # a catalog measure decides, with its phases and dates
        measure = next((item for item in measures if item.id == effect.measure), None)
        if not certain or measure is None:
            return review(says)
        scope = binds(measure, transaction)
        if not scope.applies:
            return review(f"{says}; {scope.why}")
        verdict = phase_verdict(measure, transaction, [evidence], scope.categories)
        if scope.doubt or verdict.outcome is not Outcome.prohibited:
            return review(says)
        return EffectVerdict(Outcome.prohibited, says, measure.citation, verdict.phase_name, verdict.effective,
                             tuple(scope.warnings))
    scope = bound_scope(effect.bound, transaction)
    if not scope.applies:
        return review(f"{says}; {scope.why}", warnings=tuple(scope.warnings))
    if scope.doubt:
        return review(f"{says}; {scope.doubt}", warnings=tuple(scope.warnings))
    outcome = effect.certain_hit if certain else Outcome.review
    return EffectVerdict(outcome, says, effect.citation, effective=effect.effective, warnings=tuple(scope.warnings))
