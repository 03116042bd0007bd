"""What every command shares: the consoles, JSON output, the catalog in use,
and turning bad input into one line and exit code 2."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import typer
from rich.console import Console

from banwatch.catalog import load_catalog
from banwatch.errors import BadInput
from banwatch.model import Measure, Outcome
from banwatch.settings import catalog_dir

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
