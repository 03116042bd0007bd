"""Sellers and buyers screened against the loaded lists (OFAC, UN, BIS, CSL).

The catalog's own parties are decided by their measures; this covers everyone
else the official lists name. A hit is a `review` by default: a person must
confirm that the counterparty is the listed one and apply that list's
consequences. The exception is a near-certain hit on the OFAC SDN list
(score >= 0.95): dealings of US persons with a blocked person are prohibited
by OFAC's regulations (31 CFR chapter V), so that is `prohibited` outright.
Near-certain means a score of 0.95 or more with every word of the name found
as written: a typo is always a review.
"""

from __future__ import annotations

from banwatch.decide.scope import US
from banwatch.match.screen import DEFAULT_THRESHOLD, Screener
from banwatch.model import Evidence, MeasureFinding, Outcome, ScreenQuery, Transaction

CERTAIN = 0.95
BLOCKING_SOURCES = {"ofac-sdn": "31 CFR chapter V"}
LIST_TITLES = {
    "ofac-sdn": "OFAC Specially Designated Nationals list",
    "ofac-cons": "OFAC consolidated non-SDN lists",
    "un": "UN Security Council consolidated list",
    "bis-dpl": "BIS Denied Persons List",
    "csl": "Consolidated Screening List",
    "ftm": "FollowTheMoney list",
}


def screen_counterparties(transaction: Transaction, screener: Screener) -> tuple[list[MeasureFinding], list[str]]:
    """Findings for the seller and buyer found on a list, with their reasons."""
    findings: list[MeasureFinding] = []
    reasons: list[str] = []
    countries = {transaction.seller_country, transaction.buyer_country} - {None}
    us_involved = not countries or US in countries or transaction.buyer_is_federal
    for field, name, country in (("seller", transaction.seller, transaction.seller_country),
                                 ("buyer", transaction.buyer, transaction.buyer_country)):
        if not name:
            continue
        for hit in screener.screen(ScreenQuery(name=name, country=country), threshold=DEFAULT_THRESHOLD):
            if hit.source == "catalog":
                continue  # decided by the catalog measure the party belongs to
            certain = hit.score >= CERTAIN and all(word.how == "same" for word in hit.words if word.query)
            blocking = hit.source in BLOCKING_SOURCES and certain and us_involved
            outcome = Outcome.prohibited if blocking else Outcome.review
            title = LIST_TITLES.get(hit.source, hit.source)
            citation = BLOCKING_SOURCES.get(hit.source, f"{title}, entry {hit.entity_id}")
            evidence = Evidence(field=field, value=name, matched=hit.name, target="party",
                                strength="clear" if certain else "resembles",
                                how=f"{hit.entity_id}, score {hit.score:.2f}")
            findings.append(MeasureFinding(id=f"list:{hit.entity_id}", title=title, citation=citation,
                                           outcome=outcome, phase=None, effective=None, evidence=[evidence]))
            verb = "is prohibited: US persons may not deal with a blocked person" if blocking else "needs review"
            reasons.append(f"The {field} '{name}' matches {hit.entity_id} '{hit.name}' on the {title} "
                           f"(score {hit.score:.2f}; programs: {', '.join(hit.programs) or 'none given'}): "
                           f"the transaction {verb}. {hit.explanation}")
    return findings, reasons
