"""`banwatch audit`: check the trail's chain, re-run a recorded answer, export the trail."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from collections.abc import Iterator
from typing import Annotated, Any, TextIO

import typer

from banwatch.cli.common import context, err, out, print_json, reports_bad_input
from banwatch.errors import BadInput
from banwatch.outputs import replacing
from banwatch.services import audit

app = typer.Typer(help="The audit trail: every screening, decision, alert, key and list change.",
                  no_args_is_help=True)
#: `audit verify` found the chain broken: a different exit from bad input (2)
EXIT_BROKEN = 1


@app.command("verify")
@reports_bad_input
def verify(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Check the whole chain; name the first record edited, deleted or reordered (exit 1)."""
    verified = audit.verify(context().store)
    if as_json:
        print_json(verified.as_json())
    elif verified.problem is None:
        head = f"; head: record {verified.head[0]}, hash {verified.head[1]}" if verified.head else ""
        out.print(f"Audit trail intact: {verified.records:,} record(s) in {context().store.location}{head}",
                  markup=False)
    else:
        err.print(f"banwatch: audit trail broken at record {verified.problem.seq}: {verified.problem.why}",
                  markup=False)
    if verified.problem is not None:
        raise typer.Exit(EXIT_BROKEN)


@app.command("replay")
@reports_bad_input
def replay(seq: Annotated[int, typer.Argument(metavar="ID", help="The record's number (seq).")],
           as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Re-run a recorded screening or decision against the snapshots it used: is the answer the same?"""
    replayed = audit.replay(context(), seq)
    record = replayed.record
    if as_json:
        print_json({"record": record.as_json(), "same": replayed.same, "then": replayed.then, "now": replayed.now,
                    "notes": replayed.notes})
    else:
        snapshots = ", ".join(str(i) for i in record.as_json()["snapshot_ids"]) or "none (the catalog's parties)"
        out.print(f"Record {record.seq}: {record.action} by {record.actor} at {record.at}, against snapshot(s) "
                  f"{snapshots}", markup=False)
        out.print("Same answer now: yes" if replayed.same else "Same answer now: NO", markup=False)
        if not replayed.same:
            out.print(f"  then: {json.dumps(replayed.then, ensure_ascii=False)}", markup=False)
            out.print(f"  now:  {json.dumps(replayed.now, ensure_ascii=False)}", markup=False)
        for note in replayed.notes:
            out.print(f"! {note}", markup=False)
    if not replayed.same:
        raise typer.Exit(1)


@app.command("export")
@reports_bad_input
def export(since: Annotated[str | None, typer.Option("--since", help="First day, YYYY-MM-DD (UTC); default: "
                                                     "the whole trail.")] = None,
           out_path: Annotated[Path | None, typer.Option("--out", help="JSON Lines file; default: standard "
                                                         "output.")] = None) -> None:
    """Write the trail as JSON Lines (one record per line, oldest first), for a regulator."""
    try:
        day = dt.date.fromisoformat(since) if since else None
    except ValueError:
        raise BadInput("--since", f"{since!r} is not a date (YYYY-MM-DD)") from None
    records = audit.export(context().store, day)
    if out_path is None:
        write_lines(records, sys.stdout)
    else:
        with replacing(out_path) as (partial,), partial.open("w", encoding="utf-8") as handle:
            count = write_lines(records, handle)
        out.print(f"{count:,} record(s) written to {out_path}", markup=False)
    head = context().store.audit_head()
    if head is not None:
        err.print(f"Head of the trail: record {head[0]}, hash {head[1]} (keep it to compare later)", markup=False)


def write_lines(documents: Iterator[dict[str, Any]], handle: TextIO) -> int:
    """Each document as one line of JSON; how many."""
    count = 0
    for count, document in enumerate(documents, start=1):
        handle.write(json.dumps(document, ensure_ascii=False, sort_keys=True) + "\n")
    return count
