"""What each list forbids, on real rows of ../shared/data: the outcome a
decision gives for a certain hit on the entry, and the sentence that says why
(src/banwatch/lists/legal_effects.yaml). Then OFAC's 50 Percent Rule over a
small FtM ownership graph whose blocked owners are real SDN entries."""

from __future__ import annotations

import json

import pytest

from banwatch import Transaction, decide
from banwatch.lists.ftm import read_ftm
from banwatch.lists.legal_effects import effects_by_entity, listing_keys, registry
from banwatch.lists.sources import read_list
from banwatch.match.screen import Screener
from banwatch.model import ScreenQuery
from conftest import DATA

LISTS = {"sdn": "ofac-sdn-2021", "cons": "ofac-consolidated", "csl": "bis/csl-sample.csv", "dpl": "bis/dpl.txt"}


@pytest.fixture(scope="module")
def screeners() -> dict[str, Screener]:
    found = {}
    for key, path in LISTS.items():
        entities = read_list(DATA / path).entities
        found[key] = Screener.from_entities(entities, effects_by_entity(entities))
    return found


def sale(buyer: str, date: str = "2024-10-01", **fields: object) -> Transaction:
    return Transaction(type="sale", date=date, product="Laptop", buyer=buyer, buyer_country="US",
                       seller_country="US", **fields)


#: (list file, the entry's name as listed, its id, transaction fields, outcome, words of the reason, citation)
CASES = [
    # the SDN list blocks, whichever file it comes in
    ("sdn", "BANCO NACIONAL DE CUBA", "ofac-sdn:306", {}, "prohibited", "50 Percent Rule", "31 CFR chapter V"),
    ("csl", "200G PSA HOLDINGS LLC", "csl:20264", {}, "prohibited", "the person is blocked", "31 CFR chapter V"),
    # E.O. 14024 Directive 4: any transaction with the three, from 2022-02-28
    ("cons", "CENTRAL BANK OF THE RUSSIAN FEDERATION", "ofac-cons:31695", {}, "prohibited",
     "any transaction involving the Central Bank", "E.O. 14024, Directive 4 (Russia-related Sovereign Transactions "
     "Directive)"),
    ("cons", "NATIONAL WEALTH FUND OF THE RUSSIAN FEDERATION", "ofac-cons:31693", {"date": "2022-02-27"}, "review",
     "in force only from 2022-02-28", "E.O. 14024, Directive 4 (Russia-related Sovereign Transactions Directive)"),
    ("cons", "MINISTRY OF FINANCE OF THE RUSSIAN FEDERATION", "ofac-cons:31694", {"date": "2022-02-28"},
     "prohibited", "foreign exchange transaction", "E.O. 14024, Directive 4 (Russia-related Sovereign "
     "Transactions Directive)"),
    # directives that forbid only some dealings: a review saying which
    ("cons", "PUBLIC JOINT STOCK COMPANY ROSTELECOM", "ofac-cons:34556", {}, "review",
     "new debt of longer than 14 days maturity or new equity", "E.O. 14024, Directive 3 (Russia-related Entities "
     "Directive)"),
    ("csl", "AK TRANSNEFT OAO", "csl:17254", {}, "review", "new debt of longer than 60 days' maturity",
     "E.O. 13662, Directive 2 (as amended 29 September 2017); 31 CFR 589.203"),
    ("csl", "GAZPROMBANK OAO", "csl:17016", {}, "review", "new debt of longer than 14 days' maturity",
     "E.O. 13662, Directive 1 (as amended 29 September 2017); 31 CFR 589.202"),
    ("csl", "90 EKSPERIMENTALNY ZAVOD OAO", "csl:18792", {}, "review", "new debt of longer than 30 days' maturity",
     "E.O. 13662, Directive 3; 31 CFR 589.204"),
    ("csl", "ACHIM DEVELOPMENT, OOO", "csl:19692", {}, "review", "deepwater, Arctic offshore or shale projects",
     "E.O. 13662, Directive 4 (as amended 31 October 2017); 31 CFR 589.205"),
    ("cons", "CHINA TELECOM CORPORATION LIMITED", "ofac-cons:30882", {}, "review",
     "publicly traded securities of the company", "E.O. 13959, as amended by E.O. 14032 (86 FR 30145); "
     "31 CFR part 586"),
    ("csl", "BANK OF KUNLUN CO LTD", "csl:15268", {}, "review", "correspondent account or a payable-through account",
     "31 CFR 561.201 (and the other CAPTA authorities: 31 CFR parts 510, 566)"),
    ("csl", "ABDUL JAWAD, Naser", "csl:9696", {}, "review", "authorizes U.S. financial institutions to reject",
     "General License 4(b), 31 CFR parts 594, 595 and 597"),
    # the Denied Persons List binds anyone exporting items subject to the EAR
    ("csl", "ABDULAH AL NASSER", "csl:DPL-baa8ebab56e97e75", {"subject_to_ear": "yes"}, "prohibited",
     "no item subject to the EAR may go to or for the person, by anyone",
     "15 CFR part 764, Supplement No. 1; 15 CFR 764.2(a) and (k)"),
    ("csl", "ABDULAH AL NASSER", "csl:DPL-baa8ebab56e97e75", {"subject_to_ear": "unknown"}, "review",
     "if the items are subject to the EAR", "15 CFR part 764, Supplement No. 1; 15 CFR 764.2(a) and (k)"),
    ("csl", "ADRIAN MANUEL HERNANDEZ", "csl:DPL-66ab56cfd0e0adbc", {"subject_to_ear": "yes"}, "review",
     "the listing expired on 2020-10-13", "15 CFR part 764, Supplement No. 1; 15 CFR 764.2(a) and (k)"),
    # the Entity List and the Unverified List: a licence requirement, as the entry states it
    ("csl", "32 Group China Ltd.", "csl:EL-450ad3bcbdbd368b", {"subject_to_ear": "yes"}, "review",
     'licence requirement "For all items subject to the EAR.  (See §744.11 of the EAR)"; licence review policy '
     '"Presumption of denial."', "15 CFR 744.11 and 744.16, Supplement No. 4 to part 744"),
    ("csl", "Guangdong University of Technology", "csl:UVL-0375093110e0597e", {"subject_to_ear": "yes"}, "review",
     "must obtain a UVL statement", "15 CFR 744.15, Supplement No. 6 to part 744"),
]


