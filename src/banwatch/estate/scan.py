"""Scan inventories for the catalog's detection signatures.

Each inventory is read in one pass inside DuckDB: every row is tested against
every signature there (columnar, on every core) and only the rows that match
come back to Python, with the inventory's item and host counts. A bad
inventory is reported by name and the others are still scanned.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from banwatch.errors import BadInput
from banwatch.estate.findings import SEVERITY_ORDER, Finding, Reason, describe, status_on
from banwatch.estate.inventories import Inventory, open_inventory
from banwatch.estate.items import NAMES
from banwatch.estate.signatures import MATCHED_COLUMNS, CompiledSignature, compile_signatures
from banwatch.model import Measure, Provenance

#: DuckDB may use this much memory before spilling to disk: a 30-million-row fleet fits in it
MEMORY_LIMIT = "3GB"
IDENTIFIERS = ("package", "bundle_id", "purl", "cpe", "mac", "path")


@dataclass
class ScannedInventory:
    origin: str
    format: str
    items: int
    hosts: int
    findings: int


@dataclass
class ScanResult:
    as_of: dt.date
    inventories: list[ScannedInventory] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    problems: list[BadInput] = field(default_factory=list)
    provenance: Provenance | None = None  # the catalog and banwatch the findings were made with


def connect() -> duckdb.DuckDBPyConnection:
    return duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "preserve_insertion_order": False})


def match_query(inventory_sql: str, signatures: list[CompiledSignature]) -> str:
    lowered = ", ".join(f"lower({column}) AS {column}_lower" for column in MATCHED_COLUMNS)
    tests = ", ".join(f"CASE WHEN {s.condition()} THEN {s.number} END" for s in signatures) or "NULL"
    return f"""
        WITH items AS ({inventory_sql}),
        lowered AS (SELECT *, {lowered} FROM items),
        tested AS (SELECT {', '.join(NAMES)}, list_filter([{tests}], lambda hit: hit IS NOT NULL) AS hits FROM lowered)
        SELECT count(*) AS items, count(DISTINCT host) AS hosts,
               list(struct_pack({', '.join(NAMES)}, hits)) FILTER (WHERE len(hits) > 0) AS matches
        FROM tested"""


def scan(paths: Sequence[Path], measures: Sequence[Measure], as_of: dt.date,
         csv_columns: dict[str, str] | None = None, extra: Sequence[Callable[[duckdb.DuckDBPyConnection], Inventory]]
         = (), progress: Callable[[str], None] | None = None, federal: bool = False) -> ScanResult:
    """Scan every inventory in `paths` (and any `extra` inventories, e.g. this
    machine) for the detection signatures of `measures`. `federal`: the
    organisation is a federal agency or contractor (else findings under
    measures binding only those are informational)."""
    signatures = compile_signatures(measures)
    result = ScanResult(as_of)
    connection = connect()
    openers = [functools.partial(open_inventory, connection, path, number, csv_columns)
               for number, path in enumerate(paths)]
    openers += [functools.partial(make, connection) for make in extra]
    for open_next in openers:
        try:
            inventory = open_next()
            if progress:
                progress(inventory.origin)
            found = scan_inventory(connection, inventory, signatures, as_of, federal)
        except BadInput as problem:
            result.problems.append(problem)
            continue
        result.inventories.append(found[0])
        result.findings.extend(found[1])
    result.findings = merged(result.findings)
    result.findings.sort(key=lambda f: (SEVERITY_ORDER.index(f.severity), f.host, f.name, f.measure_id))
    return result


def merged(findings: list[Finding]) -> list[Finding]:
    """One finding per item and measure, however many inventories saw it (a
    host's osquery log and its own export both list the same program, the
    CycloneDX and SPDX SBOMs of one firmware the same component): the
    inventories are listed and the reasons joined. A process that runs from
    an installed item's folder is that item running: it joins its finding."""
    by_item: dict[tuple, Finding] = {}
    for finding in findings:
        key = (finding.host, finding.kind, finding.name, finding.version, finding.measure_id)
        first = by_item.setdefault(key, finding)
        if first is not finding:
            join(first, finding)
    unique = list(by_item.values())
    installed = [f for f in unique if f.kind != "process" and f.identifiers.get("path")]
    result = []
    for finding in unique:
        owner = installed_item_of(finding, installed) if finding.kind == "process" else None
        if owner is None:
            result.append(finding)
            continue
        join(owner, finding)
        if finding.name not in owner.processes:
            owner.processes.append(finding.name)
    for finding in result:
        if finding.processes:
            finding.explanation += f" Running as {', '.join(finding.processes)}."
    return result


