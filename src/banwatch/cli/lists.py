"""`banwatch lists ...`: load, inspect, diff, update and export the official lists."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn
from rich.table import Table

from banwatch.cli.common import EXIT_BAD_INPUT, actor, context, err, flag, out, print_json, reports_bad_input
from banwatch.errors import BadInput
from banwatch.lists.fetch import TIMEOUT, ProgressCallback
from banwatch.outputs import replacing, require_suffix
from banwatch.lists.sources import FORMAT_CHOICES, PUBLISHED, read_list
from banwatch.services.lists import load_catalog_parties, make_downloader, save_list, update_source
from banwatch.store import Snapshot

app = typer.Typer(help="Official sanctions and export-control lists, in a versioned local store.",
                  no_args_is_help=True)

FORCE_HELP = "Accept a list that lost more entities than the max_drop setting allows."


def describe(snapshot: Snapshot, seconds: float) -> str:
    return (f"{snapshot.source}: snapshot {snapshot.id} active, {snapshot.entities:,} entities, "
            f"{snapshot.names:,} names ({seconds:.2f} s)")


@app.command("load")
@reports_bad_input
def load(
    path: Annotated[Path | None, typer.Argument(help="A list file or folder (not needed for --format catalog).")]
    = None,
    list_format: Annotated[str | None, typer.Option("--format", help=f"One of {FORMAT_CHOICES}, or a source "
                                                    "id for its format; detected from the files when omitted.")]
    = None,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
) -> None:
    """Read a list completely and store it as the new active snapshot of its source."""
    started = time.perf_counter()
    store = context().writable_store()
    if list_format == "catalog":
        catalog = context().catalog
        snapshot = load_catalog_parties(store, catalog.measures, catalog.origin, force, actor=actor())
    elif path is None:
        raise BadInput("PATH", "give a list file or folder to load (or --format catalog)")
    else:
        with err.status(f"Reading {path}"):
            parsed = read_list(path, list_format)
        snapshot = save_list(store, parsed, str(path.resolve()), force, actor=actor())
    out.print(describe(snapshot, time.perf_counter() - started), markup=False)


@app.command("status")
@reports_bad_input
def status(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """The active snapshot of every source: entities, names, when, from which files."""
    store = context().store
    active = store.active()
    kept = {snap.source: len(store.history(snap.source)) for snap in active}
    location = store.location
    if as_json:
        print_json({"store": str(location), "sources": [
            {**snap.as_json(), "snapshots_kept": kept[snap.source]} for snap in active]})
        return
    if not active:
        out.print(f"No list loaded yet in {location}. Try: banwatch lists load PATH", markup=False)
        return
    table = Table(title=f"Active lists in {location}")
    for column in ("source", "snapshot", "entities", "names", "loaded at (UTC)", "format", "kept"):
        table.add_column(column, justify="right" if column in ("snapshot", "entities", "names", "kept") else "left")
    for snap in active:
        table.add_row(snap.source, str(snap.id), f"{snap.entities:,}", f"{snap.names:,}", snap.loaded_at,
                      snap.format, str(kept[snap.source]))
    out.print(table)


@app.command("diff")
@reports_bad_input
def diff(
    source: Annotated[str, typer.Argument(help="ofac-sdn, ofac-cons, un, bis-dpl, csl, ftm or catalog.")],
    from_id: Annotated[int | None, typer.Option("--from", help="Snapshot id; default: the one before --to.")]
    = None,
    to_id: Annotated[int | None, typer.Option("--to", help="Snapshot id; default: the active one.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Added, removed and changed entities between two snapshots of a source."""
    changes = context().store.diff(source, from_id, to_id)
    if as_json:
        print_json(changes)
        return
    counts = changes["counts"]
    out.print(f"{source}: snapshot {changes['from']} -> {changes['to']}: {counts['added']} added, "
              f"{counts['removed']} removed, {counts['changed']} changed", markup=False)
    shown = 20
    for label, key in (("+", "added"), ("-", "removed")):
        for item in changes[key][:shown]:
            out.print(f"  {label} {item['id']}  {item['name']}", markup=False)
    for item in changes["changed"][:shown]:
        out.print(f"  ~ {item['id']}  {item['name']}: {', '.join(item['fields'])}", markup=False)
    if max(counts.values()) > shown:
        out.print(f"  (first {shown} of each shown; --json for all)", markup=False)


