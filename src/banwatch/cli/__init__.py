"""The `banwatch` command line. Each module holds one group of commands; they
parse flags, call the layers below and present results, with no rules of their own."""

from __future__ import annotations

import signal
from typing import Annotated

import typer

from banwatch import __version__
from banwatch.cli import audit, catalog, decisions, demo, estate, lists, monitoring, screening, service, settings
from banwatch.cli.common import close_context, out

app = typer.Typer(help="Comply with bans on foreign-adversary technology and with sanctions lists.",
                  no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)
app.add_typer(catalog.app, name="catalog")
app.add_typer(lists.app, name="lists")
app.add_typer(estate.app, name="estate")
app.add_typer(service.keys_app, name="keys")
app.add_typer(monitoring.monitor_app, name="monitor")
app.add_typer(monitoring.alerts_app, name="alerts")
app.add_typer(audit.app, name="audit")
for command in (decisions.decide, decisions.decide_file, demo.demo, screening.screen,
                screening.screen_file, service.serve, settings.settings):
    app.command(name=command.__name__.replace("_", "-"))(command)


def version_callback(value: bool) -> None:
    if value:
        out.print(f"banwatch {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    run: typer.Context,
    version: Annotated[bool, typer.Option("--version", callback=version_callback, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """banwatch: restriction catalog, date-aware transaction decisions, official lists."""
    # SIGTERM (a service manager, kill) ends a command like Ctrl-C does: through its clean-up,
    # so that no partial report, temporary download or worker process is left behind.
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    run.call_on_close(close_context)


def stop_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)
