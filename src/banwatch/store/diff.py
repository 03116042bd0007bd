"""What changed between two snapshots of a list: added, removed and changed
entities, and for a changed one, which fields. This is what lets a screening
re-run only on what changed."""

from __future__ import annotations

import json
from typing import Any

from banwatch.errors import BadInput
from banwatch.store.snapshots import Store


def diff_snapshots(store: Store, source: str, from_id: int | None = None,
                   to_id: int | None = None) -> dict[str, Any]:
    """The diff of `source` from snapshot `from_id` to `to_id`. By default `to`
    is the active snapshot and `from` the one loaded before it."""
    history = store.history(source)
    if not history:
        raise BadInput(source, "no snapshot of this source is loaded")
    ids = [snap.id for snap in history]
    if to_id is None:
        active = store.active_snapshot(source)
        to_id = active.id if active else ids[-1]
    if from_id is None:
        earlier = [snapshot_id for snapshot_id in ids if snapshot_id < to_id]
        if not earlier:
            raise BadInput(source, f"snapshot {to_id} is the first one kept: nothing to compare it with")
        from_id = earlier[-1]
    for snapshot_id in (from_id, to_id):
        if snapshot_id not in ids:
            raise BadInput(f"snapshot {snapshot_id}", f"not a snapshot of {source}; kept: {ids}")

    db = store.db
    added = db.execute(
        "SELECT b.entity_id, b.name FROM entities b LEFT JOIN entities a"
        " ON a.snapshot_id = ? AND a.entity_id = b.entity_id"
        " WHERE b.snapshot_id = ? AND a.entity_id IS NULL ORDER BY b.entity_id", (from_id, to_id)).fetchall()
    removed = db.execute(
        "SELECT a.entity_id, a.name FROM entities a LEFT JOIN entities b"
        " ON b.snapshot_id = ? AND b.entity_id = a.entity_id"
        " WHERE a.snapshot_id = ? AND b.entity_id IS NULL ORDER BY a.entity_id", (to_id, from_id)).fetchall()
    changed_rows = db.execute(
        "SELECT a.entity_id, b.name, a.data, b.data FROM entities a JOIN entities b"
        " ON b.snapshot_id = ? AND b.entity_id = a.entity_id"
        " WHERE a.snapshot_id = ? AND a.fingerprint != b.fingerprint ORDER BY a.entity_id",
        (to_id, from_id)).fetchall()
    changed = [{"id": entity_id, "name": name, "fields": field_changes(json.loads(old), json.loads(new))}
               for entity_id, name, old, new in changed_rows]
    return {
        "source": source, "from": from_id, "to": to_id,
        "counts": {"added": len(added), "removed": len(removed), "changed": len(changed)},
        "added": [{"id": entity_id, "name": name} for entity_id, name in added],
        "removed": [{"id": entity_id, "name": name} for entity_id, name in removed],
        "changed": changed,
    }


def field_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """field -> {"from", "to"} for every top-level field that differs."""
    return {key: {"from": old.get(key), "to": new.get(key)}
            for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)}
