"""Loading a list into the store, from a file or from its publisher: read it
completely, record its files' hashes, save it as the new active snapshot
(its origin: the path, or the URLs the files finally came from)."""

from __future__ import annotations

import datetime as dt
import email.utils
from dataclasses import dataclass
from typing import TYPE_CHECKING

from banwatch.errors import BadInput
from banwatch.lists.fetch import Downloader, Limits, ProgressCallback
from banwatch.lists.reading import PARSER_VERSION, file_records
from banwatch.lists.sources import SOURCES, read_list
from banwatch.model import Measure, ParsedList, Validators
from banwatch.services.audit import record_change
from banwatch.store import Snapshot, Store

if TYPE_CHECKING:
    import httpx

    from banwatch.settings import Settings

#: a max_drop that accepts any loss: a load the user forces
ANY_DROP = 1.0


def save_list(store: Store, parsed: ParsedList, origin: str, force: bool = False, *, actor: str) -> Snapshot:
    """Keep `parsed` as its source's new active snapshot, with its audit record, in one transaction."""
    with store.transaction():
        snapshot = store.save(parsed, origin=origin, files=file_records(parsed.files), parser_version=PARSER_VERSION,
                              max_drop=ANY_DROP if force else None)
        record_change(store, actor=actor, action="lists.load",
                      request={"source": parsed.source, "origin": origin, "force": force},
                      result=snapshot.as_json())
    return snapshot


def load_catalog_parties(store: Store, measures: tuple[Measure, ...], origin: str, force: bool = False, *,
                         actor: str) -> Snapshot:
    from banwatch.lists.catalog_parties import catalog_entities  # noqa: PLC0415 (rigour's territories load)

    return save_list(store, catalog_entities(measures), origin, force, actor=actor)


def last_modified(validators: Validators) -> dt.date | None:
    """The newest Last-Modified date the publisher's server gave the files: the
    list's publication date, for lists whose files carry none of their own."""
    dates = []
    for _etag, modified in validators.values():
        try:
            dates.append(email.utils.parsedate_to_datetime(modified).date() if modified else None)
        except (TypeError, ValueError):
            continue
    return max((date for date in dates if date), default=None)


def make_downloader(client: httpx.Client, settings: Settings) -> Downloader:
    """The Downloader the settings describe: its cache, backoff, deadline, slowest rate and redirect hosts."""
    return Downloader(client, settings.downloads_dir, settings.retry_backoff,
                      Limits(deadline=settings.download_deadline_seconds,
                             min_rate=settings.download_min_bytes_per_second,
                             redirect_hosts=settings.download_allow_redirect_hosts))


@dataclass(frozen=True)
class Updated:
    source: str
    snapshot: Snapshot
    modified: bool  # False: the publisher said 304 and the active snapshot stays


def update_source(store: Store, downloader: Downloader, source_id: str, mirror: str | None = None,
                  force: bool = False, progress: ProgressCallback | None = None, *, actor: str) -> Updated:
    """Download `source_id` (from `mirror` when given) and load it when it
    changed. A list that fails to download or parse, or loses too many
    entities, is refused with BadInput; the active snapshot stays."""
    source = SOURCES[source_id]
    urls = source.urls(mirror)
    download = downloader.fetch(source, urls, store.validators(), progress)
    try:
        current = store.active_snapshot(source_id)
        if not download.modified and current is not None:
            return Updated(source_id, current, modified=False)
        parsed = read_list(download.folder, source.format)
        parsed.published = parsed.published or last_modified(download.validators)
        origin = ", ".join(download.final_urls)  # after redirects: where the files were read from
        if parsed.source != source_id:
            raise BadInput(origin, f"the files hold the {parsed.source} list, not {source_id}")
        snapshot = save_list(store, parsed, origin, force, actor=actor)
        store.remember_validators(download.validators)
        downloader.keep_as_cache(download)
        return Updated(source_id, snapshot, modified=True)
    finally:
        download.discard()
