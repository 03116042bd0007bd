"""Monitored books and their alerts: a book of customers or vendors kept in
the store, screened on every run, each hit at or above the threshold an
alert for an analyst to close.

A decision holds: an alert closed for a (record, listed entity) pair, as a
false positive or otherwise, is not raised again while neither the record
nor the listed entity changes (their fingerprints). When either changes (a
new alias or birth date in a later snapshot, a corrected record), the pair
is raised again as a new alert pointing to the earlier one, saying what
changed. An alert still open is not raised twice.

A run screens only what it must to raise exactly the alerts a full
re-screen would. While the book's lists are those of its last run (the same
snapshots, catalog, threshold and banwatch), a record screens as it did then
(its score is a function of the record, the listed entity and the index's
word weights, all unchanged), so only its new and changed records are
screened: a delta run. When a list changes, every word weight of the index
changes with it (a word's weight is its rarity over all listed names), and
any pair's score may move across the threshold: the run screens the whole
book. Screening only the changed listed entities against the book, exactly,
needs weights that do not move with each list; that is not built yet (see
the closing note of the monitoring issue).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from banwatch import __version__
from banwatch.errors import BadInput
from banwatch.lists.reading import file_sha256
from banwatch.match.screen import DEFAULT_THRESHOLD, Screener
from banwatch.model import ScreeningHit
from banwatch.queries import screen_query
from banwatch.services.audit import record_change
from banwatch.services.batch import Columns, read_rows
from banwatch.store import Alert, BookRecord, Snapshot, Store
from banwatch.store.audit import canonical

DECISIONS = ("true_match", "false_positive", "escalated")


@dataclass
class RunSummary:
    book: str
    full: bool = True  # every record screened (else only the new and changed ones: a delta run)
    why: str = ""  # why a full run, or what the delta run skipped
    records: int = 0  # screened
    hits: int = 0
    raised: list[Alert] = field(default_factory=list)  # new alerts, re-raised ones included
    still_open: int = 0  # hits whose alert is open already
    held: int = 0  # hits an earlier decision still covers (neither side changed)
    bad: list[tuple[str, str]] = field(default_factory=list)  # (record id, why it could not be screened)


def book_records(path: Path, columns: Columns) -> Iterator[BookRecord]:
    """The records of a book file, one per row; a bad row is bad input naming it."""
    for row in read_rows(path, columns):
        if len(row) == 2:
            raise BadInput(f"{path} row {row[0]}", str(row[1]))
        _number, record_id, name, entity_type, country, birth_date, _kept = row  # type: ignore[misc]
        if not name.strip():
            raise BadInput(f"{path} row {_number}", "empty name")
        yield BookRecord(record_id, name.strip(), entity_type.strip() or None, country.strip() or None,
                         birth_date.strip() or None)


def add_book(store: Store, name: str, path: Path, columns: Columns, *, actor: str) -> dict[str, int]:
    """Keep the book in `path` as `name` (all of it, or nothing: one bad row refuses the file)."""
    records = list(book_records(path, columns))
    seen: set[str] = set()
    for record in records:
        if record.record_id in seen:
            raise BadInput(f"{path}", f"record id {record.record_id!r} appears twice: ids must be unique in a book")
        seen.add(record.record_id)
    with store.transaction():
        changes = store.save_book(name, records)
        record_change(store, actor=actor, action="book.add", request={"book": name, "file": path.name,
                                                                       "sha256": file_sha256(path)}, result=changes)
    return changes


def remove_book(store: Store, name: str, *, actor: str) -> None:
    with store.transaction():
        store.remove_book(name)
        record_change(store, actor=actor, action="book.remove", request={"book": name}, result={})


def screened_against(snapshots: list[Snapshot], catalog_digest: str, threshold: float) -> str:
    """What a run's hits depend on besides the records: compared between runs."""
    return canonical({"snapshots": sorted(snapshot.id for snapshot in snapshots), "catalog": catalog_digest,
                      "threshold": threshold, "banwatch": __version__})


