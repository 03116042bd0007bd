"""POST /v1/screen and /v1/screen/batch: the ranked, explained hits of
`banwatch screen`, with what they were screened against."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from banwatch.api.audit import record
from banwatch.api.auth import require
from banwatch.api.errors import ERRORS, ApiError
from banwatch.errors import BadInput
from banwatch.match.screen import DEFAULT_LIMIT, DEFAULT_THRESHOLD, Screener
from banwatch.model import EntityType, Provenance, ScreeningHit
from banwatch.queries import screen_query
from banwatch.services import audit
from banwatch.store import KeyRecord

router = APIRouter(prefix="/v1", tags=["screening"], responses=ERRORS)


class ScreenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=500, examples=["AO Kaspersky Lab"])
    type: EntityType | None = None
    country: str | None = Field(None, description="ISO 3166-1 alpha-2", max_length=2)
    birth_date: str | None = Field(None, description="YYYY or YYYY-MM-DD", max_length=10)
    identifiers: list[str] = Field([], max_length=20)
    # strict: a JSON true is no threshold, "5" no limit (pydantic would read them as 1.0 and 5)
    threshold: float = Field(DEFAULT_THRESHOLD, ge=0.0, le=1.0, strict=True)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=100, strict=True)


class Screened(BaseModel):
    query: ScreenRequest
    hits: list[ScreeningHit] = []
    error: str | None = None  # in a batch: why this query could not be screened


class ScreenResponse(Screened):
    provenance: Provenance
    warnings: list[str] = []  # official lists not loaded, lists too old: as the command line warns


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    queries: list[ScreenRequest] = Field(min_length=1)


class BatchResponse(BaseModel):
    results: list[Screened]
    provenance: Provenance
    warnings: list[str] = []


def screener_of(request: Request) -> Screener:
    """The screener over the lists in use now; 503 while none can be built."""
    try:
        return request.app.state.context.screener()
    except BadInput as problem:
        raise ApiError(503, f"screening is not available: {problem.render()}", code="not_ready") from None


def json_response(model: BaseModel, headers: dict[str, str] | None = None) -> Response:
    return Response(model.model_dump_json(), media_type="application/json", headers=headers)


def answered_against(request: Request) -> dict[str, Any]:
    """The provenance of an answer given now, and the warnings the lists in use call for."""
    context = request.app.state.context
    return {"provenance": context.provenance(), "warnings": list(context.lists_in_use().warnings)}


def screened(screener: Screener, query: ScreenRequest) -> list[ScreeningHit]:
    return screener.screen(screen_query(query.name, query.type, query.country, query.birth_date, query.identifiers),
                           threshold=query.threshold, limit=query.limit)


def recorded_request(query: ScreenRequest) -> dict[str, Any]:
    return audit.screening_request(query.name, query.type.value if query.type else None, query.country,
                                   query.birth_date, query.identifiers, query.threshold, query.limit)


@router.post("/screen", response_model=ScreenResponse, summary="Screen one name")
async def screen(body: ScreenRequest, request: Request, key: KeyRecord = Depends(require("analyst"))) -> Response:
    hits = screened(screener_of(request), body)
    answer = ScreenResponse(query=body, hits=hits, **answered_against(request))
    headers = record(request, key, "screen", recorded_request(body), audit.screening_result(hits),
                     answer.provenance)
    # serialised here, once: returned as a model, FastAPI would validate it again against the
    # response model (the hits' explanations, the provenance), a third of a request's time
    return json_response(answer, headers)


@router.post("/screen/batch", response_model=BatchResponse, summary="Screen many names")
async def screen_batch(body: BatchRequest, request: Request,
                       key: KeyRecord = Depends(require("analyst"))) -> Response:
    most = request.app.state.context.settings.api_max_batch
    if len(body.queries) > most:
        raise ApiError(422, f"/queries: {len(body.queries)} queries; at most {most} in one batch (api_max_batch)")
    screener = screener_of(request)
    results = []
    for query in body.queries:
        try:
            results.append(Screened(query=query, hits=screened(screener, query)))
        except BadInput as problem:  # one bad name does not fail the others
            results.append(Screened(query=query, error=problem.render()))
    answer = BatchResponse(results=results, **answered_against(request))
    headers = record(request, key, "screen.batch", {"queries": [recorded_request(query) for query in body.queries]},
                     {"results": [{"error": result.error} if result.error else audit.screening_result(result.hits)
                                  for result in results]}, answer.provenance)
    return json_response(answer, headers)
