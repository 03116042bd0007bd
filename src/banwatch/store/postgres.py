"""The server store: the same snapshots, entities and keys in PostgreSQL
(psycopg 3), so that several `banwatch serve` replicas on several machines
share one state. Chosen by `database_url` (BANWATCH_DATABASE_URL); SQLite
stays the embedded default. The queries are those of every SQL store (sql.py).

The schema is versioned: MIGRATIONS are applied in order, each once, and
`schema_migrations` records which. Writes (a load, a key) take a
transaction-level advisory lock, so that two writers on two machines take
turns as two on one SQLite file do: the second waits up to `lock_timeout`,
saying so once, then gives up with one line.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from banwatch.errors import BadInput, StoreUnavailable
from banwatch.outputs import without_password
from banwatch.store.sql import SqlStore

#: (version, statements): append, never edit one that has shipped. The tables are those of
#: sqlite.SCHEMA, written again on purpose: the dialects differ (BIGSERIAL, BYTEA, DOUBLE
#: PRECISION), and a migration must stay as it shipped while SQLite's schema moves on.
MIGRATIONS: tuple[tuple[int, str], ...] = (
    (1, """
        CREATE TABLE snapshots (
            id             BIGSERIAL PRIMARY KEY,
            source         TEXT NOT NULL,
            format         TEXT NOT NULL,
            loaded_at      TEXT NOT NULL,
            parser_version TEXT NOT NULL,
            files          TEXT NOT NULL,
            origin         TEXT NOT NULL,
            entities       INTEGER NOT NULL,
            names          INTEGER NOT NULL,
            published      TEXT
        );
        CREATE TABLE active (
            source      TEXT PRIMARY KEY,
            snapshot_id BIGINT NOT NULL REFERENCES snapshots(id)
        );
        CREATE TABLE entities (
            snapshot_id BIGINT NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            entity_id   TEXT NOT NULL,
            type        TEXT NOT NULL,
            name        TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            data        TEXT NOT NULL,
            PRIMARY KEY (snapshot_id, entity_id)
        );
        CREATE TABLE secrets (name TEXT PRIMARY KEY, value BYTEA NOT NULL);
        CREATE TABLE fetch_state (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, fetched_at TEXT NOT NULL);
    """),
    (2, """
        CREATE TABLE api_keys (
            name       TEXT PRIMARY KEY,
            role       TEXT NOT NULL,
            digest     TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            revoked_at TEXT
        );
    """),
    (3, """
        CREATE TABLE books (name TEXT PRIMARY KEY, updated_at TEXT NOT NULL);
        CREATE TABLE book_records (
            book        TEXT NOT NULL REFERENCES books(name) ON DELETE CASCADE,
            record_id   TEXT NOT NULL,
            name        TEXT NOT NULL,
            type        TEXT,
            country     TEXT,
            birth_date  TEXT,
            fingerprint TEXT NOT NULL,
            PRIMARY KEY (book, record_id)
        );
        CREATE TABLE alerts (
            id                 BIGSERIAL PRIMARY KEY,
            book               TEXT NOT NULL,
            record_id          TEXT NOT NULL,
            entity_id          TEXT NOT NULL,
            listed_name        TEXT NOT NULL,
            source             TEXT NOT NULL,
            score              DOUBLE PRECISION NOT NULL,
            explanation        TEXT NOT NULL,
            snapshot_id        BIGINT,
            record_fingerprint TEXT NOT NULL,
            entity_fingerprint TEXT NOT NULL,
            raised_at          TEXT NOT NULL,
            status             TEXT NOT NULL,
            decision           TEXT,
            note               TEXT,
            closed_by          TEXT,
            closed_at          TEXT,
            earlier            BIGINT
        );
        CREATE INDEX alerts_pair ON alerts (book, record_id, entity_id);
    """),
    (4, """
        CREATE TABLE audit (
            seq            BIGINT PRIMARY KEY,
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
        CREATE INDEX audit_request ON audit (actor, request_id);
        CREATE INDEX audit_at ON audit (at);
        CREATE TABLE audit_head (one INTEGER PRIMARY KEY CHECK (one = 1), seq BIGINT NOT NULL, hash TEXT NOT NULL);
        CREATE TABLE audit_snapshots (snapshot_id BIGINT PRIMARY KEY);
    """),
    (5, """
        CREATE TABLE book_runs (book TEXT PRIMARY KEY REFERENCES books(name) ON DELETE CASCADE, lists TEXT NOT NULL,
                                ran_at TEXT NOT NULL);
        CREATE TABLE book_screened (
            book        TEXT NOT NULL REFERENCES books(name) ON DELETE CASCADE,
            record_id   TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            PRIMARY KEY (book, record_id)
        );
    """),
)
#: the advisory lock every writer of a banwatch database takes (any constant: banwatch's own)
WRITE_LOCK = 0x62616E77  # "banw"


class PostgresStore(SqlStore):
    def __init__(self, connection: Any, url: str, keep_snapshots: int, max_drop: float, pause_before_commit: float,
                 lock_timeout: float, on_wait: Callable[[str], None] | None):
        self.db = connection
        self.url = url
        self.read_only = False
        self.writing = False  # inside transaction(): a dropped connection is not retried
        self.location = without_password(url)
        self.keep_snapshots = keep_snapshots
        self.max_drop = max_drop
        self.pause_before_commit = pause_before_commit
        self.lock_timeout = lock_timeout
        self.on_wait = on_wait
        self.referenced = set()
        self.tables: set[str] = set()  # known to exist (`has_table`): banwatch never drops one

    @classmethod
    def open(cls, url: str, *, keep_snapshots: int = 10, max_drop: float = 0.10, pause_before_commit: float = 0.0,
             read_only: bool = False, lock_timeout: float = 60.0,
             on_wait: Callable[[str], None] | None = None) -> PostgresStore:
        store = cls(connect(url), url, keep_snapshots, max_drop, pause_before_commit, lock_timeout, on_wait)
        # the schema is made or brought up to date by whoever opens the database first, a
        # reader too (a service started on a new database): it changes no data
        store.migrate()
        if read_only:
            store.read_only = True
            store.db.execute("SET default_transaction_read_only = on")
        return store

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------ schema

    def schema_version(self) -> int:
        if not self.has_table("schema_migrations"):
            return 0
        return self.db.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]

    def migrate(self) -> None:
        """Apply the migrations this database lacks, and make the signing key, in one transaction."""
        if self.schema_version() == MIGRATIONS[-1][0] and self.signing_key() is not None:
            return
        with self.transaction():
            self.db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                            "applied_at TEXT NOT NULL)")
            done = {row[0] for row in self.db.execute("SELECT version FROM schema_migrations")}
            for version, statements in MIGRATIONS:
                if version not in done:
                    self.db.execute(statements)
                    self.db.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (%s, %s)",
                                    (version, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")))
            self.db.execute("INSERT INTO secrets (name, value) VALUES ('signing', %s) ON CONFLICT DO NOTHING",
                            (secrets.token_bytes(32),))

    # ------------------------------------------------------------------ how PostgreSQL runs a statement

    @staticmethod
    def placeholders(sql: str) -> str:
        """The shared queries' `?` as psycopg's `%s` (a literal % doubled first)."""
        return sql.replace("%", "%%").replace("?", "%s")

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self.execute(sql, params).fetchall()

    def run(self, sql: str, params: tuple = ()) -> int:
        return self.execute(sql, params).rowcount

    def run_many(self, sql: str, rows: list[tuple]) -> None:
        with self.db.cursor() as cursor:
            cursor.executemany(self.placeholders(sql), rows)

    def insert_id(self, sql: str, params: tuple) -> int:
        return self.execute(sql + " RETURNING id", params).fetchone()[0]

    def execute(self, sql: str, params: tuple) -> Any:
        """Run a statement. A connection the server dropped (a restart) is made
        anew once and the statement retried, unless a transaction was open: its
        work is lost, and the caller is told."""
        import psycopg  # noqa: PLC0415

        try:
            return self.db.execute(self.placeholders(sql), params)
        except psycopg.errors.ReadOnlySqlTransaction:
            raise BadInput(self.location, "cannot be written by a command that only reads") from None
        except psycopg.OperationalError as error:
            if self.writing:
                raise StoreUnavailable(self.location, f"PostgreSQL: {one_line(error)}; nothing was changed") from None
            try:
                self.reconnect()
                return self.db.execute(self.placeholders(sql), params)
            except psycopg.OperationalError as again:
                raise StoreUnavailable(self.location, f"PostgreSQL: {one_line(again)}") from None

    @contextmanager
    def writing_now(self) -> Iterator[None]:
        self.writing = True
        try:
            yield
        finally:
            self.writing = False

    def reconnect(self) -> None:
        self.db.close()
        self.db = connect(self.url)
        if self.read_only:
            self.db.execute("SET default_transaction_read_only = on")

    def in_transaction(self) -> bool:
        return self.writing

    def has_table(self, name: str) -> bool:
        """Asked on every request (the key lookup): a table found is remembered, a
        round trip each time was a tenth of a screening request's time."""
        if name in self.tables:
            return True
        found = self.execute("SELECT to_regclass(?) IS NOT NULL", (name,)).fetchone()[0]
        if found:
            self.tables.add(name)
        return found

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction, holding the write lock: waits for another writer up to
        lock_timeout. A transaction inside another is part of it (not a savepoint:
        a write and its audit record commit together or not at all)."""
        if self.in_transaction():
            yield
            return
        import psycopg  # noqa: PLC0415

        with self.db.transaction(), self.writing_now():
            if not self.db.execute("SELECT pg_try_advisory_xact_lock(%s)", (WRITE_LOCK,)).fetchone()[0]:
                if self.on_wait is not None:
                    self.on_wait(f"Waiting for another banwatch writing {self.location} (up to {self.lock_timeout:g} s)")
                # waited for in the server, which grants the lock the moment it is free (a
                # screening's audit record waits a millisecond for another's, not a polling step)
                self.db.execute(f"SET LOCAL lock_timeout = '{int(self.lock_timeout * 1000)}ms'")
                try:
                    self.db.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                except psycopg.errors.LockNotAvailable:
                    raise BadInput(self.location, f"is being written by another banwatch; gave up after "
                                   f"{self.lock_timeout:g} s (store_lock_timeout_seconds)") from None
            yield


def connect(url: str) -> Any:
    import psycopg  # noqa: PLC0415 (only a server store needs the driver)

    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.Error as error:
        raise StoreUnavailable(without_password(url), f"cannot connect to PostgreSQL: {one_line(error)}") from None


def one_line(error: Exception) -> str:
    return " ".join(str(error).split())[:300]
