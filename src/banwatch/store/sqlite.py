"""The embedded store: versioned list snapshots in one SQLite file.

Why SQLite (and not DuckDB): it is in the standard library, so the store needs
no server and no extra wheel. Its transactions survive a killed process, which
keeps the active snapshot safe mid-load. In WAL mode a long-running reader (the
API, a screening run) keeps reading while a load writes. The lists are small
(tens of thousands of entities): SQLite writes them in well under a second.

Every load is one transaction. It inserts the snapshot and its entities,
points `active` at the new snapshot, and prunes snapshots beyond the retention
count. Until COMMIT, readers and a crash see the previous snapshot, whole.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from banwatch.errors import FIELD, BadInput
from banwatch.model import ListedEntity, ParsedList, Validators
from banwatch.store import Snapshot
from banwatch.store.diff import diff_document, snapshots_to_compare

SCHEMA = """
CREATE TABLE IF NOT EXISTS snapshots (
    id             INTEGER PRIMARY KEY,
    source         TEXT NOT NULL,
    format         TEXT NOT NULL,
    loaded_at      TEXT NOT NULL,
    parser_version TEXT NOT NULL,
    files          TEXT NOT NULL,  -- JSON: [{"name", "sha256", "bytes"}]
    origin         TEXT NOT NULL,  -- the path or URLs it was loaded from
    entities       INTEGER NOT NULL,
    names          INTEGER NOT NULL,
    published      TEXT            -- when the publisher generated the list (ISO date), where known
);
CREATE TABLE IF NOT EXISTS active (
    source      TEXT PRIMARY KEY,
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id)
);
CREATE TABLE IF NOT EXISTS entities (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    entity_id   TEXT NOT NULL,
    type        TEXT NOT NULL,
    name        TEXT NOT NULL,
    fingerprint TEXT NOT NULL,  -- sha1 of the entity's JSON: equal means unchanged
    data        TEXT NOT NULL,  -- the ListedEntity as JSON
    PRIMARY KEY (snapshot_id, entity_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fetch_state (  -- validators of the files in the download cache
    url           TEXT PRIMARY KEY,
    etag          TEXT,
    last_modified TEXT,
    fetched_at    TEXT NOT NULL
);
"""


class SqliteStore:
    """The snapshot store in one SQLite file (the `Store` interface). Open it
    with `SqliteStore.open(path)`; it creates its folder, database and tables
    on first use."""

    def __init__(self, connection: sqlite3.Connection, path: Path, keep_snapshots: int, max_drop: float,
                 pause_before_commit: float):
        self.db = connection
        self.path = path
        self.location = str(path)
        self.keep_snapshots = keep_snapshots
        self.max_drop = max_drop
        self.pause_before_commit = pause_before_commit  # fault injection: a test kills the process here

    @classmethod
    def open(cls, path: Path, *, keep_snapshots: int = 10, max_drop: float = 0.10,
             pause_before_commit: float = 0.0) -> SqliteStore:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = sqlite3.connect(path, timeout=30, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA foreign_keys=ON")
            connection.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at checkpoint, never corrupt
            connection.executescript(SCHEMA)
            migrate(connection)
        except sqlite3.DatabaseError as error:
            raise BadInput(str(path), f"not a banwatch store ({error})") from None
        return cls(connection, path, keep_snapshots, max_drop, pause_before_commit)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # ------------------------------------------------------------------ writing

    def save(self, parsed: ParsedList, *, origin: str, files: list[dict[str, object]], parser_version: str,
             max_drop: float | None = None) -> Snapshot:
        """Store a complete parsed list as a new snapshot and make it active, in
        one transaction; prune older snapshots beyond `keep_snapshots`. A list
        that lost more than `max_drop` of the active snapshot's entities is
        refused: a publisher's truncated or half-empty file must not wipe out a list."""
        self.check_drop(parsed, origin, self.max_drop if max_drop is None else max_drop)
        rows = [entity_row(entity) for entity in parsed.entities]
        loaded_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO snapshots (source, format, loaded_at, parser_version, files, origin, entities, names,"
                " published) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (parsed.source, parsed.format, loaded_at, parser_version, json.dumps(files), origin,
                 len(parsed.entities), parsed.name_count(),
                 parsed.published.isoformat() if parsed.published else None))
            snapshot_id = cursor.lastrowid
            db.executemany("INSERT INTO entities (snapshot_id, entity_id, type, name, fingerprint, data)"
                           " VALUES (?, ?, ?, ?, ?, ?)", [(snapshot_id, *row) for row in rows])
            if self.pause_before_commit:
                sys.stderr.write(f"banwatch: pausing {self.pause_before_commit:g} s before commit "
                                 "(pause_before_commit)\n")
                sys.stderr.flush()
                time.sleep(self.pause_before_commit)
            db.execute("INSERT INTO active (source, snapshot_id) VALUES (?, ?)"
                       " ON CONFLICT(source) DO UPDATE SET snapshot_id = excluded.snapshot_id",
                       (parsed.source, snapshot_id))
            self._prune(parsed.source, self.keep_snapshots)
        return self.snapshot(snapshot_id)

    def check_drop(self, parsed: ParsedList, origin: str, max_drop: float) -> None:
        current = self.active_snapshot(parsed.source)
        if current is None or current.entities == 0:
            return
        lost = 1 - len(parsed.entities) / current.entities
        if lost > max_drop:
            raise BadInput(origin, f"{parsed.source} would drop from {current.entities:,} to "
                           f"{len(parsed.entities):,} entities ({lost:.0%}, more than the {max_drop:.0%} allowed); "
                           f"snapshot {current.id} stays active (use {FIELD} to accept)", field="force")

    def _prune(self, source: str, keep: int) -> None:
        stale = [row[0] for row in self.db.execute(
            "SELECT id FROM snapshots WHERE source = ? ORDER BY id DESC LIMIT -1 OFFSET ?", (source, keep))]
        for snapshot_id in stale:
            self.db.execute("DELETE FROM entities WHERE snapshot_id = ?", (snapshot_id,))
            self.db.execute("DELETE FROM snapshots WHERE id = ?", (snapshot_id,))

    def remember_validators(self, validators: Validators) -> None:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO fetch_state (url, etag, last_modified, fetched_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(url) DO UPDATE SET etag = excluded.etag,"
                " last_modified = excluded.last_modified, fetched_at = excluded.fetched_at",
                [(url, etag, modified, now) for url, (etag, modified) in validators.items()])

    # ------------------------------------------------------------------ reading

    def validators(self) -> Validators:
        return {url: (etag, modified) for url, etag, modified in
                self.db.execute("SELECT url, etag, last_modified FROM fetch_state")}

    def snapshot(self, snapshot_id: int) -> Snapshot:
        row = self.db.execute(
            "SELECT s.*, a.snapshot_id IS NOT NULL FROM snapshots s"
            " LEFT JOIN active a ON a.snapshot_id = s.id WHERE s.id = ?", (snapshot_id,)).fetchone()
        if row is None:
            raise BadInput("snapshot", f"no snapshot {snapshot_id} in {self.path}")
        return snapshot_from_row(row)

    def active(self) -> list[Snapshot]:
        rows = self.db.execute(
            "SELECT s.*, 1 FROM active a JOIN snapshots s ON s.id = a.snapshot_id ORDER BY s.source").fetchall()
        return [snapshot_from_row(row) for row in rows]

    def active_snapshot(self, source: str) -> Snapshot | None:
        return next((snap for snap in self.active() if snap.source == source), None)

    def history(self, source: str) -> list[Snapshot]:
        rows = self.db.execute(
            "SELECT s.*, a.snapshot_id IS NOT NULL FROM snapshots s"
            " LEFT JOIN active a ON a.snapshot_id = s.id WHERE s.source = ? ORDER BY s.id", (source,)).fetchall()
        return [snapshot_from_row(row) for row in rows]

    def entities(self, snapshot_id: int) -> Iterator[ListedEntity]:
        for (data,) in self.db.execute(
                "SELECT data FROM entities WHERE snapshot_id = ? ORDER BY entity_id", (snapshot_id,)):
            yield ListedEntity.model_validate_json(data)

    def active_entities(self, sources: list[str] | None = None) -> Iterator[ListedEntity]:
        for snap in self.active():
            if sources is None or snap.source in sources:
                yield from self.entities(snap.id)

    def diff(self, source: str, from_id: int | None = None, to_id: int | None = None) -> dict[str, Any]:
        active = self.active_snapshot(source)
        from_id, to_id = snapshots_to_compare(source, [snap.id for snap in self.history(source)],
                                              active.id if active else None, from_id, to_id)
        added = self.db.execute(
            "SELECT b.entity_id, b.name FROM entities b LEFT JOIN entities a"
            " ON a.snapshot_id = ? AND a.entity_id = b.entity_id"
            " WHERE b.snapshot_id = ? AND a.entity_id IS NULL ORDER BY b.entity_id", (from_id, to_id)).fetchall()
        removed = self.db.execute(
            "SELECT a.entity_id, a.name FROM entities a LEFT JOIN entities b"
            " ON b.snapshot_id = ? AND b.entity_id = a.entity_id"
            " WHERE a.snapshot_id = ? AND b.entity_id IS NULL ORDER BY a.entity_id", (to_id, from_id)).fetchall()
        changed = [(entity_id, name, json.loads(old), json.loads(new)) for entity_id, name, old, new in self.db.execute(
            "SELECT a.entity_id, b.name, a.data, b.data FROM entities a JOIN entities b"
            " ON b.snapshot_id = ? AND b.entity_id = a.entity_id"
            " WHERE a.snapshot_id = ? AND a.fingerprint != b.fingerprint ORDER BY a.entity_id",
            (to_id, from_id))]
        return diff_document(source, from_id, to_id, added, removed, changed)


def entity_row(entity: ListedEntity) -> tuple[str, str, str, str, str]:
    data = entity.model_dump_json(exclude_defaults=True)
    fingerprint = hashlib.sha1(data.encode("utf-8"), usedforsecurity=False).hexdigest()
    return entity.id, entity.type.value, entity.name, fingerprint, data


def migrate(connection: sqlite3.Connection) -> None:
    """Bring a store made by an earlier banwatch up to this schema (columns are only ever added)."""
    columns = {row[1] for row in connection.execute("PRAGMA table_info(snapshots)")}
    if "published" not in columns:
        connection.execute("ALTER TABLE snapshots ADD COLUMN published TEXT")


def snapshot_from_row(row: tuple) -> Snapshot:
    (snapshot_id, source, fmt, loaded_at, parser_version, files, origin, entities, names, published, active) = row
    return Snapshot(id=snapshot_id, source=source, format=fmt, loaded_at=loaded_at,
                    parser_version=parser_version, files=json.loads(files), origin=origin,
                    entities=entities, names=names, published=published, active=bool(active))
