"""The review UI: server-rendered pages under /ui from the same service, for
the people who review alerts. Plain HTML forms (no script, no front-end
build), Jinja2 templates in api/templates, one CSS file in api/static.

Sign-in is with an API key, checked by the same lookup as the API's
(`services.keys.key_record`); a wrong key counts toward the same
`FailureLimiter`. The session is a cookie signed with HMAC-SHA256 that holds
the key's name and digest, never the key; every request looks the digest up
again, so a revoked key is signed out at its next page. Every POST form
carries a CSRF token tied to the session's random nonce (and a sign-in form
to the nonce of the visitor's cookie before sign-in); a POST without it, or
with another session's, is 403. The pages ask for the roles the API asks
for: a viewer reads the queue, the alerts and the lists; closing an alert,
screening a name and scanning an estate need an analyst.

Closing goes through `services.monitoring.close_alert`, screening through
`api.screening.screened` and the estate scan through
`api.estate.scan_uploads`: the same code as the API, so the same records
are kept of them. The settings come from the app's Context; nothing here
reads the environment.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import math
import secrets
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi import UploadFile as FastApiUpload
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from banwatch import __version__
from banwatch.api.audit import actor_of, record
from banwatch.api.auth import FailureLimiter
from banwatch.api.estate import scan_uploads
from banwatch.api.screening import ScreenRequest, recorded_request, screened, screener_of
from banwatch.context import Context
from banwatch.errors import BadInput, StoreUnavailable
from banwatch.match.screen import DEFAULT_THRESHOLD
from banwatch.model import EntityType, ListedEntity, Measure, ScreeningHit
from banwatch.queries import screen_query
from banwatch.report.estate import bar_chart
from banwatch.services import audit
from banwatch.services.keys import allows, digest_of, key_record
from banwatch.services.monitoring import DECISIONS, close_alert
from banwatch.store import Alert, BookRecord, KeyRecord

HERE = Path(__file__).parent
COOKIE = "banwatch_ui"
#: a session ends this long after sign-in, whatever it does meanwhile
SESSION_SECONDS = 8 * 3600
#: what the UI's key is derived for, from the store's signing key (one key, one purpose)
PURPOSE = b"banwatch review UI: session cookies and CSRF tokens, v1"
#: most alerts one queue page lists
QUEUE_PAGE = 500
#: most entries of each kind a diff shows on the lists page
DIFF_SHOWN = 50
DECISION_LABELS = {"true_match": "True match", "false_positive": "False positive", "escalated": "Escalated"}
WHY_SIGNED_OUT = {
    "revoked": "You were signed out: the key you signed in with was revoked. Sign in with a live key.",
    "expired": f"Your session ended ({SESSION_SECONDS // 3600} hours after sign-in). Sign in again.",
    "signed_out": "You are signed out.",
    "required": "Sign in with an API key to see this page.",
}


# ------------------------------------------------------------------ the session


@dataclass
class Visit:
    """Who this request comes from. `nonce` is the session's random nonce (or,
    before sign-in, the visitor's), which CSRF tokens are tied to; `sent` the
    nonce of the cookie as it came signed (None: no valid cookie), which a
    POST's token is checked against."""

    secret: bytes
    nonce: str
    sent: str | None
    key: KeyRecord | None = None
    cookie: str | None = None  # a new cookie value to set on the response
    ended: str | None = None  # why a session the cookie held is no more (WHY_SIGNED_OUT)

    @property
    def csrf(self) -> str:
        return csrf_token(self.secret, self.nonce)

    @property
    def signed(self) -> KeyRecord:
        """The key of a signed-in visit (`signed_in` made sure there is one)."""
        if self.key is None:
            raise Refusal(RedirectResponse(login_url("required"), status_code=303))
        return self.key

    def may(self, role: str) -> bool:
        return self.key is not None and allows(self.key.role, role)