def join(first: Finding, other: Finding) -> None:
    if other.inventory not in first.inventory.split(", "):
        first.inventory += f", {other.inventory}"
    first.reasons += [reason for reason in other.reasons if reason not in first.reasons]


def folder(path: str) -> str:
    return path.replace("\\", "/").rstrip("/").casefold()


def installed_item_of(process: Finding, installed: list[Finding]) -> Finding | None:
    """The installed item, on the same host and under the same measure, from
    whose folder `process` runs (the longest such folder), if any."""
    runs_from = folder(process.identifiers.get("path", ""))
    owners = [item for item in installed if item.host == process.host and item.measure_id == process.measure_id
              and runs_from.startswith(folder(item.identifiers["path"]) + "/")]
    return max(owners, key=lambda item: len(item.identifiers["path"]), default=None)


def scan_inventory(connection: duckdb.DuckDBPyConnection, inventory: Inventory, signatures: list[CompiledSignature],
                   as_of: dt.date, federal: bool = False) -> tuple[ScannedInventory, list[Finding]]:
    try:
        items, hosts, matches = connection.execute(match_query(inventory.sql, signatures)).fetchone()
    except duckdb.Error as error:  # DuckDB's readers name the file and line; keep its first sentence
        message = str(error).split("\n", 1)[0].split(": ", 1)[-1]
        raise BadInput(inventory.origin, re.sub(r' in file "[^"]*",?', "", message).strip()) from None
    findings = [finding for match in matches or ()
                for finding in findings_of(match, inventory, signatures, as_of, federal)]
    return ScannedInventory(inventory.origin, inventory.format, items, hosts, len(findings)), findings


def findings_of(item: dict, inventory: Inventory, signatures: list[CompiledSignature],
                as_of: dt.date, federal: bool = False) -> list[Finding]:
    """One finding per measure whose signatures `item` matched, with every reason."""
    reasons_by_measure: dict[str, list[Reason]] = {}
    parties_by_measure: dict[str, set[str | None]] = {}
    measures: dict[str, Measure] = {}
    for number in item["hits"]:
        compiled = signatures[number]
        value = item[compiled.column] or ""
        reason = Reason(field=compiled.signature.field.value, value=value,
                        pattern=compiled.matched_pattern(value) or "", label=compiled.signature.label,
                        source=compiled.signature.source)
        reasons_by_measure.setdefault(compiled.measure.id, []).append(reason)
        parties_by_measure.setdefault(compiled.measure.id, set()).add(compiled.signature.party)
        measures[compiled.measure.id] = compiled.measure
    findings = []
    for measure_id, reasons in reasons_by_measure.items():
        measure = measures[measure_id]
        severity, status = status_on(measure, as_of, parties_by_measure[measure_id], federal)
        assert measure.detection is not None
        name = item["name"] or item["package"] or item["bundle_id"] or "(unnamed)"
        what = describe(name, item["version"], item["host"] or "?", item["kind"])
        why = "; ".join(f"{r.field} '{r.value}' matches '{r.pattern}' ({r.label})" for r in reasons)
        findings.append(Finding(
            host=item["host"] or "?", kind=item["kind"] or "item", name=name, version=item["version"],
            vendor=item["vendor"], identifiers={k: item[k] for k in IDENTIFIERS if item[k]},
            inventory=inventory.origin, measure_id=measure_id, measure_title=measure.title,
            citation=measure.citation, severity=severity, status=status,
            remediation=measure.detection.remediation.strip(), reasons=reasons,
            explanation=f"{what}: {status}. Why: {why}. Measure: {measure.citation}."))
    return findings
