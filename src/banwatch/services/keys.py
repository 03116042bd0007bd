"""API keys of the HTTP service: made here, kept hashed in the store, checked
on every request.

A key is 32 random bytes (`secrets.token_urlsafe`), shown once when made and
never stored: the store keeps its SHA-256 digest. A slow password hash
(argon2, bcrypt) protects guessable secrets; a 256-bit random key cannot be
guessed, so one SHA-256 is enough and keeps every request's check to one
indexed lookup.

Roles, each allowed what the one before it is: viewer (read: lists, catalog,
entities), analyst (screen, decide, scan an estate), admin (keys, lists).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from banwatch.errors import BadInput
from banwatch.services.audit import record_change
from banwatch.store import KeyRecord, Store

ROLES = ("viewer", "analyst", "admin")
#: what a key looks like: a prefix that says what it is (and lets secret scanners find it)
PREFIX = "bw_"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(store: Store, name: str, role: str, *, actor: str) -> tuple[str, KeyRecord]:
    """A new key named `name` with `role`: (the key, to show once; its record)."""
    if not NAME.fullmatch(name):
        raise BadInput("name", f"{name!r} is not a key name: letters, digits, '_', '.' or '-', at most 64")
    if role not in ROLES:
        raise BadInput("role", f"{role!r} is not a role; one of {', '.join(ROLES)}")
    key = PREFIX + secrets.token_urlsafe(32)
    record = KeyRecord(name, role, digest_of(key), dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    with store.transaction():
        store.add_key(record)
        record_change(store, actor=actor, action="key.create", request={"name": name, "role": role},
                      result=record.as_json())  # never the key: it is shown once, to its maker
    return key, record


def revoke_key(store: Store, name: str, *, actor: str) -> KeyRecord:
    with store.transaction():
        record = store.revoke_key(name)
        record_change(store, actor=actor, action="key.revoke", request={"name": name}, result=record.as_json())
    return record


def key_record(store: Store, key: str) -> KeyRecord | None:
    """The live (not revoked) key this is, or None."""
    record = store.key_with_digest(digest_of(key))
    return record if record is not None and record.revoked_at is None else None


def allows(role: str, needed: str) -> bool:
    return ROLES.index(role) >= ROLES.index(needed)
