"""Every phase of every measure, on both sides of its effective date: the same
transaction the day before and on the day gets different outcomes. Built from
the catalog itself, so a new measure is tested as soon as it is added."""

from __future__ import annotations

import datetime as dt

import pytest

from banwatch import Transaction, decide
from banwatch.catalog import bundled_catalog
from banwatch.lists.legal_effects import effects_by_entity
from banwatch.match.screen import Screener
from banwatch.model import (NO_MODEL_YEAR, Bound, EntityType, ListedEntity, Measure, NexusOf, Outcome, Phase, Role,
                            TransactionType)

DAY = dt.timedelta(days=1)
#: the counterparty named for a measure that covers every entry of a list: an entry of that list
LISTED_NAME = "Quellmalz Achterberg Trading"


def listed(source: str) -> ListedEntity:
    return ListedEntity(id=f"{source}:900001", source=source, source_id="900001", type=EntityType.organization,
                        name=LISTED_NAME)


def subject(measure: Measure) -> tuple[dict[str, object], dt.date]:
    """Transaction fields that name something the measure covers, and the
    earliest day that thing counts (a party can join a list later)."""
    bound = set(measure.bound)
    fields: dict[str, object] = {}
    if Bound.us_persons in bound:
        fields["buyer_country"] = "US"
    if bound & {Bound.federal_agencies, Bound.federal_contractors}:
        fields["buyer_is_federal"] = True
    if Bound.ear_exporters in bound:
        fields["subject_to_ear"] = "yes"
    if Bound.state_and_local_government in bound:
        fields["buyer_government"] = measure.jurisdiction
    if measure.products:
        return {**fields, "product": measure.products[0].name}, dt.date.min
    if measure.lists:
        return {**fields, "seller": LISTED_NAME}, dt.date.min
    if measure.buyer_countries:  # services to persons located there, by a US seller
        return {**fields, "seller_country": "US", "buyer_country": measure.buyer_countries[0],
                "product": "Software support contract"}, dt.date.min
    party = measure.parties[0]
    role = party.roles[0]
    field = {Role.vendor: "vendor", Role.seller: "seller", Role.buyer: "buyer"}[role]
    return {**fields, field: party.name}, party.listed or dt.date.min


def concerned(measure: Measure, phase: Phase, fields: dict[str, object]) -> dict[str, object]:
    """`fields` made to meet what else the phase turns on: a product of its
    family, goods of its first model year (or of none), the nexus it names
    held and every other one not (so that only this phase decides)."""
    fields = dict(fields)
    if phase.families:
        fields["product"] = next(p.name for p in measure.products if p.family == phase.families[0])
    if phase.model_years_from is not None:
        fields["model_year"] = phase.model_years_from
    if phase.without_model_year:
        fields["model_year"] = NO_MODEL_YEAR
    if measure.nexus_countries:
        for whose in NexusOf:
            fields[f"{whose.value}_nexus"] = "yes" if whose in phase.nexus else "no"
    return fields


def cases():
    for measure in bundled_catalog():
        measure_fields, since = subject(measure)
        seen: set[tuple[TransactionType, str]] = set()
        for phase in measure.phases:
            fields = concerned(measure, phase, measure_fields)
            for kind, expected in [*((k, Outcome.prohibited) for k in phase.prohibits),
                                   *((k, Outcome.review) for k in phase.review)]:
                if (kind, repr(sorted(fields.items()))) in seen:
                    continue
                seen.add((kind, repr(sorted(fields.items()))))
                yield pytest.param(measure, phase, kind, expected, fields, max(phase.effective, since),
                                   id=f"{measure.id}:{phase.id}:{kind.value}")


def finding(measure: Measure, kind: TransactionType, date: dt.date, fields: dict[str, object]):
    entries = [listed(source) for source in measure.lists]
    screener = Screener.from_entities(entries, effects_by_entity(entries)) if entries else None
    decision = decide(Transaction(type=kind, date=date, **fields), screener=screener)
    ids = {measure.id, *(f"list:{entry.id}" for entry in entries)}
    return next((f for f in decision.measures if f.id in ids), None)


@pytest.mark.parametrize(("measure", "phase", "kind", "expected", "fields", "start"), list(cases()))
def test_phase_boundary(measure: Measure, phase: Phase, kind: TransactionType, expected: Outcome,
                        fields: dict[str, object], start: dt.date):
    on_the_day = finding(measure, kind, start, fields)
    assert on_the_day is not None and on_the_day.outcome is expected
    assert on_the_day.phase == phase.name and on_the_day.effective == start
    day_before = finding(measure, kind, start - DAY, fields)
    assert day_before is None or day_before.outcome.severity < expected.severity


def test_every_measure_has_at_least_one_boundary_tested():
    tested = {param.values[0].id for param in cases()}
    assert tested == {m.id for m in bundled_catalog()}
