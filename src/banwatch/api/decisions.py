"""POST /v1/decide and /v1/decide/batch: `banwatch decide` over HTTP. The
seller and buyer are screened against the loaded lists unless `screen=false`
(then a named party is not cleared either: it is a review)."""

from __future__ import annotations


from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from banwatch.api.audit import record
from banwatch.api.auth import require
from banwatch.api.errors import ERRORS, ApiError
from banwatch.decide import decide
from banwatch.decide.counterparties import ListsInUse
from banwatch.model import Decision, Transaction
from banwatch.services import audit
from banwatch.store import KeyRecord

router = APIRouter(prefix="/v1", tags=["decisions"], responses=ERRORS)


class DecideBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    transactions: list[Transaction] = Field(min_length=1)


class DecideBatchResponse(BaseModel):
    decisions: list[Decision]


def lists_for(request: Request, screen: bool) -> ListsInUse:
    if not screen:
        return ListsInUse(None, unscreened_because="screening was turned off (screen=false)")
    return request.app.state.context.lists_in_use()


@router.post("/decide", response_model=Decision, summary="Decide one transaction")
async def decide_one(body: Transaction, request: Request, response: Response, screen: bool = Query(True),
                     key: KeyRecord = Depends(require("analyst"))) -> Decision:
    context = request.app.state.context
    decision = decide(body, context.catalog.measures, lists=lists_for(request, screen))
    decision = decision.model_copy(update={"provenance": context.provenance()})
    response.headers.update(record(request, key, "decide", {"transaction": body.model_dump(mode="json"),
                                                            "screen": screen},
                                   audit.decision_result(decision), decision.provenance))
    return decision


@router.post("/decide/batch", response_model=DecideBatchResponse, summary="Decide many transactions")
async def decide_many(body: DecideBatch, request: Request, response: Response, screen: bool = Query(True),
                      key: KeyRecord = Depends(require("analyst"))) -> DecideBatchResponse:
    context = request.app.state.context
    most = context.settings.api_max_batch
    if len(body.transactions) > most:
        raise ApiError(422, f"/transactions: {len(body.transactions)} transactions; at most {most} in one batch "
                       "(api_max_batch)")
    lists, measures, provenance = lists_for(request, screen), context.catalog.measures, context.provenance()
    decisions = [decide(transaction, measures, lists=lists).model_copy(update={"provenance": provenance})
                 for transaction in body.transactions]
    response.headers.update(record(
        request, key, "decide.batch",
        {"transactions": [transaction.model_dump(mode="json") for transaction in body.transactions], "screen": screen},
        {"decisions": [audit.decision_result(decision) for decision in decisions]}, provenance))
    return DecideBatchResponse(decisions=decisions)
