"""Scan inventories for the catalog's detection signatures.

Each inventory is read in one pass inside DuckDB: every row is tested against
every signature there (columnar, on every core) and only the rows that match
come back to Python, with the inventory's item and host counts. A bad
inventory is reported by name and the others are still scanned.

Memory stays flat however large the inventory: rows stream through DuckDB's
readers and are never held; what a scan keeps (the hosts it has seen, the
distinct matching items) is in DuckDB hash tables, which spill to a temporary
directory past a memory limit; and the matches come back in batches, identical
rows once, so that Python holds only the findings.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from banwatch.errors import BadInput
from banwatch.estate.findings import SEVERITY_ORDER, Finding, Reason, describe, status_on
from banwatch.estate.inventories import Inventory, ReadOptions, open_inventory
from banwatch.estate.items import NAMES, sql_text
from banwatch.estate.signatures import (MATCHED_COLUMNS, CompiledSignature, compile_signatures, prefilter,
                                        word_columns, words_sql)
from banwatch.match.characters import INVISIBLE_CLASS, LOOK_ALIKES_FROM, LOOK_ALIKES_TO
from banwatch.model import Measure, Provenance, SignatureField, SignatureTreatment

#: DuckDB's memory for its hash tables and buffers before it spills to disk:
#: this much, and THREAD_MEMORY_MB per thread for the readers' buffers (the
#: CSV reader's ~30 MB, the JSON reader's more). A scan's hash tables grow with
#: the inventory's hosts and distinct matching items (10 million hosts take
#: ~700 MB of them); limited well below the machine's memory (DuckDB's default
#: is 80% of it) they spill, and memory stays flat however large the input.
MEMORY_MB = 256
THREAD_MEMORY_MB = 32
#: the most threads a scan uses: each holds its own reader buffers, which do not
#: spill (past the limit they are an out-of-memory error), and 8 cores already
#: scan a 10-million-row CSV in seconds
MAX_THREADS = 8
#: matched rows fetched from DuckDB at a time
BATCH_ROWS = 10_000
IDENTIFIERS = ("package", "bundle_id", "service", "team_id", "purl", "cpe", "mac", "path", "devices")
#: the kinds of item that are software running, not installed: a finding of its own only when no
#: installed item it belongs to was found (`merged`)
RUNNING = ("process", "service")


@dataclass
class ScannedInventory:
    origin: str
    format: str
    items: int
    hosts: int
    findings: int
    notes: tuple[str, ...] = ()  # how it was read: where its host came from, a repaired row ...


@dataclass
class ScanResult:
    as_of: dt.date
    inventories: list[ScannedInventory] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    problems: list[BadInput] = field(default_factory=list)
    provenance: Provenance | None = None  # the catalog and banwatch the findings were made with


def threads() -> int:
    try:
        cores = len(os.sched_getaffinity(0))  # the cores this process may run on, not the machine's
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_THREADS))


def connect(spill_directory: str | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB for one scan. `spill_directory`: where it spills past
    the memory limit (DuckDB's default is `.tmp` in the working directory, which may be anyone's)."""
    count = threads()
    config: dict[str, str | int | bool] = {"memory_limit": f"{MEMORY_MB + THREAD_MEMORY_MB * count}MB",
                                           "preserve_insertion_order": False, "threads": count}
    if spill_directory is not None:
        config["temp_directory"] = spill_directory
    return duckdb.connect(config=config)


def unmasked_sql(column: str) -> str:
    """SQL for a column as names are compared everywhere (`banwatch.match.characters`):
    without invisible characters, and with look-alike letters read as Latin in a
    value that mixes them with Latin letters ('Kаspersky' with a Cyrillic а).
    Plain ASCII, nearly every value, is passed through untouched (strlen counts
    bytes, length characters). The look-alikes are folded per value, not per
    word as in screening: a value mixing a Latin name with a Cyrillic one
    keeps its Latin words, which is what the Latin patterns read."""
    visible = f"regexp_replace({column}, '{INVISIBLE_CLASS}', '', 'g')"
    return (f"CASE WHEN strlen({column}) = length({column}) THEN {column} "
            f"WHEN regexp_matches({visible}, '[A-Za-z]') THEN translate({visible}, {sql_text(LOOK_ALIKES_FROM)}, "
            f"{sql_text(LOOK_ALIKES_TO)}) ELSE {visible} END")


