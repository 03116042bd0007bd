"""Every error the service answers is JSON: `{"code", "message", "detail"}`
(and `field`, a JSON pointer into the request, when one field is at fault).
`detail` repeats the message where FastAPI and yente clients look for it.
Bad input is a 4xx, never a 500."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from banwatch.errors import BadInput, StoreUnavailable

#: the code of an HTTP status, for bodies of errors raised without one
CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         413: "too_large", 415: "unsupported_media_type", 422: "bad_input", 429: "too_many_requests",
         503: "not_ready"}


class ErrorBody(BaseModel):
    code: str
    message: str
    detail: str
    field: str | None = None


#: the error answers every endpoint may give, for the OpenAPI document
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description} for status, description in (
        (400, "the body cannot be parsed (not JSON, or not UTF-8)"), (401, "no API key, or one not known or revoked"), (403, "the key's role does not allow this"),
        (404, "no such dataset, entity or measure"), (413, "the body is over api_max_body_bytes"),
        (422, "bad input: the field at fault and why"), (429, "too many wrong keys from this address"),
        (503, "no screening index can be built yet, or the store's server cannot be reached"))}


class ApiError(HTTPException):
    """An error with its own code: ApiError(404, "no entity 'x'", code="no_entity")."""

    def __init__(self, status: int, message: str, code: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(status, message, headers)
        self.code = code or CODES.get(status, "error")


def error_body(status: int, code: str, message: str, field: str | None = None) -> JSONResponse:
    body = {"code": code, "message": message, "detail": message}
    if field:
        body["field"] = field
    return JSONResponse(body, status_code=status)


def pointer(parts: list | tuple) -> str:
    """A JSON pointer from a location: ("body", "queries", 3, "name") -> /queries/3/name."""
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in parts if part != "body")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StoreUnavailable)
    async def store_unavailable(_request: Request, error: StoreUnavailable) -> JSONResponse:
        return error_body(503, "store_unavailable", error.render())

    @app.exception_handler(BadInput)
    async def bad_input(_request: Request, error: BadInput) -> JSONResponse:
        message = error.render(lambda code: f"/{code}")
        return error_body(422, "bad_input", message, f"/{error.field}" if error.field else None)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid request"}
        field = pointer(first.get("loc", ()))
        message = f"{field}: {first.get('msg', 'invalid')}".removeprefix("/: ")
        return error_body(422, "bad_input", message, field if field != "/" else None)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        code = getattr(error, "code", None) or CODES.get(error.status_code, "error")
        response = error_body(error.status_code, code, str(error.detail))
        for name, value in (error.headers or {}).items():
            response.headers[name] = value
        if error.status_code == 405:
            # Starlette names only the first route's methods where two routes share a path
            # (POST and DELETE /v1/books/{book}): every method the document gives the path
            response.headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path))
        return response


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the OpenAPI document gives the paths that `path` matches."""
    methods: set[str] = set()
    for template, operations in app.openapi()["paths"].items():
        if re.fullmatch(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)), path):
            methods.update(method.upper() for method in operations)
    return sorted(methods)
