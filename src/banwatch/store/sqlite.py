"""The embedded store: versioned list snapshots in one SQLite file.

Why SQLite (and not DuckDB): it is in the standard library, so the store needs
no server and no extra wheel. Its transactions survive a killed process, which
keeps the active snapshot safe mid-load. In WAL mode a long-running reader (the
API, a screening run) keeps reading while a load writes. The lists are small
(tens of thousands of entities): SQLite writes them in well under a second.

Every load is one transaction. It inserts the snapshot and its entities,
points `active` at the new snapshot, and prunes snapshots beyond the retention
count. Until COMMIT, readers and a crash see the previous snapshot, whole.

A store opened read-only (every command that only reads) works on a
read-only home; one that does not exist yet reads as empty. A second writer
waits for the first (`lock_timeout`), saying so once through `on_wait`, then
gives up with one line. Every entity read back is checked against its
fingerprint: a row edited outside banwatch is reported, never used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from banwatch.errors import FIELD, BadInput
from banwatch.model import ListedEntity, ParsedList, Validators
from banwatch.store import KeyRecord, Snapshot
from banwatch.store.diff import diff_document, snapshots_to_compare

#: how long a statement waits for a lock held briefly by another connection (a checkpoint)
BUSY_TIMEOUT_MS = 5000

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
CREATE TABLE IF NOT EXISTS secrets (  -- random keys, e.g. the one that signs the index cache
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS api_keys (  -- the HTTP service's keys, hashed (banwatch.services.keys)
    name       TEXT PRIMARY KEY,
    role       TEXT NOT NULL,
    digest     TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
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
                 pause_before_commit: float, lock_timeout: float = 60.0,
                 on_wait: Callable[[str], None] | None = None):
        self.db = connection
        self.path = path
        self.location = str(path)
        self.keep_snapshots = keep_snapshots
        self.max_drop = max_drop
        self.pause_before_commit = pause_before_commit  # fault injection: a test kills the process here
        self.lock_timeout = lock_timeout
        self.on_wait = on_wait

    @classmethod
    def open(cls, path: Path, *, keep_snapshots: int = 10, max_drop: float = 0.10,
             pause_before_commit: float = 0.0, read_only: bool = False, lock_timeout: float = 60.0,
             on_wait: Callable[[str], None] | None = None) -> SqliteStore:
        try:
            connection = connect_read_only(path) if read_only else connect(path)
        except sqlite3.DatabaseError as error:
            raise store_error(path, error) from None
        store = cls(connection, path, keep_snapshots, max_drop, pause_before_commit, lock_timeout, on_wait)
        if not read_only:
            store.prepare()
        return store

    def prepare(self) -> None:
        """Tables, migrations and the signing key, where missing: written (and
        waited for, when another writer holds the lock) only when needed."""
        if (self.signing_key() is not None and "published" in columns_of(self.db, "snapshots")
                and "api_keys" in tables_of(self.db)):
            return
        with self.transaction() as db:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            migrate(db)
            # the key exists before any reader needs it: readers open the store read-only
            db.execute("INSERT OR IGNORE INTO secrets (name, value) VALUES ('signing', ?)", (secrets.token_bytes(32),))

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.begin()
        try:
            yield self.db
            self.db.execute("COMMIT")
        except BaseException as error:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            if isinstance(error, sqlite3.DatabaseError):
                raise store_error(self.path, error) from None
            raise

    def begin(self) -> None:
        """BEGIN IMMEDIATE, waiting up to lock_timeout for another writer to finish."""
        deadline = time.monotonic() + self.lock_timeout
        said = False
        while True:
            try:
                self.db.execute("PRAGMA busy_timeout = 100")  # short waits here, so that progress can be said
                self.db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise store_error(self.path, error) from None
            finally:
                self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if time.monotonic() >= deadline:
                raise BadInput(str(self.path), f"is locked by another banwatch writing it; gave up after "
                               f"{self.lock_timeout:g} s (store_lock_timeout_seconds)")
            if not said and self.on_wait is not None:
                self.on_wait(f"Waiting for another banwatch writing {self.path} (up to {self.lock_timeout:g} s)")
                said = True
            time.sleep(0.1)

    def signing_key(self) -> bytes | None:
        """A random key kept in the store, to sign the files banwatch keeps beside
        it (the index cache): whoever cannot write the store cannot forge them.
        Made when the store is first opened to write; None before that."""
        if "secrets" not in tables_of(self.db):
            return None
        row = self.db.execute("SELECT value FROM secrets WHERE name = 'signing'").fetchone()
        if row is not None:
            return bytes(row[0])
        return None

    @property
    def read_only(self) -> bool:
        return bool(self.db.execute("PRAGMA query_only").fetchone()[0])

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

    def add_key(self, record: KeyRecord) -> None:
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM api_keys WHERE name = ?", (record.name,)).fetchone():
                raise BadInput("name", f"a key named {record.name!r} exists already (revoke it first)")
            db.execute("INSERT INTO api_keys (name, role, digest, created_at) VALUES (?, ?, ?, ?)",
                       (record.name, record.role, record.digest, record.created_at))

    def revoke_key(self, name: str) -> KeyRecord:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self.transaction() as db:
            if db.execute("UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                          (now, name)).rowcount == 0:
                raise BadInput("name", f"no key named {name!r} to revoke")
        return next(key for key in self.keys() if key.name == name)

    # ------------------------------------------------------------------ reading

    def keys(self) -> list[KeyRecord]:
        if "api_keys" not in tables_of(self.db):
            return []
        return [KeyRecord(*row) for row in self.db.execute(
            "SELECT name, role, digest, created_at, revoked_at FROM api_keys ORDER BY name")]

    def key_with_digest(self, digest: str) -> KeyRecord | None:
        """The key, revoked or not, whose digest this is."""
        if "api_keys" not in tables_of(self.db):
            return None
        row = self.db.execute("SELECT name, role, digest, created_at, revoked_at FROM api_keys WHERE digest = ?",
                              (digest,)).fetchone()
        return KeyRecord(*row) if row else None

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
        for entity_id, fingerprint, data in self.db.execute(
                "SELECT entity_id, fingerprint, data FROM entities WHERE snapshot_id = ? ORDER BY entity_id",
                (snapshot_id,)):
            if digest(data) != fingerprint:
                raise BadInput(f"{self.path} snapshot {snapshot_id}", f"entity {entity_id} was changed outside "
                               "banwatch (its data no longer matches its fingerprint); it is not used: load the "
                               "list again")
            yield ListedEntity.model_validate_json(data)

    def entity(self, snapshot_id: int, entity_id: str) -> ListedEntity | None:
        row = self.db.execute("SELECT fingerprint, data FROM entities WHERE snapshot_id = ? AND entity_id = ?",
                              (snapshot_id, entity_id)).fetchone()
        if row is None:
            return None
        if digest(row[1]) != row[0]:
            raise BadInput(f"{self.path} snapshot {snapshot_id}", f"entity {entity_id} was changed outside banwatch "
                           "(its data no longer matches its fingerprint); it is not used: load the list again")
        return ListedEntity.model_validate_json(row[1])

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
    return entity.id, entity.type.value, entity.name, digest(data), data


def digest(data: str) -> str:
    return hashlib.sha1(data.encode("utf-8"), usedforsecurity=False).hexdigest()


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at checkpoint, never corrupt
    return connection


def connect_read_only(path: Path) -> sqlite3.Connection:
    """The store as it is, never written: an empty one where there is none
    yet. A WAL database in a folder that cannot be written opens only
    `immutable` (SQLite cannot make its shared-memory file there)."""
    if not path.exists():
        connection = sqlite3.connect(":memory:", isolation_level=None)
        connection.executescript(SCHEMA)
    else:
        uri = path.resolve().as_uri()
        try:
            connection = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=5, isolation_level=None)
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            connection = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
        check_schema(path, connection)
    connection.execute("PRAGMA query_only=ON")
    return connection


def check_schema(path: Path, connection: sqlite3.Connection) -> None:
    if not {"snapshots", "active", "entities"} <= tables_of(connection):
        raise BadInput(str(path), "is not a banwatch store (its tables are missing)")
    if "published" not in columns_of(connection, "snapshots"):
        raise BadInput(str(path), "was made by an earlier banwatch: load or update a list once, in a home "
                       "banwatch can write, to bring it up to date")


def store_error(path: Path, error: sqlite3.DatabaseError) -> BadInput:
    """One line for what went wrong with the store file, in words a user can act on."""
    text = str(error)
    if "full" in text:
        return BadInput(str(path), f"the disk is full ({text}); nothing was changed")
    if "readonly" in text or "read-only" in text:
        return BadInput(str(path), f"cannot be written ({text}): this needs a home banwatch can write; "
                        "commands that only read work as they are")
    if "unable to open" in text:
        folder = path.parent
        why = "is not writable" if folder.exists() and not os.access(folder, os.W_OK) else "cannot be opened"
        return BadInput(str(path), f"cannot be opened: {folder} {why} ({text})")
    if "locked" in text or "busy" in text:
        return BadInput(str(path), f"is locked by another banwatch ({text})")
    return BadInput(str(path), f"is damaged or not a banwatch store ({text}); move it away and load the lists "
                    "again, or restore it from a backup")


def tables_of(connection: sqlite3.Connection) -> set[str]:
    return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")} | {
        row[0] for row in connection.execute("SELECT name FROM sqlite_temp_master WHERE type = 'table'")}


def columns_of(connection: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}


def migrate(connection: sqlite3.Connection) -> None:
    """Bring a store made by an earlier banwatch up to this schema (columns are only ever added)."""
    if "published" not in columns_of(connection, "snapshots"):
        connection.execute("ALTER TABLE snapshots ADD COLUMN published TEXT")


def snapshot_from_row(row: tuple) -> Snapshot:
    (snapshot_id, source, fmt, loaded_at, parser_version, files, origin, entities, names, published, active) = row
    return Snapshot(id=snapshot_id, source=source, format=fmt, loaded_at=loaded_at,
                    parser_version=parser_version, files=json.loads(files), origin=origin,
                    entities=entities, names=names, published=published, active=bool(active))
