"""Decisions on real catalog data: spelling variants, exclusions, look-alikes,
who is bound, and the Python API."""

from __future__ import annotations

import pytest

from banwatch import Decision, Outcome, Transaction, decide
from banwatch.model import Bound

ICTS = "us-icts-kaspersky-2024"
AFTER_PHASE_2 = "2024-10-01"


def icts_finding(decision: Decision):
    return next(f for f in decision.measures if f.id == ICTS)


# -- products and vendors recognised however they are written -------------------------

@pytest.mark.parametrize("product", [
    "Kaspersky Total Security",
    "kaspersky total security",
    "Kaspersky Internet Security 2021",
    "KASPERSKY ENDPOINT SECURITY for Windows",
    "Kaspersky Endpoint Security 11.6.0.394",
    "Kaspersky Anti-Virus",
    "Kaspersky Antivirus 2020",          # written together
    "Kaspersky Small Office Security 7",
    "Kaspersky Plus",                     # not listed: every Kaspersky product is covered
    "Антивирус Касперского",             # Russian, genitive
    "Касперский Антивирус",              # Russian, nominative
    "KTS",                                # published abbreviation
])
def test_product_spellings_are_recognised(product):
    decision = decide(Transaction(type="resale", date=AFTER_PHASE_2, product=product, buyer_country="US"))
    assert decision.outcome is Outcome.prohibited, decision.reasons
    assert icts_finding(decision).evidence[0].strength == "clear"


@pytest.mark.parametrize("vendor", [
    "AO Kaspersky Lab",
    "Kaspersky Labs Limited",
    "Kaspersky Lab, Inc.",
    "KASPERSKY LAB INC",
    "OOO Kaspersky Group",
    "АО «Лаборатория Касперского»",
    "Лаборатория Касперского",
    "Kaspersky Labs GmbH",                # an affiliate: the measure covers affiliates
])
def test_vendor_legal_names_and_cyrillic_are_recognised(vendor):
    decision = decide(Transaction(type="integration", date=AFTER_PHASE_2, product="Mail gateway AV engine",
                                  vendor=vendor, buyer_country="US"))
    assert icts_finding(decision).outcome is Outcome.prohibited, decision.reasons


def test_seller_kaspersky_makes_a_generic_service_covered():
    decision = decide(Transaction(type="support", date=AFTER_PHASE_2, product="Premium support renewal",
                                  seller="Kaspersky Lab Inc.", buyer_country="US"))
    assert decision.outcome is Outcome.prohibited
    assert icts_finding(decision).evidence[0].field == "seller"


# -- look-alikes are reviewed, never silently allowed ---------------------------------

@pytest.mark.parametrize(("product", "how"), [
    ("Kasperski Total Security", "1 edit"),
    ("Kaspersy Endpoint Security", "1 edit"),
    ("Kasperskiy Anti-Virus", "1 edit"),
    ("Kaspersky Security Awareness training", "excluded"),   # may be the excluded training
    ("Kaspersky Intelligence Threat feed", "excluded"),
])
def test_resemblances_need_review(product, how):
    decision = decide(Transaction(type="sale", date=AFTER_PHASE_2, product=product, buyer_country="US"))
    assert decision.outcome is Outcome.review, decision.reasons
    assert how in " ".join(decision.reasons)


@pytest.mark.parametrize("product", [
    "ESET Endpoint Security", "Bitdefender Total Security", "Norton 360 Deluxe",
    "Microsoft Defender for Endpoint", "Kasper Consulting audit", "Casper mattress",
])
def test_unrelated_products_are_allowed_and_say_so(product, catalog):
    decision = decide(Transaction(type="sale", date=AFTER_PHASE_2, product=product, buyer_country="US"))
    assert decision.outcome is Outcome.allowed and not decision.measures
    assert decision.reasons == [f"No measure in the catalog ({len(catalog)} checked) covers product '{product}'."]


# -- exclusions -------------------------------------------------------------------------

