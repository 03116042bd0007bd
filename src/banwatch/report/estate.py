"""Estate scan reports: JSON (everything), CSV (one row per finding) and one
self-contained HTML page (summary chart, sortable tables; no external files,
so it can be mailed or attached to a ticket as it is)."""

from __future__ import annotations

import html
import json
from pathlib import Path

from banwatch.estate.findings import SEVERITY_ORDER, summarise
from banwatch.estate.scan import ScanResult
from banwatch.outputs import SafeCsvWriter, replacing
from banwatch.report.provenance import provenance_path, write_provenance

CSV_COLUMNS = ("severity", "host", "kind", "name", "version", "vendor", "measure_id", "status", "why",
               "identifiers", "inventory", "citation")


def as_json(result: ScanResult) -> dict:
    return {
        "as_of": result.as_of.isoformat(),
        "provenance": result.provenance.model_dump(mode="json") if result.provenance else None,
        "inventories": [vars(inventory) for inventory in result.inventories],
        "problems": [{"where": problem.where, "problem": problem.problem} for problem in result.problems],
        "summary": summarise(result.findings),
        "findings": [finding.model_dump(mode="json") for finding in result.findings],
    }


def write_json(result: ScanResult, path: Path) -> None:
    path.write_text(json.dumps(as_json(result), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def csv_rows(result: ScanResult) -> list[list[str]]:
    return [[f.severity, f.host, f.kind, f.name, f.version or "", f.vendor or "", f.measure_id, f.status,
             "; ".join(f"{r.field} '{r.value}' ~ '{r.pattern}'" for r in f.reasons),
             "; ".join(f"{k}={v}" for k, v in f.identifiers.items()), f.inventory, f.citation]
            for f in result.findings]


def write_csv(result: ScanResult, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = SafeCsvWriter(handle)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(csv_rows(result))


def write(result: ScanResult, path: Path) -> None:
    """The report `path`'s suffix asks for: .html, .csv or .json; a CSV with
    its provenance beside it, the two replaced together."""
    writers = {".html": write_html, ".htm": write_html, ".csv": write_csv, ".json": write_json}
    sidecar = path.suffix.lower() == ".csv" and result.provenance is not None
    with replacing(path, *([provenance_path(path)] if sidecar else [])) as written:
        writers[path.suffix.lower()](result, written[0])
        if sidecar:
            write_provenance(result.provenance, written[1])


# ------------------------------------------------------------------------ HTML

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1b1f24;max-width:1400px}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border-bottom:1px solid #ddd;padding:4px 8px;
text-align:left;vertical-align:top}th{background:#f3f4f6;cursor:pointer;user-select:none;position:sticky;top:0}
th:after{content:" \\2195";color:#999}td.n{text-align:right}.high{color:#b42318;font-weight:600}
.medium{color:#b54708;font-weight:600}.low{color:#475467}.info{color:#667085;font-style:italic}.muted{color:#667085}.bad{color:#b42318}
svg text{font:12px system-ui,sans-serif}td.wide{min-width:26em}td.why{min-width:20em;font-size:.92em}
"""
SORT_SCRIPT = """
document.querySelectorAll("table.sortable th").forEach(function(th){th.addEventListener("click",function(){
var table=th.closest("table"),body=table.tBodies[0],i=Array.prototype.indexOf.call(th.parentNode.children,th),
up=th.dataset.up!=="1";th.dataset.up=up?"1":"0";var rows=Array.prototype.slice.call(body.rows);
rows.sort(function(a,b){var x=a.cells[i].dataset.v||a.cells[i].textContent,y=b.cells[i].dataset.v||b.cells[i].textContent,
p=parseFloat(x),q=parseFloat(y);var c=(!isNaN(p)&&!isNaN(q))?p-q:x.localeCompare(y);return up?c:-c;});
rows.forEach(function(r){body.appendChild(r);});});});
"""


def cell(value: object, css: str = "", sort: str | None = None) -> str:
    attributes = (f' class="{css}"' if css else "") + (f' data-v="{html.escape(sort)}"' if sort is not None else "")
    return f"<td{attributes}>{html.escape(str(value))}</td>"


def table(headers: list[str], rows: list[str]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    return f'<table class="sortable"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def bar_chart(title: str, bars: list[tuple[str, int]]) -> str:
    """A horizontal bar chart as inline SVG: no script, no library."""
    if not bars:
        return ""
    width, label_width, height = 760, 330, 22
    longest = max(value for _, value in bars) or 1
    parts = [f'<svg role="img" aria-label="{html.escape(title)}" width="{width}" '
             f'height="{height * len(bars) + 30}"><text x="0" y="14" font-weight="600">{html.escape(title)}</text>']
    for i, (label, value) in enumerate(bars):
        y = 24 + i * height
        bar = max(2, int((width - label_width - 60) * value / longest))
        short = label if len(label) <= 48 else label[:47] + "…"
        parts.append(f'<text x="0" y="{y + 14}">{html.escape(short)}</text>'
                     f'<rect x="{label_width}" y="{y + 3}" width="{bar}" height="{height - 8}" fill="#b42318"/>'
                     f'<text x="{label_width + bar + 6}" y="{y + 14}">{value}</text>')
    return "".join(parts) + "</svg>"


def write_html(result: ScanResult, path: Path) -> None:
    made_with = html.escape(f"Made with banwatch {result.provenance.banwatch} against the {result.provenance.catalog_origin} "
                            f"(digest {result.provenance.catalog_digest[:12]}), {result.provenance.answered_at}."
                            if result.provenance else "")
    summary = summarise(result.findings)
    items = sum(i.items for i in result.inventories)
    measures_chart = bar_chart("Hosts affected per measure",
                               [(m["measure_id"], m["hosts"]) for m in summary["by_measure"]])
    products_chart = bar_chart("Hosts affected per product",
                               [(p["product"], p["hosts"]) for p in summary["by_product"][:15]])
    findings_rows = [
        "<tr>" + cell(f.severity, f.severity, str(SEVERITY_ORDER.index(f.severity))) + cell(f.host) + cell(f.name)
        + cell(f.version or "") + cell(f.kind) + cell(f.measure_id) + cell(f.status, "wide")
        + cell("; ".join(f"{r.field} '{r.value}' ~ '{r.pattern}'" for r in f.reasons), "why")
        + cell(Path(f.inventory).name) + "</tr>"
        for f in result.findings]
    host_rows = ["<tr>" + cell(h["host"]) + cell(h["findings"], "n") + cell(h["high"], "n") + cell(h["medium"], "n")
                 + cell(h["low"], "n") + "</tr>" for h in summary["by_host"]]
    remediation_rows = ["<tr>" + cell(r["measure_id"]) + cell(r["action"]) + cell(len(r["items"]), "n")
                        + cell(", ".join(r["items"][:50]) + (" …" if len(r["items"]) > 50 else "")) + "</tr>"
                        for r in summary["remediation"]]
    inventory_rows = ["<tr>" + cell(i.origin) + cell(i.format) + cell(f"{i.items:,}", "n", str(i.items))
                      + cell(f"{i.hosts:,}", "n", str(i.hosts)) + cell(i.findings, "n") + cell("; ".join(i.notes))
                      + "</tr>" for i in result.inventories]
    problems = "".join(f'<li class="bad">{html.escape(p.where)}: {html.escape(p.problem)}</li>'
                       for p in result.problems)
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>banwatch estate scan {result.as_of}</title><style>{STYLE}</style></head><body>
<h1>banwatch estate scan, status as of {result.as_of}</h1>
<p>{len(result.findings):,} finding(s) on {len(summary['by_host']):,} host(s), from {items:,} item(s) in
{len(result.inventories)} inventory file(s).</p>
{f'<h2>Inventories not scanned</h2><ul>{problems}</ul>' if problems else ''}
<div>{measures_chart}</div><div>{products_chart}</div>
<h2>Findings</h2>{table(["severity", "host", "item", "version", "kind", "measure", "status", "why", "inventory"],
                        findings_rows)}
<h2>Hosts</h2>{table(["host", "findings", "high", "medium", "low"], host_rows)}
<h2>Remediation</h2>{table(["measure", "action", "items", "where"], remediation_rows)}
<h2>Inventories</h2>{table(["file", "format", "items", "hosts", "findings", "how it was read"], inventory_rows)}
<p class="muted">{made_with}</p>
<p class="muted">Every finding's reasons, identifiers and sources are in the JSON report
of the same scan (a report file ending in <code>.json</code>).</p>
<script>{SORT_SCRIPT}</script></body></html>
"""
    path.write_text(page, encoding="utf-8")