def ui_secret(request: Request) -> bytes:
    """The key that signs the UI's cookies and CSRF tokens.

    Derived (HMAC, for this purpose only) from the random signing key kept in
    the store (`Store.signing_key`, which also signs the index cache), not
    made per process: every worker of `banwatch serve` and every replica over
    a shared PostgreSQL store must accept the cookie another one set, and a
    restart must not sign everyone out. Whoever can read the store could forge
    a cookie, but they could read everything the UI shows already, and the
    cookie is still checked against the live keys on every request.

    A store without one (never opened to write) holds no API key either, so no
    one can sign in; until it has one, a random key of this process signs the
    visitors' anonymous cookies (their CSRF nonces) and is dropped as soon as
    the store's key exists."""
    state = request.app.state
    if (cached := getattr(state, "ui_secret", None)) is not None:
        return cached
    stored = request.app.state.context.store.signing_key()
    if stored is None:
        if getattr(state, "ui_process_secret", None) is None:
            state.ui_process_secret = secrets.token_bytes(32)
        return state.ui_process_secret
    state.ui_secret = hmac.new(stored, PURPOSE, hashlib.sha256).digest()
    return state.ui_secret


def csrf_token(secret: bytes, nonce: str) -> str:
    return hmac.new(secret, b"csrf\0" + nonce.encode(), hashlib.sha256).hexdigest()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signed(secret: bytes, payload: dict[str, Any]) -> str:
    body = b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    return body + "." + b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())


def unsigned(secret: bytes, value: str | None) -> dict[str, Any] | None:
    """The payload of a cookie this service signed, or None (none, forged, damaged)."""
    body, _, signature = (value or "").partition(".")
    if not body or not signature:
        return None
    expected = b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(signature, expected):
        return None
    try:
        payload = json.loads(unb64(body))
    except ValueError:
        return None
    return payload if isinstance(payload, dict) and isinstance(payload.get("n"), str) else None


def anonymous(secret: bytes, sent: str | None = None, ended: str | None = None) -> Visit:
    nonce = secrets.token_urlsafe(18)
    return Visit(secret, nonce, sent, cookie=signed(secret, {"n": nonce}), ended=ended)


def visit_of(request: Request) -> Visit:
    """Who the request comes from, the session's key looked up again in the store."""
    if (known := getattr(request.state, "visit", None)) is not None:
        return known
    secret = ui_secret(request)
    payload = unsigned(secret, request.cookies.get(COOKIE))
    if payload is None:
        visit = anonymous(secret)
    elif "d" not in payload:
        visit = Visit(secret, payload["n"], payload["n"])
    else:
        record = request.app.state.context.store.key_with_digest(str(payload["d"]))
        if not isinstance(payload.get("t"), int | float) or time.time() - payload["t"] > SESSION_SECONDS:
            visit = anonymous(secret, payload["n"], "expired")
        elif record is None or record.revoked_at is not None or record.name != payload.get("k"):
            visit = anonymous(secret, payload["n"], "revoked")
        else:
            visit = Visit(secret, payload["n"], payload["n"], record)
    request.state.visit = visit
    return visit


class Refusal(Exception):
    """A page answered instead of the one asked for (a redirect to sign in, a 403)."""

    def __init__(self, response: Response):
        self.response = response


def login_url(why: str, after: str | None = None) -> str:
    return f"/ui/login?why={why}" + (f"&next={quote(after, safe='/')}" if after else "")


def signed_in(request: Request, role: str = "viewer") -> Visit:
    """The visit of a signed-in key that allows `role`; else sign in (or 403)."""
    visit = visit_of(request)
    if visit.key is None:
        after = request.url.path if request.method == "GET" else None
        raise Refusal(RedirectResponse(login_url(visit.ended or "required", after), status_code=303))
    if not visit.may(role):
        raise Refusal(page(request, "message.html", 403, title="Not allowed",
                           error=f"The key {visit.key.name!r} has the role {visit.key.role}; this needs {role}."))
    return visit


async def posted(request: Request) -> FormData:
    """The form of a POST whose CSRF token belongs to the cookie it came with; else 403."""
    visit = visit_of(request)
    form = await request.form()
    token = form.get("csrf")
    if visit.sent is None or not isinstance(token, str) or \
            not hmac.compare_digest(token, csrf_token(visit.secret, visit.sent)):
        await form.close()
        raise Refusal(page(request, "message.html", 403, title="Form refused",
                           error="This form was refused: it carries no valid CSRF token for your session "
                                 "(it was sent from another page, or your session changed). Reload the page "
                                 "and send it again."))
    return form


