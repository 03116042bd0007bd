"""Webhooks: each alert a monitor run raises (new or raised again) POSTed as
JSON to every configured URL, the body signed with HMAC-SHA256 so that the
receiver can tell it came from this banwatch (`X-Banwatch-Signature:
sha256=<hex of HMAC(secret, body)>`). A connection failure, a 5xx or a 429
is retried with doubling waits; after the last try the failure is reported,
never raised: the alerts are in the store whatever the receiver does."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass

import httpx

from banwatch.store import Alert

SIGNATURE_HEADER = "X-Banwatch-Signature"
ATTEMPTS = 4
TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Delivery:
    url: str
    alert_id: int
    delivered: bool
    attempts: int
    last: str  # the last status or error


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def body_of(alert: Alert) -> bytes:
    event = "alert.raised_again" if alert.earlier is not None else "alert.raised"
    return json.dumps({"event": event, "alert": alert.as_json()}, sort_keys=True).encode("utf-8")


def deliver(alerts: list[Alert], urls: tuple[str, ...], secret: str | None, backoff: float = 1.0,
            attempts: int = ATTEMPTS) -> list[Delivery]:
    """Every alert to every URL; nothing without a secret (an unsigned alert proves nothing)."""
    if not secret or not urls:
        return []
    deliveries = []
    with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
        for alert in alerts:
            body = body_of(alert)
            headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature(secret, body)}
            for url in urls:
                deliveries.append(send(client, url, alert.id, body, headers, backoff, attempts))
    return deliveries


def send(client: httpx.Client, url: str, alert_id: int, body: bytes, headers: dict[str, str], backoff: float,
         attempts: int) -> Delivery:
    last = ""
    for attempt in range(1, attempts + 1):
        try:
            answer = client.post(url, content=body, headers=headers)
            last = str(answer.status_code)
            if answer.status_code < 300:
                return Delivery(url, alert_id, True, attempt, last)
            if answer.status_code < 500 and answer.status_code != 429:
                return Delivery(url, alert_id, False, attempt, last)  # the receiver refuses it: no retry
        except httpx.HTTPError as error:
            last = f"{type(error).__name__}: {error}"[:200]
        if attempt < attempts:
            time.sleep(backoff * 2 ** (attempt - 1))
    return Delivery(url, alert_id, False, attempts, last)
