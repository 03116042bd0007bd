"""`banwatch settings`: the settings in force for this run, and where each came from."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from banwatch.cli.common import context, out, print_json, reports_bad_input
from banwatch.settings import DECLARED, FILE_VARIABLE, MIRROR_PREFIX


@reports_bad_input
def settings(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print the table of every setting, its default and "
                                           "meaning (docs/settings.md) instead.")] = False,
) -> None:
    """Show every setting's value in this run and where it came from (docs/settings.md says what each means)."""
    if markdown:
        out.print(document(), markup=False, end="", soft_wrap=True)
        return
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


def document() -> str:
    """docs/settings.md, generated from the declarations."""
    lines = ["# Settings", "",
             "Generated from `src/banwatch/settings.py` by `banwatch settings --markdown`; a test fails when",
             "this file is stale. Each setting is read once at start-up, from the environment variable, else from the",
             f"TOML file that `{FILE_VARIABLE}` names (by the setting's name, e.g. `max_drop = 0.2`), else its",
             "default. `banwatch settings` shows the values in force and where each came from.", "",
             "| setting | environment variable | default | meaning |", "|---|---|---|---|"]
    lines += [f"| `{d.name}` | `{d.variable}` | {d.default} | {d.meaning} |" for d in DECLARED]
    lines += [f"| `sources.<source>` | `{MIRROR_PREFIX}<SOURCE>` | the publisher's URLs | where `lists update` "
              "downloads a source from instead: a base URL ending in `/` that serves the same file names, or "
              "comma-separated file URLs (SOURCE as in `OFAC_SDN`; in the file, a `[sources]` table keyed "
              "`ofac-sdn`) |",
              f"| | `{FILE_VARIABLE}` | none | a TOML file with any of the settings above; relative paths in "
              "it are taken from its folder |", ""]
    return "\n".join(lines)
