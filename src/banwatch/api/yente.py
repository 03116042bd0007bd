"""The endpoints of OpenSanctions' yente, answered as yente answers them, so
that its clients (the `yente-client` package, tools written for yente) work
against banwatch unchanged: POST /match/{dataset}, GET /search/{dataset},
GET /entities/{id}, GET /catalog, GET /algorithms, GET /healthz, GET /readyz.

Datasets: `default` is every list in use (and the catalog's parties); each
loaded list is a dataset of its own, named by its source id (`ofac-sdn`).
There is one algorithm, banwatch's, under every name yente clients ask for
(`best`, `default`, or its own); /search is screening at a lower threshold
(SEARCH_THRESHOLD), ranked by score, not yente's full-text search."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse

from banwatch import __version__
from banwatch.api.audit import record
from banwatch.api.auth import require
from banwatch.api.errors import ERRORS, ApiError
from banwatch.api.lists import find_entity
from banwatch.api.screening import screener_of
from banwatch.lists.ftm_mapping import to_ftm
from banwatch.lists.sources import SOURCES
from banwatch.match.screen import DEFAULT_THRESHOLD
from banwatch.match.yente import TYPE_SCHEMAS, match_queries, result
from banwatch.queries import screen_query
from banwatch.services import audit
from banwatch.store import KeyRecord

router = APIRouter(tags=["yente"], responses=ERRORS)
ALGORITHM = "banwatch"
DEFAULT_DATASET = "default"
#: the least score /search lists (a search shows more than a match would)
SEARCH_THRESHOLD = 0.5
MATCH_LIMIT = 500


def sources_of(request: Request, dataset: str) -> frozenset[str] | None:
    """The list sources a dataset stands for (None: all); 404 for one not loaded."""
    if dataset == DEFAULT_DATASET:
        return None
    if dataset not in {snapshot.source for snapshot in request.app.state.context.snapshots()}:
        raise ApiError(404, f"no dataset {dataset!r}: {DEFAULT_DATASET!r} or a loaded list's source id",
                       code="no_dataset")
    return frozenset((dataset,))


@router.post("/match/{dataset}", summary="yente: match entities against a dataset")
async def match(request: Request, dataset: str, payload: dict[str, Any] = Body(...),
                threshold: float = Query(DEFAULT_THRESHOLD, ge=0.0, le=1.0),
                cutoff: float = Query(0.0, ge=0.0, le=1.0), limit: int = Query(5, ge=1, le=MATCH_LIMIT),
                algorithm: str = Query(ALGORITHM, max_length=100),
                exclude_entity_ids: list[str] = Query([], max_length=1000),
                key: KeyRecord = Depends(require("analyst"))) -> JSONResponse:
    sources = sources_of(request, dataset)
    answer = match_queries(payload, screener_of(request), threshold=threshold, limit=limit, cutoff=cutoff,
                           exclude=frozenset(exclude_entity_ids), sources=sources)
    provenance = request.app.state.context.provenance()
    # kept whole: the payload and the ids and scores of each query's results
    headers = record(request, key, "yente.match", {"dataset": dataset, "payload": payload, "threshold": threshold,
                                                   "cutoff": cutoff, "limit": limit},
                     {name: [{"id": found["id"], "score": round(found["score"], audit.SCORE_DIGITS)}
                             for found in response.get("results", [])]
                      for name, response in answer.get("responses", {}).items()}, provenance)
    return JSONResponse({**answer, "algorithm": ALGORITHM, "requested_algorithm": algorithm,
                         "provenance": provenance.model_dump(mode="json")}, headers=headers)


@router.get("/search/{dataset}", summary="yente: search a dataset by name")
async def search(request: Request, dataset: str, q: str = Query("", max_length=500),
                 limit: int = Query(10, ge=0, le=MATCH_LIMIT), offset: int = Query(0, ge=0, le=10_000),
                 schema: str | None = Query(None, max_length=100),
                 key: KeyRecord = Depends(require("viewer"))) -> JSONResponse:
    sources = sources_of(request, dataset)
    hits = []
    if q.strip():
        hits = [hit for hit in screener_of(request).screen(screen_query(q), threshold=SEARCH_THRESHOLD,
                                                            limit=offset + limit)
                if (sources is None or hit.source in sources)
                and (schema is None or TYPE_SCHEMAS[hit.type] == schema)]
    page = hits[offset:offset + limit]
    provenance = request.app.state.context.provenance()
    headers = record(request, key, "yente.search", {"dataset": dataset, "q": q, "limit": limit, "offset": offset,
                                                    "schema": schema}, audit.screening_result(page), provenance)
    return JSONResponse({"results": [{field: value for field, value in result(hit, 1.0).items()
                                      if field not in ("score", "match", "explanations", "features")}
                                     for hit in page],
                         "facets": {}, "total": {"value": len(hits),
                                                 "relation": "eq" if len(hits) < offset + limit else "gte"},
                         "limit": limit, "offset": offset, "provenance": provenance.model_dump(mode="json")},
                        headers=headers)


@router.get("/entities/{entity_id}", summary="yente: one entity")
async def entity(request: Request, entity_id: str, _key: Any = Depends(require("viewer"))) -> dict[str, Any]:
    context = request.app.state.context
    found, snapshot = find_entity(context, entity_id)
    ftm = to_ftm(found)
    return {"id": found.id, "caption": found.name, "schema": ftm["schema"], "properties": ftm["properties"],
            "datasets": [snapshot.source], "referents": [ftm["id"]] if ftm["id"] != found.id else [],
            "target": True, "last_change": snapshot.loaded_at,
            "provenance": context.provenance([snapshot]).model_dump(mode="json")}


@router.get("/catalog", summary="yente: the datasets this service answers from")
async def catalog(request: Request, _key: Any = Depends(require("viewer"))) -> dict[str, Any]:
    snapshots = request.app.state.context.snapshots()
    lists = [{"name": snapshot.source, "title": SOURCES[snapshot.source].title if snapshot.source in SOURCES
              else snapshot.source, "load": True, "version": str(snapshot.id), "entity_count": snapshot.entities,
              "last_change": snapshot.loaded_at, "updated_at": snapshot.published or snapshot.loaded_at[:10]}
             for snapshot in snapshots]
    default = {"name": DEFAULT_DATASET, "title": "Every list in use, and the catalog's parties", "load": True,
               "children": [item["name"] for item in lists],
               "entity_count": sum(snapshot.entities for snapshot in snapshots)}
    return {"datasets": [default, *lists], "current": [DEFAULT_DATASET, *(item["name"] for item in lists)],
            "outdated": [], "index_stale": False}


@router.get("/algorithms", summary="yente: the matching algorithms")
async def algorithms() -> dict[str, Any]:
    return {"algorithms": [{"name": ALGORITHM, "description": f"banwatch {__version__}: word-by-word name scoring "
                            "across scripts with explained evidence, then birth date, country and identifiers",
                            "docs": {}}], "default": ALGORITHM, "best": ALGORITHM}


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> dict[str, Any]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: the screening index is loaded, and which snapshots it serves")
async def readyz(request: Request) -> JSONResponse:
    context = request.app.state.context
    try:
        context.screener()
        snapshots = context.snapshots()
    except Exception as error:  # noqa: BLE001 (readiness reports any failure to build, as 503)
        return JSONResponse({"status": "not ready", "reason": str(error)[:300]}, status_code=503)
    return JSONResponse({"status": "ok", "snapshots": {snapshot.source: snapshot.id for snapshot in snapshots},
                         "lists": len(snapshots)})
