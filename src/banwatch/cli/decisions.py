"""`banwatch decide`, `decide-file` and `demo`: transactions decided against the catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from banwatch.cli.common import (EXIT_BAD_INPUT, OUTCOME_STYLE, SNAPSHOT_HELP, WORST_FIRST, context,
                                 describe_provenance, err, out, print_json, record_answer, reports_bad_input,
                                 show_warnings)
from banwatch.decide import ListsInUse
from banwatch.errors import BadInput
from banwatch.lists.reading import file_sha256
from banwatch.services.audit import decision_result
from banwatch.decide import decide as decide_transaction
from banwatch.model import Decision, Outcome
from banwatch.outputs import require_suffix
from banwatch.report.decisions import Batch, report_paths, write_reports
from banwatch.transactions import FIELDS, TYPES, OrderLine, parse_transaction, read_orders

@reports_bad_input
def decide(
    type_: Annotated[str, typer.Option("--type", help=TYPES)],
    date: Annotated[str, typer.Option(help="Date of the transaction, YYYY-MM-DD.")],
    product: Annotated[str | None, typer.Option(help="Product or service, as written on the order.")] = None,
    vendor: Annotated[str | None, typer.Option(help="Maker of the product.")] = None,
    seller: Annotated[str | None, typer.Option(help="Who sells.")] = None,
    buyer: Annotated[str | None, typer.Option(help="Who buys.")] = None,
    seller_country: Annotated[str | None, typer.Option(help="Seller's country, ISO code.")] = None,
    buyer_country: Annotated[str | None, typer.Option(help="Buyer's country, ISO code.")] = None,
    buyer_is_federal: Annotated[bool, typer.Option("--buyer-is-federal",
                                                   help="The buyer is a US federal agency.")] = False,
    buyer_is_federal_contractor: Annotated[bool, typer.Option(
        "--buyer-is-federal-contractor", help="The buyer is a contractor of US federal agencies.")] = False,
    buyer_us_person: Annotated[bool | None, typer.Option(
        "--buyer-us-person/--buyer-not-us-person", help="The buyer is (or is not) a U.S. person wherever it is "
        "(a U.S. company's branch abroad, a U.S. citizen abroad); default: its country decides.")] = None,
    seller_us_person: Annotated[bool | None, typer.Option(
        "--seller-us-person/--seller-not-us-person", help="The same for the seller.")] = None,
    subject_to_ear: Annotated[str, typer.Option(
        "--subject-to-ear", help="yes, no or unknown: whether the items are subject to the Export "
        "Administration Regulations (US-origin software is).")] = "unknown",
    buyer_government: Annotated[str | None, typer.Option(
        "--buyer-government", help="The buyer is a state or local government body of this US state "
        "(ISO 3166-2, e.g. US-ME).")] = None,
    model_year: Annotated[str | None, typer.Option(
        "--model-year", help="Model year of the vehicle, or of the vehicle a part is for; 'none' for a part "
        "associated with no model year.")] = None,
    origin_nexus: Annotated[str, typer.Option(
        "--origin-nexus", help="yes, no or unknown: whether the items (or the software and hardware a vehicle "
        "incorporates) are designed, developed, made or supplied by a person owned by, controlled by, or subject "
        "to the jurisdiction or direction of China or Russia.")] = "unknown",
    seller_nexus: Annotated[str, typer.Option(
        "--seller-nexus", help="yes, no or unknown: whether the seller itself is owned by, controlled by, or "
        "subject to the jurisdiction or direction of China or Russia.")] = "unknown",
    as_json: Annotated[bool, typer.Option("--json", help="Print the decision as JSON.")] = False,
    screen_parties: Annotated[bool, typer.Option("--screen/--no-screen", help="Screen seller and buyer against "
                                                 "the loaded lists; a party not screened is not cleared.")] = True,
    snapshot: Annotated[list[int] | None, typer.Option("--snapshot", help=SNAPSHOT_HELP)] = None,
) -> None:
    """Decide one transaction: prohibited, review or allowed, and why."""
    context().choose_snapshots(tuple(snapshot or ()))
    def said(value: bool | None) -> str:
        return "" if value is None else str(value).lower()

    transaction = parse_transaction({
        "type": type_, "date": date, "product": product, "vendor": vendor, "seller": seller,
        "buyer": buyer, "seller_country": seller_country, "buyer_country": buyer_country,
        "buyer_is_federal": said(buyer_is_federal), "buyer_is_federal_contractor": said(buyer_is_federal_contractor),
        "buyer_us_person": said(buyer_us_person), "seller_us_person": said(seller_us_person),
        "subject_to_ear": subject_to_ear, "buyer_government": buyer_government,
        "model_year": model_year, "origin_nexus": origin_nexus, "seller_nexus": seller_nexus,
    })
    decision = decide_transaction(transaction, context().catalog.measures, lists=lists_in_use(screen_parties))
    decision = decision.model_copy(update={"provenance": context().provenance()})
    record_answer("decide", {"transaction": transaction.model_dump(mode="json"), "screen": screen_parties},
                  decision_result(decision), decision.provenance)
    if as_json:
        print_json(decision_json(decision))
    else:
        show_decision(decision)


def decision_json(decision: Decision) -> dict[str, Any]:
    document = decision.model_dump(mode="json")
    return {"outcome": document.pop("outcome"), **document}


def show_decision(decision: Decision) -> None:
    style = OUTCOME_STYLE[decision.outcome.value]
    out.print(f"[{style}]{decision.outcome.value.upper()}[/{style}]")
    for finding in decision.measures:
        phase = f", phase '{finding.phase}' from {finding.effective}" if finding.phase else ""
        out.print(f"  {finding.outcome.value:<10} {finding.id} ({finding.citation}{phase})", markup=False)
    for reason in decision.reasons:
        out.print(f"• {reason}", markup=False)
    for warning in decision.warnings:
        out.print(f"[yellow]! {warning}[/yellow]")
    if decision.provenance:
        out.print(describe_provenance(decision.provenance), markup=False, style="dim")


@reports_bad_input
def decide_file(
    orders: Annotated[Path, typer.Argument(help="CSV of order lines with the columns " + ", ".join(FIELDS))],
    out_path: Annotated[Path | None, typer.Option("--out", help="Report CSV; a JSON report is written beside "
                                                  "it. Default: ORDERS-decisions.csv")] = None,
    screen_parties: Annotated[bool, typer.Option("--screen/--no-screen", help="Screen sellers and buyers against "
                                                 "the loaded lists; a party not screened is not cleared.")] = True,
    snapshot: Annotated[list[int] | None, typer.Option("--snapshot", help=SNAPSHOT_HELP)] = None,
    reference_column: Annotated[str | None, typer.Option(help="The file's column for reference.")] = None,
    type_column: Annotated[str | None, typer.Option(help="The file's column for type.")] = None,
    date_column: Annotated[str | None, typer.Option(help="The file's column for date.")] = None,
    product_column: Annotated[str | None, typer.Option(help="The file's column for product.")] = None,
    vendor_column: Annotated[str | None, typer.Option(help="The file's column for vendor.")] = None,
    seller_column: Annotated[str | None, typer.Option(help="The file's column for seller.")] = None,
    buyer_column: Annotated[str | None, typer.Option(help="The file's column for buyer.")] = None,
    seller_country_column: Annotated[str | None, typer.Option(help="The file's column for seller_country.")]
    = None,
    buyer_country_column: Annotated[str | None, typer.Option(help="The file's column for buyer_country.")]
    = None,
) -> None:
    """Decide every order line of a CSV file and write a CSV and a JSON report."""
    context().choose_snapshots(tuple(snapshot or ()))
    report_csv = out_path or orders.with_name(f"{orders.stem}-decisions.csv")
    columns = {field: column for field, column in (
        ("reference", reference_column), ("type", type_column), ("date", date_column),
        ("product", product_column), ("vendor", vendor_column), ("seller", seller_column),
        ("buyer", buyer_column), ("seller_country", seller_country_column),
        ("buyer_country", buyer_country_column)) if column}
    require_suffix(report_csv, (".csv",), "the decisions report (a JSON report is written beside it)")
    if orders.resolve() in {path.resolve() for path in report_paths(report_csv)}:
        raise BadInput("--out", f"{report_csv}: the reports would overwrite the orders file {orders}")
    lists = lists_in_use(screen_parties)
    batch = decide_orders(orders, lists, columns)
    batch.provenance = context().provenance()
    write_reports(batch, report_csv)
    record_answer("decide.file", {"file": orders.name, "sha256": file_sha256(orders), "screen": screen_parties,
                                  "columns": columns},
                  {"decided": len(batch.decided), "bad_rows": len(batch.bad_rows),
                   "reports": {path.name: file_sha256(path) for path in report_paths(report_csv) if path.exists()}},
                  batch.provenance)
    show_batch(batch)
    show_warnings(lists.warnings)
    _, sidecar, report_json = report_paths(report_csv)
    out.print(f"Reports: {report_csv} (what it was decided against: {sidecar}) and {report_json}", markup=False)
    if batch.bad_rows:
        err.print(f"banwatch: error: {len(batch.bad_rows)} bad row(s) in {orders} were skipped; "
                  f"the other {len(batch.decided)} were decided.", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT)


def lists_in_use(screen_parties: bool) -> ListsInUse:
    """The lists sellers and buyers are screened against; none with --no-screen
    (then a named seller or buyer is not cleared either: it is a review)."""
    if not screen_parties:
        return ListsInUse(None, unscreened_because="screening was turned off with --no-screen")
    with err.status("Loading the screening index"):
        return context().lists_in_use()


def decide_orders(orders: Path, lists: ListsInUse, columns: dict[str, str]) -> Batch:
    lines = list(read_orders(orders, columns))
    catalog = context().catalog.measures
    batch = Batch(source=str(orders))
    with Progress(TextColumn("Deciding"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, transient=True) as progress:
        for line in progress.track(lines, description="orders"):
            if isinstance(line, OrderLine):
                batch.decided.append((line.row, decide_transaction(line.transaction, catalog, lists=lists)))
            else:
                batch.bad_rows.append(line)
                err.print(f"banwatch: bad row: {line}", markup=False)
    return batch


ACTION_ROWS_SHOWN = 20


def show_batch(batch: Batch) -> None:
    """Order lines that need action, then the summary per measure."""
    action = [(row, d) for row, d in batch.decided if d.outcome is not Outcome.allowed]
    if action:
        lines = Table(title="Order lines to act on")
        for column in ("order line", "outcome", "type", "date"):
            lines.add_column(column, no_wrap=True)
        lines.add_column("because of", overflow="ellipsis", no_wrap=True, max_width=28)
        lines.add_column("measure", no_wrap=True)
        for row, decision in action[:ACTION_ROWS_SHOWN]:
            tx = decision.transaction
            deciding = [f for f in decision.measures if f.outcome is decision.outcome]
            style = OUTCOME_STYLE[decision.outcome.value]
            lines.add_row(tx.reference or f"row {row}", f"[{style}]{decision.outcome.value}[/{style}]",
                          tx.type.value, tx.date.isoformat(), subject_of(decision),
                          "\n".join(f.id for f in deciding))
        out.print(lines)
        if len(action) > ACTION_ROWS_SHOWN:
            out.print(f"... and {len(action) - ACTION_ROWS_SHOWN} more in the report")
    table = Table(title=f"{len(batch.decided)} order lines decided from {batch.source}",
                  caption="A line counts under every measure that names its product or parties.")
    table.add_column("measure")
    for outcome in WORST_FIRST:
        table.add_column(outcome.value, justify="right", style=OUTCOME_STYLE[outcome.value])
    for measure_id, counts in batch.summary().items():
        table.add_row(measure_id, *(str(counts.get(o.value, 0)) for o in WORST_FIRST))
    totals = batch.outcomes()
    table.add_section()
    table.add_row("all order lines", *(str(totals.get(o.value, 0)) for o in WORST_FIRST))
    out.print(table)


def subject_of(decision: Decision) -> str:
    """The transaction field that made the decision: the first piece of evidence."""
    for finding in decision.measures:
        if finding.outcome is decision.outcome and finding.evidence:
            evidence = finding.evidence[0]
            return f"{evidence.field}: {evidence.value}"
    return ""
