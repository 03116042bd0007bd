"""The audit trail over HTTP: every answer an analyst key is given is
recorded before it is sent (`record`), under the key's name and the client's
X-Request-Id (a retried request is recorded once), and the record's number is
returned in the X-Audit-Record header; an admin reads the trail (/v1/audit)
and has it verified (/v1/audit/verify)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from banwatch.api.auth import require
from banwatch.api.errors import ERRORS, ApiError
from banwatch.model import Provenance
from banwatch.services import audit
from banwatch.store import KeyRecord

router = APIRouter(prefix="/v1", tags=["audit"], responses=ERRORS)
#: the longest X-Request-Id kept (a UUID is 36)
LONGEST_REQUEST_ID = 200
#: records in one page of /v1/audit
PAGE = 1000


def actor_of(key: KeyRecord) -> str:
    return f"key:{key.name}"


def request_id_of(request: Request) -> str | None:
    value = request.headers.get("x-request-id")
    if value is not None and not 0 < len(value) <= LONGEST_REQUEST_ID:
        raise ApiError(422, f"X-Request-Id: 1 to {LONGEST_REQUEST_ID} characters (this one has {len(value)})")
    return value


def record(request: Request, key: KeyRecord, action: str, body: Any, result: Any,
           provenance: Provenance) -> dict[str, str]:
    """Record the answer about to be sent; the headers that point to its record."""
    store = request.app.state.context.writable_store()
    entry = audit.record_answer(store, actor=actor_of(key), action=action, request=body, result=result,
                                provenance=provenance, request_id=request_id_of(request))
    return {"X-Audit-Record": str(entry.seq)}


@router.get("/audit", summary="The audit trail, oldest first, a page at a time")
async def records(request: Request, since: str | None = Query(None, description="UTC date, YYYY-MM-DD",
                                                              pattern=r"^\d{4}-\d{2}-\d{2}$"),
                  after: int = Query(0, ge=0, description="the seq of the last record of the page before"),
                  _key: Any = Depends(require("admin"))) -> dict[str, Any]:
    try:
        day = dt.date.fromisoformat(since) if since else None
    except ValueError:
        raise ApiError(422, f"since: {since!r} is not a date (YYYY-MM-DD)") from None
    store = request.app.state.context.store
    page = []
    for entry in store.audit_records(day.isoformat() if day else None, after):
        page.append(entry.as_json())
        if len(page) == PAGE:
            break
    return {"records": page, "next_after": page[-1]["seq"] if len(page) == PAGE else None}


@router.get("/audit/verify", summary="Check the whole chain: the first record edited, deleted or reordered")
async def verify(request: Request, _key: Any = Depends(require("admin"))) -> dict[str, Any]:
    return audit.verify(request.app.state.context.store).as_json()