@pytest.mark.parametrize(("product", "exclusion"), [
    ("Kaspersky Threat Intelligence", "Kaspersky Threat Intelligence"),
    ("Kaspersky Threat Intelligence Portal subscription", "Kaspersky Threat Intelligence"),
    ("KASPERSKY THREAT INTELLIGENCE DATA FEEDS", "Kaspersky Threat Intelligence"),
    ("Kaspersky Security Training", "Kaspersky Security Training"),
    ("Kaspersky Security Training for IT Security Staff", "Kaspersky Security Training"),
])
def test_excluded_products_are_allowed_with_the_exclusion_named(product, exclusion):
    decision = decide(Transaction(type="sale", date=AFTER_PHASE_2, product=product, buyer_country="US"))
    finding = icts_finding(decision)
    assert finding.outcome is Outcome.allowed and decision.outcome is Outcome.allowed
    assert finding.evidence[0].target == "exclusion" and finding.evidence[0].matched.startswith(exclusion)
    assert any("excluded" in reason and exclusion in reason for reason in decision.reasons)


def test_every_catalog_exclusion_is_honoured(catalog):
    for measure in catalog:
        for exclusion in measure.exclusions:
            decision = decide(Transaction(type="sale", date=AFTER_PHASE_2, product=exclusion.name,
                                          buyer_country="US",  # a buyer the measure binds:
                                          buyer_is_federal=Bound.us_persons not in measure.bound))
            finding = next(f for f in decision.measures if f.id == measure.id)
            assert finding.outcome is Outcome.allowed, (measure.id, exclusion.name)


# -- who is bound -----------------------------------------------------------------------

def test_non_us_parties_are_not_bound_by_the_us_ban_and_are_told_why():
    decision = decide(Transaction(type="resale", date=AFTER_PHASE_2, product="Kaspersky Total Security",
                                  seller_country="DE", buyer_country="DE"))
    assert decision.outcome is Outcome.allowed
    assert "binds US persons" in " ".join(decision.reasons)


def test_missing_country_is_assumed_us_with_a_warning():
    decision = decide(Transaction(type="resale", date=AFTER_PHASE_2, product="Kaspersky Total Security"))
    assert decision.outcome is Outcome.prohibited
    assert any("assumed a US person" in w for w in decision.warnings)


def test_federal_use_of_kaspersky_is_prohibited_but_private_use_is_not():
    federal = decide(Transaction(type="use", date="2019-01-15", product="Kaspersky Anti-Virus",
                                 buyer_country="US", buyer_is_federal=True))
    assert federal.outcome is Outcome.prohibited
    assert {"us-dhs-bod-17-01", "us-ndaa-fy2018-s1634"} <= {f.id for f in federal.measures}
    private = decide(Transaction(type="use", date="2019-01-15", product="Kaspersky Anti-Virus", buyer_country="US"))
    assert private.outcome is Outcome.allowed


@pytest.mark.parametrize(("vendor", "expected"), [
    ("Huawei", Outcome.prohibited), ("ZTE Corporation", Outcome.prohibited), ("华为技术有限公司", Outcome.prohibited),
    # their equipment is covered only for public safety and security purposes, which the transaction does not say
    ("Hytera", Outcome.review), ("Hikvision", Outcome.review), ("Zhejiang Dahua Technology Co., Ltd.", Outcome.review),
])
def test_section_889_vendors_are_barred_from_federal_procurement(vendor, expected):
    decision = decide(Transaction(type="federal_procurement", date="2020-01-10", product="IP camera or router",
                                  vendor=vendor))
    assert decision.outcome is expected
    assert "us-ndaa-fy2019-s889" in {f.id for f in decision.measures}
    if expected is Outcome.review:
        assert any("for the purpose of public safety" in reason and "sec. 889(f)(3)(B)" in reason
                   for reason in decision.reasons)
    before = decide(Transaction(type="federal_procurement", date="2019-08-12", product="IP camera or router",
                                vendor=vendor))
    assert "us-ndaa-fy2019-s889" not in {f.id for f in before.measures if f.outcome is Outcome.prohibited}


def test_private_sale_of_covered_list_equipment_needs_review_after_2023_02_06():
    kwargs = dict(type="sale", product="IPC-HFW2431S camera", vendor="Dahua Technology", buyer_country="US")
    assert decide(Transaction(date="2023-02-05", **kwargs)).outcome is Outcome.allowed
    after = decide(Transaction(date="2023-02-06", **kwargs))
    assert after.outcome is Outcome.review
    assert "us-fcc-covered-list" in {f.id for f in after.measures}


def test_party_added_later_counts_from_its_own_listing_date():
    kwargs = dict(type="sale", product="Drone", vendor="DJI", buyer_country="US")
    assert decide(Transaction(date="2025-12-21", **kwargs)).outcome is Outcome.allowed
    assert decide(Transaction(date="2025-12-26", **kwargs)).outcome is Outcome.review