@pytest.mark.parametrize(("lists", "name", "entity_id", "fields", "expected", "says", "citation"), CASES,
                         ids=[f"{case[2]}-{case[4]}" for case in CASES])
def test_a_certain_hit_gets_the_outcome_its_listing_gives(screeners, lists, name, entity_id, fields, expected, says,
                                                          citation):
    decision = decide(sale(name, **fields), screener=screeners[lists])
    finding = next(item for item in decision.measures if item.id == f"list:{entity_id}")
    assert finding.outcome.value == expected
    assert finding.citation == citation
    reason = next(reason for reason in decision.reasons if entity_id in reason)
    assert says in reason


def test_an_sdn_party_in_the_csl_is_the_same_sdn_party(screeners):
    # the same entry from OFAC's own file and from the CSL: the same outcome and the same rule
    for lists, entity_id in (("sdn", "ofac-sdn:20264"), ("csl", "csl:20264")):
        hits = screeners[lists].screen(ScreenQuery(name="200G PSA HOLDINGS LLC"))
        assert hits[0].entity_id == entity_id and [effect.id for effect in hits[0].effects] == ["ofac-sdn"]
        assert decide(sale("200G PSA HOLDINGS LLC"), screener=screeners[lists]).outcome.value == "prohibited"


def test_a_possible_hit_is_a_review_that_says_what_the_list_forbids(screeners):
    decision = decide(sale("Central Bank of the Russian Federatoin"), screener=screeners["cons"])
    assert decision.outcome.value == "review"
    assert any("any transaction involving the Central Bank" in reason and "a possible match" in reason
               for reason in decision.reasons)


def test_a_us_persons_ban_does_not_bind_a_sale_between_foreign_parties(screeners):
    foreign = Transaction(type="sale", date="2024-10-01", buyer="CENTRAL BANK OF THE RUSSIAN FEDERATION",
                          buyer_country="RU", seller_country="DE")
    decision = decide(foreign, screener=screeners["cons"])
    assert decision.outcome.value == "review"  # never allowed: who the parties are is for a person to confirm
    assert any("it binds US persons" in reason for reason in decision.reasons)


def test_the_directive_of_an_entry_is_read_from_its_remarks(screeners):
    entity = next(e for e in read_list(DATA / LISTS["cons"]).entities if e.id == "ofac-cons:17022")  # Rosneft
    keys = listing_keys(entity)
    assert {"directive:EO13662-2", "directive:EO13662-4", "program:UKRAINE-EO13662"} <= keys
    effects = [effect.id for effect in effects_by_entity([entity])[entity.id]]
    assert effects == ["ssi-directive-2", "ssi-directive-4"]  # the directives, not the SSI list as a whole


