"""Estate scan on the sample inventories of src/banwatch/samples/estate (real
formats: an osquery fleet log and one host's osqueryi output, CycloneDX and
SPDX SBOMs of a router firmware bundling a Kaspersky SDK, an nmap scan with a
Hikvision and a Dahua MAC, an endpoint-management CSV export). Each test
checks the exact findings: every planted item, and none of the near misses."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from banwatch.catalog import bundled_catalog
from banwatch.estate.inventories import ReadOptions, this_machine
from banwatch.estate.scan import scan
from conftest import ROOT, run_banwatch

SAMPLES = ROOT / "src" / "banwatch" / "samples" / "estate"
ICTS, S889 = "us-icts-kaspersky-2024", "us-ndaa-fy2019-s889"
TODAY = dt.date(2026, 11, 23)


def found(path: Path, as_of: dt.date = TODAY) -> set[tuple[str, str, str]]:
    result = scan([path], bundled_catalog(), as_of)
    assert not result.problems, result.problems
    return {(finding.host, finding.name, finding.measure_id) for finding in result.findings}


def test_osquery_fleet_log_finds_every_planted_item_and_no_near_miss():
    assert found(SAMPLES / "osquery-fleet.log") == {
        ("fin-laptop-17", "Kaspersky Endpoint Security for Windows", ICTS),
        ("fin-laptop-17", "Kaspersky Security Center Network Agent", ICTS),
        # its processes (avp.exe, avpui.exe, klnagent.exe, from a snapshot event) run from these two
        # programs' folders: they are the programs running, not findings of their own (issue 10)
        ("web-prod-03", "kesl", ICTS),  # deb_packages, maintainer empty
        ("web-prod-03", "klnagent64", ICTS),
        ("db-rhel-01", "kesl", ICTS),  # rpm_packages
        ("mac-design-04", "Kaspersky Internet Security.app", ICTS),  # apps, by bundle id too
        ("dev-ws-22", "Kaspersky Protection", ICTS),  # chrome_extensions, by extension id too
        ("files-legacy-02", "kav4fs", ICTS),
        ("files-legacy-02", "kav4fs_oas", ICTS),  # kernel_modules
    }  # and not Kasparov Chessmate, Chessmate.exe, Kasparov Chess.app, Daehua Restaurant Orders


def test_single_host_osqueryi_json_takes_its_host_from_the_file_name():
    assert found(SAMPLES / "fin-laptop-17.osquery.json") == {
        ("fin-laptop-17", "Kaspersky Endpoint Security for Windows", ICTS),
        ("fin-laptop-17", "Kaspersky Security Center Network Agent", ICTS)}


@pytest.mark.parametrize("sbom", ["thirdparty-router-fw.cdx.json", "thirdparty-router-fw.cdx.xml"])
def test_cyclonedx_sbom_finds_the_kaspersky_sdk_inside_a_third_party_product(sbom):
    result = scan([SAMPLES / sbom], bundled_catalog(), TODAY)
    [finding] = result.findings
    assert (finding.host, finding.name, finding.kind) == ("NW-R640 Router Firmware 4.2.1", "KAV SDK", "component")
    assert {reason.field for reason in finding.reasons} == {"publisher", "name"}
    assert "supplier: AO Kaspersky Lab" in finding.vendor and "copyright: © AO Kaspersky Lab" in finding.vendor
    assert finding.identifiers["purl"] == "pkg:generic/kaspersky/kav-sdk@8.10.0"


@pytest.mark.parametrize("sbom", ["thirdparty-router-fw.spdx.json", "thirdparty-router-fw.spdx"])
def test_spdx_sbom_json_and_tag_value_find_the_sdk(sbom):
    # the product the SPDX document describes stands as the host, as in the CycloneDX SBOM (issue 10)
    assert found(SAMPLES / sbom) == {("NW-R640 Router Firmware 4.2.1", "KAV SDK", ICTS)}


def test_nmap_devices_by_the_registered_owner_of_their_mac_not_nmaps_guess():
    result = scan([SAMPLES / "nmap-office.xml"], bundled_catalog(), TODAY)
    devices = {(f.host, f.vendor, f.identifiers["mac"]) for f in result.findings}
    assert devices == {
        ("cam-lobby-01.corp.example", "Hangzhou Hikvision Digital Technology Co.,Ltd.", "C0:56:E3:82:14:6B"),
        # nmap gave no vendor for this one: the IEEE registry (netaddr) does
        ("nvr-01.corp.example", "Zhejiang Dahua Technology Co., Ltd.", "6C:1C:71:09:B3:5E"),
    }  # Aztech ('zte' inside a word) and Hytec (close to Hytera) are not findings
    assert {f.measure_id for f in result.findings} == {S889}
    assert result.inventories[0].items == 9


def test_csv_export_finds_cyrillic_and_latin_kaspersky_names_only():
    assert found(SAMPLES / "installed-programs.csv") == {
        ("HR-PC-11", "Антивирус Касперского", ICTS), ("SALES-LT-07", "Kaspersky Free", ICTS)}


def test_csv_columns_can_be_named(tmp_path):
    export = tmp_path / "sccm.csv"
    export.write_text("Asset Tag;Title;Maker\nPC-1;Kaspersky Plus;Kaspersky\nPC-2;Notepad++;Don Ho\n".replace(";", ","),
                      encoding="utf-8")
    result = scan([export], bundled_catalog(), TODAY, ReadOptions({"host": "Asset Tag", "vendor": "Maker"}))
    assert [(f.host, f.name) for f in result.findings] == [("PC-1", "Kaspersky Plus")]


def test_status_follows_the_measures_phases_on_the_date():
    def first(as_of: dt.date):
        result = scan([SAMPLES / "installed-programs.csv"], bundled_catalog(), as_of)
        return next(f for f in result.findings if f.host == "SALES-LT-07")

    before = first(dt.date(2024, 7, 1))
    assert before.severity == "medium"
    assert "new licences" in before.status and "prohibited from 2024-07-20" in before.status
    between = first(dt.date(2024, 8, 1))
    assert between.severity == "medium"
    assert "prohibited since 2024-07-20" in between.status
    assert "updates, cloud services, support prohibited from 2024-09-29" in between.status
    after = first(TODAY)
    assert after.severity == "high"
    assert after.status.startswith("no updates since 2024-09-29;")
    assert "new licences, federal procurement prohibited since 2024-07-20" in after.status
    assert after.status.endswith("; replace")
    assert after.explanation.startswith("Kaspersky Free 21.3.10.391 on host SALES-LT-07: no updates since 2024-09-29")
    assert "publisher 'Kaspersky' matches 'Kaspersky'" in after.explanation


def test_federal_only_measures_say_whom_they_bind():
    result = scan([SAMPLES / "nmap-office.xml"], bundled_catalog(), TODAY)
    assert all(f.status.startswith("for federal agencies and federal contractors: ") for f in result.findings)
    assert all("use to be reviewed since 2020-08-13" in f.status for f in result.findings)


def test_this_machine_reads_dpkg_status(tmp_path):
    status = tmp_path / "status"
    status.write_text("Package: kesl\nStatus: install ok installed\nVersion: 11.2.0-4528\nMaintainer: \n\n"
                      "Package: bash\nStatus: install ok installed\nVersion: 5.2\n\n"
                      "Package: klnagent64\nStatus: deinstall ok config-files\nVersion: 12.0\n", encoding="utf-8")
    rows = this_machine.debian_packages("host-1", status)
    assert [(row["name"], row["version"]) for row in rows] == [("kesl", "11.2.0-4528"), ("bash", "5.2")]


def test_this_machine_scan_runs_here():
    result = run_banwatch("estate", "scan", "--this-machine", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    [inventory] = report["inventories"]
    assert inventory["format"] == "local" and inventory["items"] > 10  # Python distributions at least


# ----------------------------------------------------------------- the command and its reports

ALL_SAMPLES = sorted(str(path) for path in SAMPLES.iterdir() if path.is_file() and path.suffix != ".md")


def test_cli_reports_json_csv_and_self_contained_html(tmp_path):
    for suffix in ("json", "csv", "html"):
        result = run_banwatch("estate", "scan", *ALL_SAMPLES, "--as-of", "2026-11-23",
                              "--out", str(tmp_path / f"report.{suffix}"))
        assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    # 22 matches; fin-laptop-17 is in two files and the firmware in four SBOMs: merged; its three
    # processes join the programs they run from (issue 10)
    assert len(report["findings"]) == 14 and report["as_of"] == "2026-11-23"
    assert {m["measure_id"]: m["hosts"] for m in report["summary"]["by_measure"]} == {ICTS: 9, S889: 2}
    csv_lines = (tmp_path / "report.csv").read_text(encoding="utf-8").splitlines()
    assert csv_lines[0].startswith("severity,host,kind,name") and len(csv_lines) == 15
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<svg" in page and "Hosts affected per measure" in page and 'class="sortable"' in page
    assert "Антивирус Касперского" in page
    assert "http://" not in page.replace('http://support', '') and "<link" not in page and "src=" not in page


def test_cli_terminal_summary_names_hosts_and_reasons():
    result = run_banwatch("estate", "scan", str(SAMPLES / "installed-programs.csv"), "--as-of", "2026-11-23")
    assert result.returncode == 0, result.stderr
    assert "Scanned 20 items on 4 hosts in 1 inventory file(s)" in result.stdout
    assert "2 finding(s) on 2 host(s)" in result.stdout
    assert "HR-PC-11" in result.stdout and "SALES-LT-07" in result.stdout


# ----------------------------------------------------------------- bad input

def bad_line(result, name: str) -> str:
    lines = [line for line in result.stderr.splitlines() if name in line]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_bad_inputs_are_named_and_the_others_still_scanned(tmp_path):
    no_columns = tmp_path / "export.csv"
    no_columns.write_text("Serial,Model\nA1,X\n", encoding="utf-8")
    huge_sbom = tmp_path / "huge.cdx.json"
    with huge_sbom.open("wb") as handle:  # 2 GB, sparse: costs no disk
        handle.write(b'{"bomFormat": "CycloneDX", "specVersion": "1.5", ')
        handle.truncate(2 * 2**30)
    hostile = tmp_path / "laughs.xml"
    hostile.write_text('<?xml version="1.0"?><!DOCTYPE nmaprun [<!ENTITY a "aaaaaaaaaa">'
                       '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><nmaprun>&b;</nmaprun>', encoding="utf-8")
    result = run_banwatch("estate", "scan", str(SAMPLES / "bad" / "truncated-osquery.log"),
                          str(SAMPLES / "bad" / "unknown-spec.cdx.json"), str(no_columns), str(huge_sbom),
                          str(hostile), str(SAMPLES / "installed-programs.csv"), "--json")
    assert result.returncode == 2
    assert "Malformed JSON" in bad_line(result, "truncated-osquery.log")
    assert "spec version '9.9'" in bad_line(result, "unknown-spec.cdx.json")
    assert "no name column" in bad_line(result, "export.csv")
    assert "2.0 GB" in bad_line(result, "huge.cdx.json")
    assert "refused XML" in bad_line(result, "laughs.xml")
    report = json.loads(result.stdout)  # the good inventory was still scanned and reported
    assert len(report["problems"]) == 5
    assert {(f["host"], f["name"]) for f in report["findings"]} == {
        ("HR-PC-11", "Антивирус Касперского"), ("SALES-LT-07", "Kaspersky Free")}


@pytest.mark.parametrize(("args", "message"), [
    ((), "give at least one inventory file"),
    (("no-such-file.log",), "no-such-file.log: no such file"),
    (("--as-of", "2024-13-01", "x"), "--as-of: '2024-13-01' is not a date"),
    (("--out", "report.pdf", "x"), "the report is .html, .csv or .json"),
])
def test_bad_arguments_exit_2_with_one_line(args, message):
    result = run_banwatch("estate", "scan", *args)
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_an_item_seen_by_two_inventories_is_one_finding_naming_both():
    result = scan([SAMPLES / "osquery-fleet.log", SAMPLES / "fin-laptop-17.osquery.json"], bundled_catalog(), TODAY)
    agent = [f for f in result.findings if f.name == "Kaspersky Endpoint Security for Windows"]
    assert len(agent) == 1
    assert agent[0].inventory.endswith("osquery-fleet.log, " + str(SAMPLES / "fin-laptop-17.osquery.json"))