def run_book(store: Store, screener: Screener, snapshots: list[Snapshot], catalog_digest: str, book: str,
             threshold: float = DEFAULT_THRESHOLD, *, actor: str, full: bool = False) -> RunSummary:
    """Screen `book` (only its new and changed records when nothing else changed
    since its last run, unless `full`) and raise the alerts its hits call for."""
    lists = screened_against(snapshots, catalog_digest, threshold)
    before = store.book_run(book)
    if full or before != lists:
        records = store.book(book)
        why = ("a full run was asked for" if full else "first run" if before is None
               else "the lists, the catalog, the threshold or banwatch changed since the last run")
        summary = RunSummary(book, full=True, why=why)
    else:
        records = store.unscreened(book)
        summary = RunSummary(book, full=False, why="the lists are those of the last run: only new and changed "
                                                   "records screened")
    summary = screen_records(store, screener, snapshots, catalog_digest, book, records, threshold, actor, summary)
    bad = {record_id for record_id, _why in summary.bad}  # not screened: tried again next run
    screened = [record for record in records if record.record_id not in bad]
    store.screened(book, lists, screened, whole=summary.full)
    store.append_audit(actor=actor, action="monitor.run", request={"book": book, "threshold": threshold,
                                                                   "full": summary.full},
                       result={"records": summary.records, "hits": summary.hits,
                               "raised": [alert.id for alert in summary.raised], "still_open": summary.still_open,
                               "held": summary.held, "bad": len(summary.bad), "why": summary.why},
                       version=__version__, snapshot_ids=tuple(snapshot.id for snapshot in snapshots),
                       catalog_digest=catalog_digest)
    return summary


def screen_records(store: Store, screener: Screener, snapshots: list[Snapshot], catalog_digest: str, book: str,
                   records: list[BookRecord], threshold: float, actor: str, summary: RunSummary) -> RunSummary:
    snapshot_of = {snapshot.source: snapshot for snapshot in snapshots}
    for record in records:
        summary.records += 1
        try:
            query = screen_query(record.name, record.type, record.country, record.birth_date)
            hits = screener.screen(query, threshold=threshold, limit=1_000)
        except BadInput as problem:
            summary.bad.append((record.record_id, problem.render()))
            continue
        for hit in hits:
            summary.hits += 1
            snapshot = snapshot_of.get(hit.source)
            entity_fingerprint = (store.entity_fingerprint(snapshot.id, hit.entity_id) if snapshot else None) \
                or f"catalog:{catalog_digest}"  # a catalog party: its measure file
            earlier = store.latest_alert(book, record.record_id, hit.entity_id)
            if earlier is not None and earlier.status == "open":
                summary.still_open += 1
                continue
            if earlier is not None and (earlier.record_fingerprint, earlier.entity_fingerprint) == \
                    (record.fingerprint, entity_fingerprint):
                summary.held += 1
                continue
            alert = new_alert(book, record, hit, snapshot, entity_fingerprint, earlier)
            with store.transaction():
                alert = Alert(**{**vars(alert), "id": store.add_alert(alert)})
                record_change(store, actor=actor, action="alert.raise", request={"book": book},
                              result=alert.as_json())
            summary.raised.append(alert)
    return summary


def new_alert(book: str, record: BookRecord, hit: ScreeningHit, snapshot: Snapshot | None,
              entity_fingerprint: str, earlier: Alert | None) -> Alert:
    explanation = hit.explanation
    if earlier is not None:
        changed = [side for side, before, now in (("the record", earlier.record_fingerprint, record.fingerprint),
                                                  ("the listed entity", earlier.entity_fingerprint,
                                                   entity_fingerprint)) if before != now]
        explanation += (f" Raised again: {' and '.join(changed)} changed since alert {earlier.id}, closed as "
                        f"{earlier.decision} by {earlier.closed_by} on {earlier.closed_at}"
                        + (f" ('{earlier.note}')" if earlier.note else "") + ".")
    return Alert(id=0, book=book, record_id=record.record_id, entity_id=hit.entity_id, listed_name=hit.name,
                 source=hit.source, score=hit.score, explanation=explanation,
                 snapshot_id=snapshot.id if snapshot else None, record_fingerprint=record.fingerprint,
                 entity_fingerprint=entity_fingerprint,
                 raised_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                 earlier=earlier.id if earlier else None)


def close_alert(store: Store, alert_id: int, decision: str, note: str, by: str) -> Alert:
    """Close an open alert as `decision`, by `by` (who closed it, as the audit trail names them)."""
    if decision not in DECISIONS:
        raise BadInput("as", f"{decision!r} is not a decision; one of {', '.join(DECISIONS)}")
    if not note.strip():
        raise BadInput("note", "a decision needs a note saying why (it is what a reviewer reads later)")
    with store.transaction():
        alert = store.close_alert(alert_id, decision, note.strip(), by)
        record_change(store, actor=by, action="alert.close",
                      request={"alert": alert_id, "decision": decision, "note": note.strip()}, result=alert.as_json())
    return alert
