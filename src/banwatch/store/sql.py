"""What the SQLite and PostgreSQL stores share: every query of the `Store`
interface, in SQL both databases run. A subclass says how a statement runs
(`rows`, `run`, `run_many`, `insert_id`, with `?` placeholders), how a write
is made atomic and exclusive (`transaction`), and how its schema is made.

Every load is one transaction: the snapshot, its entities, the active
pointer and the pruning of old snapshots commit together or not at all, so
readers and a crash see the previous snapshot whole. Every entity read back
is checked against its fingerprint: a row edited outside banwatch is
reported, never used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

from banwatch.errors import FIELD, BadInput
from banwatch.model import ListedEntity, ParsedList, Validators
from banwatch.store import Alert, BookRecord, KeyRecord, Snapshot
from banwatch.store.audit import COLUMNS as AUDIT_COLUMNS
from banwatch.store.audit import GENESIS, AuditRecord, canonical, chain_hash
from banwatch.store.diff import diff_document, snapshots_to_compare

SNAPSHOT_COLUMNS = "s.id, s.source, s.format, s.loaded_at, s.parser_version, s.files, s.origin, s.entities, " \
                   "s.names, s.published"


class SqlStore:
    location: str
    #: snapshots this process knows an audit record refers to (`append_audit`)
    referenced: set[int]
    keep_snapshots: int
    max_drop: float
    pause_before_commit: float  # fault injection: a test kills the process here

    # ------------------------------------------------------------------ what a database says

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        raise NotImplementedError

    def run(self, sql: str, params: tuple = ()) -> int:
        """Run a statement; the rows it changed."""
        raise NotImplementedError

    def run_many(self, sql: str, rows: list[tuple]) -> None:
        raise NotImplementedError

    def insert_id(self, sql: str, params: tuple) -> int:
        """Run an INSERT; the id of the row it made."""
        raise NotImplementedError

    def transaction(self) -> AbstractContextManager[Any]:
        """A write: atomic, and one at a time across every process using the store."""
        raise NotImplementedError

    def has_table(self, name: str) -> bool:
        raise NotImplementedError

    def in_transaction(self) -> bool:
        """Inside a write (`transaction`) now."""
        raise NotImplementedError

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
        with self.transaction():
            snapshot_id = self.insert_id(
                "INSERT INTO snapshots (source, format, loaded_at, parser_version, files, origin, entities, names,"
                " published) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (parsed.source, parsed.format, loaded_at, parser_version, json.dumps(files), origin,
                 len(parsed.entities), parsed.name_count(),
                 parsed.published.isoformat() if parsed.published else None))
            self.run_many("INSERT INTO entities (snapshot_id, entity_id, type, name, fingerprint, data)"
                          " VALUES (?, ?, ?, ?, ?, ?)", [(snapshot_id, *row) for row in rows])
            if self.pause_before_commit:
                sys.stderr.write(f"banwatch: pausing {self.pause_before_commit:g} s before commit "
                                 "(pause_before_commit)\n")
                sys.stderr.flush()
                time.sleep(self.pause_before_commit)
            self.run("INSERT INTO active (source, snapshot_id) VALUES (?, ?)"
                     " ON CONFLICT (source) DO UPDATE SET snapshot_id = excluded.snapshot_id",
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
        """Delete the snapshots of `source` beyond the newest `keep`, but never
        one an audit record was answered against: it must stay replayable."""
        older = [row[0] for row in self.rows("SELECT id FROM snapshots WHERE source = ? ORDER BY id DESC",
                                             (source,))][keep:]
        referenced = {row[0] for row in self.rows("SELECT snapshot_id FROM audit_snapshots")}
        for snapshot_id in older:
            if snapshot_id in referenced:
                continue
            self.run("DELETE FROM entities WHERE snapshot_id = ?", (snapshot_id,))
            self.run("DELETE FROM snapshots WHERE id = ?", (snapshot_id,))

    def remember_validators(self, validators: Validators) -> None:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self.transaction():
            self.run_many("INSERT INTO fetch_state (url, etag, last_modified, fetched_at) VALUES (?, ?, ?, ?)"
                          " ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,"
                          " last_modified = excluded.last_modified, fetched_at = excluded.fetched_at",
                          [(url, etag, modified, now) for url, (etag, modified) in validators.items()])

    def add_key(self, record: KeyRecord) -> None:
        with self.transaction():
            if self.rows("SELECT 1 FROM api_keys WHERE name = ?", (record.name,)):
                raise BadInput("name", f"a key named {record.name!r} exists already (revoke it first)")
            self.run("INSERT INTO api_keys (name, role, digest, created_at) VALUES (?, ?, ?, ?)",
                     (record.name, record.role, record.digest, record.created_at))

    def revoke_key(self, name: str) -> KeyRecord:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self.transaction():
            if self.run("UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", (now, name)) == 0:
                raise BadInput("name", f"no key named {name!r} to revoke")
        return next(key for key in self.keys() if key.name == name)

    # ------------------------------------------------------------------ reading

    def signing_key(self) -> bytes | None:
        """A random key kept in the store, to sign the files banwatch keeps beside
        it (the index cache): whoever cannot write the store cannot forge them.
        Made when the store is first opened to write; None before that."""
        if not self.has_table("secrets"):
            return None
        found = self.rows("SELECT value FROM secrets WHERE name = 'signing'")
        return bytes(found[0][0]) if found else None

    def validators(self) -> Validators:
        return {url: (etag, modified) for url, etag, modified in
                self.rows("SELECT url, etag, last_modified FROM fetch_state")}

    def snapshot(self, snapshot_id: int) -> Snapshot:
        found = self.rows(f"SELECT {SNAPSHOT_COLUMNS}, a.snapshot_id IS NOT NULL FROM snapshots s"
                          " LEFT JOIN active a ON a.snapshot_id = s.id WHERE s.id = ?", (snapshot_id,))
        if not found:
            raise BadInput("snapshot", f"no snapshot {snapshot_id} in {self.location}")
        return snapshot_from_row(found[0])

    def active(self) -> list[Snapshot]:
        return [snapshot_from_row(row) for row in self.rows(
            f"SELECT {SNAPSHOT_COLUMNS}, 1 = 1 FROM active a JOIN snapshots s ON s.id = a.snapshot_id ORDER BY s.source")]

    def active_snapshot(self, source: str) -> Snapshot | None:
        return next((snap for snap in self.active() if snap.source == source), None)

    def history(self, source: str) -> list[Snapshot]:
        return [snapshot_from_row(row) for row in self.rows(
            f"SELECT {SNAPSHOT_COLUMNS}, a.snapshot_id IS NOT NULL FROM snapshots s"
            " LEFT JOIN active a ON a.snapshot_id = s.id WHERE s.source = ? ORDER BY s.id", (source,))]

    def entities(self, snapshot_id: int) -> Iterator[ListedEntity]:
        for entity_id, fingerprint, data in self.rows(
                "SELECT entity_id, fingerprint, data FROM entities WHERE snapshot_id = ? ORDER BY entity_id",
                (snapshot_id,)):
            yield self.checked(snapshot_id, entity_id, fingerprint, data)

    def entity(self, snapshot_id: int, entity_id: str) -> ListedEntity | None:
        found = self.rows("SELECT fingerprint, data FROM entities WHERE snapshot_id = ? AND entity_id = ?",
                          (snapshot_id, entity_id))
        return self.checked(snapshot_id, entity_id, *found[0]) if found else None

    def checked(self, snapshot_id: int, entity_id: str, fingerprint: str, data: str) -> ListedEntity:
        if digest(data) != fingerprint:
            raise BadInput(f"{self.location} snapshot {snapshot_id}", f"entity {entity_id} was changed outside "
                           "banwatch (its data no longer matches its fingerprint); it is not used: load the list again")
        return ListedEntity.model_validate_json(data)

    def active_entities(self, sources: list[str] | None = None) -> Iterator[ListedEntity]:
        for snap in self.active():
            if sources is None or snap.source in sources:
                yield from self.entities(snap.id)

    def diff(self, source: str, from_id: int | None = None, to_id: int | None = None) -> dict[str, Any]:
        active = self.active_snapshot(source)
        from_id, to_id = snapshots_to_compare(source, [snap.id for snap in self.history(source)],
                                              active.id if active else None, from_id, to_id)
        added = self.rows(
            "SELECT b.entity_id, b.name FROM entities b LEFT JOIN entities a"
            " ON a.snapshot_id = ? AND a.entity_id = b.entity_id"
            " WHERE b.snapshot_id = ? AND a.entity_id IS NULL ORDER BY b.entity_id", (from_id, to_id))
        removed = self.rows(
            "SELECT a.entity_id, a.name FROM entities a LEFT JOIN entities b"
            " ON b.snapshot_id = ? AND b.entity_id = a.entity_id"
            " WHERE a.snapshot_id = ? AND b.entity_id IS NULL ORDER BY a.entity_id", (to_id, from_id))
        changed = [(entity_id, name, json.loads(old), json.loads(new)) for entity_id, name, old, new in self.rows(
            "SELECT a.entity_id, b.name, a.data, b.data FROM entities a JOIN entities b"
            " ON b.snapshot_id = ? AND b.entity_id = a.entity_id"
            " WHERE a.snapshot_id = ? AND a.fingerprint != b.fingerprint ORDER BY a.entity_id",
            (to_id, from_id))]
        return diff_document(source, from_id, to_id, [tuple(row) for row in added], [tuple(row) for row in removed],
                             changed)

    # ------------------------------------------------------------------ monitored books and their alerts

    def save_book(self, name: str, records: list[BookRecord]) -> dict[str, int]:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self.transaction():
            before = {record_id: fingerprint for record_id, fingerprint in self.rows(
                "SELECT record_id, fingerprint FROM book_records WHERE book = ?", (name,))}
            self.run("INSERT INTO books (name, updated_at) VALUES (?, ?)"
                     " ON CONFLICT (name) DO UPDATE SET updated_at = excluded.updated_at", (name, now))
            self.run("DELETE FROM book_records WHERE book = ?", (name,))
            self.run_many("INSERT INTO book_records (book, record_id, name, type, country, birth_date, fingerprint)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?)",
                          [(name, r.record_id, r.name, r.type, r.country, r.birth_date, r.fingerprint)
                           for r in records])
        now_ids = {record.record_id: record.fingerprint for record in records}
        return {"new": len(now_ids.keys() - before.keys()), "removed": len(before.keys() - now_ids.keys()),
                "changed": sum(1 for rid, fp in now_ids.items() if rid in before and before[rid] != fp),
                "unchanged": sum(1 for rid, fp in now_ids.items() if before.get(rid) == fp)}

    def books(self) -> list[tuple[str, int, str]]:
        return [tuple(row) for row in self.rows(  # type: ignore[misc]
            "SELECT b.name, count(r.record_id), b.updated_at FROM books b LEFT JOIN book_records r ON r.book = b.name"
            " GROUP BY b.name, b.updated_at ORDER BY b.name")]

    def book(self, name: str) -> list[BookRecord]:
        if not self.rows("SELECT 1 FROM books WHERE name = ?", (name,)):
            known = ", ".join(book for book, _count, _when in self.books()) or "none"
            raise BadInput("book", f"no book {name!r}; books: {known}")
        return [BookRecord(*row) for row in self.rows(
            "SELECT record_id, name, type, country, birth_date FROM book_records WHERE book = ? ORDER BY record_id",
            (name,))]

    def book_record(self, name: str, record_id: str) -> BookRecord | None:
        found = self.rows("SELECT record_id, name, type, country, birth_date FROM book_records"
                          " WHERE book = ? AND record_id = ?", (name, record_id))
        return BookRecord(*found[0]) if found else None

    def remove_book(self, name: str) -> None:
        with self.transaction():
            for table in ("book_screened", "book_runs", "book_records"):
                self.run(f"DELETE FROM {table} WHERE book = ?", (name,))
            if self.run("DELETE FROM books WHERE name = ?", (name,)) == 0:
                raise BadInput("book", f"no book {name!r} to remove")

    def book_run(self, name: str) -> str | None:
        """What the book was last screened against (the caller's canonical form), or None: never."""
        found = self.rows("SELECT lists FROM book_runs WHERE book = ?", (name,))
        return found[0][0] if found else None

    def unscreened(self, name: str) -> list[BookRecord]:
        """The records of the book that are new or changed since they were last screened."""
        if not self.rows("SELECT 1 FROM books WHERE name = ?", (name,)):
            self.book(name)  # says which books there are
        return [BookRecord(*row) for row in self.rows(
            "SELECT r.record_id, r.name, r.type, r.country, r.birth_date FROM book_records r"
            " LEFT JOIN book_screened s ON s.book = r.book AND s.record_id = r.record_id"
            " WHERE r.book = ? AND (s.fingerprint IS NULL OR s.fingerprint != r.fingerprint) ORDER BY r.record_id",
            (name,))]

    def screened(self, name: str, lists: str, records: list[BookRecord], whole: bool) -> None:
        """Remember that `records` were screened against `lists`; `whole`: they are
        the whole book (a full run), and what was remembered before is dropped."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self.transaction():
            if whole:
                self.run("DELETE FROM book_screened WHERE book = ?", (name,))
            self.run_many("INSERT INTO book_screened (book, record_id, fingerprint) VALUES (?, ?, ?)"
                          " ON CONFLICT (book, record_id) DO UPDATE SET fingerprint = excluded.fingerprint",
                          [(name, record.record_id, record.fingerprint) for record in records])
            self.run("INSERT INTO book_runs (book, lists, ran_at) VALUES (?, ?, ?)"
                     " ON CONFLICT (book) DO UPDATE SET lists = excluded.lists, ran_at = excluded.ran_at",
                     (name, lists, now))

    def latest_alert(self, book: str, record_id: str, entity_id: str) -> Alert | None:
        found = self.rows(f"SELECT {ALERT_COLUMNS} FROM alerts WHERE book = ? AND record_id = ? AND entity_id = ?"
                          " ORDER BY id DESC LIMIT 1", (book, record_id, entity_id))
        return Alert(*found[0]) if found else None

    def add_alert(self, alert: Alert) -> int:
        with self.transaction():
            return self.insert_id(f"INSERT INTO alerts ({ALERT_COLUMNS.removeprefix('id, ')}) VALUES "
                                  f"({', '.join('?' for _ in ALERT_COLUMNS.split(', ')[1:])})",
                                  tuple(vars(alert).values())[1:])

    def alerts(self, status: str | None = None, book: str | None = None) -> list[Alert]:
        wanted = [(column, value) for column, value in (("status", status), ("book", book)) if value is not None]
        where = " AND ".join(f"{column} = ?" for column, _value in wanted) or "1 = 1"
        return [Alert(*row) for row in self.rows(f"SELECT {ALERT_COLUMNS} FROM alerts WHERE {where} ORDER BY id",
                                                 tuple(value for _column, value in wanted))]

    def alert(self, alert_id: int) -> Alert:
        found = self.rows(f"SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ?", (alert_id,))
        if not found:
            raise BadInput("alert", f"no alert {alert_id}")
        return Alert(*found[0])

    def close_alert(self, alert_id: int, decision: str, note: str, by: str) -> Alert:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self.transaction():
            if self.run("UPDATE alerts SET status = 'closed', decision = ?, note = ?, closed_by = ?, closed_at = ?"
                        " WHERE id = ? AND status = 'open'", (decision, note, by, now, alert_id)) == 0:
                current = self.alert(alert_id)  # none such: BadInput
                raise BadInput("alert", f"alert {alert_id} was closed already ({current.decision}, by "
                               f"{current.closed_by} at {current.closed_at})")
        return self.alert(alert_id)

    def entity_fingerprint(self, snapshot_id: int, entity_id: str) -> str | None:
        found = self.rows("SELECT fingerprint FROM entities WHERE snapshot_id = ? AND entity_id = ?",
                          (snapshot_id, entity_id))
        return found[0][0] if found else None

    def keys(self) -> list[KeyRecord]:
        if not self.has_table("api_keys"):
            return []
        return [KeyRecord(*row) for row in self.rows(
            "SELECT name, role, digest, created_at, revoked_at FROM api_keys ORDER BY name")]

    def key_with_digest(self, digest_: str) -> KeyRecord | None:
        """The key, revoked or not, whose digest this is."""
        if not self.has_table("api_keys"):
            return None
        found = self.rows("SELECT name, role, digest, created_at, revoked_at FROM api_keys WHERE digest = ?",
                          (digest_,))
        return KeyRecord(*found[0]) if found else None


    # ------------------------------------------------------------------ the audit trail

    def append_audit(self, *, actor: str, action: str, request: Any, result: Any, version: str,
                     snapshot_ids: tuple[int, ...] = (), catalog_digest: str | None = None,
                     request_id: str | None = None) -> AuditRecord:
        """Append a record to the audit trail, chained to the one before; inside
        the caller's transaction when there is one (a write and its record
        commit together). A request id this actor has been recorded with
        already is not recorded again: its record is returned (a retry)."""
        outermost = not self.in_transaction()
        with self.transaction():
            if request_id is not None:
                found = self.rows(f"SELECT {AUDIT_COLUMNS} FROM audit WHERE actor = ? AND request_id = ?",
                                  (actor, request_id))
                if found:
                    return AuditRecord(*found[0])
            head = self.rows("SELECT seq, hash FROM audit_head")
            seq, previous = (head[0][0] + 1, head[0][1]) if head else (1, GENESIS)
            at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
            fields = (seq, at, actor, action, request_id, canonical(request), canonical(result),
                      canonical(sorted(snapshot_ids)), catalog_digest, version, previous)
            record = AuditRecord(*fields, chain_hash(*fields))
            self.run(f"INSERT INTO audit ({AUDIT_COLUMNS}) VALUES ({', '.join('?' for _ in vars(record))})",
                     tuple(vars(record).values()))
            self.run("INSERT INTO audit_head (one, seq, hash) VALUES (1, ?, ?)"
                     " ON CONFLICT (one) DO UPDATE SET seq = excluded.seq, hash = excluded.hash", (seq, record.hash))
            # kept from pruning; the ones this process has kept already are not written again
            new = sorted(set(snapshot_ids) - self.referenced)
            self.run_many("INSERT INTO audit_snapshots (snapshot_id) VALUES (?) ON CONFLICT DO NOTHING",
                          [(snapshot_id,) for snapshot_id in new])
        if outermost:  # committed now (inside another write, it may yet be rolled back)
            self.referenced.update(new)
        return record

    def audit_records(self, since: str | None = None, after: int = 0, batch: int = 10_000) -> Iterator[AuditRecord]:
        """The trail in order, from the record after `after`, at or after `since`
        (an ISO date or time); read in batches, so that a long trail is never held whole."""
        if not self.has_table("audit"):
            return
        while True:
            found = self.rows(f"SELECT {AUDIT_COLUMNS} FROM audit WHERE seq > ? AND at >= ? ORDER BY seq LIMIT ?",
                              (after, since or "", batch))
            yield from (AuditRecord(*row) for row in found)
            if len(found) < batch:
                return
            after = found[-1][0]

    def audit_record(self, seq: int) -> AuditRecord:
        found = self.rows(f"SELECT {AUDIT_COLUMNS} FROM audit WHERE seq = ?", (seq,)) \
            if self.has_table("audit") else []
        if not found:
            raise BadInput("audit", f"no audit record {seq} in {self.location}")
        return AuditRecord(*found[0])

    def audit_head(self) -> tuple[int, str] | None:
        """The last record's (seq, hash), as the trail itself remembers it."""
        found = self.rows("SELECT seq, hash FROM audit_head") if self.has_table("audit_head") else []
        return (found[0][0], found[0][1]) if found else None


ALERT_COLUMNS = ("id, book, record_id, entity_id, listed_name, source, score, explanation, snapshot_id, "
                 "record_fingerprint, entity_fingerprint, raised_at, status, decision, note, closed_by, closed_at, "
                 "earlier")


def entity_row(entity: ListedEntity) -> tuple[str, str, str, str, str]:
    data = entity.model_dump_json(exclude_defaults=True)
    return entity.id, entity.type.value, entity.name, digest(data), data


def digest(data: str) -> str:
    return hashlib.sha1(data.encode("utf-8"), usedforsecurity=False).hexdigest()


def snapshot_from_row(row: tuple) -> Snapshot:
    (snapshot_id, source, fmt, loaded_at, parser_version, files, origin, entities, names, published, active) = row
    return Snapshot(id=snapshot_id, source=source, format=fmt, loaded_at=loaded_at,
                    parser_version=parser_version, files=json.loads(files), origin=origin,
                    entities=entities, names=names, published=published, active=bool(active))
