"""What a running banwatch owns: its settings, its store, its catalog and a
long-lived screener. The command line, the Python library and the HTTP
service each make one Context at start-up and work from it; nothing below
reads a setting from anywhere else.

The store is opened on first use (read-only, unless a command is to write
it: `writable_store`), the catalog is the one the settings name (or the
bundled one), and the screener is built once from the active list snapshots
and the catalog's parties: through the index cache on disk, and again only
when a snapshot or the catalog changes. Banwatch's home and index folders are
its own (`banwatch.home`): refused when another user could write them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Mapping
from types import TracebackType

from banwatch.catalog import Catalog, open_catalog
from banwatch.decide.counterparties import ListsInUse
from banwatch.lists.legal_effects import effects_by_entity, registry_digest
from banwatch.lists.sources import PUBLISHED, SOURCES
from banwatch.match.cache import cached_screener
from banwatch.errors import BadInput
from banwatch.home import check_private, private_folder
from banwatch.match.screen import Screener
from banwatch.model import ListedEntity, ListVersion, Provenance
from banwatch.settings import Settings
from banwatch.store import Snapshot, Store
from banwatch.store.sqlite import SqliteStore


#: how stale the catalog a Context answers with may be: an edited measure file is seen within this
CATALOG_RECHECK_SECONDS = 1.0


class Context:
    def __init__(self, settings: Settings, snapshot_ids: tuple[int, ...] = (),
                 notify: Callable[[str], None] | None = None):
        self.settings = settings
        #: kept snapshots to answer against instead of their sources' active ones
        self.snapshot_ids = snapshot_ids
        #: those snapshots only, no other source's active one (a replay: the lists of then, not of now)
        self.only_chosen = False
        #: where to say what a person waiting should know ("waiting for another load")
        self.notify = notify
        self._store: Store | None = None
        self._writable = False
        self._screener: tuple[tuple[tuple[str, ...], str | None], Screener] | None = None
        self._catalog: tuple[float, Catalog] | None = None  # (when it was looked at, the catalog)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Context:
        return cls(Settings.load(environ))

    # ------------------------------------------------------------------ what it owns

    @property
    def catalog(self) -> Catalog:
        """The catalog, looked at again at most once a second (CATALOG_RECHECK_SECONDS):
        one request asks for it several times, and each look stats every measure file."""
        now = time.monotonic()
        if self._catalog is None or now - self._catalog[0] > CATALOG_RECHECK_SECONDS:
            self._catalog = (now, open_catalog(self.settings.catalog))
        return self._catalog[1]

    @property
    def store(self) -> Store:
        """The store, to read (opened read-only: it works on a read-only home)."""
        if self._store is None:
            self._store = self._open_store(read_only=True)
        return self._store

    def writable_store(self) -> Store:
        """The store, to load lists into."""
        if self._store is None or not self._writable:
            self.close()
            self._store, self._writable = self._open_store(read_only=False), True
        return self._store

    def _open_store(self, read_only: bool) -> Store:
        if self.settings.database_url:
            from banwatch.store.postgres import PostgresStore  # noqa: PLC0415 (psycopg only when asked for)

            return PostgresStore.open(self.settings.database_url, keep_snapshots=self.settings.keep_snapshots,
                                      max_drop=self.settings.max_drop,
                                      pause_before_commit=self.settings.pause_before_commit, read_only=read_only,
                                      lock_timeout=self.settings.store_lock_timeout_seconds, on_wait=self.notify)
        folder = self.settings.store_path.parent
        if not read_only:
            private_folder(folder)
        elif folder.exists():
            check_private(folder)
        return SqliteStore.open(self.settings.store_path, keep_snapshots=self.settings.keep_snapshots,
                                max_drop=self.settings.max_drop, pause_before_commit=self.settings.pause_before_commit,
                                read_only=read_only, lock_timeout=self.settings.store_lock_timeout_seconds,
                                on_wait=self.notify)

    def choose_snapshots(self, snapshot_ids: tuple[int, ...], exactly: bool = False) -> None:
        """Answer against these kept snapshots instead of their sources' active
        ones; `exactly`: against these alone, no other list."""
        self.snapshot_ids = tuple(snapshot_ids)
        self.only_chosen = exactly
        self._screener = None

    def snapshots(self) -> list[Snapshot]:
        """The list versions this context answers against: each source's active
        snapshot, or the kept one chosen for it (`snapshot_ids`)."""
        if (not self.snapshot_ids and self._store is None and not self.settings.database_url
                and not self.settings.store_path.exists()):
            return []
        by_source = {} if self.only_chosen else {snap.source: snap for snap in self.store.active()}
        chosen: dict[str, int] = {}
        for snapshot_id in self.snapshot_ids:
            snap = self.store.snapshot(snapshot_id)
            if snap.source in chosen:
                raise BadInput(None, f"snapshots {chosen[snap.source]} and {snapshot_id} are both of {snap.source}: "
                               "choose one per source", field="snapshot")
            chosen[snap.source] = snapshot_id
            by_source[snap.source] = snap
        return sorted(by_source.values(), key=lambda snap: snap.source)

    def provenance(self, snapshots: list[Snapshot] | None = None) -> Provenance:
        """What an answer given now is given against: the lists (`snapshots`,
        by default those screening uses), the catalog, banwatch's version."""
        from banwatch import __version__  # noqa: PLC0415 (the package imports this module)

        catalog = self.catalog
        lists = [ListVersion(source=snap.source, snapshot_id=snap.id, loaded_at=snap.loaded_at,
                             published=snap.published, origin=snap.origin,
                             files=[{key: f[key] for key in ("name", "sha256", "bytes") if key in f}
                                    for f in snap.files])
                 for snap in (self.snapshots() if snapshots is None else snapshots)]
        return Provenance(banwatch=__version__, answered_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                          catalog_origin=catalog.origin, catalog_digest=catalog.digest, lists=lists)

    def screener(self) -> Screener:
        """A screener over the list snapshots in use (`snapshots`), plus the
        catalog's own parties when the catalog is not loaded as a list of its own."""
        store = self.store
        snapshots = self.snapshots()
        with_catalog = "catalog" not in {snap.source for snap in snapshots}
        catalog = self.catalog
        # the legal effects the index carries are data too: another registry, another index
        key = (tuple(snap.digest for snap in snapshots) + (f"legal-effects:{registry_digest()}",),
               catalog.digest if with_catalog else None)
        if self._screener is not None and self._screener[0] == key:
            return self._screener[1]

        def build() -> Screener:
            entities = indexed_entities(store, snapshots, catalog if with_catalog else None)
            return Screener.from_entities(entities, effects_by_entity(entities))

        index_dir = self.settings.index_dir
        if index_dir.exists():
            check_private(index_dir)  # a folder another user can write could hand us their index
        signing_key = store.signing_key()
        if signing_key is not None and not index_dir.exists():
            with contextlib.suppress(OSError):  # a read-only home: screen without the cache
                private_folder(index_dir)
        screener = cached_screener(key[0], key[1], build, index_dir, signing_key)
        self._screener = (key, screener)
        return screener

    def lists_in_use(self, today: dt.date | None = None) -> ListsInUse:
        """The loaded lists a seller or buyer is screened against, with what to
        warn of: the official lists not loaded, and lists older than max_list_age_days."""
        lists = [snap for snap in self.snapshots() if snap.source != "catalog"]
        warnings = list_warnings(lists, self.settings.max_list_age_days, today or dt.date.today())
        if not lists:
            return ListsInUse(None, tuple(warnings), "no official list is loaded")
        return ListsInUse(self.screener(), tuple(warnings))

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


