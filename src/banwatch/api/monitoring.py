"""The monitored books and their alerts over HTTP (`banwatch monitor` and
`banwatch alerts`): /v1/books and /v1/alerts. Who closed an alert is the
name of the API key that closed it."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from banwatch.api.audit import actor_of
from banwatch.api.auth import require
from banwatch.api.errors import ERRORS, ApiError
from banwatch.api.limits import save_upload
from banwatch.errors import BadInput
from banwatch.services.batch import find_columns
from banwatch.services.monitoring import DECISIONS, add_book, close_alert, remove_book, run_book
from banwatch.services.webhooks import deliver
from banwatch.store import KeyRecord

router = APIRouter(prefix="/v1", tags=["monitoring"], responses=ERRORS)


class CloseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: str = Field(description=" or ".join(DECISIONS), max_length=40)
    note: str = Field(min_length=1, max_length=10_000)


@router.get("/books", summary="Every monitored book")
async def books(request: Request, _key: Any = Depends(require("viewer"))) -> dict[str, Any]:
    return {"books": [{"book": name, "records": count, "updated_at": when}
                      for name, count, when in request.app.state.context.store.books()]}


@router.post("/books/{book}", summary="Add or update a book from an uploaded CSV")
async def put_book(request: Request, book: str, file: UploadFile = File(...),
                   id_column: str = Form("id", max_length=200), name_column: str = Form("name", max_length=200),
                   type_column: str | None = Form(None, max_length=200),
                   country_column: str | None = Form(None, max_length=200),
                   dob_column: str | None = Form(None, max_length=200),
                   key: KeyRecord = Depends(require("analyst"))) -> dict[str, Any]:
    store = request.app.state.context.writable_store()
    with tempfile.TemporaryDirectory(prefix="banwatch-book-") as folder:
        path = await save_upload(file, Path(folder) / "book.csv")
        columns = find_columns(path, name_column, id_column, type_column, country_column, dob_column, keep=[])
        changes = add_book(store, book, path, columns, actor=actor_of(key))
    return {"book": book, **changes}


@router.delete("/books/{book}", summary="Stop monitoring a book (its alerts are kept)")
async def delete_book(request: Request, book: str, key: KeyRecord = Depends(require("analyst"))) -> dict[str, Any]:
    try:
        remove_book(request.app.state.context.writable_store(), book, actor=actor_of(key))
    except BadInput as problem:
        raise not_found(problem) from None
    return {"book": book, "removed": True}


@router.post("/books/{book}/run", summary="Screen a book and raise its alerts")
async def run(request: Request, book: str, full: bool = Query(False, description="every record, not only the new "
                                                                              "and changed ones"),
              key: KeyRecord = Depends(require("analyst"))) -> dict[str, Any]:
    context = request.app.state.context
    store = context.writable_store()
    try:
        summary = run_book(store, context.screener(), context.snapshots(), context.catalog.digest, book,
                           actor=actor_of(key), full=full)
    except BadInput as problem:
        raise not_found(problem) from None
    settings = context.settings
    # sent before answering, in a thread (it waits on the receivers, never on the store)
    deliveries = await asyncio.to_thread(deliver, summary.raised, settings.webhook_urls, settings.webhook_secret,
                                         settings.retry_backoff)
    return {"book": summary.book, "full": summary.full, "why": summary.why, "records": summary.records,
            "hits": summary.hits,
            "raised": [alert.as_json() for alert in summary.raised], "still_open": summary.still_open,
            "webhooks": [vars(delivery) for delivery in deliveries],
            "held": summary.held, "bad": [{"record_id": r, "problem": p} for r, p in summary.bad],
            "provenance": context.provenance().model_dump(mode="json")}


@router.get("/alerts", summary="Alerts, oldest first")
async def alerts(request: Request, status: str | None = Query(None, pattern="^(open|closed)$"),
                 book: str | None = Query(None, max_length=200),
                 _key: Any = Depends(require("viewer"))) -> dict[str, Any]:
    return {"alerts": [alert.as_json() for alert in request.app.state.context.store.alerts(status, book)]}


def not_found(problem: BadInput) -> BadInput | ApiError:
    """A book or alert that does not exist is a 404, not bad input."""
    return ApiError(404, problem.render(), code=f"no_{problem.place}") \
        if problem.place in ("book", "alert") and problem.text.startswith("no ") else problem


@router.get("/alerts/{alert_id}", summary="One alert whole")
async def alert(request: Request, alert_id: int, _key: Any = Depends(require("viewer"))) -> dict[str, Any]:
    try:
        return request.app.state.context.store.alert(alert_id).as_json()
    except BadInput as problem:
        raise not_found(problem) from None


@router.post("/alerts/{alert_id}/close", summary="Close an alert with a decision and a note")
async def close(request: Request, alert_id: int, body: CloseRequest,
                key: KeyRecord = Depends(require("analyst"))) -> dict[str, Any]:
    store = request.app.state.context.writable_store()
    try:
        return close_alert(store, alert_id, body.decision, body.note, actor_of(key)).as_json()
    except BadInput as problem:
        raise not_found(problem) from None