def test_every_effect_carries_a_citation_sources_and_how_it_was_verified():
    for effect in registry():
        assert effect.citation and effect.sources and effect.verified.split(":")[0] in ("primary", "secondary")


# ---------------------------------------------------------------------- the 50 Percent Rule

def ftm_line(entity_id: str, schema: str, **properties: list[str]) -> str:
    return json.dumps({"id": entity_id, "schema": schema, "properties": properties})


OWNERSHIP = [
    ftm_line("co-havana-direct", "Company", name=["Havana Direct Holdings SA"], country=["cu"]),
    ftm_line("co-second-tier", "Company", name=["Second Tier Trading SL"], country=["es"]),
    ftm_line("co-joint-venture", "Company", name=["Maritima Conjunta SA"], country=["pa"]),
    ftm_line("co-minority", "Company", name=["Minority Partner Holdings Ltd"], country=["gb"]),
    ftm_line("co-under-minority", "Company", name=["Under Minority Logistics Ltd"], country=["gb"]),
    # direct, exactly 50%: blocked
    ftm_line("own-1", "Ownership", owner=["ofac-sdn.306"], asset=["co-havana-direct"], percentage=["50"]),
    # indirect, through a blocked entity: blocked
    ftm_line("own-2", "Ownership", owner=["co-havana-direct"], asset=["co-second-tier"], percentage=["60"]),
    # two blocked owners, 25% each: blocked in aggregate
    ftm_line("own-3", "Ownership", owner=["ofac-sdn.306"], asset=["co-joint-venture"], percentage=["25"]),
    ftm_line("own-4", "Ownership", owner=["ofac-sdn.36"], asset=["co-joint-venture"], percentage=["25%"]),
    # 49%: not blocked, nor what it owns
    ftm_line("own-5", "Ownership", owner=["ofac-sdn.306"], asset=["co-minority"], percentage=["49"]),
    ftm_line("own-6", "Ownership", owner=["co-minority"], asset=["co-under-minority"], percentage=["100"]),
]


@pytest.fixture(scope="module")
def owned(tmp_path_factory) -> Screener:
    path = tmp_path_factory.mktemp("ownership") / "ownership.ftm.json"
    path.write_text("\n".join(OWNERSHIP) + "\n", encoding="utf-8")
    entities = read_list(DATA / LISTS["sdn"]).entities + read_ftm(path).entities
    return Screener.from_entities(entities, effects_by_entity(entities))


@pytest.mark.parametrize(("name", "blocked", "path"), [
    ("Havana Direct Holdings SA", True, "50% by BANCO NACIONAL DE CUBA (ofac-sdn:306)"),
    ("Second Tier Trading SL", True, "60% by Havana Direct Holdings SA (ftm:co-havana-direct, itself owned 50% by "
                                     "BANCO NACIONAL DE CUBA (ofac-sdn:306))"),
    ("Maritima Conjunta SA", True, "25% by BANCO NACIONAL DE CUBA (ofac-sdn:306); 25% by AEROCARIBBEAN AIRLINES "
                                   "(ofac-sdn:36)"),
    ("Minority Partner Holdings Ltd", False, ""),
    ("Under Minority Logistics Ltd", False, ""),
])
def test_an_entity_owned_50_percent_by_blocked_persons_is_blocked(owned, name, blocked, path):
    (hit, *_) = owned.screen(ScreenQuery(name=name))
    decision = decide(sale(name), screener=owned)
    if blocked:
        assert [effect.id for effect in hit.effects] == ["ofac-50-percent-rule"]
        assert path in hit.effects[0].prohibits
        assert decision.outcome.value == "prohibited"
        assert any(path in reason for reason in decision.reasons)
    else:
        assert hit.effects == []
        assert decision.outcome.value == "review"  # a hit on a list whose effect banwatch does not hold


def test_an_sdn_hit_between_foreign_parties_says_why_it_is_a_review(screeners):
    foreign = Transaction(type="sale", date="2024-10-01", buyer="BANCO NACIONAL DE CUBA", buyer_country="CU",
                          seller_country="DE")
    decision = decide(foreign, screener=screeners["sdn"])
    assert decision.outcome.value == "review"
    assert any("the person is blocked" in reason and "it binds US persons" in reason for reason in decision.reasons)
