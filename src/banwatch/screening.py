"""Screening as a service of the whole system: the index of every loaded list
(and the catalog's parties), cached, and `screen()` for Python callers.

    >>> from banwatch import screen
    >>> [hit.entity_id for hit in screen("Hamza bin Laden")]   # with the SDN list loaded
    ['ofac-sdn:21286']
"""

from __future__ import annotations

from contextlib import closing

from banwatch import settings
from banwatch.match.screen import DEFAULT_LIMIT, DEFAULT_THRESHOLD, Screener
from banwatch.model import EntityType, ScreeningHit, ScreenQuery
from banwatch.store.snapshots import Store


def load_screener() -> Screener:
    """An index of every active list snapshot, plus the catalog's own parties
    when the catalog is not loaded as a list of its own. Read from the index
    cache ($BANWATCH_HOME/index) when these snapshots were indexed before."""
    from banwatch.catalog import BUNDLED  # noqa: PLC0415
    from banwatch.match.cache import cached_screener, folder_digest  # noqa: PLC0415

    with closing(Store.open()) as store:
        snapshots = store.active()
        with_catalog = "catalog" not in {snap.source for snap in snapshots}

        def build() -> Screener:
            from banwatch.lists.catalog_parties import catalog_entities  # noqa: PLC0415 (FtM import cost)

            # by snapshot id, not "the active ones": a load switching lists meanwhile must not
            # put other entities than the key says into the index
            entities = [entity for snap in snapshots for entity in store.entities(snap.id)]
            if with_catalog:
                entities += catalog_entities().entities
            return Screener.from_entities(entities)

        return cached_screener(snapshots, folder_digest(BUNDLED) if with_catalog else None, build,
                               settings.home() / "index")


def screen(name: str, *, type: EntityType | str | None = None, country: str | None = None,  # noqa: A002
           birth_date: str | None = None, identifiers: list[str] | None = None,
           threshold: float = DEFAULT_THRESHOLD, limit: int = DEFAULT_LIMIT,
           screener: Screener | None = None) -> list[ScreeningHit]:
    """The same ranked, explained hits as `banwatch screen`, from Python."""
    query = ScreenQuery(name=name, type=type, country=country, birth_date=birth_date, identifiers=identifiers or [])
    return (screener or load_screener()).screen(query, threshold=threshold, limit=limit)
