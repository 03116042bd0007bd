"""A matched item becomes a finding: which measure, why (field, value,
pattern, the signature's source), and what the measure means for it on a
given date, read from the measure's phases:

'Kaspersky Endpoint Security for Windows 11.6.0.394 on host fin-laptop-17:
no updates since 2024-09-29; new licences prohibited since 2024-07-20; replace'.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable

from pydantic import BaseModel

from banwatch.catalog.in_force import phase_start
from banwatch.model import Bound, Measure, TransactionType

#: how each transaction type reads in a finding's status
PHRASES = {
    TransactionType.sale: "sales", TransactionType.new_agreement: "new agreements",
    TransactionType.resale: "resale", TransactionType.license: "new licences",
    TransactionType.integration: "integration into products", TransactionType.update: "updates",
    TransactionType.cloud_service: "cloud services", TransactionType.support: "support",
    TransactionType.use: "use", TransactionType.federal_procurement: "federal procurement",
}
#: what is prohibited that leaves an installed item unsafe or unlawful to keep, rather than only unsellable
KEEPING = {TransactionType.update, TransactionType.support, TransactionType.cloud_service, TransactionType.use}
SEVERITY_ORDER = ("high", "medium", "low", "info")
#: who a measure binds when it binds only the federal government and its contractors
FEDERAL_ONLY = {Bound.federal_agencies, Bound.federal_contractors}


class Reason(BaseModel):
    field: str  # the signature's field: publisher, name, package, bundle_id, purl, oui_vendor
    value: str  # the item's value that matched
    pattern: str
    label: str
    source: str


class Finding(BaseModel):
    host: str
    kind: str
    name: str
    version: str | None = None
    vendor: str | None = None
    identifiers: dict[str, str] = {}
    inventory: str
    measure_id: str
    measure_title: str
    citation: str
    severity: str
    status: str
    remediation: str
    reasons: list[Reason]
    explanation: str
    processes: list[str] = []  # running processes of this item (from its folder), when an inventory lists them


def status_on(measure: Measure, as_of: dt.date, parties: Iterable[str | None] = (None,),
              federal: bool = True) -> tuple[str, str]:
    """(severity, status phrase) of an installed item under `measure` on
    `as_of`, for the measure's `parties` whose products it is (None: the
    measure as such), each phase from when it concerns them (`catalog.in_force`).

    - high: something that keeping it needs (updates, support, cloud services,
      use) is prohibited now: replace;
    - medium: other dealings are prohibited now (sales, licences, resale) or
      will be, or its use is to be reviewed: plan the replacement;
    - low: nothing prohibited or to review yet: watch;
    - info: the measure binds only federal agencies and contractors and the
      organisation is not said to be one (`federal`): what it would mean, for the record.
    A measure that binds only federal agencies or contractors says so first."""
    since: dict[TransactionType, dt.date] = {}
    coming: dict[TransactionType, dt.date] = {}
    review: dict[TransactionType, dt.date] = {}
    parties = list(parties)
    for phase in measure.phases:
        start = phase_start(measure, phase, parties)
        if start is None:
            continue
        target = since if start <= as_of else coming
        for kind in phase.prohibits:
            target.setdefault(kind, start)
        if start <= as_of:
            for kind in phase.review:
                if kind not in since and kind not in coming:  # a prohibition says more than a review
                    review.setdefault(kind, start)
    parts = []
    if TransactionType.update in since:
        parts.append(f"no updates since {since.pop(TransactionType.update)}")
    parts += [f"{', '.join(kinds)} prohibited since {date}" for date, kinds in by_date(since, newest_first=True)]
    parts += [f"{', '.join(kinds)} to be reviewed since {date}" for date, kinds in by_date(review)]
    parts += [f"{', '.join(kinds)} prohibited from {date}" for date, kinds in by_date(coming)]
    if since.keys() & KEEPING or any(part.startswith("no updates") for part in parts):
        severity, action = "high", "replace"
    elif since or coming or review:
        severity, action = "medium", "plan the replacement"
    else:
        severity, action = "low", "watch"
    parts.append(action)
    if set(measure.bound) <= FEDERAL_ONLY:
        parts[0] = f"for {' and '.join(b.value.replace('_', ' ') for b in measure.bound)}: {parts[0]}"
        if not federal:
            severity = "info"
            parts.append("informational, since the organisation is not said to be a federal agency or contractor")
    return severity, "; ".join(parts)


def by_date(kinds: dict[TransactionType, dt.date], newest_first: bool = False) -> list[tuple[dt.date, list[str]]]:
    dates = sorted(set(kinds.values()), reverse=newest_first)
    return [(date, [PHRASES[kind] for kind, when in kinds.items() if when == date]) for date in dates]


def describe(name: str, version: str | None, host: str, kind: str) -> str:
    what = " ".join(filter(None, (name, version)))
    place = "in product" if kind == "component" else "device" if kind == "device" else "on host"
    return f"{what} {place} {host}" if kind != "device" else f"{what} ({host})"


def summarise(findings: list[Finding]) -> dict:
    """Counts by measure, by host and by product, and the remediation list."""
    by_measure: dict[str, dict] = {}
    for finding in findings:
        entry = by_measure.setdefault(finding.measure_id, {"title": finding.measure_title, "findings": 0,
                                                           "hosts": set(), "products": Counter()})
        entry["findings"] += 1
        entry["hosts"].add(finding.host)
        entry["products"][finding.name] += 1
    hosts: dict[str, Counter] = defaultdict(Counter)
    products: dict[str, set[str]] = defaultdict(set)
    for finding in findings:
        hosts[finding.host][finding.severity] += 1
        products[finding.name].add(finding.host)
    remediation: dict[tuple[str, str], set[str]] = defaultdict(set)
    for finding in findings:
        remediation[(finding.measure_id, finding.remediation)].add(f"{finding.name} @ {finding.host}")
    return {
        "by_measure": [{"measure_id": key, "title": value["title"], "findings": value["findings"],
                        "hosts": len(value["hosts"]),
                        "products": [{"name": n, "findings": c} for n, c in value["products"].most_common()]}
                       for key, value in sorted(by_measure.items())],
        "by_host": [{"host": host, "findings": sum(c.values()),
                     **{severity: c[severity] for severity in SEVERITY_ORDER}}
                    for host, c in sorted(hosts.items(), key=lambda item: (-item[1]["high"], item[0]))],
        "by_product": [{"product": name, "hosts": len(where)}
                       for name, where in sorted(products.items(), key=lambda item: (-len(item[1]), item[0]))],
        "remediation": [{"measure_id": measure_id, "action": action, "items": sorted(items)}
                        for (measure_id, action), items in sorted(remediation.items())],
    }
