"""`banwatch monitor` (books of customers or vendors, screened on every run)
and `banwatch alerts` (what the runs raised, and the analysts' decisions)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from banwatch.cli.common import actor, context, out, print_json, reports_bad_input
from banwatch.errors import BadInput
from banwatch.services.batch import find_columns
from banwatch.services.monitoring import DECISIONS, add_book, close_alert, remove_book, run_book
from banwatch.services.webhooks import deliver

monitor_app = typer.Typer(help="Monitored books: customers or vendors screened again on every run.",
                          no_args_is_help=True)
alerts_app = typer.Typer(help="Alerts raised by monitor runs, and their review.", no_args_is_help=True)


@monitor_app.command("add")
@reports_bad_input
def monitor_add(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="CSV with a header: an id and a name column.")],
    book: Annotated[str, typer.Option("--book", help="The book's name.")],
    id_column: Annotated[str, typer.Option(help="The column of the record ids.")] = "id",
    name_column: Annotated[str, typer.Option(help="The column of the names.")] = "name",
    type_column: Annotated[str | None, typer.Option(help="person, organization, vessel, aircraft.")] = None,
    country_column: Annotated[str | None, typer.Option(help="ISO 3166-1 alpha-2.")] = None,
    dob_column: Annotated[str | None, typer.Option(help="Birth date, YYYY or YYYY-MM-DD.")] = None,
) -> None:
    """Keep a book to monitor (adding it again updates it: new, changed and removed records)."""
    if not path.is_file():
        raise BadInput(str(path), "no such file")
    columns = find_columns(path, name_column, id_column, type_column, country_column, dob_column, keep=[])
    changes = add_book(context().writable_store(), book, path, columns, actor=actor())
    out.print(f"Book {book!r}: {changes['new']:,} new, {changes['changed']:,} changed, {changes['removed']:,} "
              f"removed, {changes['unchanged']:,} unchanged record(s)", markup=False)


@monitor_app.command("list")
@reports_bad_input
def monitor_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Every book, with its record count and when it was last added."""
    books = context().store.books()
    if as_json:
        print_json([{"book": name, "records": count, "updated_at": when} for name, count, when in books])
        return
    table = Table(title=f"{len(books)} book(s)")
    for column in ("book", "records", "updated"):
        table.add_column(column)
    for name, count, when in books:
        table.add_row(name, f"{count:,}", when)
    out.print(table)


@monitor_app.command("remove")
@reports_bad_input
def monitor_remove(book: Annotated[str, typer.Argument(help="The book's name.")]) -> None:
    """Stop monitoring a book (its alerts are kept, with their decisions)."""
    remove_book(context().writable_store(), book, actor=actor())
    out.print(f"Book {book!r} removed", markup=False)


@monitor_app.command("run")
@reports_bad_input
def monitor_run(
    book: Annotated[str | None, typer.Option("--book", help="One book; default: every book.")] = None,
    full: Annotated[bool, typer.Option("--full", help="Screen every record, not only the new and changed ones "
                                       "(a run does that by itself when a list changed).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Screen the books and raise an alert for every hit no decision covers."""
    run_books([book] if book else None, full, as_json)


def run_books(books: list[str] | None, full: bool, as_json: bool) -> None:
    """Run `books` (None: every book) and show what each raised; `lists update --monitor` runs this too."""
    store = context().writable_store()
    names = books or [name for name, _count, _when in store.books()]
    screener, snapshots, digest = context().screener(), context().snapshots(), context().catalog.digest
    summaries = [run_book(store, screener, snapshots, digest, name, actor=actor(), full=full) for name in names]
    settings = context().settings
    deliveries = deliver([alert for s in summaries for alert in s.raised], settings.webhook_urls,
                         settings.webhook_secret, settings.retry_backoff)
    if as_json:
        print_json([{"book": s.book, "full": s.full, "why": s.why, "records": s.records, "hits": s.hits,
                     "raised": [a.as_json() for a in s.raised], "still_open": s.still_open, "held": s.held,
                     "bad": s.bad, "webhooks": [vars(d) for d in deliveries if d.alert_id in {a.id for a in s.raised}]}
                    for s in summaries])
        return
    for summary in summaries:
        kind = "full run" if summary.full else "delta run"
        out.print(f"Book {summary.book!r} ({kind}: {summary.why}): {summary.records:,} record(s) screened, "
                  f"{summary.hits:,} hit(s): {len(summary.raised):,} alert(s) raised, {summary.still_open:,} still "
                  f"open, {summary.held:,} held by an earlier decision", markup=False)
        for record_id, why in summary.bad:
            out.print(f"  record {record_id}: not screened: {why}", markup=False)
    if deliveries:
        failed = [d for d in deliveries if not d.delivered]
        out.print(f"Webhooks: {len(deliveries) - len(failed)} of {len(deliveries)} delivered", markup=False)
        for delivery in failed:
            out.print(f"  alert {delivery.alert_id} to {delivery.url}: not delivered after {delivery.attempts} "
                      f"attempt(s) ({delivery.last})", markup=False)


@alerts_app.command("list")
@reports_bad_input
def alerts_list(
    status: Annotated[str | None, typer.Option(help="open or closed; default: both.")] = None,
    book: Annotated[str | None, typer.Option("--book", help="One book's alerts.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The alerts, oldest first."""
    if status not in (None, "open", "closed"):
        raise BadInput("--status", f"{status!r} is not open or closed")
    alerts = context().store.alerts(status, book)
    if as_json:
        print_json([alert.as_json() for alert in alerts])
        return
    table = Table(title=f"{len(alerts)} alert(s)")
    for column in ("id", "book", "record", "listed entity", "score", "status"):
        table.add_column(column, overflow="fold")
    for alert in alerts:
        table.add_row(str(alert.id), alert.book, alert.record_id, f"{alert.entity_id} {alert.listed_name}",
                      f"{alert.score:.2f}", alert.status + (f" ({alert.decision})" if alert.decision else ""))
    out.print(table)


@alerts_app.command("show")
@reports_bad_input
def alerts_show(alert_id: Annotated[int, typer.Argument(metavar="ID")],
                as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """One alert whole: the record, the listed entity, the explanation, the decision."""
    alert = context().store.alert(alert_id)
    if as_json:
        print_json(alert.as_json())
        return
    for label, value in vars(alert).items():
        if value is not None:
            out.print(f"{label}: {value}", markup=False)


@alerts_app.command("close")
@reports_bad_input
def alerts_close(
    alert_id: Annotated[int, typer.Argument(metavar="ID")],
    decision: Annotated[str, typer.Option("--as", help=f"One of {', '.join(DECISIONS)}.")],
    note: Annotated[str, typer.Option(help="Why: what a reviewer reads later.")],
    by: Annotated[str | None, typer.Option(help="Who decides; default: the user running banwatch.")] = None,
) -> None:
    """Close an alert with a decision; a false positive is not raised again while neither side changes."""
    alert = close_alert(context().writable_store(), alert_id, decision, note, by or actor())
    out.print(f"Alert {alert.id} closed as {alert.decision} by {alert.closed_by} at {alert.closed_at}", markup=False)
