"""`banwatch screen`: fuzzy name screening against every loaded list."""

from __future__ import annotations

from contextlib import closing
from typing import Annotated

import typer
from rich.table import Table

from banwatch.cli.common import err, out, print_json, reports_bad_input
from banwatch.errors import BadInput
from banwatch.match.screen import DEFAULT_LIMIT, DEFAULT_THRESHOLD, Screener
from banwatch.model import ScreenQuery
from banwatch.store.snapshots import Store


def load_screener() -> Screener:
    """An index of every active list snapshot, plus the catalog's own parties
    when the catalog is not loaded as a list of its own."""
    from banwatch.lists.catalog_parties import catalog_entities  # noqa: PLC0415 (FtM import cost)

    with closing(Store.open()) as store:
        sources = {snap.source for snap in store.active()}
        entities = list(store.active_entities())
    if "catalog" not in sources:
        entities += catalog_entities().entities
    return Screener.from_entities(entities)


def query_from(name: str, entity_type: str | None, country: str | None, dob: str | None,
               identifiers: list[str] | None, where: str = "") -> ScreenQuery:
    from pydantic import ValidationError  # noqa: PLC0415

    if len(name) > 500:
        raise BadInput(f"{where}name".strip(), f"{len(name):,} characters is longer than any name (500 at most)")
    try:
        return ScreenQuery(name=name, type=entity_type or None, country=country, birth_date=dob,
                           identifiers=identifiers or [])
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "name"
        flag = {"birth_date": "dob"}.get(field, field)
        raise BadInput(f"{where}{flag}" if where else f"--{flag}" if flag != "name" else "NAME",
                       first["msg"].removeprefix("Value error, ")) from None


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
) -> None:
    """Screen one name against every loaded list and the catalog, ranked and explained."""
    query = query_from(name, entity_type, country, dob, identifier)
    with err.status("Loading the screening index"):
        screener = load_screener()
    hits = screener.screen(query, threshold=threshold, limit=limit)
    if as_json:
        print_json({"query": query.model_dump(mode="json", exclude_defaults=True), "threshold": threshold,
                    "matches": [hit.model_dump(mode="json") for hit in hits]})
        return
    if not hits:
        out.print(f"No match at or above {threshold:.2f} for '{query.name}' "
                  f"({len(screener.index.entities):,} listed entities screened).", markup=False)
        return
    table = Table(title=f"{len(hits)} match(es) for '{query.name}'")
    for column in ("score", "entity", "listed name", "source", "programs"):
        table.add_column(column, overflow="fold")
    for hit in hits:
        table.add_row(f"{hit.score:.2f}", hit.entity_id, hit.name, hit.source, ", ".join(hit.programs[:3]))
    out.print(table)
    for hit in hits:
        out.print(f"• {hit.explanation}", markup=False)