def match_query(inventory_sql: str, signatures: list[CompiledSignature]) -> str:
    """One pass over the inventory, giving one row per distinct matching item
    (`match`: its columns and the numbers of the signatures it matched) and one
    row, `match` NULL and first, with the inventory's item and host counts.

    Both come from one GROUPING SETS aggregation, so the file is read once: the
    (host) set counts each host's items, the (match) set gathers the matching
    rows, identical ones once (they would make the same finding). Its hash
    tables spill to disk; the outer query folds the per-host rows into the
    counts inside DuckDB, so only the matches reach Python. (The former single
    aggregate, `count(DISTINCT host)` and `list(...)` of every match, held the
    hosts in memory and built every match into one value, converted to Python
    at once.)"""
    lowered = ", ".join(f"lower({unmasked_sql(column)}) AS {column}_lower" for column in MATCHED_COLUMNS)
    # a row's words are made, and the signatures tested one by one, only if it passes the prefilter
    words = ", ".join(f"CASE WHEN candidate THEN {words_sql(column)} END AS {column}_words"
                      for column in word_columns(signatures)) or "NULL AS no_words"
    tests = ", ".join(f"CASE WHEN {s.condition()} THEN {s.number} END" for s in signatures) or "NULL"
    hits = f"CASE WHEN candidate THEN list_filter([{tests}], lambda hit: hit IS NOT NULL) ELSE [] END"
    return f"""
        WITH items AS ({inventory_sql}),
        lowered AS (SELECT *, {lowered} FROM items),
        flagged AS (SELECT *, coalesce({prefilter(signatures)}, false) AS candidate FROM lowered),
        worded AS (SELECT *, {words} FROM flagged),
        tested AS (SELECT {', '.join(NAMES)}, {hits} AS hits FROM worded),
        keyed AS (SELECT host, CASE WHEN len(hits) > 0 THEN struct_pack({', '.join(NAMES)}, hits) END AS match
                  FROM tested),
        grouped AS (SELECT host, match, count(*) AS items, GROUPING(match) AS per_host
                    FROM keyed GROUP BY GROUPING SETS ((host), (match)))
        SELECT CASE WHEN per_host = 0 THEN match END AS match,
               sum(items) FILTER (WHERE per_host = 1) AS items, count(host) FILTER (WHERE per_host = 1) AS hosts
        FROM grouped WHERE per_host = 1 OR match IS NOT NULL
        GROUP BY 1 ORDER BY 1 NULLS FIRST"""  # ordered: the same merged findings on every run


def scan(paths: Sequence[Path], measures: Sequence[Measure], as_of: dt.date,
         options: ReadOptions | None = None, extra: Sequence[Callable[[duckdb.DuckDBPyConnection], Inventory]]
         = (), progress: Callable[[str], None] | None = None, federal: bool = False) -> ScanResult:
    """Scan every inventory in `paths` (and any `extra` inventories, e.g. this
    machine) for the detection signatures of `measures`. `federal`: the
    organisation is a federal agency or contractor (else findings under
    measures binding only those are informational). `options`: what the user
    said of the inventories (CSV columns, the host of single-host exports)."""
    signatures = compile_signatures(measures)
    result = ScanResult(as_of)
    with tempfile.TemporaryDirectory(prefix="banwatch-scan-") as spill, contextlib.closing(connect(spill)) as connection:
        openers = [functools.partial(open_inventory, connection, path, number, options)
                   for number, path in enumerate(paths)]
        openers += [functools.partial(make, connection) for make in extra]
        make_findings = FindingMaker(signatures, as_of, federal)
        for open_next in openers:
            try:
                inventory = open_next()
                if progress:
                    progress(inventory.origin)
                found = scan_inventory(connection, inventory, make_findings)
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
    inventories are listed and the reasons joined. A process or service that
    runs from an installed item's folder is that item running: it joins its
    finding; a process whose program is a found service's joins the service."""
    by_item: dict[tuple, Finding] = {}
    for finding in findings:
        key = (finding.host, finding.kind, finding.name, finding.version, finding.measure_id)
        first = by_item.setdefault(key, finding)
        if first is not finding:
            join(first, finding)
    unique = list(by_item.values())
    installed = [f for f in unique if f.kind not in RUNNING and f.identifiers.get("path")]
    services = [f for f in unique if f.kind == "service" and f.identifiers.get("path")]
    result = []
    for finding in unique:
        owner = installed_item_of(finding, installed) if finding.kind in RUNNING else None
        if owner is None and finding.kind == "process":
            owner = next((service for service in services if same_place(service, finding)
                          and folder(service.identifiers["path"]) == folder(finding.identifiers.get("path", ""))),
                         None)
        if owner is None:
            result.append(finding)
            continue
        join(owner, finding)
        running = f"{finding.name} (service)" if finding.kind == "service" else finding.name
        if running not in owner.processes:
            owner.processes.append(running)
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


