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
gives up with one line. The queries are those of every SQL store (sql.py).
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from banwatch.errors import BadInput
from banwatch.store.sql import SqlStore

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
CREATE TABLE IF NOT EXISTS books (  -- monitored books of customers or vendors (services.monitoring)
    name       TEXT PRIMARY KEY,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS book_records (
    book        TEXT NOT NULL REFERENCES books(name) ON DELETE CASCADE,
    record_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    type        TEXT,
    country     TEXT,
    birth_date  TEXT,
    fingerprint TEXT NOT NULL,
    PRIMARY KEY (book, record_id)
);
CREATE TABLE IF NOT EXISTS book_runs (  -- what a book was last screened against (its lists, catalog, threshold)
    book   TEXT PRIMARY KEY REFERENCES books(name) ON DELETE CASCADE,
    lists  TEXT NOT NULL,
    ran_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS book_screened (  -- each record as it was when last screened
    book        TEXT NOT NULL REFERENCES books(name) ON DELETE CASCADE,
    record_id   TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    PRIMARY KEY (book, record_id)
);
CREATE TABLE IF NOT EXISTS alerts (
    id                 INTEGER PRIMARY KEY,
    book               TEXT NOT NULL,
    record_id          TEXT NOT NULL,
    entity_id          TEXT NOT NULL,
    listed_name        TEXT NOT NULL,
    source             TEXT NOT NULL,
    score              REAL NOT NULL,
    explanation        TEXT NOT NULL,
    snapshot_id        INTEGER,
    record_fingerprint TEXT NOT NULL,
    entity_fingerprint TEXT NOT NULL,
    raised_at          TEXT NOT NULL,
    status             TEXT NOT NULL,  -- open, closed
    decision           TEXT,           -- true_match, false_positive, escalated
    note               TEXT,
    closed_by          TEXT,
    closed_at          TEXT,
    earlier            INTEGER         -- the alert of the same pair this one follows
);
CREATE INDEX IF NOT EXISTS alerts_pair ON alerts (book, record_id, entity_id);
CREATE TABLE IF NOT EXISTS audit (  -- append-only, each record chained to the one before (store.audit)
    seq            INTEGER PRIMARY KEY,  -- given by banwatch (the head's + 1), inside the write lock
    at             TEXT NOT NULL,
    actor          TEXT NOT NULL,
    action         TEXT NOT NULL,
    request_id     TEXT,
    request        TEXT NOT NULL,
    result         TEXT NOT NULL,
    snapshot_ids   TEXT NOT NULL,
    catalog_digest TEXT,
    version        TEXT NOT NULL,
    previous       TEXT NOT NULL,
    hash           TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_request ON audit (actor, request_id);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
CREATE TABLE IF NOT EXISTS audit_head (  -- the last record: a record deleted from the end shows
    one  INTEGER PRIMARY KEY CHECK (one = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_snapshots (  -- snapshots an audit record answered against: never pruned
    snapshot_id INTEGER PRIMARY KEY
);
CREATE TABLE IF NOT EXISTS fetch_state (  -- validators of the files in the download cache
    url           TEXT PRIMARY KEY,
    etag          TEXT,
    last_modified TEXT,
    fetched_at    TEXT NOT NULL
);
"""


class SqliteStore(SqlStore):
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
        self.referenced = set()

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
                and {"api_keys", "alerts", "audit", "book_runs"} <= tables_of(self.db)):
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
        """One write; a transaction inside another is part of it (a write and its audit record commit together)."""
        if self.in_transaction():
            yield self.db
            return
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

    @property
    def read_only(self) -> bool:
        return bool(self.db.execute("PRAGMA query_only").fetchone()[0])

    # ------------------------------------------------------------------ how SQLite runs a statement

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self.db.execute(sql, params).fetchall()

    def run(self, sql: str, params: tuple = ()) -> int:
        return self.db.execute(sql, params).rowcount

    def run_many(self, sql: str, rows: list[tuple]) -> None:
        self.db.executemany(sql, rows)

    def insert_id(self, sql: str, params: tuple) -> int:
        return self.db.execute(sql, params).lastrowid  # type: ignore[return-value]

    def has_table(self, name: str) -> bool:
        return name in tables_of(self.db)

    def in_transaction(self) -> bool:
        return self.db.in_transaction


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
