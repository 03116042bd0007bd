"""GET /v1/catalog and /v1/catalog/{id}: the measures decisions and scans are made under."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from banwatch.api.auth import require
from banwatch.api.errors import ERRORS, ApiError
from banwatch.catalog import measure_summary

router = APIRouter(prefix="/v1", tags=["catalog"], responses=ERRORS)


@router.get("/catalog", summary="Every measure of the catalog")
async def catalog(request: Request, _key: Any = Depends(require("viewer"))) -> dict[str, Any]:
    context = request.app.state.context
    return {"measures": [measure_summary(measure) for measure in context.catalog.measures],
            "provenance": context.provenance([]).model_dump(mode="json")}


@router.get("/catalog/{measure_id}", summary="One measure whole: phases, parties, products, sources")
async def measure(measure_id: str, request: Request, _key: Any = Depends(require("viewer"))) -> dict[str, Any]:
    context = request.app.state.context
    found = next((m for m in context.catalog.measures if m.id == measure_id), None)
    if found is None:
        raise ApiError(404, f"no measure {measure_id!r} in the catalog", code="no_measure")
    return {"measure": found.model_dump(mode="json", exclude_defaults=True),
            "provenance": context.provenance([]).model_dump(mode="json")}
