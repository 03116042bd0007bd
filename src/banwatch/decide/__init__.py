"""Decide one transaction against the catalog: prohibited, review or allowed,
with the measures, phases and plain-sentence reasons behind the answer.

All rules come from the catalog data (phases, bound persons, exclusions,
parties' roles); nothing here names a measure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from banwatch.decide.counterparties import ListsInUse, screen_counterparties
from banwatch.decide.phases import PhaseVerdict, phase_verdict
from banwatch.decide.scope import Scope, binds
from banwatch.match.recognise import MeasureRecogniser, strongest
from banwatch.match.screen import Screener
from banwatch.model import Decision, Evidence, Measure, MeasureFinding, Outcome, Role, Transaction

__all__ = ["ListsInUse", "decide"]


def decide(transaction: Transaction, measures: Iterable[Measure], screener: Screener | None = None,
           lists: ListsInUse | None = None) -> Decision:
    """The outcome for one transaction under every measure of the catalog, and
    with its seller and buyer screened against the official lists: `lists`
    as the caller found them (a seller or buyer it could not screen is never
    cleared), or simply a `screener`. With neither, the catalog alone decides."""
    if lists is None and screener is not None:
        lists = ListsInUse(screener)
    catalog = tuple(measures)
    findings: list[MeasureFinding] = []
    reasons: list[tuple[int, str]] = []  # (severity of the finding, sentence)
    warnings: list[str] = []
    not_binding: list[str] = []
    for measure in catalog:
        evidence = gather_evidence(measure, transaction)
        if not evidence:
            continue
        scope = binds(measure, transaction)
        if not scope.applies:
            not_binding.append(f"{measure.id} ({scope.why})")
            warnings.extend(w for w in scope.warnings if w not in warnings)
            continue
        finding, reason, measure_warnings = judge(measure, transaction, evidence, scope)
        if finding is not None:
            findings.append(finding)
        reasons.append((finding.outcome.severity if finding else -1, reason))
        warnings.extend(w for w in [*scope.warnings, *measure_warnings] if w not in warnings)
    if lists is not None:
        list_findings, list_reasons, list_warnings = screen_counterparties(transaction, lists, catalog)
        warnings.extend(w for w in list_warnings if w not in warnings)
        findings += list_findings
        reasons += [(finding.outcome.severity, reason) for finding, reason in zip(list_findings, list_reasons,
                                                                                  strict=True)]
    if not_binding:
        reasons.append((-2, "The transaction names what these measures also cover, but they do not bind its parties: "
                        + "; ".join(not_binding) + "."))
    if not reasons:
        reasons.append((-2, f"No measure in the catalog ({len(catalog)} checked) covers "
                            f"{describe_subject(transaction)}."))
    outcome = max((f.outcome for f in findings), key=lambda o: o.severity, default=Outcome.allowed)
    findings.sort(key=lambda f: (-f.outcome.severity, f.id))
    reasons.sort(key=lambda pair: -pair[0])  # the reasons that decide come first
    return Decision(outcome=outcome, transaction=transaction, measures=findings,
                    reasons=[reason for _, reason in reasons], warnings=warnings)


def gather_evidence(measure: Measure, transaction: Transaction) -> list[Evidence]:
    """Everything in the transaction that points at this measure's parties,
    products or exclusions, or at the countries whose buyers it covers."""
    recogniser = MeasureRecogniser(measure)
    evidence: list[Evidence] = []
    if transaction.product:
        evidence += recogniser.product(transaction.product)
    if transaction.vendor:
        evidence += recogniser.vendor(transaction.vendor)
    if transaction.seller:
        evidence += recogniser.parties("seller", transaction.seller, Role.seller)
    if transaction.buyer:
        evidence += recogniser.parties("buyer", transaction.buyer, Role.buyer)
    if transaction.buyer_country and transaction.buyer_country in measure.buyer_countries:
        evidence.append(Evidence(field="buyer_country", value=transaction.buyer_country,
                                 matched=transaction.buyer_country, target="country", strength="clear",
                                 how=f"the buyer is located in {transaction.buyer_country}"))
    return evidence


def judge(
    measure: Measure, transaction: Transaction, evidence: list[Evidence], scope: Scope
) -> tuple[MeasureFinding | None, str, list[str]]:
    """One measure's finding, its reason sentence and its warnings."""
    label = f"{measure.title} ({measure.citation})"
    exclusion = excluding(evidence)
    named_beside = [item for item in evidence if item.field == "product" and item.target != "exclusion"]
    if exclusion is not None and exclusion.strength == "clear" and not named_beside:
        finding = MeasureFinding(id=measure.id, title=measure.title, citation=measure.citation,
                                 outcome=Outcome.allowed, phase=None, effective=None,
                                 evidence=[exclusion])
        return finding, (f"'{exclusion.value}' is excluded from {label}: "
                         f"it {exclusion.how} ('{exclusion.matched}')."), []

    covered = strongest(item for item in evidence if item.target != "exclusion")
    if not covered:  # the product only resembles an exclusion: nothing of the measure is named
        return None, f"'{exclusion.value}' resembles an exclusion of {label} and names nothing it covers.", []
    subject = "; ".join(f"{item.field} '{item.value}' {explain(item)}" for item in covered)
    if exclusion is not None and exclusion.strength == "clear":
        # an exclusion clears only what it names: the line names a covered product beside it
        subject += f" (besides the excluded '{exclusion.matched}', which the exclusion clears)"

    verdict = phase_verdict(measure, transaction, covered, scope.categories)
    doubts = [scope.doubt, verdict.doubt,
              doubt_about(measure, covered, exclusion if exclusion is not None and exclusion.strength != "clear"
                          else None),
              *exceptions_to_check(measure, transaction, covered)]
    doubt = " and ".join(dict.fromkeys(d for d in doubts if d)) or None
    outcome = Outcome.review if doubt and verdict.outcome is Outcome.prohibited else verdict.outcome
    finding = MeasureFinding(id=measure.id, title=measure.title, citation=measure.citation,
                             outcome=outcome, phase=verdict.phase_name, effective=verdict.effective,
                             evidence=[*covered, *([exclusion] if exclusion else [])])
    reason = reason_sentence(label, transaction, verdict, subject, doubt)
    return finding, reason, verdict.warnings


