"""What every command shares: the run's Context, the consoles, JSON output,
and turning bad input into one line (fields named as this command line
names them) and exit code 2."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import typer
from rich.console import Console

from banwatch.context import Context
from banwatch.errors import BadInput
from banwatch.model import Outcome, Provenance

# Piped or logged output gets 132 columns rather than rich's 80, so tables stay readable.
PIPED_WIDTH = 132
out = Console(highlight=False, width=None if sys.stdout.isatty() else PIPED_WIDTH)
err = Console(stderr=True, highlight=False, soft_wrap=True)
OUTCOME_STYLE = {"prohibited": "bold red", "review": "bold yellow", "allowed": "bold green"}
WORST_FIRST = sorted(Outcome, key=lambda outcome: -outcome.severity)
EXIT_BAD_INPUT = 2

#: `--snapshot ID` (repeatable): answer against kept snapshots, to reproduce an earlier answer
SNAPSHOT_HELP = ("Answer against this kept snapshot (see lists status --json) instead of its source's active one, "
                 "to reproduce an earlier answer; repeatable, one per source.")

#: the fields of the layers below (their codes, see banwatch.errors) that this
#: command line names otherwise than `--<code with dashes>`
FLAGS = {
    "name": "NAME",
    "birth_date": "--dob",
    "identifiers": "--id",
    "subject": "--product/--vendor/--seller/--buyer",
    "dob_column": "--dob-column",
}


def flag(field: str) -> str:
    return FLAGS.get(field, "--" + field.replace("_", "-"))


class Run:
    """The Context of this run of the command, made once when a command first
    asks for it (so that `--help` and `--version` read no settings)."""

    current: Context | None = None


def context() -> Context:
    if Run.current is None:
        Run.current = Context.from_environment()
        Run.current.notify = lambda message: err.print(message, markup=False)
    return Run.current


def close_context() -> None:
    if Run.current is not None:
        Run.current.close()
        Run.current = None


def reports_bad_input(command: Callable[..., Any]) -> Callable[..., Any]:
    """Bad input ends a command with one line naming what and where, and exit 2."""

    @wraps(command)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except BadInput as problem:
            err.print(f"banwatch: error: {problem.render(flag)}", markup=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except OSError as error:  # a full disk, a folder not ours to write: one line, not a traceback
            where = f"{error.filename}: " if error.filename else ""
            err.print(f"banwatch: error: {where}{error.strerror or error}", markup=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return guarded


def actor() -> str:
    """Who the audit trail names for this command: the user running it."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # a user with no name (a container's uid): its number
        import os  # noqa: PLC0415

        return f"cli:uid {os.getuid()}"


def record_answer(action: str, request: Any, result: Any, provenance: Provenance) -> None:
    """Keep the answer just given in the audit trail (services.audit). A home
    banwatch cannot write keeps none: the command says so, and answers."""
    from banwatch.services import audit  # noqa: PLC0415

    try:
        audit.record_answer(context().writable_store(), actor=actor(), action=action, request=request,
                            result=result, provenance=provenance)
    except BadInput as problem:
        err.print(f"banwatch: warning: this answer is not in the audit trail: {problem.render(flag)}",
                  markup=False)


def describe_provenance(provenance: Provenance) -> str:
    """One line: what an answer was given against."""
    lists = "; ".join(
        f"{version.source} snapshot {version.snapshot_id} (loaded {version.loaded_at[:10]}"
        + (f", published {version.published}" if version.published else "")
        + "".join(f", {f['name']} sha256 {str(f['sha256'])[:12]}" for f in version.files[:1]) + ")"
        for version in provenance.lists) or "no list"
    return (f"Answered against: {lists}; the {provenance.catalog_origin} (digest {provenance.catalog_digest[:12]}); "
            f"banwatch {provenance.banwatch}. Replay with --snapshot ID.")


def show_warnings(warnings: tuple[str, ...] | list[str]) -> None:
    for warning in warnings:
        out.print(f"[yellow]! {warning}[/yellow]")


def print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