def text_field(form: FormData, name: str, longest: int) -> str:
    value = form.get(name)
    if value is None or isinstance(value, UploadFile):
        return ""
    if len(value) > longest:
        raise BadInput(None, f"at most {longest:,} characters", field=name)
    return value.strip()


# ------------------------------------------------------------------ rendering


def when(value: str | None) -> str:
    """An ISO time as people read it: 2026-12-02 10:31 UTC."""
    if not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M") + (" UTC" if moment.tzinfo is not None else "")


TEMPLATES = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
TEMPLATES.filters["when"] = when
TEMPLATES.globals.update(version=__version__, decision_labels=DECISION_LABELS)
CSS = (HERE / "static" / "ui.css").read_bytes()
HEADERS = {
    # no script anywhere; styles from the one CSS file; not framed by another site
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def page(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    visit = visit_of(request)
    values.setdefault("error", None)
    values.setdefault("notice", None)
    catalog = request.app.state.context.catalog

    def measures_of(hit: ScreeningHit | None, source: str) -> list[Measure]:
        """The catalog's measures that name the entry (the hit's) or cover its whole list."""
        named = set(hit.measures if hit else ())
        return [measure for measure in catalog.measures if measure.id in named or source in measure.lists]

    html = TEMPLATES.get_template(template).render(visit=visit, path=request.url.path, measures_of=measures_of,
                                                   **values)
    return HTMLResponse(html, status_code=status)


def finish(request: Request, response: Response) -> Response:
    """Every UI response: its security headers, and the session cookie where it changed."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    visit = getattr(request.state, "visit", None)
    if visit is not None and visit.cookie is not None:
        response.set_cookie(COOKIE, visit.cookie, max_age=SESSION_SECONDS if visit.key else None, path="/ui",
                            secure=request.url.scheme == "https", httponly=True, samesite="strict")
    return response


def message(request: Request, status: int, title: str, error: str) -> HTMLResponse:
    """A page that says what went wrong; a plain one when even the session
    cannot be read (the store's server is down)."""
    try:
        return page(request, "message.html", status, title=title, error=error)
    except StoreUnavailable:
        body = TEMPLATES.from_string("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ t }}"
                                     "</title></head><body><main><h1>{{ t }}</h1><p class=\"error\" role=\"alert\">"
                                     "<strong>Error:</strong> {{ e }}</p></main></body></html>")
        return HTMLResponse(body.render(t=title, e=error), status_code=status)


class UiRoute(APIRoute):
    """A route whose every answer is a page: bad input, a refusal or a missing
    alert are shown on it (with their 4xx status), never as JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                response = await handle(request)
            except Refusal as refusal:
                response = refusal.response
            except StoreUnavailable as problem:
                response = message(request, 503, "Store unavailable", problem.render())
            except BadInput as problem:
                response = message(request, 422, "Bad input", problem.render())
            except RequestValidationError as problem:
                first = problem.errors()[0] if problem.errors() else {"loc": (), "msg": "invalid request"}
                where = " ".join(str(part) for part in first.get("loc", ()) if part not in ("path", "query"))
                response = message(request, 422, "Bad input", f"{where}: {first.get('msg', 'invalid')}".strip(": "))
            except HTTPException as problem:
                response = message(request, problem.status_code, "Not available", str(problem.detail))
            return finish(request, response)

        return handler


router = APIRouter(prefix="/ui", include_in_schema=False, route_class=UiRoute)


# ------------------------------------------------------------------ sign in and out


@router.get("")
@router.get("/")
async def home(request: Request) -> Response:
    return RedirectResponse("/ui/alerts", status_code=303)


@router.get("/static/ui.css")
async def css(_request: Request) -> Response:
    return Response(CSS, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a UI page of this service, never another site."""
    if value and value.startswith("/ui/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/ui/alerts"


@router.get("/login")
async def login_page(request: Request) -> Response:
    visit = visit_of(request)
    after = safe_next(request.query_params.get("next"))
    if visit.key is not None:
        return RedirectResponse(after, status_code=303)
    why = visit.ended or request.query_params.get("why")
    return page(request, "login.html", title="Sign in", after=after, notice=WHY_SIGNED_OUT.get(why or ""))


@router.post("/login")
async def login(request: Request) -> Response:
    form = await posted(request)
    after = safe_next(text_field(form, "next", 2_000))
    limiter: FailureLimiter = request.app.state.failures
    address = request.client.host if request.client else "unknown"
    if (wait := limiter.wait(address)) > 0:
        response = page(request, "login.html", 429, title="Sign in", after=after,
                        error=f"Too many wrong keys from {address}: try again in {wait:.0f} s.")
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    key = text_field(form, "key", 500)
    record = key_record(request.app.state.context.store, key) if key else None
    if record is None:
        limiter.failed(address)
        return page(request, "login.html", 401, title="Sign in", after=after,
                    error="No API key was given." if not key else "This API key is not known or was revoked.")
    # a new nonce at sign-in: a nonce planted before it (session fixation) is worth nothing after
    nonce = secrets.token_urlsafe(18)
    secret = visit_of(request).secret
    request.state.visit = Visit(secret, nonce, nonce, record, cookie=signed(
        secret, {"n": nonce, "k": record.name, "d": digest_of(key), "t": int(time.time())}))
    return RedirectResponse(after, status_code=303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    await posted(request)
    request.state.visit = anonymous(visit_of(request).secret)
    return RedirectResponse("/ui/login?why=signed_out", status_code=303)


# ------------------------------------------------------------------ the alert queue and one alert


def parse_score(text: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        score = float(text)
    except ValueError:
        raise BadInput(None, f"{text!r} is not a number", field="minimum score") from None
    if not math.isfinite(score) or not 0.0 <= score <= 1.0:
        raise BadInput(None, f"{text} is not between 0 and 1", field="minimum score")
    return score


@router.get("/alerts")
async def queue(request: Request) -> Response:
    signed_in(request)
    store = request.app.state.context.store
    query = request.query_params
    chosen = {"book": query.get("book", ""), "status": query.get("status", "open"), "source": query.get("source", ""),
              "min_score": query.get("min_score", "")}
    every = store.alerts()
    books = sorted({name for name, _count, _when in store.books()} | {alert.book for alert in every})
    sources = sorted({alert.source for alert in every})
    error, status, shown = None, 200, []
    try:
        if chosen["status"] not in ("open", "closed", "all"):
            raise BadInput(None, f"{chosen['status']!r} is not a status: open, closed or all", field="status")
        least = parse_score(chosen["min_score"])
        shown = [alert for alert in every
                 if (chosen["status"] == "all" or alert.status == chosen["status"])
                 and (not chosen["book"] or alert.book == chosen["book"])
                 and (not chosen["source"] or alert.source == chosen["source"])
                 and (least is None or alert.score >= least)]
    except BadInput as problem:
        error, status = problem.render(), 422
    shown.sort(key=lambda alert: (-alert.score, alert.id))
    return page(request, "alerts.html", status, title="Alert queue", error=error, alerts=shown[:QUEUE_PAGE],
                matching=len(shown), total=len(every), books=books, sources=sources, chosen=chosen,
                limit=QUEUE_PAGE)


def record_of(context: Context, alert: Alert) -> BookRecord | None:
    """The book record the alert is about, as the book holds it now (None: no longer in it)."""
    return context.store.book_record(alert.book, alert.record_id)  # None too when the book was removed


def entity_of(context: Context, alert: Alert) -> ListedEntity | None:
    """The listed entity as the alert's snapshot has it (a catalog party: as the catalog has it)."""
    if alert.snapshot_id is not None:
        return context.store.entity(alert.snapshot_id, alert.entity_id)
    from banwatch.lists.catalog_parties import catalog_entities  # noqa: PLC0415 (rigour's territories load)

    return next((entity for entity in catalog_entities(context.catalog.measures).entities
                 if entity.id == alert.entity_id), None)


def hit_now(request: Request, record: BookRecord | None, alert: Alert) -> tuple[ScreeningHit | None, str | None]:
    """The record screened again against the lists in use, and this entity's hit:
    the word-by-word explanation (an alert keeps its explanation as text)."""
    if record is None:
        return None, "The record is no longer in the book, so it cannot be screened again."
    try:
        screener = request.app.state.context.screener()
        hits = screener.screen(screen_query(record.name, record.type, record.country, record.birth_date),
                               threshold=0.0, limit=1_000)
    except BadInput as problem:
        return None, f"The record cannot be screened again: {problem.render()}"
    found = next((hit for hit in hits if hit.entity_id == alert.entity_id), None)
    return found, None if found else "Screened again now, the record no longer meets this entity in the lists in use."


def earlier_of(context: Context, alert: Alert) -> list[Alert]:
    """The earlier alerts of the same pair, newest first (each alert points to the one before)."""
    chain: list[Alert] = []
    seen = {alert.id}
    current = alert.earlier
    while current is not None and current not in seen and len(chain) < 100:
        seen.add(current)
        try:
            before = context.store.alert(current)
        except BadInput:
            break
        chain.append(before)
        current = before.earlier
    return chain


def alert_page(request: Request, alert_id: int, status: int = 200, error: str | None = None,
               entered: dict[str, str] | None = None) -> HTMLResponse:
    visit = signed_in(request)
    context: Context = request.app.state.context
    try:
        alert = context.store.alert(alert_id)
    except BadInput as problem:
        raise HTTPException(404, problem.render()) from None
    record = record_of(context, alert)
    entity = entity_of(context, alert)
    hit, why_no_hit = hit_now(request, record, alert)
    snapshot = context.store.snapshot(alert.snapshot_id) if alert.snapshot_id is not None else None
    in_use = {snap.source: snap.id for snap in context.snapshots()}
    return page(request, "alert.html", status, title=f"Alert {alert.id}", alert=alert, record=record,
                entity=entity, hit=hit, why_no_hit=why_no_hit, snapshot=snapshot,
                in_use=in_use, earlier=earlier_of(context, alert), may_close=visit.may("analyst"),
                decisions=DECISIONS, error=error, entered=entered or {},
                notice="Alert closed: the decision is recorded." if request.query_params.get("closed") else None)


@router.get("/alerts/{alert_id}")
async def alert_detail(request: Request, alert_id: int) -> Response:
    return alert_page(request, alert_id)


@router.post("/alerts/{alert_id}/close")
async def close(request: Request, alert_id: int) -> Response:
    form = await posted(request)
    visit = signed_in(request, "analyst")
    decision, note = text_field(form, "decision", 40), text_field(form, "note", 10_000)
    store = request.app.state.context.writable_store()
    try:
        if not decision:
            raise BadInput(None, "choose a decision: true match, false positive or escalated", field="decision")
        close_alert(store, alert_id, decision, note, by=actor_of(visit.signed))
    except BadInput as problem:
        if problem.place == "alert" and problem.text.startswith("no "):
            raise HTTPException(404, problem.render()) from None
        # the service names the decision by the command line's word for it ("as")
        error = f"decision: {problem.text}" if problem.place == "as" else problem.render()
        return alert_page(request, alert_id, 422, error=error, entered={"decision": decision, "note": note})
    return RedirectResponse(f"/ui/alerts/{alert_id}?closed=1", status_code=303)


# ------------------------------------------------------------------ screening a name


def screen_page(request: Request, status: int = 200, **values: Any) -> HTMLResponse:
    visit = signed_in(request)
    values.setdefault("entered", {"threshold": str(DEFAULT_THRESHOLD), "limit": "10"})
    values.setdefault("hits", None)
    values.setdefault("warnings", [])
    values.setdefault("audit_record", None)
    return page(request, "screen.html", status, title="Screen a name", types=[t.value for t in EntityType],
                may_screen=visit.may("analyst"), **values)


@router.get("/screen")
async def screen_form(request: Request) -> Response:
    return screen_page(request)


@router.post("/screen")
async def screen(request: Request) -> Response:
    form = await posted(request)
    visit = signed_in(request, "analyst")
    entered = {name: text_field(form, name, 500) for name in ("name", "type", "country", "birth_date",
                                                                "threshold", "limit")}
    try:
        query = ScreenRequest.model_validate({
            "name": entered["name"], "type": entered["type"] or None, "country": entered["country"].upper() or None,
            "birth_date": entered["birth_date"] or None,
            "threshold": float(entered["threshold"]) if entered["threshold"] else DEFAULT_THRESHOLD,
            "limit": int(entered["limit"]) if entered["limit"] else 10})
    except ValidationError as problem:
        first = problem.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return screen_page(request, 422, entered=entered, error=f"{where}: {first['msg']}")
    except ValueError:
        return screen_page(request, 422, entered=entered,
                           error="threshold and limit: a number between 0 and 1, and a whole number from 1 to 100")
    screener = screener_of(request)
    try:
        hits = screened(screener, query)
    except BadInput as problem:
        return screen_page(request, 422, entered=entered, error=problem.render())
    context = request.app.state.context
    provenance = context.provenance()
    # recorded as the API's /v1/screen records it (so `audit replay` re-runs it), before it is shown
    headers = record(request, visit.signed, "screen", recorded_request(query), audit.screening_result(hits),
                     provenance)
    response = screen_page(request, entered=entered, hits=hits, warnings=list(context.lists_in_use().warnings),
                           provenance=provenance, audit_record=headers.get("X-Audit-Record"))
    response.headers.update(headers)
    return response


# ------------------------------------------------------------------ the lists and their last diff


@router.get("/lists")
async def lists(request: Request) -> Response:
    signed_in(request)
    context: Context = request.app.state.context
    snapshots = context.snapshots()
    sources = []
    for snapshot in snapshots:
        kept = context.store.history(snapshot.source)
        try:
            diff, no_diff = context.store.diff(snapshot.source), None
        except BadInput as problem:
            diff, no_diff = None, problem.text
        sources.append({"snapshot": snapshot, "kept": len(kept), "diff": diff, "no_diff": no_diff})
    return page(request, "lists.html", title="Lists", sources=sources, shown=DIFF_SHOWN,
                warnings=list(context.lists_in_use().warnings) if snapshots else [])


# ------------------------------------------------------------------ the estate scan


def estate_page(request: Request, status: int = 200, **values: Any) -> HTMLResponse:
    visit = signed_in(request)
    values.setdefault("report", None)
    values.setdefault("charts", [])
    values.setdefault("entered", {"as_of": dt.date.today().isoformat(), "host": "", "federal": ""})
    return page(request, "estate.html", status, title="Estate scan", may_scan=visit.may("analyst"), **values)


@router.get("/estate")
async def estate_form(request: Request) -> Response:
    return estate_page(request)


@router.post("/estate")
async def estate(request: Request) -> Response:
    form = await posted(request)
    try:
        signed_in(request, "analyst")
        entered = {"as_of": text_field(form, "as_of", 10), "host": text_field(form, "host", 255),
                   "federal": "on" if form.get("federal") else ""}
        uploads = [item for item in form.getlist("files") if isinstance(item, UploadFile) and item.filename]
        try:
            as_of = dt.date.fromisoformat(entered["as_of"]) if entered["as_of"] else None
        except ValueError:
            return estate_page(request, 422, entered=entered, error=f"as of: {entered['as_of']!r} is not a date "
                                                                    "(YYYY-MM-DD)")
        if not uploads:
            return estate_page(request, 422, entered=entered, error="files: choose at least one inventory file")
        try:
            # the form's files are Starlette's UploadFile, which FastAPI's only extends
            report = await scan_uploads(request.app.state.context, cast(list[FastApiUpload], uploads), as_of,
                                        bool(entered["federal"]), entered["host"] or None)
        except BadInput as problem:
            return estate_page(request, 422, entered=entered, error=problem.render())
    finally:
        await form.close()
    summary = report["summary"]
    charts = [Markup(bar_chart("Hosts affected per measure",  # noqa: S704 (bar_chart escapes every text it draws)
                               [(m["measure_id"], m["hosts"]) for m in summary["by_measure"]])),
              Markup(bar_chart("Hosts affected per product",  # noqa: S704
                               [(p["product"], p["hosts"]) for p in summary["by_product"][:15]]))]
    return estate_page(request, entered=entered, report=report, charts=[chart for chart in charts if chart])
