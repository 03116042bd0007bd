"""The `banwatch` command line. It parses flags, calls the layers below and
presents their results; it holds no rules of its own."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from functools import wraps
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from banwatch import __version__
from banwatch.catalog import find_measure, load_catalog
from banwatch.decide import decide as decide_transaction
from banwatch.errors import BadInput
from banwatch.model import Decision, Measure, Outcome
from banwatch.report.decisions import Batch, write_csv, write_json
from banwatch.settings import catalog_dir
from banwatch.transactions import OrderLine, parse_transaction, read_orders

app = typer.Typer(help="Comply with bans on foreign-adversary technology and with sanctions lists.",
                  no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)
catalog_app = typer.Typer(help="The restriction catalog: every measure as data.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")

# Piped or logged output gets 132 columns rather than rich's 80, so tables stay readable.
PIPED_WIDTH = 132
out = Console(highlight=False, width=None if sys.stdout.isatty() else PIPED_WIDTH)
err = Console(stderr=True, highlight=False, soft_wrap=True)
OUTCOME_STYLE = {"prohibited": "bold red", "review": "bold yellow", "allowed": "bold green"}
WORST_FIRST = sorted(Outcome, key=lambda outcome: -outcome.severity)
EXIT_BAD_INPUT = 2


def reports_bad_input(command: Callable[..., Any]) -> Callable[..., Any]:
    """Bad input ends a command with one line naming what and where, and exit 2."""

    @wraps(command)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except BadInput as problem:
            err.print(f"banwatch: error: {problem}", markup=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return guarded


def print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def measures() -> list[Measure]:
    return load_catalog(catalog_dir())


def version_callback(value: bool) -> None:
    if value:
        out.print(f"banwatch {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=version_callback, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """banwatch: restriction catalog, date-aware transaction decisions."""


# --------------------------------------------------------------------------- catalog


@catalog_app.command("list")
@reports_bad_input
def catalog_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List every measure with its citation and first effective date."""
    catalog = measures()
    if as_json:
        print_json([{"id": m.id, "title": m.title, "authority": m.authority, "citation": m.citation,
                     "published": m.published.isoformat(), "effective": m.effective.isoformat(),
                     "kind": m.kind, "bound": [b.value for b in m.bound]} for m in catalog])
        return
    table = Table(title=f"{len(catalog)} measures")
    for column in ("id", "citation", "effective", "binds", "title"):
        table.add_column(column, overflow="fold")
    for m in catalog:
        table.add_row(m.id, m.citation, m.effective.isoformat(),
                      ", ".join(b.value for b in m.bound), m.title)
    out.print(table)


