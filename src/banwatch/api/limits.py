"""The request body limit, as ASGI middleware: a body over the limit is
answered 413 before the app reads it (by its Content-Length), or as soon as
its chunks pass the limit (a body sent without one); and uploads saved to
disk a chunk at a time."""

from __future__ import annotations

import json

from pathlib import Path

from fastapi import UploadFile
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: bytes copied from an upload at a time
UPLOAD_CHUNK = 1 << 20


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self.refuse(send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, sending)
        except BodyTooLarge:
            if not started:
                await self.refuse(send)

    async def refuse(self, send: Send) -> None:
        message = f"the request body is larger than {self.limit:,} bytes (api_max_body_bytes)"
        body = json.dumps({"code": "too_large", "message": message, "detail": message}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


async def save_upload(upload: UploadFile, path: Path) -> Path:
    """An uploaded file copied to `path` a chunk at a time (never whole in memory)."""
    with path.open("wb") as out:
        while chunk := await upload.read(UPLOAD_CHUNK):
            out.write(chunk)
    return path
