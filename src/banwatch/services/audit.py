"""The audit trail: every screening, decision, alert change, key change and
list change recorded append-only, each record chained to the one before
(`banwatch.store.audit`): who, when, the request, the result, the list
snapshots and catalog it was answered against, banwatch's version.

Answers (screenings and decisions; estate scans are not recorded) are
recorded here by the front end that gave them, before the answer is sent: an answer the caller got has
its record. Changes (a list loaded, a key made, an alert closed) are recorded
in the same transaction as the change itself, by the service that makes it.

`verify` walks the chain; `replay` re-runs a recorded screening or decision
against the snapshots it used and says whether the answer is the same;
`export` gives the records, for a regulator, as JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from banwatch import __version__
from banwatch.errors import BadInput
from banwatch.model import Decision, Provenance, ScreeningHit, Transaction
from banwatch.queries import screen_query
from banwatch.store import Store
from banwatch.store.audit import AuditRecord, ChainBreak, first_break

if TYPE_CHECKING:
    from banwatch.context import Context

#: the score a record keeps: what a person reads (and what a replay compares)
SCORE_DIGITS = 4


# ---------------------------------------------------------------------- recording


def record_answer(store: Store, *, actor: str, action: str, request: Any, result: Any, provenance: Provenance,
                  request_id: str | None = None) -> AuditRecord:
    """Record an answer given against `provenance`'s snapshots and catalog."""
    return store.append_audit(actor=actor, action=action, request=request, result=result,
                              version=provenance.banwatch, catalog_digest=provenance.catalog_digest,
                              snapshot_ids=tuple(version.snapshot_id for version in provenance.lists),
                              request_id=request_id)


def record_change(store: Store, *, actor: str, action: str, request: Any, result: Any,
                  request_id: str | None = None) -> AuditRecord:
    """Record a change of the store; call it inside the change's own transaction."""
    return store.append_audit(actor=actor, action=action, request=request, result=result, version=__version__,
                              request_id=request_id)


def screening_request(name: str, entity_type: str | None, country: str | None, birth_date: str | None,
                      identifiers: list[str], threshold: float, limit: int) -> dict[str, Any]:
    return {"name": name, "type": entity_type, "country": country, "birth_date": birth_date,
            "identifiers": list(identifiers), "threshold": threshold, "limit": limit}


def screening_result(hits: list[ScreeningHit]) -> dict[str, Any]:
    return {"hits": [{"entity_id": hit.entity_id, "source": hit.source, "name": hit.name,
                      "score": round(hit.score, SCORE_DIGITS)} for hit in hits]}


def decision_result(decision: Decision) -> dict[str, Any]:
    return {"outcome": decision.outcome.value, "measures": [finding.model_dump(mode="json", include={
        "id", "outcome", "phase"}) for finding in decision.measures], "reasons": decision.reasons}


# ---------------------------------------------------------------------- verifying and exporting


@dataclass(frozen=True)
class Verified:
    records: int
    head: tuple[int, str] | None  # the last record's seq and hash: keep it elsewhere to compare later
    problem: ChainBreak | None

    def as_json(self) -> dict[str, Any]:
        return {"records": self.records, "intact": self.problem is None,
                "head": {"seq": self.head[0], "hash": self.head[1]} if self.head else None,
                "first_break": vars(self.problem) if self.problem else None}


def verify(store: Store) -> Verified:
    head = store.audit_head()
    count, problem = first_break(store.audit_records(), head)
    return Verified(count, head, problem)


def export(store: Store, since: dt.date | None) -> Iterator[dict[str, Any]]:
    """The records from `since` (a UTC date) on, oldest first."""
    yield from (record.as_json() for record in store.audit_records(since.isoformat() if since else None))


# ---------------------------------------------------------------------- replaying


@dataclass(frozen=True)
class Replayed:
    record: AuditRecord
    then: Any  # the recorded result
    now: Any  # the result given again against the same snapshots
    notes: list[str]  # what differs from the recorded answer's conditions (the catalog, banwatch's version)

    @property
    def same(self) -> bool:
        return self.then == self.now


def replay(context: Context, seq: int) -> Replayed:
    """Re-run recorded answer `seq` against the snapshots it was answered
    against (exactly those: not the lists active now)."""
    record = context.store.audit_record(seq)
    answer = REPLAYERS.get(record.action)
    if answer is None:
        replayable = ", ".join(sorted(REPLAYERS))
        raise BadInput("audit", f"record {seq} is a {record.action}, which is kept but cannot be re-run; "
                       f"these can: {replayable}")
    recorded = record.as_json()
    context.choose_snapshots(tuple(recorded["snapshot_ids"]), exactly=True)
    notes = []
    if record.catalog_digest != context.catalog.digest:
        notes.append(f"the catalog differs from the one recorded (digest {record.catalog_digest} then, "
                     f"{context.catalog.digest} now): answered with today's")
    if record.version != __version__:
        notes.append(f"recorded by banwatch {record.version}, replayed by {__version__}")
    return Replayed(record, recorded["result"], answer(context, recorded["request"]), notes)


def replay_screen(context: Context, request: dict[str, Any]) -> dict[str, Any]:
    query = screen_query(request["name"], request["type"], request["country"], request["birth_date"],
                         request["identifiers"])
    return screening_result(context.screener().screen(query, threshold=request["threshold"], limit=request["limit"]))


def replay_screen_batch(context: Context, request: dict[str, Any]) -> dict[str, Any]:
    results: list[dict[str, Any]] = []
    for query in request["queries"]:
        try:
            results.append(replay_screen(context, query))
        except BadInput as problem:
            results.append({"error": problem.render()})
    return {"results": results}


def replay_decide(context: Context, request: dict[str, Any]) -> dict[str, Any]:
    from banwatch.decide import decide  # noqa: PLC0415 (the decision rules load only to replay a decision)
    from banwatch.decide.counterparties import ListsInUse  # noqa: PLC0415

    lists = (context.lists_in_use() if request["screen"]
             else ListsInUse(None, unscreened_because="screening was turned off"))
    return decision_result(decide(Transaction.model_validate(request["transaction"]), context.catalog.measures,
                                  lists=lists))


def replay_decide_batch(context: Context, request: dict[str, Any]) -> dict[str, Any]:
    return {"decisions": [replay_decide(context, {"transaction": transaction, "screen": request["screen"]})
                          for transaction in request["transactions"]]}


REPLAYERS: dict[str, Callable[[Context, dict[str, Any]], Any]] = {
    "screen": replay_screen, "screen.batch": replay_screen_batch,
    "decide": replay_decide, "decide.batch": replay_decide_batch,
}
