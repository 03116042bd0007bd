"""The audit trail's records and their chain: each record holds the hash of
the one before it, so that an edited, deleted or reordered record shows.

A record's hash is SHA-256 over a canonical JSON form of every column but
the hash itself (keys sorted, no spaces, UTF-8), the previous record's hash
among them. The request, result and snapshot ids are kept as that canonical
JSON text, and hashed as text: what is verified is exactly what is stored,
in SQLite and PostgreSQL alike. The first record follows GENESIS.

What the chain cannot show on its own: someone who can write the database
and rewrites every record from some point on, hashes included. Against that,
keep the head hash (`banwatch audit verify` prints it; `audit export` writes
it) somewhere the database's writers cannot reach, and compare.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    """One JSON text for a value, the same wherever it is made."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    at: str  # UTC, ISO 8601
    actor: str  # "key:NAME" for the service, "cli:USER" for the command line
    action: str  # screen, screen.batch, decide, lists.load, key.create, alert.close ...
    request_id: str | None  # the client's X-Request-Id: a retried request is recorded once
    request: str  # canonical JSON
    result: str  # canonical JSON
    snapshot_ids: str  # canonical JSON: the list snapshots the answer was given against
    catalog_digest: str | None
    version: str  # banwatch's
    previous: str  # the hash of the record before (GENESIS for the first)
    hash: str

    def computed_hash(self) -> str:
        return chain_hash(self.seq, self.at, self.actor, self.action, self.request_id, self.request, self.result,
                          self.snapshot_ids, self.catalog_digest, self.version, self.previous)

    def as_json(self) -> dict[str, Any]:
        """The record for a reader: its JSON columns as JSON, not as text."""
        document = dict(vars(self))
        for column in ("request", "result", "snapshot_ids"):
            document[column] = json.loads(document[column])
        return document


COLUMNS = ("seq, at, actor, action, request_id, request, result, snapshot_ids, catalog_digest, version, previous, "
           "hash")


def chain_hash(seq: int, at: str, actor: str, action: str, request_id: str | None, request: str, result: str,
               snapshot_ids: str, catalog_digest: str | None, version: str, previous: str) -> str:
    document = canonical({"seq": seq, "at": at, "actor": actor, "action": action, "request_id": request_id,
                          "request": request, "result": result, "snapshot_ids": snapshot_ids,
                          "catalog_digest": catalog_digest, "version": version, "previous": previous})
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """The first record where the chain does not hold, and how."""

    seq: int
    why: str


def first_break(records: Iterable[AuditRecord], head: tuple[int, str] | None) -> tuple[int, ChainBreak | None]:
    """Walk `records` (in seq order) and the stored head (last seq, its hash):
    how many were read, and the first that was edited, deleted or reordered (None: none)."""
    previous_seq, previous_hash, count = 0, GENESIS, 0
    for count, record in enumerate(records, start=1):
        if record.seq != previous_seq + 1:
            missing = (f"record {previous_seq + 1}" if record.seq == previous_seq + 2
                       else f"records {previous_seq + 1} to {record.seq - 1}")
            return count, ChainBreak(previous_seq + 1, f"{missing} deleted (the trail goes from {previous_seq} to "
                                                       f"{record.seq})")
        if record.computed_hash() != record.hash:
            return count, ChainBreak(record.seq, f"record {record.seq} was edited: its content no longer gives its "
                                                 "hash")
        if record.previous != previous_hash:
            return count, ChainBreak(record.seq, f"record {record.seq} does not follow record {previous_seq}: it "
                                                 "holds another record's hash (records were reordered, or one was "
                                                 "replaced)")
        previous_seq, previous_hash = record.seq, record.hash
    if head is not None and head != (previous_seq, previous_hash):
        if head[0] > previous_seq:
            return count, ChainBreak(previous_seq + 1, f"records {previous_seq + 1} to {head[0]} deleted from the "
                                                       f"end (the trail's head is record {head[0]})")
        return count, ChainBreak(previous_seq, f"record {previous_seq} is not the head the trail recorded "
                                               f"(record {head[0]})")
    return count, None
