"""`banwatch estate scan`: find restricted software, SDKs and devices in inventories."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from banwatch.cli.common import EXIT_BAD_INPUT, context, err, flag, out, print_json, reports_bad_input
from banwatch.errors import BadInput
from banwatch.estate.findings import SEVERITY_ORDER, summarise
from banwatch.estate.inventories import ReadOptions
from banwatch.estate.scan import ScanResult
from banwatch.estate.scan import scan as scan_inventories
from banwatch.report import estate as report

app = typer.Typer(help="Find restricted software, SDKs and devices in an organisation's inventories.",
                  no_args_is_help=True)
REPORT_SUFFIXES = (".html", ".htm", ".csv", ".json")
#: --fail-on's severities, and the exit code when findings reach one
GATES = ("high", "medium", "low")
EXIT_FINDINGS = 1
#: findings listed on the terminal; the report files hold them all
SHOWN = 25


@app.command()
@reports_bad_input
def scan(
    inputs: Annotated[list[Path] | None, typer.Argument(help="Inventory files, or folders of them: osquery results (log or JSON), "
                                                        "fleetctl query output, CycloneDX or SPDX SBOMs (Syft, "
                                                        "Trivy), CSV exports (PowerShell, wmic, ConfigMgr, Intune), "
                                                        "dpkg/rpm/brew package lists, nmap XML.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Status on this date (YYYY-MM-DD); default today.")]
    = None,
    out_path: Annotated[Path | None, typer.Option("--out", help="Report file: .html, .csv or .json.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole result as JSON.")] = False,
    this_machine: Annotated[bool, typer.Option("--this-machine", help="Also scan the machine banwatch runs on "
                                               "(installed packages, applications, processes).")] = False,
    host_column: Annotated[str | None, typer.Option(help="CSV exports: the host column.")] = None,
    name_column: Annotated[str | None, typer.Option(help="CSV exports: the software name column.")] = None,
    vendor_column: Annotated[str | None, typer.Option(help="CSV exports: the publisher column.")] = None,
    version_column: Annotated[str | None, typer.Option(help="CSV exports: the version column.")] = None,
    host: Annotated[str | None, typer.Option("--host", help="The host of exports of one machine that do not name "
                                             "it (dpkg, rpm, brew lists, Get-Package); default: the file name "
                                             "up to its first dot.")] = None,
    federal: Annotated[bool, typer.Option("--federal", help="The organisation is a US federal agency or "
                                          "contractor: findings under measures that bind only those are weighed, "
                                          "not informational.")] = False,
    fail_on: Annotated[str | None, typer.Option("--fail-on", help="high, medium or low: exit 1 when a finding at "
                                                "or above this severity exists (to gate a CI pipeline).")] = None,
) -> None:
    """Scan inventories for the catalog's detection signatures; status of every finding on a date."""
    paths = list(inputs or [])
    if not paths and not this_machine:
        raise BadInput("INPUT", "give at least one inventory file, or --this-machine")
    date = parse_date(as_of)
    if fail_on is not None and fail_on not in GATES:
        raise BadInput("--fail-on", f"{fail_on!r} is not one of {', '.join(GATES)}")
    if out_path is not None and out_path.suffix.lower() not in REPORT_SUFFIXES:
        raise BadInput("--out", f"{out_path}: the report is .html, .csv or .json")
    paths = [file for path in paths for file in (inventory_files(path) if path.is_dir() else [path])]
    missing = [path for path in paths if not path.is_file()]
    if missing:
        raise BadInput(str(missing[0]), "no such file")
    measures = context().catalog.measures
    columns = {key: value for key, value in (("host", host_column), ("name", name_column),
                                             ("vendor", vendor_column), ("version", version_column)) if value}
    extra = []
    if this_machine:
        from banwatch.estate.inventories.this_machine import read_this_machine  # noqa: PLC0415

        extra.append(read_this_machine)
    with err.status("Scanning") as status:
        result = scan_inventories(paths, measures, date, ReadOptions(columns, host), extra,
                                  progress=lambda origin: status.update(f"Scanning {origin}"), federal=federal)
    result.provenance = context().provenance([])
    for problem in result.problems:
        err.print(f"banwatch: error: {problem.render(flag)}", markup=False)
    if out_path is not None:
        report.write(result, out_path)
    if as_json:
        print_json(report.as_json(result))
    else:
        show(result)
        if out_path is not None:
            out.print(f"Report: {out_path}", markup=False)
    if result.problems:
        raise typer.Exit(EXIT_BAD_INPUT)
    if fail_on is not None:
        gate = SEVERITY_ORDER.index(fail_on)
        failing = [f for f in result.findings if SEVERITY_ORDER.index(f.severity) <= gate]
        if failing:
            err.print(f"banwatch: {len(failing):,} finding(s) at or above {fail_on} (--fail-on {fail_on})",
                      markup=False)
            raise typer.Exit(EXIT_FINDINGS)


def inventory_files(folder: Path) -> list[Path]:
    """The files of a folder given as an inventory, in name order; hidden ones left out."""
    return sorted(path for path in folder.iterdir() if path.is_file() and not path.name.startswith("."))


def parse_date(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadInput("--as-of", f"{text!r} is not a date (YYYY-MM-DD)") from None


def show(result: ScanResult) -> None:
    items = sum(inventory.items for inventory in result.inventories)
    hosts = sum(inventory.hosts for inventory in result.inventories)
    summary = summarise(result.findings)
    out.print(f"Scanned {items:,} items on {hosts:,} hosts in {len(result.inventories)} inventory file(s); "
              f"status as of {result.as_of}: {len(result.findings):,} finding(s) on "
              f"{len(summary['by_host']):,} host(s).", markup=False)
    for inventory in result.inventories:
        for note in inventory.notes:
            hint = " (--host NAME says otherwise)" if note.endswith("taken from the file name") else ""
            out.print(f"note: {note}{hint}", markup=False)
    if not result.findings:
        return
    table = Table(title="Findings" + (f" (first {SHOWN} of {len(result.findings):,})"
                                      if len(result.findings) > SHOWN else ""))
    for column in ("severity", "host", "item", "measure", "why"):
        table.add_column(column, overflow="fold")
    for finding in result.findings[:SHOWN]:
        why = "; ".join(f"{reason.field} ~ {reason.pattern}" for reason in finding.reasons)
        table.add_row(finding.severity, finding.host, " ".join(filter(None, (finding.name, finding.version))),
                      finding.measure_id, why)
    out.print(table)
    for entry in summary["by_measure"]:
        out.print(f"{entry['measure_id']}: {entry['findings']} finding(s) on {entry['hosts']} host(s)",
                  markup=False)
    first = result.findings[0]
    out.print(f"e.g. {first.explanation}", markup=False)