# -- sanctioned people and listed entities as counterparties ------------------------------

@pytest.mark.parametrize(("buyer", "expected"), [
    ("TIKHONOV, Andrei Gennadyevich", Outcome.prohibited),
    ("Andrei Gennadyevich Tikhonov", Outcome.prohibited),
    ("andrei gennadyevich TIKHONOV", Outcome.prohibited),
    ("Andrei Tikhonov", Outcome.review),              # patronymic dropped
    ("Andrei Gennadyevich Tihonov", Outcome.review),  # one letter off
    ("Andrei Petrov", Outcome.allowed),
])
def test_ofac_designated_leaders_as_buyers(buyer, expected):
    decision = decide(Transaction(type="sale", date="2024-07-01", product="Laptop", buyer=buyer,
                                  buyer_country="RU", seller_country="US"))
    assert decision.outcome is expected, decision.reasons


@pytest.mark.parametrize(("buyer", "expected"), [
    ("AO Kaspersky Lab", Outcome.prohibited),
    ("Kaspersky Labs Limited", Outcome.prohibited),
    ("OOO Kaspersky Group", Outcome.prohibited),
    ("Kaspersky Lab Switzerland GmbH", Outcome.review),  # carries the name, is not listed
    ("Kaspersky Lab, Inc.", Outcome.review),             # same name, another legal form
])
def test_entity_list_buyers(buyer, expected):
    decision = decide(Transaction(type="sale", date="2024-07-01", product="Dell PowerEdge server",
                                  buyer=buyer, seller_country="US", subject_to_ear="yes"))
    finding = next(f for f in decision.measures if f.id == "us-bis-entity-list-kaspersky-2024")
    assert finding.outcome is expected, decision.reasons


# -- the Python API -------------------------------------------------------------------------

def test_python_api_matches_the_issue_example():
    decision = decide(Transaction(type="resale", date="2024-10-01", product="Kaspersky Total Security",
                                  buyer_country="US"))
    assert isinstance(decision, Decision)
    assert decision.outcome is Outcome.prohibited
    finding = icts_finding(decision)
    assert (finding.citation.startswith("89 FR 52434"), str(finding.effective)) == (True, "2024-09-29")
    assert decision.reasons and all(reason.endswith(".") for reason in decision.reasons)


def test_transaction_rejects_nonsense():
    with pytest.raises(ValueError):
        Transaction(type="refund", date="2024-10-01", product="x")
    with pytest.raises(ValueError):
        Transaction(type="sale", date="2024-02-30", product="x")
    with pytest.raises(ValueError):
        Transaction(type="sale", date="2024-10-01")


@pytest.mark.parametrize(("product", "exception"), [
    ("Huawei rectifier power supply", "cannot route or redirect user data traffic"),
    ("Huawei microwave backhaul service", "backhaul, roaming or interconnection"),
    ("ZTE chipset module", "substantial or essential component"),
])
def test_an_item_an_exception_of_section_889_may_cover_is_a_review_naming_it(product, exception):
    decision = decide(Transaction(type="federal_procurement", date="2024-10-01", product=product, buyer_is_federal=True))
    for measure in ("us-ndaa-fy2019-s889", "us-far-52-204-24-25-26"):
        assert next(f for f in decision.measures if f.id == measure).outcome is Outcome.review
    assert decision.outcome is Outcome.review
    assert all(exception in reason for reason in decision.reasons[:2])
    router = decide(Transaction(type="federal_procurement", date="2024-10-01", product="Huawei NetEngine router",
                                buyer_is_federal=True))
    assert router.outcome is Outcome.prohibited  # equipment that routes data: no exception to check


def test_the_fcc_subsidy_bar_starts_60_days_after_listing():
    def subsidy_warning(date: str) -> str:
        decision = decide(Transaction(type="sale", date=date, product="Kaspersky Endpoint Security",
                                      buyer_country="US"))
        return next(w for w in decision.warnings if "FCC-administered subsidies" in w)

    # Kaspersky was placed on the Covered List on 2022-03-25: the bar applies from 2022-05-24
    assert "it starts on 2022-05-24, after the transaction's date" in subsidy_warning("2022-04-10")
    assert "it applies since 2022-05-24" in subsidy_warning("2022-06-01")
