"""`banwatch catalog list|show`: the restriction catalog, every measure as data."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from banwatch.catalog import find_measure, measure_summary
from banwatch.cli.common import context, out, print_json, reports_bad_input

app = typer.Typer(help="The restriction catalog: every measure as data.", no_args_is_help=True)


@app.command("list")
@reports_bad_input
def catalog_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List every measure with its citation and first effective date."""
    catalog = context().catalog.measures
    if as_json:
        print_json([measure_summary(m) for m in catalog])
        return
    table = Table(title=f"{len(catalog)} measures")
    for column in ("id", "citation", "effective", "binds", "title"):
        table.add_column(column, overflow="fold")
    for m in catalog:
        table.add_row(m.id, m.citation, m.effective.isoformat(),
                      ", ".join(b.value for b in m.bound), m.title)
    out.print(table)


@app.command("show")
@reports_bad_input
def catalog_show(
    measure_id: Annotated[str, typer.Argument(metavar="ID", help="Measure id from `catalog list`.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one measure whole: phases, parties, products, exclusions, sources."""
    measure = find_measure(context().catalog.measures, measure_id)
    if as_json:
        print_json(measure.model_dump(mode="json", exclude_defaults=True))
        return
    m = measure
    out.print(f"[bold]{m.title}[/bold]\n{m.id} · {m.authority}")
    out.print(f"Citation: {m.citation} · legal basis: {'; '.join(m.legal_basis)}")
    out.print((f"Published {m.published}" if m.published else "A standing rule over the lists it covers")
              + (f", signed {m.signed}" if m.signed else "")
              + f" · binds: {', '.join(b.value.replace('_', ' ') for b in m.bound)}")
    out.print(f"\n{m.summary}\n")
    phases = Table(title="Phases")
    for column in ("effective", "phase", "prohibits", "review"):
        phases.add_column(column, overflow="fold")
    for phase in m.phases:
        phases.add_row(phase.effective.isoformat(), phase.name, ", ".join(t.value for t in phase.prohibits),
                       ", ".join(t.value for t in phase.review))
    out.print(phases)
    if m.parties:
        parties = Table(title=f"Covered parties ({len(m.parties)})")
        for column in ("name", "aliases", "countries", "roles", "affiliates"):
            parties.add_column(column, overflow="fold")
        for party in m.parties:
            parties.add_row(party.name, "; ".join(a.name for a in party.aliases), ", ".join(party.countries),
                            ", ".join(r.value for r in party.roles), "yes" if party.covers_affiliates else "")
        out.print(parties)
    if m.lists:
        out.print(f"[bold]Covers every entry of[/bold]: {', '.join(m.lists)}")
    if m.products:
        out.print(f"[bold]Covered products ({len(m.products)})[/bold]: "
                  + "; ".join(p.name for p in m.products), markup=True)
    for exclusion in m.exclusions:
        out.print(f"[bold]Excluded[/bold]: {exclusion.name}: {exclusion.reason}")
    for penalty in m.penalties:
        out.print(f"[bold]Penalty[/bold]: {penalty.text} ({penalty.citation})")
    for source in m.sources:
        out.print(f"[bold]Source[/bold]: {source.title} <{source.url}>")
    for note in m.notes:
        out.print(f"[bold]Note[/bold]: {note}")


