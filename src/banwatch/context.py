"""What a running banwatch owns: its settings, its store, its catalog and a
long-lived screener. The command line, the Python library and the HTTP
service each make one Context at start-up and work from it; nothing below
reads a setting from anywhere else.

The store is opened on first use, the catalog is the one the settings name
(or the bundled one), and the screener is built once from the active list
snapshots and the catalog's parties: through the index cache on disk, and
again only when a snapshot or the catalog changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType

from banwatch.catalog import Catalog, open_catalog
from banwatch.match.cache import cached_screener
from banwatch.match.screen import Screener
from banwatch.model import ListedEntity
from banwatch.settings import Settings
from banwatch.store import Snapshot, Store
from banwatch.store.sqlite import SqliteStore


class Context:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._store: Store | None = None
        self._screener: tuple[tuple[tuple[str, ...], str | None], Screener] | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Context:
        return cls(Settings.load(environ))

    # ------------------------------------------------------------------ what it owns

    @property
    def catalog(self) -> Catalog:
        return open_catalog(self.settings.catalog)

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = SqliteStore.open(self.settings.store_path, keep_snapshots=self.settings.keep_snapshots,
                                           max_drop=self.settings.max_drop,
                                           pause_before_commit=self.settings.pause_before_commit)
        return self._store

    def has_lists(self) -> bool:
        """Whether any list is loaded (without creating a store where there is none)."""
        return (self._store is not None or self.settings.store_path.exists()) and bool(self.store.active())

    def screener(self) -> Screener:
        """A screener over every active list snapshot, plus the catalog's own
        parties when the catalog is not loaded as a list of its own."""
        store = self.store
        snapshots = store.active()
        with_catalog = "catalog" not in {snap.source for snap in snapshots}
        catalog = self.catalog
        key = (tuple(snap.digest for snap in snapshots), catalog.digest if with_catalog else None)
        if self._screener is not None and self._screener[0] == key:
            return self._screener[1]

        def build() -> Screener:
            return Screener.from_entities(indexed_entities(store, snapshots, catalog if with_catalog else None))

        screener = cached_screener(key[0], key[1], build, self.settings.index_dir)
        self._screener = (key, screener)
        return screener

    def lists_screener(self) -> Screener | None:
        """The screener when any list is loaded, else None (then decisions check
        only the catalog's parties, as without a store)."""
        return self.screener() if self.has_lists() else None

    # ------------------------------------------------------------------ lifetime

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Context:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def indexed_entities(store: Store, snapshots: list[Snapshot], catalog: Catalog | None) -> list[ListedEntity]:
    """The entities an index is built from: those of `snapshots` (by snapshot
    id, not "the active ones": a load switching lists meanwhile must not put
    other entities into the index than its key names), and the catalog's parties."""
    from banwatch.lists.catalog_parties import catalog_entities  # noqa: PLC0415 (rigour's territories load)

    entities = [entity for snap in snapshots for entity in store.entities(snap.id)]
    if catalog is not None:
        entities += catalog_entities(catalog.measures).entities
    return entities
