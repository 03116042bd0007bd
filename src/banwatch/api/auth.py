"""Who may call: an API key in `Authorization: ApiKey <key>` (what yente's
clients send) or `Authorization: Bearer <key>`, of a role that allows the
endpoint (`services.keys.ROLES`). A wrong or missing key is 401, a key of a
lesser role 403, and an address that keeps sending wrong keys is answered
429 for a minute (`api_auth_failures_per_minute`), per worker process."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable

from fastapi import Request

from banwatch.api.errors import ApiError
from banwatch.services.keys import allows, key_record
from banwatch.store import KeyRecord

WINDOW_SECONDS = 60.0
SCHEMES = ("apikey", "bearer")


class FailureLimiter:
    """Failed authentications per client address over the last minute."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self.failures: dict[str, deque[float]] = defaultdict(deque)

    def wait(self, address: str) -> float:
        """Seconds before `address` may try again (0: now)."""
        times = self.failures.get(address)
        if not times:
            return 0.0
        now = time.monotonic()
        while times and now - times[0] > WINDOW_SECONDS:
            times.popleft()
        if not times:
            del self.failures[address]
            return 0.0
        return WINDOW_SECONDS - (now - times[0]) if len(times) >= self.per_minute else 0.0

    def failed(self, address: str) -> None:
        self.failures[address].append(time.monotonic())


def key_in(header: str | None) -> str | None:
    scheme, _, value = (header or "").strip().partition(" ")
    return value.strip() or None if scheme.lower() in SCHEMES else None


def require(role: str) -> Callable[[Request], Awaitable[KeyRecord]]:
    """A dependency: the caller's key, which must allow `role`. Async: it reads
    the store on the event loop's thread, where the store's connection lives."""

    async def check(request: Request) -> KeyRecord:
        limiter: FailureLimiter = request.app.state.failures
        address = request.client.host if request.client else "unknown"
        if (wait := limiter.wait(address)) > 0:
            raise ApiError(429, f"too many requests with a wrong API key from {address}; try again in "
                           f"{wait:.0f} s", headers={"Retry-After": str(int(wait) + 1)})
        key = key_in(request.headers.get("authorization"))
        record = key_record(request.app.state.context.store, key) if key else None
        if record is None:
            limiter.failed(address)
            raise ApiError(401, "an API key is needed: send 'Authorization: ApiKey <key>' (or 'Bearer <key>'); "
                           "an admin makes one with banwatch keys create" if key is None
                           else "this API key is not known or was revoked", headers={"WWW-Authenticate": "ApiKey"})
        if not allows(record.role, role):
            raise ApiError(403, f"the key {record.name!r} has the role {record.role}; this needs {role}")
        request.state.key = record
        return record

    return check