def same_place(one: Finding, other: Finding) -> bool:
    """On the same host, under the same measure."""
    return one.host == other.host and one.measure_id == other.measure_id


def installed_item_of(process: Finding, installed: list[Finding]) -> Finding | None:
    """The installed item, on the same host and under the same measure, from
    whose folder `process` runs (the longest such folder), if any."""
    runs_from = folder(process.identifiers.get("path", ""))
    owners = [item for item in installed if same_place(item, process)
              and runs_from.startswith(folder(item.identifiers["path"]) + "/")]
    return max(owners, key=lambda item: len(item.identifiers["path"]), default=None)


def scan_inventory(connection: duckdb.DuckDBPyConnection, inventory: Inventory,
                   make_findings: FindingMaker) -> tuple[ScannedInventory, list[Finding]]:
    items = hosts = 0
    findings: list[Finding] = []
    try:
        cursor = connection.execute(match_query(inventory.sql, make_findings.signatures))
        while batch := cursor.fetchmany(BATCH_ROWS):
            for match, count, host_count in batch:
                if match is None:  # the counts (none when the inventory has no rows)
                    items, hosts = count, 0 if inventory.aggregate else host_count  # no host is named
                else:
                    findings += make_findings(match, inventory.origin)
    except duckdb.Error as error:
        raise reader_problem(inventory.origin, str(error)) from None
    except UnicodeDecodeError as error:  # DuckDB quoted a byte of a broken UTF-8 sequence in its message
        raise reader_problem(inventory.origin, error.object.decode("utf-8", errors="replace")) from None
    return ScannedInventory(inventory.origin, inventory.format, items, hosts, len(findings), inventory.notes), findings


#: what a DuckDB CSV error says, in the words of banwatch's other messages
CSV_REASONS = ((r"Expected Number of Columns: (\d+) Found: (\d+)", r"\2 fields where the header has \1"),
               (r"Invalid unicode.*", "not UTF-8 text; save the export as UTF-8"),
               (r"Value with unterminated quote found\.", 'a quoted value is not closed (a " missing or not doubled)'),
               (r"Maximum line size of (\d+) bytes exceeded.*", r"the line is longer than \1 bytes"))


def reader_problem(origin: str, message: str) -> BadInput:
    """BadInput, in one line, from the error of a DuckDB reader. DuckDB's
    readers name the file and line and explain at length: the first sentence
    says what is wrong, but for a CSV error only where ('CSV Error on Line:
    7'); what is wrong is the last line before the possible fixes."""
    lines = message.split("\n")
    first = lines[0].split(": ", 1)[-1]
    if at := re.fullmatch(r"CSV Error on Line: (\d+)", first.strip()):
        before_fixes = lines[:next((n for n, line in enumerate(lines) if line.startswith(("Possible", "  file = "))),
                                   len(lines))]
        reason = next((line.strip() for line in reversed(before_fixes[1:]) if line.strip()), "not valid CSV")
        for pattern, replacement in CSV_REASONS:
            if re.fullmatch(pattern, reason):
                reason = re.sub(pattern, replacement, reason)
                break
        return BadInput(f"{origin} line {at[1]}", reason[:300])
    return BadInput(origin, re.sub(r' in file "[^"]*",?', "", first).strip()[:300] or "could not be read")


