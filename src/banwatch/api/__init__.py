"""The HTTP service (`banwatch serve`): banwatch's own API under /v1 and the
endpoints of OpenSanctions' yente, so that clients written for yente work
unchanged.

One app per worker process, made by `create_app` from a Context: the
screener is built (or read from the index cache) when the worker starts and
answers from memory. Each request asks the Context for it, which checks the
store's active snapshots first: after a `lists load` or `lists update` the
next request is answered from the new lists, never from a half-loaded index
(the Context builds the new screener whole before it replaces the old one).

Every endpoint is `async def` and so runs on the worker's one event-loop
thread: the store's SQLite connection is used from that thread only, and the
screening is CPU work that threads would not run in parallel anyway.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from banwatch import __version__
from banwatch.api import audit, catalog, decisions, estate, lists, monitoring, screening, ui, yente
from banwatch.api.auth import FailureLimiter
from banwatch.api.errors import install_error_handlers
from banwatch.api.limits import BodyLimit
from banwatch.context import Context


def create_app(context: Context) -> FastAPI:
    """The service over `context` (its settings, store, catalog and screener)."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        with contextlib.suppress(Exception):  # no lists loaded yet: /readyz says so, screening says why
            context.screener()
        yield
        context.close()

    app = FastAPI(title="banwatch", version=__version__, lifespan=lifespan,
                  description="Screening, decisions and estate scans against sanctions lists and technology bans, "
                              "with the provenance of every answer. The yente endpoints (/match, /search, "
                              "/entities, /catalog, /algorithms) answer as OpenSanctions' yente does.")
    app.state.context = context
    app.state.failures = FailureLimiter(context.settings.api_auth_failures_per_minute)
    install_error_handlers(app)
    for module in (screening, decisions, estate, lists, catalog, monitoring, audit, yente, ui):
        app.include_router(module.router)
    app.add_middleware(BodyLimit, limit=context.settings.api_max_body_bytes)
    return app


def app_from_environment() -> FastAPI:
    """The app of one `banwatch serve` worker: settings read from the environment, once."""
    return create_app(Context.from_environment())
