"""banwatch as a Python library: `decide` and `screen`, each over a Context
(the one given, or one made from the environment as the command line does).
What they return carries what it was answered against (`provenance`).

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
from banwatch.model import Decision, EntityType, Measure, Provenance, ScreeningHit, Transaction
from banwatch.queries import screen_query


class Hits(list[ScreeningHit]):
    """The hits of one screening, best first, and what they were screened against."""

    provenance: Provenance | None = None


def decide(transaction: Transaction, measures: Iterable[Measure] | None = None,
           screener: Screener | None = None, *, context: Context | None = None, screen: bool = False) -> Decision:
    """The decision on one transaction under `measures`, by default the catalog
    the settings name (the bundled one unless BANWATCH_CATALOG says otherwise).
    The seller and buyer are screened with `screener`, or, with `screen=True`,
    against the lists loaded in the store as `banwatch decide` does (a party
    that cannot be screened is then a review, never cleared)."""
    if measures is not None and not screen:
        return decide_transaction(transaction, measures, screener)
    own = context or Context.from_environment()
    try:
        lists = own.lists_in_use() if screen else None
        decision = decide_transaction(transaction, own.catalog.measures if measures is None else measures,
                                      screener, lists)
        return decision.model_copy(update={"provenance": own.provenance() if screen else own.provenance([])})
    finally:
        if context is None:
            own.close()


def screen(name: str, *, type: EntityType | str | None = None, country: str | None = None,  # noqa: A002
           birth_date: str | None = None, identifiers: list[str] | None = None,
           threshold: float = DEFAULT_THRESHOLD, limit: int = DEFAULT_LIMIT,
           screener: Screener | None = None, context: Context | None = None) -> Hits:
    """The same ranked, explained hits as `banwatch screen`."""
    query = screen_query(name, type, country, birth_date, identifiers or [])
    if screener is not None:
        return Hits(screener.screen(query, threshold=threshold, limit=limit))
    own = context or Context.from_environment()
    try:
        hits = Hits(own.screener().screen(query, threshold=threshold, limit=limit))
        hits.provenance = own.provenance()
        return hits
    finally:
        if context is None:
            own.close()