class FindingMaker:
    """Makes the findings of a matched item. What depends only on the measure
    and the parties matched (status, remediation), or on the value matched
    (the reason), is made once and shared by every finding it applies to: a
    large inventory can hold many matches, mostly of the same few products."""

    def __init__(self, signatures: list[CompiledSignature], as_of: dt.date, federal: bool = False):
        self.signatures = signatures
        self.as_of = as_of
        self.federal = federal
        self.statuses: dict[tuple[str, frozenset[str | None]], tuple[str, str]] = {}
        self.remediations: dict[str, str] = {}
        self.reasons: dict[tuple[int, str, str], Reason] = {}

    def status(self, measure: Measure, parties: set[str | None]) -> tuple[str, str]:
        key = (measure.id, frozenset(parties))
        if key not in self.statuses:
            self.statuses[key] = status_on(measure, self.as_of, parties, self.federal)
        return self.statuses[key]

    def remediation(self, measure: Measure) -> str:
        assert measure.detection is not None
        return self.remediations.setdefault(measure.id, measure.detection.remediation.strip())

    def reason(self, compiled: CompiledSignature, value: str, has_mac: bool = False) -> Reason:
        """Why `value` matched: the same Reason for every item with that value (Reasons are not changed).
        A device's maker read from nmap's fingerprint or osquery's system_info, not a MAC, says so."""
        field = compiled.signature.field.value
        if compiled.signature.field is SignatureField.oui_vendor and not has_mac:
            field = "maker (fingerprint or system_info, no MAC)"
        key = (compiled.number, value, field)
        if key not in self.reasons:
            self.reasons[key] = Reason(field=field, value=value,
                                       pattern=compiled.matched_pattern(value) or "", label=compiled.signature.label,
                                       source=compiled.signature.source)
        return self.reasons[key]

    def __call__(self, item: dict, origin: str) -> list[Finding]:
        return findings_of(item, origin, self)


def findings_of(item: dict, origin: str, maker: FindingMaker) -> list[Finding]:
    """One finding per measure whose signatures `item` matched, with every reason.
    A signature's treatment (the vendor's removal tool, its developer library)
    holds for every measure's finding of the item: the item is what it is."""
    reasons_by_measure: dict[str, list[Reason]] = {}
    parties_by_measure: dict[str, set[str | None]] = {}
    measures: dict[str, Measure] = {}
    treatments = set()
    for number in item["hits"]:
        compiled = maker.signatures[number]
        reason = maker.reason(compiled, item[compiled.column] or "", bool(item["mac"]))
        reasons_by_measure.setdefault(compiled.measure.id, []).append(reason)
        parties_by_measure.setdefault(compiled.measure.id, set()).add(compiled.signature.party)
        measures[compiled.measure.id] = compiled.measure
        treatments.add(compiled.signature.treatment)
    findings = []
    for measure_id, reasons in reasons_by_measure.items():
        measure = measures[measure_id]
        severity, status = treated(*maker.status(measure, parties_by_measure[measure_id]), treatments)
        name = item["name"] or item["package"] or item["bundle_id"] or "(unnamed)"
        what = describe(name, item["version"], item["host"] or "?", item["kind"])
        why = "; ".join(f"{r.field} '{r.value}' matches '{r.pattern}' ({r.label})" for r in reasons)
        findings.append(Finding(
            host=item["host"] or "?", kind=item["kind"] or "item", name=name, version=item["version"],
            vendor=item["vendor"], identifiers={k: item[k] for k in IDENTIFIERS if item[k]},
            inventory=origin, measure_id=measure_id, measure_title=measure.title,
            citation=measure.citation, severity=severity, status=status,
            remediation=maker.remediation(measure), reasons=reasons,
            explanation=f"{what}: {status}. Why: {why}. Measure: {measure.citation}."))
    return findings


def treated(severity: str, status: str, treatments: set[SignatureTreatment | None]) -> tuple[str, str]:
    """(severity, status) of a finding whose item a treated signature matched."""
    if SignatureTreatment.removal_tool in treatments:
        return "info", (f"the vendor's own removal tool: removal is under way; confirm the product is gone, "
                        f"then delete the tool (for the product itself: {status})")
    if SignatureTreatment.developer_library in treatments:
        return ("medium" if severity == "high" else severity,
                f"review: a library the vendor publishes for developers, not one of its security products; "
                f"whether building it into a product is covered is to be reviewed (the measure: {status})")
    return severity, status