def doubt_about(measure: Measure, covered: list[Evidence], exclusion: Evidence | None) -> str | None:
    """Why a person must look before this counts as covered, or None when it
    clearly is: only a resemblance, a party whose coverage is uncertain, or it
    may be an excluded product."""
    parties = [measure.party(item.party) for item in covered if item.party]
    if covered and len(parties) == len(covered) and all(party.uncertain for party in parties):
        return f"if the listing still stands ({parties[0].uncertain})"
    if exclusion is not None:
        return f"unless it is the excluded '{exclusion.matched}' ({exclusion.how})"
    if not any(item.strength == "clear" for item in covered):
        return "if it is the same"
    return None


def exceptions_to_check(measure: Measure, transaction: Transaction, covered: list[Evidence]) -> list[str]:
    """The measure's exceptions and limits that may apply to what the
    transaction names (a power supply may be equipment that cannot route user
    data; a Hikvision camera is covered only for security purposes), each as
    what to check: the outcome is then a review."""
    parties = {item.party for item in covered if item.party}
    product = (transaction.product or "").casefold()
    found = []
    for exception in measure.exceptions_to_check:
        if exception.parties and not parties & set(exception.parties):
            continue
        if exception.products and not any(re.search(rf"\b{re.escape(word.casefold())}\b", product)
                                          for word in exception.products):
            continue
        found.append(f"{exception.check} ({exception.citation})")
    return found


def excluding(evidence: list[Evidence]) -> Evidence | None:
    """The exclusion the product names: a clear one when it is the most precise
    match of the product ('Kaspersky Threat Intelligence' beats the bare brand
    'Kaspersky'), else one the product only resembles."""
    product = [item for item in evidence if item.field == "product"]
    clear = [item for item in product if item.target == "exclusion" and item.strength == "clear"]
    if clear:
        return strongest(clear)[0]
    return next((item for item in product if item.target == "exclusion" and item.strength == "resembles"), None)


def explain(item: Evidence) -> str:
    if item.strength == "clear":
        return f"is '{item.matched}' ({item.how})"
    return f"resembles '{item.matched}' ({item.how})"


def reason_sentence(label: str, transaction: Transaction, verdict: PhaseVerdict,
                    subject: str, doubt: str | None) -> str:
    action = f"{transaction.type.value.replace('_', ' ')} on {transaction.date.isoformat()}".capitalize()
    phase = f"phase '{verdict.phase_name}' in force since {verdict.effective}"
    if verdict.outcome is Outcome.allowed:
        return f"{action} is not prohibited by {label} on that date ({verdict.why}): {subject}."
    if doubt:
        ruling = "prohibits" if verdict.outcome is Outcome.prohibited else "requires a review of"
        return f"{action} needs review: {subject}; {doubt}, {label} {ruling} it ({phase})."
    verb = "is prohibited by" if verdict.outcome is Outcome.prohibited else "needs review under"
    return f"{action} {verb} {label}, {phase}: {subject}."


def describe_subject(transaction: Transaction) -> str:
    parts = [f"{field} '{value}'" for field in ("product", "vendor", "seller", "buyer")
             if (value := getattr(transaction, field))]
    return ", ".join(parts)


