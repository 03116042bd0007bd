"""`banwatch lists ...`: load, inspect, diff, update and export the official lists."""

from __future__ import annotations

import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn
from rich.table import Table

from banwatch.catalog import load_catalog
from banwatch.cli.common import err, out, print_json, reports_bad_input
from banwatch.errors import BadInput
from banwatch.lists.fetch import TIMEOUT, fetch, keep_as_cache
from banwatch.lists.sources import FORMATS, SOURCES, read_list
from banwatch.settings import catalog_dir
from banwatch.store.diff import diff_snapshots
from banwatch.store.snapshots import Snapshot, Store

app = typer.Typer(help="Official sanctions and export-control lists, in a versioned local store.",
                  no_args_is_help=True)

FORCE_HELP = "Accept a list that lost more entities than BANWATCH_MAX_DROP allows."


def describe(snapshot: Snapshot, seconds: float) -> str:
    return (f"{snapshot.source}: snapshot {snapshot.id} active, {snapshot.entities:,} entities, "
            f"{snapshot.names:,} names ({seconds:.2f} s)")


@app.command("load")
@reports_bad_input
def load(
    path: Annotated[Path | None, typer.Argument(help="A list file or folder (not needed for --format catalog).")]
    = None,
    list_format: Annotated[str | None, typer.Option("--format", help=f"One of {', '.join(FORMATS)}; "
                                                    "detected from the files when omitted.")] = None,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
) -> None:
    """Read a list completely and store it as the new active snapshot of its source."""
    started = time.perf_counter()
    if list_format == "catalog":
        from banwatch.lists.catalog_parties import catalog_entities  # noqa: PLC0415 (see READERS)

        parsed = catalog_entities(load_catalog(catalog_dir()))
        origin = str(catalog_dir() or "bundled catalog")
    elif path is None:
        raise BadInput("PATH", "give a list file or folder to load (or --format catalog)")
    else:
        with err.status(f"Reading {path}"):
            parsed = read_list(path, list_format)
        origin = str(path.resolve())
    with closing(Store.open()) as store:
        snapshot = store.save(parsed, origin, max_drop=1.0 if force else None)
    out.print(describe(snapshot, time.perf_counter() - started), markup=False)


@app.command("status")
@reports_bad_input
def status(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """The active snapshot of every source: entities, names, when, from which files."""
    with closing(Store.open()) as store:
        active = store.active()
        kept = {snap.source: len(store.history(snap.source)) for snap in active}
        location = store.path
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
    with closing(Store.open()) as store:
        changes = diff_snapshots(store, source, from_id, to_id)
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
                                                        + ", ".join(SOURCES))] = None,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
) -> None:
    """Download the current lists from their publishers and load what changed.

    A list that fails to download or parse, or shrinks by more than
    BANWATCH_MAX_DROP, is refused; its previous snapshot stays active."""
    chosen = sources or list(SOURCES)
    unknown = [name for name in chosen if name not in SOURCES]
    if unknown:
        raise BadInput("SOURCE", f"unknown source {', '.join(unknown)}; one of {', '.join(SOURCES)}")
    failures = 0
    with closing(Store.open()) as store, httpx.Client(timeout=TIMEOUT, follow_redirects=True) as client:
        for name in chosen:
            try:
                update_source(store, client, name, force)
            except BadInput as problem:
                failures += 1
                err.print(f"banwatch: error: {problem}", markup=False)
    if failures:
        raise typer.Exit(2)


def update_source(store: Store, client: httpx.Client, name: str, force: bool) -> None:
    source = SOURCES[name]
    started = time.perf_counter()
    with Progress(TextColumn(f"{name} {{task.description}}"), BarColumn(), DownloadColumn(),
                  TransferSpeedColumn(), console=err, transient=True) as progress:
        download = fetch(source, store.validators(), client, progress)
    try:
        if not download.modified:
            current = store.active_snapshot(name)
            if current is not None:
                out.print(f"{name}: not modified since snapshot {current.id}", markup=False)
                return
        parsed = read_list(download.folder, source.format)
        if parsed.source != name:
            raise BadInput(", ".join(source.urls()), f"the files hold the {parsed.source} list, not {name}")
        snapshot = store.save(parsed, ", ".join(source.urls()), max_drop=1.0 if force else None)
        store.remember_validators(download.validators)
        keep_as_cache(download)
        out.print(describe(snapshot, time.perf_counter() - started), markup=False)
    finally:
        download.discard()


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
    from banwatch.lists.ftm import write_ftm  # noqa: PLC0415 (imported on use, see READERS)

    with closing(Store.open()) as store:
        entities = store.active_entities(source)
        if out_path is None:
            count = write_ftm(entities, sys.stdout)
        else:
            with out_path.open("w", encoding="utf-8") as handle:
                count = write_ftm(entities, handle)
    err.print(f"Exported {count:,} entities" + (f" to {out_path}" if out_path else ""), markup=False)
