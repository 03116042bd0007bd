"""What every store implementation shares to diff two snapshots of a list:
which two snapshots a diff compares, and the document it answers with (added,
removed and changed entities, and for a changed one, which fields). This is
what lets a screening re-run only on what changed. The comparison itself runs
inside the store, where the entities are."""

from __future__ import annotations

from typing import Any

from banwatch.errors import BadInput


def snapshots_to_compare(source: str, kept: list[int], active: int | None, from_id: int | None,
                         to_id: int | None) -> tuple[int, int]:
    """(from, to): by default `to` is the active snapshot (else the newest kept)
    and `from` the one kept before it."""
    if not kept:
        raise BadInput(source, "no snapshot of this source is loaded")
    if to_id is None:
        to_id = active if active is not None else kept[-1]
    if from_id is None:
        earlier = [snapshot_id for snapshot_id in kept if snapshot_id < to_id]
        if not earlier:
            raise BadInput(source, f"snapshot {to_id} is the first one kept: nothing to compare it with")
        from_id = earlier[-1]
    for snapshot_id in (from_id, to_id):
        if snapshot_id not in kept:
            raise BadInput(f"snapshot {snapshot_id}", f"not a snapshot of {source}; kept: {kept}")
    return from_id, to_id


def diff_document(source: str, from_id: int, to_id: int, added: list[tuple[str, str]],
                  removed: list[tuple[str, str]], changed: list[tuple[str, str, dict, dict]]) -> dict[str, Any]:
    """The diff document (what `lists diff` shows), from (id, name) rows and
    (id, name, old data, new data) rows, each in id order."""
    changes = [{"id": entity_id, "name": name, "fields": field_changes(old, new)}
               for entity_id, name, old, new in changed]
    return {
        "source": source, "from": from_id, "to": to_id,
        "counts": {"added": len(added), "removed": len(removed), "changed": len(changes)},
        "added": [{"id": entity_id, "name": name} for entity_id, name in added],
        "removed": [{"id": entity_id, "name": name} for entity_id, name in removed],
        "changed": changes,
    }


def field_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """field -> {"from", "to"} for every top-level field that differs."""
    return {key: {"from": old.get(key), "to": new.get(key)}
            for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)}
