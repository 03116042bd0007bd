"""Estate scan on inventories exactly as real tools export them
(src/banwatch/samples/estate/exports, its README says what each holds and
which command made it): PowerShell, wmic, ConfigMgr, Intune, dpkg, rpm, brew,
fleetctl, osquery logs with UUID host identifiers and their service, driver
and macOS tables, Syft and Trivy SBOMs, nmap beyond a router. Each test
checks the exact findings: every planted item, and none of the decoys."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from banwatch.catalog import bundled_catalog
from banwatch.estate.inventories import ReadOptions, detect_format, open_inventory
from banwatch.estate.inventories.package_lists import list_shape
from banwatch.estate.scan import scan
from conftest import ROOT, run_banwatch

SAMPLES = ROOT / "src" / "banwatch" / "samples" / "estate"
EXPORTS = SAMPLES / "exports"
ICTS, S889 = "us-icts-kaspersky-2024", "us-ndaa-fy2019-s889"
TODAY = dt.date(2026, 11, 23)


def scanned(*paths: Path, options: ReadOptions | None = None):
    result = scan(list(paths), bundled_catalog(), TODAY, options)
    assert not result.problems, result.problems
    return result


def found(*paths: Path, options: ReadOptions | None = None) -> set[tuple[str, str, str]]:
    return {(f.host, f.name, f.measure_id) for f in scanned(*paths, options=options).findings}


# ------------------------------------------------------------------ shapes told apart

@pytest.mark.parametrize(("text", "shape"), [
    ("adduser\t3.118ubuntu5\nkesl\t11.2.0-4528\n", "dpkg-query"),
    ("kmod-25-19.el8.x86_64\ngpg-pubkey-fd431d51-4ae0493b\n", "rpm-qa"),
    ("git 2.43.0\nopenssl@3 3.2.0_1\n", "brew-list"),
    ("Desired=Unknown/Install/Remove/Purge/Hold\n| Status=Not/Inst\n", "dpkg-l"),
    ("name\tversion\nkesl\t11.2\n", None),  # a TSV with a header is a CSV export, not dpkg-query output
    ("Computer Name,Software Name\nPC,Kaspersky Free\n", None),
    ("hello world\n", None),
])
def test_package_lists_are_told_from_their_first_lines(text, shape):
    assert list_shape(text) == shape


def test_a_tsv_export_with_a_header_is_read_as_csv(tmp_path):
    export = tmp_path / "inventory.tsv"
    export.write_text("host\tname\tpublisher\nPC-1\tKaspersky Free\tKaspersky\n", encoding="utf-8")
    assert detect_format(export) == "csv"
    assert found(export) == {("PC-1", "Kaspersky Free", ICTS)}


# ------------------------------------------------------------------ each export, exactly

KES, AGENT = "Kaspersky Endpoint Security for Windows", "Kaspersky Security Center Network Agent"
EXPECTED = {
    # PowerShell 5.1 Get-WmiObject | Export-Csv -Encoding UTF8: BOM, #TYPE line, PSComputerName
    "ps-get-wmiobject-win32product.csv": {("FIN-LAPTOP-17", KES), ("FIN-LAPTOP-17", AGENT)},
    # Get-CimInstance on the machine itself, -Encoding Unicode: UTF-16, PSComputerName empty
    "ps-get-ciminstance-win32product.csv": {("ps-get-ciminstance-win32product", "Kaspersky Free"),
                                            ("ps-get-ciminstance-win32product", "Антивирус Касперского")},
    "HR-PC-11.get-package.csv": {("HR-PC-11", KES)},  # no host column: the file name
    "wmic-product.csv": {("FIN-LAPTOP-17", KES), ("DEV-WS-22", AGENT)},
    "sccm-installed-software.csv": {("HR-PC-11", KES), ("SALES-LT-07", AGENT)},  # KES: ARP name empty
    "intune-detected-apps.csv": {("aggregate: 37 device(s)", KES), ("aggregate: 4 device(s)", "Kaspersky Security Cloud")},
    "intune-detected-apps.json": {("aggregate: 37 device(s)", KES),
                                  ("aggregate: 4 device(s)", "Kaspersky Security Cloud")},
    "web-prod-03.dpkg-query.txt": {("web-prod-03", "kesl"), ("web-prod-03", "klnagent64")},  # not casper, kmod
    "files-legacy-02.dpkg-l.txt": {("files-legacy-02", "kav4fs")},  # not the removed ('rc') kesl
    "db-rhel-01.rpm-qa.txt": {("db-rhel-01", "kesl"), ("db-rhel-01", "klnagent64")},
    "mac-design-04.brew-list.txt": set(),  # casperjs is no Kaspersky
    "mac-design-04.brew-list-cask.txt": set(),
    "fleetctl-query.jsonl": {("FIN-LAPTOP-17", KES), ("FIN-LAPTOP-17", AGENT), ("web-prod-03", "kesl"),
                             ("web-prod-03", "klnagent64")},
    "osquery-uuid-hosts.log": {
        ("FIN-LAPTOP-17", AGENT),  # the klnagent service, its klnagent.exe process joined
        ("FIN-LAPTOP-17", "Kaspersky Security Service"),  # KAVFS
        ("FIN-LAPTOP-17", "Kaspersky Lab KLIF"), ("FIN-LAPTOP-17", "Kaspersky Lab KLHK"),
        ("FIN-LAPTOP-17", "Kaspersky Lab KNEPS"),  # drivers
        ("web-prod-03", AGENT),  # klnagent64.service
        ("mac-design-04", "com.kaspersky.kav.core"), ("mac-design-04", "com.kaspersky.kav.gui.plist"),
        ("mac-design-04", "com.kaspersky.kav.sysext"), ("mac-design-04", "com.kaspersky.kext.klif"),
        ("0F6A2C93-71D4-4B8E-A5C0-3E9D18B7F24A", AGENT),  # no hostname decoration: the UUID stays the host
    },  # not ACC-PC-03's KES (a 'removed' event), casperjs, casper-md5check.service
    "syft-server.cdx.json": {("/", "kesl"), ("/", "@kaspersky/hexa-ui")},  # kesl by its purl alone
    "trivy-image.cdx.json": {("registry.corp.example/data/db-tools:2025.03", "klnagent64"),
                             ("registry.corp.example/data/db-tools:2025.03",
                              "com.kaspersky.android-components kaspresso")},
    "nmap-routed-sV.xml": {("10.20.30.11", "Hikvision IP camera httpd (by fingerprint)"),
                           ("10.20.30.12", "Dahua webcam httpd (by fingerprint)")},  # not 'Dahlia httpd'
}


def test_every_export_sample_has_its_expected_findings():
    assert {path.name for path in EXPORTS.iterdir()} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_export_gives_exactly_its_planted_items(name):
    findings = scanned(EXPORTS / name).findings
    assert {(f.host, f.name) for f in findings} == EXPECTED[name]
    measures = {f.measure_id for f in findings}
    assert measures <= ({S889} if name.startswith("nmap") else {ICTS})


def test_all_exports_together_are_all_read(tmp_path):
    report = tmp_path / "findings.json"
    earlier = sorted(path for path in SAMPLES.glob("*.*") if path.suffix != ".md")  # the first samples too
    result = run_banwatch("estate", "scan", str(EXPORTS), *map(str, earlier), "--as-of", "2026-11-23",
                          "--out", str(report))
    assert result.returncode == 0, result.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    assert not data["problems"]
    assert len(data["inventories"]) == len(EXPECTED) + len(earlier)
    assert "note: HR-PC-11.get-package.csv: no host in the file; host 'HR-PC-11' taken from the file name " \
           "(--host NAME says otherwise)" in result.stdout


def test_the_shapes_are_named():
    formats = {Path(i.origin).name: i.format for i in scanned(*sorted(EXPORTS.iterdir())).inventories}
    assert formats["ps-get-wmiobject-win32product.csv"] == formats["ps-get-ciminstance-win32product.csv"] \
        == "powershell-csv"
    assert (formats["wmic-product.csv"], formats["sccm-installed-software.csv"], formats["intune-detected-apps.csv"],
            formats["fleetctl-query.jsonl"], formats["files-legacy-02.dpkg-l.txt"]) == \
        ("wmic-csv", "sccm-csv", "intune-csv", "fleetctl", "dpkg-l")


# ------------------------------------------------------------------ how each was read

def test_wmic_reads_an_unquoted_comma_into_the_vendor_and_says_so():
    result = scanned(EXPORTS / "wmic-product.csv")
    [inventory] = result.inventories
    assert (inventory.items, inventory.hosts) == (7, 2)
    assert "extra commas inside its vendor" in inventory.notes[0]
    connection = duckdb.connect()
    items = open_inventory(connection, EXPORTS / "wmic-product.csv", 0).sql
    assert connection.execute(f"SELECT host, name, vendor, version FROM ({items}) WHERE vendor LIKE 'Oracle%'"
                              ).fetchall() == [("DEV-WS-22", "Java 8 Update 391 (64-bit)", "Oracle America, Inc.",
                                                "8.0.3910.13")]


def test_a_single_host_export_takes_the_host_given():
    options = ReadOptions(host="SALES-LT-07")
    assert found(EXPORTS / "ps-get-ciminstance-win32product.csv", options=options) == {
        ("SALES-LT-07", "Kaspersky Free", ICTS), ("SALES-LT-07", "Антивирус Касперского", ICTS)}
    assert found(EXPORTS / "db-rhel-01.rpm-qa.txt", options=options) == {
        ("SALES-LT-07", "kesl", ICTS), ("SALES-LT-07", "klnagent64", ICTS)}
    [inventory] = scanned(EXPORTS / "db-rhel-01.rpm-qa.txt", options=options).inventories
    assert inventory.notes == ("db-rhel-01.rpm-qa.txt: no host in the file; host 'SALES-LT-07' as given",)


def test_intune_findings_are_aggregate_with_their_device_count():
    result = scanned(EXPORTS / "intune-detected-apps.json")
    [inventory] = result.inventories
    assert inventory.hosts == 0 and "aggregate inventory" in inventory.notes[0]
    assert {(f.name, f.identifiers["devices"]) for f in result.findings} == {(KES, "37"),
                                                                              ("Kaspersky Security Cloud", "4")}


def test_a_service_found_with_its_process_is_one_finding():
    agent = next(f for f in scanned(EXPORTS / "osquery-uuid-hosts.log").findings
                 if f.host == "FIN-LAPTOP-17" and f.name == AGENT)
    assert (agent.kind, agent.identifiers["service"], agent.processes) == ("service", "klnagent", ["klnagent.exe"])
    assert [(r.field, r.pattern) for r in agent.reasons] == [("name", "Kaspersky"), ("path", "Kaspersky Lab"),
                                                              ("name", "klnagent.exe")]  # the service's, the process's
    assert "Running as klnagent.exe." in agent.explanation


def test_macos_extension_carries_its_team_and_kernel_driver_its_file():
    findings = {f.name: f for f in scanned(EXPORTS / "osquery-uuid-hosts.log").findings}
    sysext = findings["com.kaspersky.kav.sysext"]
    assert (sysext.kind, sysext.identifiers["team_id"]) == ("system_extension", "2Y8XE5CQ94")
    klif = findings["Kaspersky Lab KLIF"]
    assert klif.kind == "driver" and {r.pattern for r in klif.reasons} >= {"klif", "klif.sys"}


def test_sbom_component_found_by_its_purl_alone():
    kesl = next(f for f in scanned(EXPORTS / "syft-server.cdx.json").findings if f.name == "kesl")
    assert [(r.field, r.pattern) for r in kesl.reasons] == [("package", "kesl")]
    assert kesl.identifiers["purl"].startswith("pkg:deb/") and kesl.severity == "high"


@pytest.mark.parametrize(("sbom", "library"), [("syft-server.cdx.json", "@kaspersky/hexa-ui"),
                                                ("trivy-image.cdx.json", "com.kaspersky.android-components kaspresso")])
def test_kaspersky_developer_libraries_are_to_review_never_high(sbom, library):
    finding = next(f for f in scanned(EXPORTS / sbom).findings if f.name == library)
    assert finding.severity == "medium" and finding.status.startswith("review: a library the vendor publishes")
    assert any(r.field == "purl" for r in finding.reasons)


def test_devices_beyond_a_router_are_found_by_their_fingerprint_with_the_evidence():
    camera = next(f for f in scanned(EXPORTS / "nmap-routed-sV.xml").findings if f.host == "10.20.30.11")
    [reason] = camera.reasons
    assert reason.field == "maker (fingerprint or system_info, no MAC)" and reason.pattern == "Hikvision"
    assert "Hikvision IP camera httpd" in reason.value and "mac" not in camera.identifiers


def test_kasperskys_removal_tool_means_removal_under_way(tmp_path):
    processes = tmp_path / "acc-pc-03.osquery.json"
    processes.write_text(json.dumps([
        {"pid": "4242", "name": "kavremover.exe", "path": "C:\\Users\\it\\Downloads\\kavremover.exe",
         "cmdline": "kavremover.exe", "parent": "1200"},
        {"pid": "4243", "name": "notepad.exe", "path": "C:\\Windows\\notepad.exe", "cmdline": "", "parent": "1"}]),
        encoding="utf-8")
    [finding] = scanned(processes).findings
    assert (finding.host, finding.name, finding.severity) == ("acc-pc-03", "kavremover.exe", "info")
    assert finding.status.startswith("the vendor's own removal tool: removal is under way")


def test_a_package_list_saved_as_utf16_is_read_and_big_endian_is_refused(tmp_path):
    listed = tmp_path / "ws-09.dpkg-query.txt"  # `dpkg-query -W > file` in Windows PowerShell 5.1 (WSL)
    listed.write_bytes(b"\xff\xfe" + "adduser\t3.118ubuntu5\r\nkesl\t11.2.0-4528\r\n".encode("utf-16-le"))
    assert found(listed) == {("ws-09", "kesl", ICTS)}
    big_endian = tmp_path / "export.csv"
    big_endian.write_bytes(b"\xfe\xff" + "Computer Name,Software Name\r\nPC-1,Kaspersky Free\r\n".encode("utf-16-be"))
    [problem] = scan([big_endian], bundled_catalog(), TODAY).problems
    assert problem.render() == f"{big_endian}: UTF-16 big-endian text: save it as UTF-8 or as UTF-16 little-endian"
