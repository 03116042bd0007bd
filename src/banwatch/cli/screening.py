"""`banwatch screen`: fuzzy name screening against every loaded list."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from banwatch.cli.common import (EXIT_BAD_INPUT, SNAPSHOT_HELP, context, describe_provenance, err, out, print_json,
                                 record_answer, reports_bad_input, show_warnings)
from banwatch.errors import BadInput
from banwatch.lists.reading import file_sha256
from banwatch.outputs import require_suffix
from banwatch.match.screen import DEFAULT_LIMIT, DEFAULT_THRESHOLD
from banwatch.queries import screen_query
from banwatch.report.provenance import provenance_json, provenance_path
from banwatch.services import batch
from banwatch.services.audit import screening_request, screening_result


@reports_bad_input
def screen(
    name: Annotated[str, typer.Argument(help="The name to screen, in any script.")],
    entity_type: Annotated[str | None, typer.Option("--type", help="person, organization, vessel or aircraft.")]
    = None,
    country: Annotated[str | None, typer.Option(help="ISO country code tied to the name.")] = None,
    dob: Annotated[str | None, typer.Option(help="Date or year of birth, YYYY or YYYY-MM-DD.")] = None,
    identifier: Annotated[list[str] | None, typer.Option("--id", help="Passport, IMO, registration ... "
                                                          "(repeatable).")] = None,
    threshold: Annotated[float, typer.Option(help="Lowest score reported.")] = DEFAULT_THRESHOLD,
    limit: Annotated[int, typer.Option(help="Most hits reported.")] = DEFAULT_LIMIT,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    snapshot: Annotated[list[int] | None, typer.Option("--snapshot", help=SNAPSHOT_HELP)] = None,
) -> None:
    """Screen one name against every loaded list and the catalog, ranked and explained."""
    context().choose_snapshots(tuple(snapshot or ()))
    query = screen_query(name, entity_type, country, dob, identifier or [])
    with err.status("Loading the screening index"):
        screener = context().screener()
        lists = context().lists_in_use()
    hits = screener.screen(query, threshold=threshold, limit=limit)
    provenance = context().provenance()
    record_answer("screen", screening_request(name, entity_type, country, dob, identifier or [], threshold, limit),
                  screening_result(hits), provenance)
    if as_json:
        print_json({"query": query.model_dump(mode="json", exclude_defaults=True), "threshold": threshold,
                    "cleared": not hits and lists.screener is not None,
                    "matches": [hit.model_dump(mode="json") for hit in hits], "warnings": list(lists.warnings),
                    "provenance": provenance.model_dump(mode="json")})
        return
    if not hits:
        verdict = ("" if lists.screener is not None else
                   f" NOT cleared: {lists.unscreened_because}, so only the catalog's parties were screened.")
        out.print(f"No match at or above {threshold:.2f} for '{query.name}' "
                  f"({len(screener.index.entities):,} listed entities screened).{verdict}", markup=False)
        show_warnings(lists.warnings)
        out.print(describe_provenance(provenance), markup=False, style="dim")
        return
    table = Table(title=f"{len(hits)} match(es) for '{query.name}'")
    for column in ("score", "entity", "listed name", "source", "programs"):
        table.add_column(column, overflow="fold")
    for hit in hits:
        table.add_row(f"{hit.score:.2f}", hit.entity_id, hit.name, hit.source, ", ".join(hit.programs[:3]))
    out.print(table)
    for hit in hits:
        out.print(f"• {hit.explanation}", markup=False)
        for effect in hit.effects:  # what the listing forbids, so that a hit is never just a name
            expired = f" The listing expired on {effect.expired}." if effect.expired else ""
            out.print(f"  {effect.list}: {effect.prohibits} ({effect.citation}).{expired}", markup=False)
    show_warnings(lists.warnings)
    out.print(describe_provenance(provenance), markup=False, style="dim")


# ---------------------------------------------------------------------- screen-file


@reports_bad_input
def screen_file(
    names: Annotated[Path, typer.Argument(help="CSV file with a header row and a column of names.")],
    out_path: Annotated[Path | None, typer.Option("--out", help="One row per input row with its best match. "
                                                  "Default: NAMES-screened.csv")] = None,
    name_column: Annotated[str, typer.Option(help="Column holding the names.")] = "name",
    id_column: Annotated[str | None, typer.Option(help="Column holding the row's own id; default: 'id' "
                                                  "when there is one, else the row number.")] = None,
    type_column: Annotated[str | None, typer.Option(help="Column with person, organization, vessel or "
                                                    "aircraft.")] = None,
    country_column: Annotated[str | None, typer.Option(help="Column with an ISO country code.")] = None,
    dob_column: Annotated[str | None, typer.Option(help="Column with a birth date, YYYY or YYYY-MM-DD.")]
    = None,
    all_path: Annotated[Path | None, typer.Option("--all-matches", help="Every match at or above the "
                                                  "threshold, explained. Default: OUT-all.csv")] = None,
    threshold: Annotated[float, typer.Option(help="Lowest score reported.", min=0.0, max=1.0)]
    = DEFAULT_THRESHOLD,
    workers: Annotated[int | None, typer.Option(help="Processes screening in parallel; default: every core.",
                                                min=1)] = None,
    keep_columns: Annotated[str | None, typer.Option(
        "--keep-columns", help="Comma-separated columns of the input copied into the best-match report "
        "(the user's own ids, owners ...). Default: every column not used for the query; 'none': none.")]
    = None,
    snapshot: Annotated[list[int] | None, typer.Option("--snapshot", help=SNAPSHOT_HELP)] = None,
) -> None:
    """Screen every name of a CSV file against the loaded lists, on every core."""
    started = time.perf_counter()
    context().choose_snapshots(tuple(snapshot or ()))
    out_path = out_path or names.with_name(f"{names.stem}-screened.csv")
    all_path = all_path or out_path.with_name(f"{out_path.stem}-all{out_path.suffix or '.csv'}")
    workers = workers or batch.default_workers()
    lines = batch.count_lines(names)
    require_suffix(out_path, (".csv",), "the best-match report")
    require_suffix(all_path, (".csv",), "the all-matches report", field="all_matches")
    keep = None if keep_columns is None else [c.strip() for c in keep_columns.split(",")
                                              if c.strip() and c.strip().lower() != "none"]
    columns = batch.find_columns(names, name_column, id_column, type_column, country_column, dob_column, keep)
    sidecar = provenance_path(out_path)
    if len({names.resolve(), out_path.resolve(), all_path.resolve(), sidecar.resolve()}) < 4:
        raise BadInput("--out", f"{names}, {out_path}, {all_path} and {sidecar} must be different files")
    with err.status("Loading the screening index"):
        screener = context().screener()
        lists = context().lists_in_use()
    provenance = context().provenance()  # the sidecar's and the audit record's: one and the same
    with Progress(TextColumn("Screening"), BarColumn(), MofNCompleteColumn(), TextColumn("rows"),
                  TimeRemainingColumn(), console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("rows", total=max(lines - 1, 0) or None)

        def show(chunk: batch.ScreenedChunk) -> None:
            for row, problem in chunk.bad:
                err.print(f"banwatch: bad row: {names} row {row}: {problem}", markup=False)
            progress.advance(task, chunk.rows)

        try:
            totals = batch.screen_file(names, columns, screener, out_path, all_path, threshold=threshold,
                                       workers=workers, on_chunk=show,
                                       beside={sidecar: provenance_json(provenance)})
        except batch.WorkerDied as died:
            err.print(f"banwatch: error: {died}", markup=False)
            raise typer.Exit(1) from None
    seconds = time.perf_counter() - started
    record_answer("screen.file", {"file": names.name, "sha256": file_sha256(names), "threshold": threshold,
                                  "columns": columns.labels},
                  {"screened": totals.screened, "matched": totals.matched, "bad": totals.bad,
                   "best_matches": {"file": out_path.name, "sha256": file_sha256(out_path)},
                   "all_matches": {"file": all_path.name, "sha256": file_sha256(all_path)}},
                  provenance)
    out.print(f"Screened {totals.screened:,} names from {names} against "
              f"{len(screener.index.entities):,} listed entities in {seconds:.1f} s "
              f"({totals.screened / max(seconds, 1e-9):,.0f} names/s, {workers} worker(s)): "
              f"{totals.matched:,} with a match at or above {threshold:.2f}.", markup=False)
    out.print(f"Reports: {out_path} (best match per row) and {all_path} ({totals.all_matches:,} matches); "
              f"what they were screened against: {sidecar}", markup=False)
    if lists.screener is None:
        out.print(f"NOT cleared: {lists.unscreened_because}, so only the catalog's parties were screened; a row "
                  "without a match is not cleared.", markup=False)
    show_warnings(lists.warnings)
    if totals.bad:
        err.print(f"banwatch: error: {totals.bad:,} bad row(s) in {names} were skipped; "
                  f"the other {totals.screened:,} were screened.", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT)
