"""`banwatch settings`: the settings in force for this run, and where each came from."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from banwatch.cli.common import context, out, print_json, reports_bad_input


@reports_bad_input
def settings(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Show every setting's value in this run and where it came from (docs/settings.md says what each means)."""
    rows = context().settings.describe()
    if as_json:
        print_json(rows)
        return
    table = Table(title="Settings in force")
    for column in ("setting", "environment variable", "value", "from"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row["name"], row["variable"], row["value"], row["from"])
    out.print(table)