@app.command("update")
@reports_bad_input
def update(
    sources: Annotated[list[str] | None, typer.Argument(help="Sources to update; default: all of "
                                                        + ", ".join(PUBLISHED))] = None,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
    monitor: Annotated[bool, typer.Option("--monitor", help="Then run every monitored book against the lists "
                                          "(banwatch monitor run).")] = False,
) -> None:
    """Download the current lists from their publishers and load what changed.

    A list that fails to download or parse, or shrinks by more than the
    max_drop setting, is refused; its previous snapshot stays active."""
    chosen = sources or list(PUBLISHED)
    unknown = [name for name in chosen if name not in PUBLISHED]
    if unknown:
        raise BadInput("SOURCE", f"unknown source {', '.join(unknown)}; one of {', '.join(PUBLISHED)}")
    settings, store = context().settings, context().writable_store()
    failures = 0
    with httpx.Client(timeout=TIMEOUT, follow_redirects=True) as client:
        downloader = make_downloader(client, settings)
        for name in chosen:
            started = time.perf_counter()
            try:
                with Progress(TextColumn(f"{name} {{task.description}}"), BarColumn(), DownloadColumn(),
                              TransferSpeedColumn(), console=err, transient=True) as progress:
                    updated = update_source(store, downloader, name, settings.mirrors.get(name), force,
                                            progress=file_progress(progress), actor=actor())
            except BadInput as problem:
                failures += 1
                err.print(f"banwatch: error: {problem.render(flag)}", markup=False)
                continue
            if updated.modified:
                out.print(describe(updated.snapshot, time.perf_counter() - started), markup=False)
            else:
                out.print(f"{name}: not modified since snapshot {updated.snapshot.id}", markup=False)
    if monitor:  # the lists that did load are screened against, whatever failed
        from banwatch.cli.monitoring import run_books  # noqa: PLC0415

        run_books(None, full=False, as_json=False)
    if failures:
        raise typer.Exit(EXIT_BAD_INPUT)


def file_progress(progress: Progress) -> ProgressCallback:
    """A download callback that shows one bar per file."""
    tasks: dict[str, int] = {}

    def advance(name: str, received: int, expected: int | None) -> None:
        if name not in tasks:
            tasks[name] = progress.add_task(name, total=expected)
        progress.update(tasks[name], completed=received)

    return advance


@app.command("export")
@reports_bad_input
def export(
    export_format: Annotated[str, typer.Option("--format", help="ftm: FollowTheMoney JSON lines.")] = "ftm",
    source: Annotated[list[str] | None, typer.Option("--source", help="Only these sources (repeatable).")] = None,
    out_path: Annotated[Path | None, typer.Option("--out", help="File to write; default: standard output.")]
    = None,
) -> None:
    """Write the active snapshots as FollowTheMoney entities, for OpenSanctions tools."""
    if export_format != "ftm":
        raise BadInput("--format", f"unknown export format {export_format!r}; one of: ftm")
    from banwatch.lists.ftm import write_ftm  # noqa: PLC0415 (imported on use, see ListFormat.reader)

    if out_path is not None:
        require_suffix(out_path, (".json", ".jsonl", ".ndjson"), "FollowTheMoney entities (JSON lines)")
    entities = context().store.active_entities(source)
    if out_path is None:
        count = write_ftm(entities, sys.stdout)
    else:
        with replacing(out_path) as (written,), written.open("w", encoding="utf-8") as handle:
            count = write_ftm(entities, handle)
    err.print(f"Exported {count:,} entities" + (f" to {out_path}" if out_path else ""), markup=False)