def list_warnings(lists: list[Snapshot], max_age_days: int, today: dt.date) -> list[str]:
    """What every output relying on `lists` must say: the official lists that
    are not loaded (how to load them), and the lists older than `max_age_days`."""
    warnings = []
    missing = [source for source in PUBLISHED if source not in {snap.source for snap in lists}]
    if missing:
        names = "; ".join(f"{SOURCES[source].title} ({source})" for source in missing)
        warnings.append(f"Not screened against these official lists, which are not loaded: {names}. "
                        "Load them with: banwatch lists update (or banwatch lists load PATH).")
    for snap in lists:
        published = dt.date.fromisoformat(snap.published) if snap.published else None
        as_of = published or dt.date.fromisoformat(snap.loaded_at[:10])
        age = (today - as_of).days
        if age > max_age_days:
            title = SOURCES[snap.source].title if snap.source in SOURCES else snap.source
            when = f"published {published}" if published else f"loaded {as_of} (its files carry no date)"
            update = (f"banwatch lists update {snap.source}" if snap.source in PUBLISHED
                      else "banwatch lists load with a newer file")
            warnings.append(f"The {title} in use (snapshot {snap.id}) was {when}, {age} days ago: older than "
                            f"{max_age_days} days (max_list_age_days). Update it: {update}.")
    return warnings


def indexed_entities(store: Store, snapshots: list[Snapshot], catalog: Catalog | None) -> list[ListedEntity]:
    """The entities an index is built from: those of `snapshots` (by snapshot
    id, not "the active ones": a load switching lists meanwhile must not put
    other entities into the index than its key names), and the catalog's parties."""
    from banwatch.lists.catalog_parties import catalog_entities  # noqa: PLC0415 (rigour's territories load)

    entities = [entity for snap in snapshots for entity in store.entities(snap.id)]
    if catalog is not None:
        entities += catalog_entities(catalog.measures).entities
    return entities
