"""`banwatch serve` (the HTTP service) and `banwatch keys` (its API keys)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from banwatch.cli.common import actor, context, out, print_json, reports_bad_input
from banwatch.services.keys import ROLES, create_key, revoke_key

keys_app = typer.Typer(help="API keys of the HTTP service (banwatch serve).", no_args_is_help=True)


@reports_bad_input
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes, each with the index in memory.", min=1,
                                         max=64)] = 1,
) -> None:
    """Serve banwatch's API (/v1, /docs) and yente's (/match, /search ...) over HTTP."""
    import uvicorn  # noqa: PLC0415 (only this command needs the server)

    # read here too, so that a bad setting is one line and exit 2 before anything listens;
    # every worker then reads the same environment, once
    context().close()
    out.print(f"banwatch serving on http://{host}:{port} ({workers} worker(s)); API docs at /docs", markup=False)
    uvicorn.run("banwatch.api:app_from_environment", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False, server_header=False)


@keys_app.command("create")
@reports_bad_input
def keys_create(
    name: Annotated[str, typer.Argument(help="Who or what the key is for: onboarding, payments ...")],
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}.")] = "analyst",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON: key, name, role.")] = False,
) -> None:
    """Make an API key; it is printed once and stored only hashed."""
    key, record = create_key(context().writable_store(), name, role, actor=actor())
    if as_json:
        print_json({"key": key, "name": record.name, "role": record.role, "created_at": record.created_at})
        return
    out.print(f"API key {record.name!r} ({record.role}), shown this once: keep it now", markup=False)
    out.print(key, markup=False)


@keys_app.command("list")
@reports_bad_input
def keys_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Every API key: name, role, when made, when revoked (never the key)."""
    records = context().store.keys()
    if as_json:
        print_json([record.as_json() for record in records])
        return
    table = Table(title=f"{len(records)} API key(s)")
    for column in ("name", "role", "created", "revoked"):
        table.add_column(column)
    for record in records:
        table.add_row(record.name, record.role, record.created_at, record.revoked_at or "")
    out.print(table)


@keys_app.command("revoke")
@reports_bad_input
def keys_revoke(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
    """Revoke an API key: from now on it is refused (401)."""
    record = revoke_key(context().writable_store(), name, actor=actor())
    out.print(f"API key {record.name!r} revoked at {record.revoked_at}", markup=False)
