"""Answers a compliance officer can defend: the wrong answers of issue 10 as
the exact command lines a user types, counterparties never cleared without
the official lists, list age, what every answer was given against, and the
replay of an older snapshot giving the older answer."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

import banwatch
from banwatch import Transaction
from banwatch.context import list_warnings
from banwatch.store import Snapshot
from conftest import DATA, ROOT, run_banwatch, run_json

SDN_SAMPLE = ROOT / "src" / "banwatch" / "samples" / "ofac-sdn-sample"


def decide_json(*args: str, home: Path) -> dict:
    return run_json("decide", "--json", *args, home=home)


def finding(decision: dict, measure_id: str) -> dict:
    return next(f for f in decision["measures"] if f["id"] == measure_id)


# ---------------------------------------------------------------------- the wrong answers, as typed

CASES = [
    # an exclusion clears only what it names
    (["--type", "sale", "--date", "2025-03-01", "--product",
      "Kaspersky Threat Intelligence and Kaspersky Endpoint Security bundle", "--buyer", "Acme Inc",
      "--buyer-country", "US", "--no-screen"],
     "us-icts-kaspersky-2024", "prohibited", "besides the excluded 'Kaspersky Threat Intelligence'"),
    (["--type", "sale", "--date", "2025-03-01", "--product", "Kaspersky Threat Intelligence Portal",
      "--buyer-country", "US"], "us-icts-kaspersky-2024", "allowed", "is excluded from"),
    # the Entity List binds anyone exporting items subject to the EAR, not US persons only
    (["--type", "sale", "--date", "2025-03-01", "--product", "Microsoft Windows Server 2022", "--seller",
      "Shield Resellers GmbH", "--seller-country", "DE", "--buyer", "AO Kaspersky Lab", "--buyer-country", "RU",
      "--no-screen"], "us-bis-entity-list-kaspersky-2024", "review", "if the items are subject to the EAR"),
    (["--type", "sale", "--date", "2025-03-01", "--product", "Microsoft Windows Server 2022", "--seller",
      "Shield Resellers GmbH", "--seller-country", "DE", "--buyer", "AO Kaspersky Lab", "--buyer-country", "RU",
      "--subject-to-ear", "yes", "--no-screen"], "us-bis-entity-list-kaspersky-2024", "prohibited", "presumption"),
    # a US person is not a country
    (["--type", "sale", "--date", "2025-03-01", "--product", "Kaspersky Total Security", "--buyer",
      "Acme Inc, Frankfurt branch", "--buyer-country", "DE", "--buyer-us-person"],
     "us-icts-kaspersky-2024", "prohibited", "is prohibited by Final Determination"),
    # a federal contractor that buys covered equipment is never cleared
    (["--type", "sale", "--date", "2025-03-01", "--product", "AR6120 enterprise router", "--vendor", "Huawei",
      "--buyer-country", "US", "--buyer-is-federal-contractor"],
     "us-ndaa-fy2019-s889", "review", "(a)(1)(B)"),
    (["--type", "purchase", "--date", "2025-03-01", "--product", "AR6120 enterprise router", "--vendor", "Huawei",
      "--buyer-country", "US", "--buyer-is-federal-contractor"],
     "us-far-52-204-24-25-26", "review", "Part B"),
    # a designation that cannot be confirmed is a review, never a prohibition
    (["--type", "sale", "--date", "2025-03-01", "--product", "Laptop", "--buyer", "Kirill Aleksandrovich Astrakhan",
      "--buyer-country", "US", "--no-screen"],
     "us-ofac-kaspersky-leadership-2024", "review", "if the listing still stands"),
]


@pytest.mark.parametrize(("args", "measure_id", "expected", "said"), CASES,
                         ids=[f"{case[1]}:{case[2]}:{i}" for i, case in enumerate(CASES)])
def test_the_wrong_answers_are_fixed(tmp_path, args, measure_id, expected, said):
    decision = decide_json(*args, home=tmp_path)
    assert finding(decision, measure_id)["outcome"] == expected, decision["reasons"]
    assert any(said in reason for reason in decision["reasons"]), decision["reasons"]


def test_not_subject_to_the_ear_says_why_and_a_branch_abroad_without_the_flag_names_the_assumption(tmp_path):
    outside = decide_json("--type", "sale", "--date", "2025-03-01", "--product", "Windows Server", "--buyer",
                          "AO Kaspersky Lab", "--buyer-country", "RU", "--subject-to-ear", "no", "--no-screen",
                          home=tmp_path)
    assert "us-bis-entity-list-kaspersky-2024" not in {f["id"] for f in outside["measures"]}
    assert any("items are not" in reason for reason in outside["reasons"])
    branch = decide_json("--type", "sale", "--date", "2025-03-01", "--product", "Kaspersky Total Security",
                         "--buyer-country", "DE", home=tmp_path)
    assert branch["outcome"] == "allowed"
    assert any("took the buyer in DE for no U.S. person" in warning for warning in branch["warnings"])


def test_the_new_columns_and_purchase_in_a_file(tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text("reference,type,date,product,vendor,buyer,buyer_country,buyer_us_person,"
                      "buyer_is_federal_contractor,subject_to_ear\n"
                      "B1,sale,2025-03-01,Kaspersky Total Security,,Acme Frankfurt,DE,yes,,\n"
                      "B2,purchase,2025-03-01,AR6120 router,Huawei,Acme Federal,US,,true,\n"
                      "B3,sale,2025-03-01,Server,,AO Kaspersky Lab,RU,,,yes\n"
                      "B4,sale,2025-03-01,Server,,AO Kaspersky Lab,RU,,,perhaps\n", encoding="utf-8")
    result = run_banwatch("decide-file", str(orders), "--no-screen", home=tmp_path)
    assert result.returncode == 2 and "row 5 subject_to_ear: 'perhaps' is not one of yes, no, unknown" in result.stderr
    report = json.loads((tmp_path / "orders-decisions.json").read_text(encoding="utf-8"))
    outcomes = {d["transaction"]["reference"]: d["outcome"] for d in report["decisions"]}
    assert outcomes == {"B1": "prohibited", "B2": "review", "B3": "prohibited"}


def test_decide_file_maps_the_files_own_column_names(tmp_path):
    orders = tmp_path / "export.csv"
    orders.write_text("Order,Kind,When,Item,Customer,Land\nC1,resale,2024-10-01,Kaspersky Total Security,Acme,US\n",
                      encoding="utf-8")
    mapped = ("--reference-column", "Order", "--type-column", "Kind", "--date-column", "When",
              "--product-column", "Item", "--buyer-column", "Customer", "--buyer-country-column", "Land")
    assert run_banwatch("decide-file", str(orders), *mapped, "--no-screen", home=tmp_path).returncode == 0
    report = json.loads((tmp_path / "export-decisions.json").read_text(encoding="utf-8"))
    (decision,) = report["decisions"]
    assert decision["transaction"]["reference"] == "C1" and decision["outcome"] == "prohibited"
    missing = run_banwatch("decide-file", str(orders), "--type-column", "Art", home=tmp_path)
    assert missing.returncode == 2 and "no column 'Art' (--type-column)" in missing.stderr


# ---------------------------------------------------------------------- no lists, no clearance


def test_without_official_lists_nobody_is_cleared(tmp_path):
    decision = decide_json("--type", "sale", "--date", "2025-03-01", "--product", "Laptop", "--buyer",
                           "Banco Nacional de Cuba", "--buyer-country", "CU", home=tmp_path)
    assert decision["outcome"] == "review"
    assert any("was not screened against the official lists" in reason for reason in decision["reasons"])
    assert any("ofac-sdn" in warning and "banwatch lists update" in warning for warning in decision["warnings"])
    screened = run_json("screen", "--json", "Hamza bin Laden", home=tmp_path)
    assert screened["matches"] == [] and screened["cleared"] is False
    assert any("not loaded" in warning for warning in screened["warnings"])
    text = run_banwatch("screen", "Hamza bin Laden", home=tmp_path)
    assert "NOT cleared: no official list is loaded" in text.stdout


def test_with_the_sdn_list_loaded_the_listed_bank_is_prohibited_and_the_missing_lists_named(tmp_path):
    assert run_banwatch("lists", "load", str(DATA / "ofac-sdn-2021"), home=tmp_path).returncode == 0
    decision = decide_json("--type", "sale", "--date", "2025-03-01", "--product", "Laptop", "--buyer",
                           "Banco Nacional de Cuba", "--seller-country", "US", home=tmp_path)
    assert decision["outcome"] == "prohibited"
    assert finding(decision, "list:ofac-sdn:306")["citation"] == "31 CFR chapter V"
    (missing,) = [w for w in decision["warnings"] if "not loaded" in w]
    assert "ofac-cons" in missing and "ofac-sdn)" not in missing
    clean = decide_json("--type", "sale", "--date", "2025-03-01", "--product", "Laptop", "--buyer",
                        "Ottilie Brennecke GmbH", "--buyer-country", "DE", home=tmp_path)
    assert clean["outcome"] == "allowed"


def snapshot(source: str, loaded_at: str, published: str | None) -> Snapshot:
    return Snapshot(id=1, source=source, format="x", loaded_at=loaded_at, parser_version="1", files=[],
                    origin="here", entities=1, names=1, published=published)


def test_a_list_older_than_the_limit_is_named_by_its_publication_date_else_its_load_time():
    today = dt.date(2026, 12, 1)
    lists = [snapshot("un", "2026-11-30T10:00:00+00:00", "2026-02-27"),
             snapshot("ofac-sdn", "2026-11-20T10:00:00+00:00", None),
             snapshot("bis-dpl", "2026-11-29T10:00:00+00:00", None)]
    warnings = list_warnings(lists, 7, today)
    assert any("UN Security Council consolidated list in use (snapshot 1) was published 2026-02-27, 277 days ago"
               in w for w in warnings)
    assert any("OFAC Specially Designated Nationals list in use" in w and "loaded 2026-11-20" in w for w in warnings)
    assert not any("BIS Denied Persons List in use" in w for w in warnings)
    assert any("not loaded" in w and "ofac-cons" in w and "csl" in w for w in warnings)


def test_the_stale_un_list_is_warned_of_in_human_and_json_output(tmp_path):
    assert run_banwatch("lists", "load", str(DATA / "un" / "consolidated.xml"), home=tmp_path).returncode == 0
    status = run_json("lists", "status", "--json", home=tmp_path)["sources"][0]
    assert status["published"] == "2026-02-27"
    screened = run_json("screen", "--json", "Doku Umarov", home=tmp_path, BANWATCH_MAX_LIST_AGE_DAYS="7")
    assert any("published 2026-02-27" in w for w in screened["warnings"])
    text = run_banwatch("decide", "--type", "sale", "--date", "2025-03-01", "--product", "Laptop", "--buyer",
                        "Doku Umarov", "--buyer-country", "US", home=tmp_path)
    assert "published 2026-02-27" in text.stdout


# ---------------------------------------------------------------------- provenance and replay


def test_every_output_says_what_it_was_answered_against(tmp_path):
    assert run_banwatch("lists", "load", str(SDN_SAMPLE), home=tmp_path).returncode == 0
    expected_sha = run_json("lists", "status", "--json", home=tmp_path)["sources"][0]["files"]
    decision = decide_json("--type", "sale", "--date", "2025-03-01", "--product", "Laptop", "--buyer", "Acme",
                           "--buyer-country", "US", home=tmp_path)
    provenance = decision["provenance"]
    assert provenance["banwatch"] == banwatch.__version__ and provenance["catalog_origin"] == "bundled catalog"
    (version,) = provenance["lists"]
    assert (version["source"], version["snapshot_id"]) == ("ofac-sdn", 1)
    assert version["files"] == expected_sha
    screened = run_json("screen", "--json", "Banco Nacional de Cuba", home=tmp_path)
    assert screened["provenance"]["lists"] == provenance["lists"]
    names = tmp_path / "names.csv"
    names.write_text("id,name\n1,Banco Nacional de Cuba\n", encoding="utf-8")
    result = run_banwatch("screen-file", str(names), "--out", str(tmp_path / "screened.csv"), home=tmp_path)
    assert result.returncode == 0 and "screened.provenance.json" in result.stdout
    sidecar = json.loads((tmp_path / "screened.provenance.json").read_text(encoding="utf-8"))
    assert sidecar["lists"] == provenance["lists"]
    orders = tmp_path / "orders.csv"
    orders.write_text("type,date,product,buyer,buyer_country\nsale,2025-03-01,Laptop,Acme,US\n", encoding="utf-8")
    assert run_banwatch("decide-file", str(orders), home=tmp_path).returncode == 0
    report = json.loads((tmp_path / "orders-decisions.json").read_text(encoding="utf-8"))
    assert report["provenance"]["lists"] == provenance["lists"]
    assert json.loads((tmp_path / "orders-decisions.provenance.json").read_text())["lists"] == provenance["lists"]
    text = run_banwatch("decide", "--type", "use", "--date", "2025-03-01", "--product", "Laptop", home=tmp_path)
    assert "Answered against: ofac-sdn snapshot 1" in text.stdout
    hits = banwatch.screen("Banco Nacional de Cuba", context=banwatch.Context.from_environment(
        {"BANWATCH_HOME": str(tmp_path)}))
    assert hits[0].entity_id == "ofac-sdn:306" and hits.provenance.lists[0].snapshot_id == 1
    decided = banwatch.decide(Transaction(type="sale", date="2025-03-01", product="Laptop", buyer="Acme",
                                          buyer_country="US"),
                              context=banwatch.Context.from_environment({"BANWATCH_HOME": str(tmp_path)}),
                              screen=True)
    assert decided.provenance.lists[0].source == "ofac-sdn"


def test_an_older_snapshot_gives_the_older_answer(tmp_path):
    """Last month's list did not have the entity; today's has: --snapshot replays last month."""
    old = tmp_path / "old-sdn"
    shutil.copytree(SDN_SAMPLE, old)
    assert run_banwatch("lists", "load", str(old), home=tmp_path).returncode == 0  # snapshot 1: 302 entries
    assert run_banwatch("lists", "load", str(DATA / "ofac-sdn-2021"), home=tmp_path).returncode == 0  # snapshot 2
    args = ("--type", "sale", "--date", "2025-03-01", "--product", "Laptop", "--buyer",
            "ABO GHAITH, Sulaiman Jassem", "--seller-country", "US")  # SDN entry 8106, not in the sample
    today = decide_json(*args, home=tmp_path)
    assert today["outcome"] == "prohibited" and today["provenance"]["lists"][0]["snapshot_id"] == 2
    last_month = decide_json(*args, "--snapshot", "1", home=tmp_path)
    assert last_month["outcome"] == "allowed" and last_month["provenance"]["lists"][0]["snapshot_id"] == 1
    screened = run_json("screen", "--json", "ABO GHAITH, Sulaiman Jassem", "--snapshot", "1", home=tmp_path)
    assert screened["matches"] == []
    unknown = run_banwatch("screen", "x y", "--snapshot", "9", home=tmp_path)
    assert unknown.returncode == 2 and "no snapshot 9" in unknown.stderr
    both = run_banwatch("screen", "x y", "--snapshot", "1", "--snapshot", "2", home=tmp_path)
    assert both.returncode == 2 and "both of ofac-sdn" in both.stderr


# ---------------------------------------------------------------------- estate findings that hold

ESTATE = ROOT / "src" / "banwatch" / "samples" / "estate"


def test_section_889_findings_are_informational_unless_the_organisation_is_federal(tmp_path):
    plain = run_json("estate", "scan", str(ESTATE / "nmap-office.xml"), "--as-of", "2026-11-23", "--json",
                     home=tmp_path)
    assert {f["severity"] for f in plain["findings"]} == {"info"}
    assert all("not said to be a federal agency or contractor" in f["status"] for f in plain["findings"])
    federal = run_json("estate", "scan", str(ESTATE / "nmap-office.xml"), "--as-of", "2026-11-23", "--json",
                       "--federal", home=tmp_path)
    assert {f["severity"] for f in federal["findings"]} == {"high"}
    assert plain["provenance"]["catalog_origin"] == "bundled catalog" and plain["provenance"]["lists"] == []


@pytest.mark.parametrize(("args", "code"), [
    (["--fail-on", "high"], 1),                      # Kaspersky: no updates since 2024-09-29
    (["--fail-on", "high", "--as-of", "2024-08-01"], 0),  # before: medium at most
    (["--fail-on", "medium", "--as-of", "2024-08-01"], 1),
    (["--fail-on", "severe"], 2),
])
def test_fail_on_gates_a_pipeline_on_findings(tmp_path, args, code):
    result = run_banwatch("estate", "scan", str(ESTATE / "installed-programs.csv"), *args, home=tmp_path)
    assert result.returncode == code, result.stderr


def test_a_csv_estate_report_has_its_provenance_beside_it(tmp_path):
    out = tmp_path / "findings.csv"
    assert run_banwatch("estate", "scan", str(ESTATE / "installed-programs.csv"), "--out", str(out),
                        home=tmp_path).returncode == 0
    sidecar = json.loads((tmp_path / "findings.provenance.json").read_text(encoding="utf-8"))
    assert sidecar["banwatch"] == banwatch.__version__ and len(sidecar["catalog_digest"]) == 64


def test_a_pack_query_of_some_columns_is_still_read_by_its_query_name(tmp_path):
    log = tmp_path / "pack.log"
    log.write_text('{"name":"pack_linux_deb_packages","hostIdentifier":"srv-9","action":"added",'
                   '"columns":{"name":"kesl","version":"12.1.0-1297"}}\n'
                   '{"name":"pack_linux_deb_packages","hostIdentifier":"srv-9","action":"added",'
                   '"columns":{"name":"vim","version":"9.0"}}\n', encoding="utf-8")
    result = run_json("estate", "scan", str(log), "--as-of", "2026-11-23", "--json", home=tmp_path)
    assert [(f["kind"], f["name"], f["severity"]) for f in result["findings"]] == [("deb", "kesl", "high")]


def test_one_product_seen_several_ways_is_one_finding(tmp_path):
    sboms = [str(ESTATE / name) for name in ("thirdparty-router-fw.cdx.json", "thirdparty-router-fw.spdx.json",
                                             "thirdparty-router-fw.spdx")]
    firmware = run_json("estate", "scan", *sboms, "--as-of", "2026-11-23", "--json", home=tmp_path)["findings"]
    (sdk,) = [f for f in firmware if f["name"] == "KAV SDK"]
    assert sdk["host"] == "NW-R640 Router Firmware 4.2.1" and sdk["inventory"].count(",") == 2
    laptop = run_json("estate", "scan", str(ESTATE / "osquery-fleet.log"), "--as-of", "2026-11-23", "--json",
                      home=tmp_path)["findings"]
    on_laptop = {f["name"]: f for f in laptop if f["host"] == "fin-laptop-17"}
    assert set(on_laptop) == {"Kaspersky Endpoint Security for Windows", "Kaspersky Security Center Network Agent"}
    assert on_laptop["Kaspersky Endpoint Security for Windows"]["processes"] == ["avp.exe", "avpui.exe"]
    assert on_laptop["Kaspersky Security Center Network Agent"]["processes"] == ["klnagent.exe"]
    assert "Running as avp.exe, avpui.exe." in on_laptop["Kaspersky Endpoint Security for Windows"]["explanation"]


# ---------------------------------------------------------------------- a measure added by issue 10


@pytest.mark.parametrize(("kind", "date", "expected"), [
    ("support", "2024-09-12", "review"), ("cloud_service", "2025-03-01", "review"),
    ("support", "2024-09-11", "allowed"), ("sale", "2025-03-01", "allowed"),
])
def test_it_services_to_a_buyer_in_russia_are_a_review_from_2024_09_12(tmp_path, kind, date, expected):
    decision = decide_json("--type", kind, "--date", date, "--product", "ERP support contract", "--buyer",
                           "OOO Romashka", "--buyer-country", "RU", "--seller-country", "US", "--no-screen",
                           home=tmp_path)
    assert finding(decision, "us-ofac-russia-it-services-2024")["outcome"] == expected
    elsewhere = decide_json("--type", kind, "--date", date, "--product", "ERP support contract",
                            "--buyer-country", "DE", "--seller-country", "US", home=tmp_path)
    assert "us-ofac-russia-it-services-2024" not in {f["id"] for f in elsewhere["measures"]}


@pytest.mark.parametrize(("vendor", "government", "expected"), [
    ("Dahua Technology Company", "US-ME", "prohibited"),   # read on the official list
    ("Hangzhou Hikvision Digital Technology Company", "US-ME", "review"),  # only in a reproduction: uncertain
    ("Dahua Technology Company", "US-NH", None),           # another state's bodies: not bound
    ("Dahua Technology Company", None, None),              # a private buyer: not bound
])
def test_a_state_ban_binds_that_states_public_bodies(tmp_path, vendor, government, expected):
    args = ["--type", "purchase", "--date", "2025-03-01", "--product", "IP camera", "--vendor", vendor,
            "--buyer-country", "US"] + (["--buyer-government", government] if government else [])
    decision = decide_json(*args, home=tmp_path)
    found = {f["id"]: f["outcome"] for f in decision["measures"]}
    assert found.get("us-me-prohibited-technologies-2024") == expected


# ---------------------------------------------------------------------- the connected-vehicles rule

CV = "us-icts-connected-vehicles-2025"
VEHICLE, TCU = "2027 Zeekr 001 electric vehicle", "Telematics control unit TCU-5G"


@pytest.mark.parametrize(("kind", "date", "product", "given", "expected", "said"), [
    # covered software in vehicles of model year 2027 on (791.303, 791.308(b))
    ("import", "2026-06-01", VEHICLE, {"model_year": 2027, "origin_nexus": "yes"}, "prohibited", "is prohibited"),
    ("sale", "2026-06-01", VEHICLE, {"model_year": 2028, "origin_nexus": "yes"}, "prohibited", "is prohibited"),
    ("import", "2026-06-01", VEHICLE, {"model_year": 2026, "origin_nexus": "yes"}, "allowed",
     "the goods are of model year 2026"),
    ("import", "2025-03-16", VEHICLE, {"model_year": 2027, "origin_nexus": "yes"}, "allowed", "only from 2025-03-17"),
    ("import", "2026-06-01", VEHICLE, {"model_year": 2027, "origin_nexus": "no"}, "allowed", "were not designed"),
    # what the caller did not say is what to establish, never a silent allowed
    ("import", "2026-06-01", VEHICLE, {"model_year": 2027}, "review", "if the goods (or the software and hardware"),
    ("import", "2026-06-01", VEHICLE, {"origin_nexus": "yes"}, "review", "if the goods are of model year 2027"),
    # PRC- or Russia-owned manufacturers' sales (791.304): a review, 791.308(c)'s condition was not read
    ("sale", "2026-06-01", VEHICLE, {"model_year": 2026, "origin_nexus": "no", "seller_nexus": "yes"}, "review",
     "phase 'Sales by PRC- or Russia-owned connected vehicle manufacturers'"),
    ("sale", "2026-06-01", VEHICLE, {"model_year": 2027, "origin_nexus": "no", "seller_nexus": "no"}, "allowed",
     "the seller is not owned by"),
    # a manufacturer's nexus reaches its sales, not an importer's imports
    ("import", "2026-06-01", VEHICLE, {"model_year": 2027, "origin_nexus": "no", "seller_nexus": "yes"}, "allowed",
     "were not designed"),
    # VCS hardware: model year 2030 on (791.302, 791.308(a)(2)); no model year: imports from 2029 (791.308(a)(1))
    ("import", "2026-06-01", TCU, {"model_year": 2030, "origin_nexus": "yes"}, "prohibited", "is prohibited"),
    ("import", "2026-06-01", TCU, {"model_year": 2029, "origin_nexus": "yes"}, "allowed", "model year 2029"),
    ("import", "2029-01-01", TCU, {"model_year": "none", "origin_nexus": "yes"}, "prohibited", "is prohibited"),
    ("import", "2028-12-31", TCU, {"model_year": "none", "origin_nexus": "yes"}, "allowed", "only from 2029-01-01"),
    ("import", "2026-06-01", TCU, {"origin_nexus": "yes"}, "review", "if the goods are of model year 2030"),
    ("sale", "2026-06-01", TCU, {"model_year": 2031, "origin_nexus": "yes"}, "allowed",
     "the measure does not prohibit sale"),
])
def test_connected_vehicles_by_model_year_and_nexus(kind, date, product, given, expected, said):
    decision = banwatch.decide(Transaction(type=kind, date=dt.date.fromisoformat(date), product=product,
                                           buyer_country="US", **given))
    found = next(f for f in decision.measures if f.id == CV)
    assert found.outcome.value == expected, decision.reasons
    assert any(said in reason for reason in decision.reasons), decision.reasons


def test_connected_vehicles_from_the_command_line_and_a_file(tmp_path):
    decision = decide_json("--type", "import", "--date", "2026-06-01", "--product", VEHICLE, "--buyer-country",
                           "US", "--model-year", "2027", "--origin-nexus", "yes", "--no-screen", home=tmp_path)
    assert finding(decision, CV)["outcome"] == "prohibited"
    assert decision["transaction"]["model_year"] == 2027
    orders = tmp_path / "orders.csv"
    orders.write_text("reference,type,date,product,buyer_country,model_year,origin_nexus,seller_nexus\n"
                      f"V1,import,2026-06-01,{VEHICLE},US,2027,yes,\n"
                      f"V2,import,2029-02-01,{TCU},US,none,yes,\n"
                      f"V3,sale,2026-06-01,{VEHICLE},US,2027,no,no\n"
                      f"V4,import,2026-06-01,{VEHICLE},US,twenty,yes,\n", encoding="utf-8")
    result = run_banwatch("decide-file", str(orders), "--out", str(tmp_path / "report.csv"), "--no-screen",
                          home=tmp_path)
    assert result.returncode == 2 and "row 5" in result.stderr and "model_year" in result.stderr
    rows = {row["reference"]: row for row in csv.DictReader((tmp_path / "report.csv").open(encoding="utf-8"))}
    assert [rows[ref]["outcome"] for ref in ("V1", "V2", "V3")] == ["prohibited", "prohibited", "allowed"]
    assert rows["V2"]["model_year"] == "none" and rows["V3"]["seller_nexus"] == "no"
