"""Every fact the news reports in ../shared/seeds state about the ban, checked
against the decisions banwatch makes (dates, scope, who is bound)."""

from __future__ import annotations

import datetime as dt

import pytest

from banwatch import Transaction, decide
from banwatch.catalog import find_measure
from conftest import SHARED, outcome

US_SALE = dict(product="Kaspersky Anti-Virus", buyer_country="US")


def test_the_seed_reports_are_the_ones_these_facts_come_from():
    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    assert len(seeds) == 5
    text = " ".join(path.read_text(encoding="utf-8") for path in seeds)
    for fact in ("July 20, 2024", "September 29", "Entity List", "12 top leaders", "within 30 days"):
        assert fact in text, fact


def test_ban_announced_june_20_takes_effect_for_new_business_on_july_20():
    # "new businesses will be restricted within 30 days of the announcement"
    assert outcome(type="sale", date="2024-07-19", **US_SALE) == "allowed"
    assert outcome(type="sale", date="2024-07-20", **US_SALE) == "prohibited"
    assert outcome(type="new_agreement", date="2024-07-20", **US_SALE) == "prohibited"


@pytest.mark.parametrize("kind", ["update", "resale", "license"])
def test_updates_resale_and_licensing_are_banned_from_september_29(kind):
    # "bans downloading software updates, reselling and licensing products from September 29"
    assert outcome(type=kind, date="2024-09-29", **US_SALE) == "prohibited"


def test_kaspersky_can_carry_out_some_activity_until_september_29():
    assert outcome(type="update", date="2024-09-28", **US_SALE) == "allowed"
    assert outcome(type="resale", date="2024-09-28", **US_SALE) == "allowed"


def test_updates_to_software_already_in_use_stop_and_users_must_replace_it():
    # "Existing U.S. customers have been urged to find alternative tech solutions ahead of September 29"
    decision = decide(Transaction(type="use", date="2024-09-30", **US_SALE))
    assert decision.outcome.value == "allowed", "continued use is not itself penalised"
    assert any("2024-09-29" in w and "replace" in w.lower() for w in decision.warnings)
    before = decide(Transaction(type="use", date="2024-08-01", **US_SALE))
    assert any("2024-09-29" in w for w in before.warnings), "users are warned before updates stop"


def test_purchase_not_available_for_us_customers_but_elsewhere_it_is():
    # 'purchase not available for US customers': the ban binds US persons only
    assert outcome(type="sale", date="2024-08-01", seller="Kaspersky Lab, Inc.", product="Kaspersky Total Security",
                   buyer_country="US") == "prohibited"
    assert outcome(type="sale", date="2024-08-01", product="Kaspersky Total Security",
                   seller_country="DE", buyer_country="DE") == "allowed"


def test_sellers_and_resellers_face_penalties(catalog):
    # "Sellers and retailers who violate the restrictions will face fines"
    icts = find_measure(catalog, "us-icts-kaspersky-2024")
    assert icts.penalties and all(p.citation for p in icts.penalties)


def test_twelve_leaders_sanctioned_and_company_on_entity_list(catalog):
    ofac = find_measure(catalog, "us-ofac-kaspersky-leadership-2024")
    assert len(ofac.parties) == 12
    leader = ofac.parties[0].name
    assert outcome(type="sale", date="2024-06-21", buyer=leader, buyer_country="US") == "prohibited"
    assert outcome(type="sale", date="2024-06-20", buyer=leader, buyer_country="US") == "allowed"
    entity = find_measure(catalog, "us-bis-entity-list-kaspersky-2024").parties[0]
    assert outcome(type="sale", date=dt.date(2024, 12, 31), buyer=entity.name, buyer_country=entity.countries[0],
                   seller_country="US", product="Server hardware", subject_to_ear="yes") == "prohibited"


def test_the_ban_rests_on_the_foreign_adversary_ict_powers(catalog):
    # "broad powers created by the Trump administration ... 'foreign adversaries'": E.O. 13873
    icts = find_measure(catalog, "us-icts-kaspersky-2024")
    assert any("13873" in basis for basis in icts.legal_basis)
    assert icts.kind == "ict_transaction_ban"
