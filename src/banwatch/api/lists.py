"""GET /v1/lists, /v1/lists/{source}/diff and /v1/entities/{id}: the list
versions the service answers against, what changed between two of them, and
one listed entity whole."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from banwatch.api.auth import require
from banwatch.api.errors import ERRORS, ApiError
from banwatch.context import Context
from banwatch.model import ListedEntity
from banwatch.store import Snapshot

router = APIRouter(prefix="/v1", tags=["lists"], responses=ERRORS)


@router.get("/lists", summary="The list snapshots in use")
async def lists(request: Request, _key: Any = Depends(require("viewer"))) -> dict[str, Any]:
    context = request.app.state.context
    snapshots = context.snapshots()
    return {"lists": [snapshot.as_json() for snapshot in snapshots],
            "warnings": list(context.lists_in_use().warnings) if snapshots else [],
            "provenance": context.provenance(snapshots).model_dump(mode="json")}


@router.get("/lists/{source}/diff", summary="Added, removed and changed entities between two snapshots")
async def diff(source: str, request: Request, from_id: int | None = Query(None, alias="from", ge=1),
               to_id: int | None = Query(None, alias="to", ge=1),
               _key: Any = Depends(require("viewer"))) -> dict[str, Any]:
    context = request.app.state.context
    changes = context.store.diff(source, from_id, to_id)
    compared = [context.store.snapshot(changes["from"]), context.store.snapshot(changes["to"])]
    return {**changes, "provenance": context.provenance(compared).model_dump(mode="json")}


def find_entity(context: Context, entity_id: str) -> tuple[ListedEntity, Snapshot]:
    """The entity, and the snapshot in use it is in; 404 when none has it."""
    for snapshot in context.snapshots():
        if (found := context.store.entity(snapshot.id, entity_id)) is not None:
            return found, snapshot
    raise ApiError(404, f"no entity {entity_id!r} in the lists in use", code="no_entity")


@router.get("/entities/{entity_id}", summary="One listed entity, from the snapshots in use")
async def entity(entity_id: str, request: Request, _key: Any = Depends(require("viewer"))) -> dict[str, Any]:
    context = request.app.state.context
    found, snapshot = find_entity(context, entity_id)
    return {"entity": found.model_dump(mode="json"), "provenance": context.provenance([snapshot]).model_dump(mode="json")}
