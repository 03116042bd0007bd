"""Where loaded lists live: versioned snapshots of every list source, one
active per source. `Store` is the interface every layer above uses; the
embedded SQLite store (sqlite.py) is its implementation, and a server-backed
one can stand beside it. A store keeps what it is given: the lists layer
reads and hashes the files, and the settings come in as arguments."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from banwatch.model import ListedEntity, ParsedList, Validators
from banwatch.store.audit import AuditRecord


@dataclass(frozen=True)
class Snapshot:
    id: int
    source: str
    format: str
    loaded_at: str
    parser_version: str
    files: list[dict[str, object]]  # [{"name", "sha256", "bytes"}]
    origin: str
    entities: int
    names: int
    published: str | None = None  # ISO date the publisher generated the list, where known
    active: bool = False

    def as_json(self) -> dict[str, object]:
        return {"snapshot_id": self.id, "source": self.source, "format": self.format,
                "loaded_at": self.loaded_at, "published": self.published, "parser_version": self.parser_version,
                "entities": self.entities, "names": self.names, "origin": self.origin,
                "files": self.files, "active": self.active}

    @property
    def digest(self) -> str:
        """What the snapshot's content is made of, as one hash: its id, source,
        load time, parser and file hashes (an id alone would repeat after the
        store is deleted and made anew)."""
        document = json.dumps({"id": self.id, "source": self.source, "loaded_at": self.loaded_at,
                               "parser": self.parser_version, "files": [f.get("sha256") for f in self.files]},
                              sort_keys=True)
        return hashlib.sha256(document.encode()).hexdigest()


@dataclass(frozen=True)
class KeyRecord:
    """An API key as the store keeps it: never the key, only its digest."""

    name: str
    role: str
    digest: str
    created_at: str
    revoked_at: str | None = None

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "role": self.role, "created_at": self.created_at, "revoked_at": self.revoked_at}


@dataclass(frozen=True)
class BookRecord:
    """One customer or vendor of a monitored book, as it was last added."""

    record_id: str
    name: str
    type: str | None = None
    country: str | None = None
    birth_date: str | None = None

    @property
    def fingerprint(self) -> str:
        """What the record is, as one hash: a change of any field raises its alerts again."""
        return hashlib.sha256(json.dumps([self.name, self.type, self.country, self.birth_date]).encode()).hexdigest()


@dataclass(frozen=True)
class Alert:
    """A hit of a monitored record at or above the threshold, and what an analyst decided of it."""

    id: int
    book: str
    record_id: str
    entity_id: str
    listed_name: str
    source: str
    score: float
    explanation: str
    snapshot_id: int | None
    record_fingerprint: str
    entity_fingerprint: str
    raised_at: str
    status: str = "open"  # open, closed
    decision: str | None = None  # true_match, false_positive, escalated
    note: str | None = None
    closed_by: str | None = None
    closed_at: str | None = None
    earlier: int | None = None  # the alert of the same pair this one follows

    def as_json(self) -> dict[str, object]:
        return dict(vars(self))


class Store(Protocol):
    """The snapshot store."""

    location: str  # for people: the file or the server it keeps its data in

    def close(self) -> None: ...

    def save(self, parsed: ParsedList, *, origin: str, files: list[dict[str, object]], parser_version: str,
             max_drop: float | None = None) -> Snapshot:
        """Store a complete list as a new snapshot and make it active, all at
        once; `files` are the records (name, sha256, bytes) of the files it was
        read from. A list that lost more than `max_drop` (default: the store's)
        of the active snapshot's entities is refused with BadInput."""
        ...

    def snapshot(self, snapshot_id: int) -> Snapshot: ...

    def signing_key(self) -> bytes | None:
        """A random key kept in the store, to sign files kept beside it (the
        index cache); None where none can be made (a read-only store without one)."""
        ...

    def active(self) -> list[Snapshot]: ...

    def active_snapshot(self, source: str) -> Snapshot | None: ...

    def history(self, source: str) -> list[Snapshot]: ...

    def entities(self, snapshot_id: int) -> Iterator[ListedEntity]: ...

    def entity(self, snapshot_id: int, entity_id: str) -> ListedEntity | None: ...

    def active_entities(self, sources: list[str] | None = None) -> Iterator[ListedEntity]: ...

    def diff(self, source: str, from_id: int | None = None, to_id: int | None = None) -> dict[str, Any]:
        """Added, removed and changed entities of `source` from snapshot
        `from_id` (default: the one before `to_id`) to `to_id` (default: the active one)."""
        ...

    def validators(self) -> Validators: ...

    def remember_validators(self, validators: Validators) -> None: ...

    def add_key(self, record: KeyRecord) -> None:
        """Keep a new API key (BadInput when its name is taken)."""
        ...

    def revoke_key(self, name: str) -> KeyRecord: ...

    def keys(self) -> list[KeyRecord]: ...

    def key_with_digest(self, digest: str) -> KeyRecord | None: ...

    def save_book(self, name: str, records: list[BookRecord]) -> dict[str, int]:
        """Keep a book as these records, all at once: {"new", "changed", "removed", "unchanged"}."""
        ...

    def books(self) -> list[tuple[str, int, str]]:
        """(name, records, updated at) of every book."""
        ...

    def book(self, name: str) -> list[BookRecord]: ...

    def book_record(self, name: str, record_id: str) -> BookRecord | None:
        """One record of a book as it holds it now (None: not in it, or no such book)."""
        ...

    def remove_book(self, name: str) -> None: ...

    def book_run(self, name: str) -> str | None:
        """What the book was last screened against, as `screened` was told, or None."""
        ...

    def unscreened(self, name: str) -> list[BookRecord]:
        """The book's records that are new or changed since they were last screened."""
        ...

    def screened(self, name: str, lists: str, records: list[BookRecord], whole: bool) -> None: ...

    def latest_alert(self, book: str, record_id: str, entity_id: str) -> Alert | None: ...

    def add_alert(self, alert: Alert) -> int: ...

    def alerts(self, status: str | None = None, book: str | None = None) -> list[Alert]: ...

    def alert(self, alert_id: int) -> Alert: ...

    def close_alert(self, alert_id: int, decision: str, note: str, by: str) -> Alert: ...

    def entity_fingerprint(self, snapshot_id: int, entity_id: str) -> str | None: ...

    def transaction(self) -> AbstractContextManager[Any]:
        """A write: atomic, one at a time across every process using the store.
        Writes made inside it (a change and its audit record) commit together."""
        ...

    def append_audit(self, *, actor: str, action: str, request: Any, result: Any, version: str,
                     snapshot_ids: tuple[int, ...] = (), catalog_digest: str | None = None,
                     request_id: str | None = None) -> AuditRecord:
        """Append a record to the audit trail (`banwatch.store.audit`)."""
        ...

    def audit_records(self, since: str | None = None, after: int = 0) -> Iterator[AuditRecord]: ...

    def audit_record(self, seq: int) -> AuditRecord: ...

    def audit_head(self) -> tuple[int, str] | None: ...
