"""The command line as a user runs it: output, JSON shape, one-line errors, exit codes."""

from __future__ import annotations

import pytest

from conftest import run_banwatch, run_json


def test_issue_example_resale_after_september_29_is_prohibited():
    decision = run_json("decide", "--json", "--type", "resale", "--date", "2024-10-01",
                        "--product", "Kaspersky Total Security", "--buyer-country", "US")
    assert decision["outcome"] == "prohibited"
    icts = next(m for m in decision["measures"] if m["id"] == "us-icts-kaspersky-2024")
    assert icts["citation"].startswith("89 FR 52434")
    assert icts["effective"] == "2024-09-29"
    assert icts["phase"]
    assert any("89 FR 52434" in reason and "2024-09-29" in reason for reason in decision["reasons"])
    assert isinstance(decision["warnings"], list)


def test_use_after_updates_stopped_is_a_warning_not_a_violation():
    decision = run_json("decide", "--json", "--type", "use", "--date", "2024-10-01",
                        "--product", "Kaspersky Internet Security", "--buyer-country", "US")
    assert decision["outcome"] == "allowed"
    assert any("2024-09-29" in w and "replace" in w.lower() for w in decision["warnings"])


def test_human_output_names_outcome_measure_and_reason():
    result = run_banwatch("decide", "--type", "sale", "--date", "2024-07-20",
                          "--product", "Kaspersky Anti-Virus", "--buyer-country", "US")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("PROHIBITED")
    assert "us-icts-kaspersky-2024" in result.stdout and "2024-07-20" in result.stdout


@pytest.mark.parametrize(("args", "names"), [
    (["--type", "refund"], "--type"),
    (["--type", "sale", "--date", "2024-02-30"], "--date"),
    (["--type", "sale", "--date", "20/10/2024"], "--date"),
    (["--type", "sale", "--buyer-country", "USA"], "--buyer-country"),
])
def test_bad_flags_give_one_line_and_exit_2(args, names):
    full = ["decide", "--date", "2024-10-01", "--product", "Kaspersky Total Security", *args]
    result = run_banwatch(*full)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("banwatch: error: " + names), result.stderr
    assert "Traceback" not in result.stderr


def test_nothing_to_decide_is_bad_input():
    result = run_banwatch("decide", "--type", "sale", "--date", "2024-10-01")
    assert result.returncode == 2
    assert "give at least one of product, vendor, seller or buyer" in result.stderr


def test_catalog_list_shows_every_measure_with_citation(catalog):
    listed = run_json("catalog", "list", "--json")
    assert {m["id"] for m in listed} == {m.id for m in catalog}
    assert all(m["citation"] and m["effective"] for m in listed)
    table = run_banwatch("catalog", "list")
    assert "89 FR 52434" in table.stdout


def test_catalog_show_prints_phases_exclusions_and_sources():
    shown = run_banwatch("catalog", "show", "us-icts-kaspersky-2024")
    assert shown.returncode == 0, shown.stderr
    for text in ("2024-07-20", "2024-09-29", "Excluded", "Source", "federalregister.gov"):
        assert text in shown.stdout, text
    as_json = run_json("catalog", "show", "us-icts-kaspersky-2024", "--json")
    assert as_json["id"] == "us-icts-kaspersky-2024" and len(as_json["phases"]) == 2


def test_catalog_show_unknown_id_is_bad_input():
    result = run_banwatch("catalog", "show", "no-such-measure")
    assert result.returncode == 2
    assert "unknown measure 'no-such-measure'" in result.stderr
