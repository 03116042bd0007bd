"""banwatch as a Python library: `decide` and `screen`, each over a Context
(the one given, or one made from the environment as the command line does),
so that a Python caller gets exactly what the commands print.

    >>> from banwatch import Context, screen
    >>> with Context.from_environment() as context:    # with the SDN list loaded
    ...     [hit.entity_id for hit in screen("Hamza bin Laden", context=context)]
    ['ofac-sdn:21286']

A caller that screens many names keeps one Context: its screener is built once.
"""

from __future__ import annotations

from collections.abc import Iterable

from banwatch.context import Context
from banwatch.decide import decide as decide_transaction
from banwatch.match.screen import DEFAULT_LIMIT, DEFAULT_THRESHOLD, Screener
from banwatch.model import Decision, EntityType, Measure, ScreeningHit, Transaction
from banwatch.queries import screen_query


def decide(transaction: Transaction, measures: Iterable[Measure] | None = None,
           screener: Screener | None = None, *, context: Context | None = None) -> Decision:
    """The decision on one transaction: under `measures`, by default the
    catalog the settings name (the bundled one unless BANWATCH_CATALOG says
    otherwise); with its seller and buyer screened when a screener is given."""
    if measures is None:
        measures = (context or Context.from_environment()).catalog.measures
    return decide_transaction(transaction, measures, screener)


def screen(name: str, *, type: EntityType | str | None = None, country: str | None = None,  # noqa: A002
           birth_date: str | None = None, identifiers: list[str] | None = None,
           threshold: float = DEFAULT_THRESHOLD, limit: int = DEFAULT_LIMIT,
           screener: Screener | None = None, context: Context | None = None) -> list[ScreeningHit]:
    """The same ranked, explained hits as `banwatch screen`."""
    query = screen_query(name, type, country, birth_date, identifiers or [])
    if screener is None:
        if context is not None:
            screener = context.screener()
        else:
            with Context.from_environment() as own:
                screener = own.screener()
    return screener.screen(query, threshold=threshold, limit=limit)