@catalog_app.command("show")
@reports_bad_input
def catalog_show(
    measure_id: Annotated[str, typer.Argument(metavar="ID", help="Measure id from `catalog list`.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one measure whole: phases, parties, products, exclusions, sources."""
    measure = find_measure(measures(), measure_id)
    if as_json:
        print_json(measure.model_dump(mode="json", exclude_defaults=True))
        return
    m = measure
    out.print(f"[bold]{m.title}[/bold]\n{m.id} · {m.authority}")
    out.print(f"Citation: {m.citation} · legal basis: {'; '.join(m.legal_basis)}")
    out.print(f"Published {m.published}" + (f", signed {m.signed}" if m.signed else "")
              + f" · binds: {', '.join(b.value.replace('_', ' ') for b in m.bound)}")
    out.print(f"\n{m.summary}\n")
    phases = Table(title="Phases")
    for column in ("effective", "phase", "prohibits", "review"):
        phases.add_column(column, overflow="fold")
    for phase in m.phases:
        phases.add_row(phase.effective.isoformat(), phase.name, ", ".join(t.value for t in phase.prohibits),
                       ", ".join(t.value for t in phase.review))
    out.print(phases)
    if m.parties:
        parties = Table(title=f"Covered parties ({len(m.parties)})")
        for column in ("name", "aliases", "countries", "roles", "affiliates"):
            parties.add_column(column, overflow="fold")
        for party in m.parties:
            parties.add_row(party.name, "; ".join(a.name for a in party.aliases), ", ".join(party.countries),
                            ", ".join(r.value for r in party.roles), "yes" if party.covers_affiliates else "")
        out.print(parties)
    if m.products:
        out.print(f"[bold]Covered products ({len(m.products)})[/bold]: "
                  + "; ".join(p.name for p in m.products), markup=True)
    for exclusion in m.exclusions:
        out.print(f"[bold]Excluded[/bold]: {exclusion.name}: {exclusion.reason}")
    for penalty in m.penalties:
        out.print(f"[bold]Penalty[/bold]: {penalty.text} ({penalty.citation})")
    for source in m.sources:
        out.print(f"[bold]Source[/bold]: {source.title} <{source.url}>")
    for note in m.notes:
        out.print(f"[bold]Note[/bold]: {note}")


# --------------------------------------------------------------------------- decide


@app.command()
@reports_bad_input
def decide(
    type_: Annotated[str, typer.Option("--type", help="sale, new_agreement, resale, license, integration, "
                                       "update, cloud_service, support, use, federal_procurement")],
    date: Annotated[str, typer.Option(help="Date of the transaction, YYYY-MM-DD.")],
    product: Annotated[str | None, typer.Option(help="Product or service, as written on the order.")] = None,
    vendor: Annotated[str | None, typer.Option(help="Maker of the product.")] = None,
    seller: Annotated[str | None, typer.Option(help="Who sells.")] = None,
    buyer: Annotated[str | None, typer.Option(help="Who buys.")] = None,
    seller_country: Annotated[str | None, typer.Option(help="Seller's country, ISO code.")] = None,
    buyer_country: Annotated[str | None, typer.Option(help="Buyer's country, ISO code.")] = None,
    buyer_is_federal: Annotated[bool, typer.Option("--buyer-is-federal",
                                                   help="The buyer is a US federal agency.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the decision as JSON.")] = False,
) -> None:
    """Decide one transaction: prohibited, review or allowed, and why."""
    transaction = parse_transaction({
        "type": type_, "date": date, "product": product, "vendor": vendor, "seller": seller,
        "buyer": buyer, "seller_country": seller_country, "buyer_country": buyer_country,
        "buyer_is_federal": "true" if buyer_is_federal else "false",
    })
    decision = decide_transaction(transaction, measures())
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


@app.command("decide-file")
@reports_bad_input
def decide_file(
    orders: Annotated[Path, typer.Argument(help="CSV of order lines: type, date, product, vendor, seller, "
                                           "buyer, seller_country, buyer_country, buyer_is_federal, reference")],
    out_path: Annotated[Path | None, typer.Option("--out", help="Report CSV; a JSON report is written beside "
                                                  "it. Default: ORDERS-decisions.csv")] = None,
) -> None:
    """Decide every order line of a CSV file and write a CSV and a JSON report."""
    report_csv = out_path or orders.with_name(f"{orders.stem}-decisions.csv")
    batch = decide_orders(orders)
    report_csv.parent.mkdir(parents=True, exist_ok=True)
    write_csv(batch, report_csv)
    write_json(batch, report_csv.with_suffix(".json"))
    show_batch(batch)
    out.print(f"Reports: {report_csv} and {report_csv.with_suffix('.json')}", markup=False)
    if batch.bad_rows:
        err.print(f"banwatch: error: {len(batch.bad_rows)} bad row(s) in {orders} were skipped; "
                  f"the other {len(batch.decided)} were decided.", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT)


def decide_orders(orders: Path) -> Batch:
    lines = list(read_orders(orders))
    catalog = measures()
    batch = Batch(source=str(orders))
    with Progress(TextColumn("Deciding"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, transient=True) as progress:
        for line in progress.track(lines, description="orders"):
            if isinstance(line, OrderLine):
                batch.decided.append((line.row, decide_transaction(line.transaction, catalog)))
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


@app.command()
@reports_bad_input
def demo(out_dir: Annotated[Path, typer.Option("--out", help="Folder for the sample and its reports.")]
         = Path("banwatch-demo")) -> None:
    """The main job on bundled data: decide a reseller's sample order lines."""
    out_dir.mkdir(parents=True, exist_ok=True)
    orders = out_dir / "reseller-orders.csv"
    with resources.as_file(resources.files("banwatch.samples") / "reseller-orders.csv") as sample:
        shutil.copyfile(sample, orders)
    out.print(f"Deciding the bundled sample {orders} against the catalog ({len(measures())} measures)")
    decide_file(orders, out_dir / "reseller-orders-decisions.csv")
