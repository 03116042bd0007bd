"""The audit trail, through the real command line and the real service,
against SQLite and PostgreSQL: every answer and change is recorded and
chained; a record edited, deleted or reordered in the database directly is
named by `audit verify`; a recorded screening replays the same against the
snapshots it used, which retention keeps; and a service killed with SIGKILL
in the middle of a batch loses no record of an answered request and
duplicates none."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable

import httpx
import pytest

from conftest import DATA, Home, free_port, run_banwatch
from test_store import sdn_rows, write_sdn_copy

SDN = DATA / "ofac-sdn-2021"
HAMZA = "ofac-sdn:21286"


def banwatch(home: Home, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    result = run_banwatch(*args, **{**home.kwargs, **env})
    assert result.returncode == 0, result.stderr
    return result


def trail(home: Home) -> list[dict]:
    return [json.loads(line) for line in banwatch(home, "audit", "export").stdout.splitlines()]


def sql(home: Home) -> Callable[[str], None]:
    """Run SQL on the store's database directly, as someone going around banwatch would."""
    if "BANWATCH_DATABASE_URL" in home.env:
        import psycopg  # noqa: PLC0415

        def on_postgres(statement: str) -> None:
            with psycopg.connect(home.env["BANWATCH_DATABASE_URL"], autocommit=True) as db:
                db.execute(statement)
        return on_postgres

    def on_sqlite(statement: str) -> None:
        db = sqlite3.connect(home.path / "banwatch.sqlite")
        with db:
            db.execute(statement)
        db.close()
    return on_sqlite


def verify(home: Home) -> subprocess.CompletedProcess[str]:
    return run_banwatch("audit", "verify", **home.kwargs)


# ---------------------------------------------------------------------- what is recorded


def test_every_answer_and_change_is_recorded_with_who_what_and_against_which_lists(tmp_path, home):
    banwatch(home, "lists", "load", str(SDN))
    banwatch(home, "screen", "Hamza bin Laden", "--json")
    banwatch(home, "decide", "--type", "sale", "--date", "2024-10-01", "--product", "Kaspersky Anti-Virus",
             "--buyer", "Acme Inc", "--buyer-country", "US")
    banwatch(home, "keys", "create", "ops", "--role", "analyst", "--json")
    banwatch(home, "keys", "revoke", "ops")
    book = tmp_path / "book.csv"
    book.write_text("id,name\nC1,Hamza bin Laden\nC2,Jane Ordinary\n", encoding="utf-8")
    banwatch(home, "monitor", "add", str(book), "--book", "customers")
    banwatch(home, "monitor", "run")
    [alert] = json.loads(banwatch(home, "alerts", "list", "--json").stdout)
    banwatch(home, "alerts", "close", str(alert["id"]), "--as", "false_positive", "--note", "other person",
             "--by", "analyst-7")

    records = trail(home)
    assert [r["action"] for r in records] == ["lists.load", "screen", "decide", "key.create", "key.revoke",
                                              "book.add", "alert.raise", "monitor.run", "alert.close"]
    assert [r["seq"] for r in records] == list(range(1, 10))
    snapshot = records[0]["result"]["snapshot_id"]
    load, screen, decide = records[0], records[1], records[2]
    assert load["result"]["entities"] > 7000 and load["actor"].startswith("cli:")
    assert screen["request"]["name"] == "Hamza bin Laden" and screen["snapshot_ids"] == [snapshot]
    assert HAMZA in [hit["entity_id"] for hit in screen["result"]["hits"]]
    assert len(screen["catalog_digest"]) == 64 and screen["version"]
    assert decide["result"]["outcome"] == "prohibited" and decide["request"]["transaction"]["buyer"] == "Acme Inc"
    assert "key" not in records[3]["result"] and records[3]["result"]["name"] == "ops"  # never the key itself
    assert records[-1]["actor"] == "analyst-7" and records[-1]["result"]["decision"] == "false_positive"
    assert all(r["previous"] == before["hash"] for before, r in zip(records, records[1:]))
    intact = verify(home)
    assert intact.returncode == 0 and "Audit trail intact: 9 record(s)" in intact.stdout
    assert records[-1]["hash"] in intact.stdout  # the head, to keep elsewhere


# ---------------------------------------------------------------------- tampering


def test_a_record_edited_deleted_or_reordered_in_the_database_is_named(home):
    banwatch(home, "lists", "load", str(SDN))
    for name in ("Hamza bin Laden", "Jane Ordinary", "Usama bin Laden", "Kaspersky Lab"):
        banwatch(home, "screen", name)
    assert verify(home).returncode == 0  # 5 records
    run_sql = sql(home)
    saved = trail(home)

    def restore() -> None:
        run_sql("DELETE FROM audit")
        for r in saved:
            values = [r["seq"], r["at"], r["actor"], r["action"], r["request_id"],
                      json.dumps(r["request"], sort_keys=True, separators=(",", ":"), ensure_ascii=False),
                      json.dumps(r["result"], sort_keys=True, separators=(",", ":"), ensure_ascii=False),
                      json.dumps(r["snapshot_ids"], separators=(",", ":")), r["catalog_digest"], r["version"],
                      r["previous"], r["hash"]]
            quoted = ", ".join("NULL" if v is None else str(v) if isinstance(v, int)
                               else "'" + str(v).replace("'", "''") + "'" for v in values)
            run_sql(f"INSERT INTO audit (seq, at, actor, action, request_id, request, result, snapshot_ids, "
                    f"catalog_digest, version, previous, hash) VALUES ({quoted})")
        assert verify(home).returncode == 0, "the trail was not restored as it was"

    def broken(expected: str) -> str:
        result = verify(home)
        assert result.returncode == 1, result.stdout + result.stderr
        assert expected in result.stderr, result.stderr
        return result.stderr

    restore()  # what the test writes back verifies: the restore itself is faithful

    run_sql("UPDATE audit SET result = replace(result, 'ofac-sdn:21286', 'ofac-sdn:1') WHERE seq = 2")
    broken("broken at record 2: record 2 was edited")
    restore()

    run_sql("DELETE FROM audit WHERE seq = 3")
    broken("broken at record 3: record 3 deleted")
    restore()

    # reorder: records 3 and 4 swap places (their seq numbers)
    run_sql("UPDATE audit SET seq = 1000 WHERE seq = 3")
    run_sql("UPDATE audit SET seq = 3 WHERE seq = 4")
    run_sql("UPDATE audit SET seq = 4 WHERE seq = 1000")
    broken("broken at record 3")
    restore()

    # an edit whose hash is recomputed still breaks the next record's link
    run_sql("UPDATE audit SET actor = 'cli:someone-else' WHERE seq = 4")
    edited = next(r for r in trail(home) if r["seq"] == 4)
    from banwatch.store.audit import chain_hash  # noqa: PLC0415

    forged = chain_hash(4, edited["at"], edited["actor"], edited["action"], edited["request_id"],
                        json.dumps(edited["request"], sort_keys=True, separators=(",", ":"), ensure_ascii=False),
                        json.dumps(edited["result"], sort_keys=True, separators=(",", ":"), ensure_ascii=False),
                        json.dumps(edited["snapshot_ids"], separators=(",", ":")), edited["catalog_digest"],
                        edited["version"], edited["previous"])
    run_sql(f"UPDATE audit SET hash = '{forged}' WHERE seq = 4")
    broken("broken at record 5: record 5 does not follow record 4")
    restore()

    run_sql("DELETE FROM audit WHERE seq = 5")  # the last one: only the head remembers it
    broken("records 5 to 5 deleted from the end")


# ---------------------------------------------------------------------- replay and retention


def test_a_screening_replays_the_same_against_its_snapshots_which_retention_keeps(tmp_path, home):
    keep_one = {"BANWATCH_KEEP_SNAPSHOTS": "1"}
    banwatch(home, "lists", "load", str(SDN), **keep_one)
    first = json.loads(banwatch(home, "screen", "Hamza bin Laden", "--json", **keep_one).stdout)
    assert HAMZA in [m["entity_id"] for m in first["matches"]]
    screened_at = first["provenance"]["lists"][0]["snapshot_id"]
    screening = trail(home)[-1]["seq"]

    without_him = write_sdn_copy(tmp_path / "later", [row for row in sdn_rows() if row[0] != "21286"])
    banwatch(home, "lists", "load", str(without_him), **keep_one)
    banwatch(home, "lists", "load", str(without_him), "--force", **keep_one)  # a third snapshot, unreferenced 2nd
    now = json.loads(banwatch(home, "screen", "Hamza bin Laden", "--json", **keep_one).stdout)
    assert HAMZA not in [m["entity_id"] for m in now["matches"]]  # the lists of today no longer name him

    replayed = json.loads(banwatch(home, "audit", "replay", str(screening), "--json").stdout)
    assert replayed["same"] is True and HAMZA in [hit["entity_id"] for hit in replayed["now"]["hits"]]
    assert replayed["record"]["snapshot_ids"] == [screened_at]
    history = sorted({r["result"]["snapshot_id"] for r in trail(home) if r["action"] == "lists.load"})
    assert len(history) == 3 and history[0] == screened_at
    [status] = json.loads(banwatch(home, "lists", "status", "--json").stdout)["sources"]
    # kept: the snapshot the screening used (an audit record refers to it) and the active one; not the 2nd
    assert (status["snapshot_id"], status["snapshots_kept"]) == (history[2], 2)
    pruned = run_banwatch("screen", "x", "--snapshot", str(history[1]), **home.kwargs)
    assert pruned.returncode == 2 and f"no snapshot {history[1]}" in pruned.stderr

    # a recorded result changed in the database: the replay says it differs, and the chain breaks
    sql(home)(f"UPDATE audit SET result = '{{\"hits\":[]}}' WHERE seq = {screening}")
    differs = run_banwatch("audit", "replay", str(screening), **home.kwargs)
    assert differs.returncode == 1 and "Same answer now: NO" in differs.stdout
    assert verify(home).returncode == 1


def test_a_record_that_is_not_an_answer_cannot_be_replayed(home):
    banwatch(home, "lists", "load", str(SDN))
    refused = run_banwatch("audit", "replay", "1", **home.kwargs)
    assert refused.returncode == 2 and "record 1 is a lists.load" in refused.stderr
    missing = run_banwatch("audit", "replay", "99", **home.kwargs)
    assert missing.returncode == 2 and "no audit record 99" in missing.stderr


# ---------------------------------------------------------------------- the service: kill in the middle


def start_server(home: Home, port: int) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BANWATCH_")}
    environment.update({"BANWATCH_HOME": str(home.path), **home.env})
    process = subprocess.Popen([sys.executable, "-m", "banwatch", "serve", "--port", str(port), "--workers", "1"],
                               env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        assert process.poll() is None, "banwatch serve stopped while starting"
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    pytest.fail("banwatch serve did not get ready in 120 s")


NAMES = ["Hamza bin Laden", "Jane Ordinary", "Usama bin Laden", "Banco Nacional de Cuba", "Kaspersky Lab"]


@pytest.mark.slow
def test_a_service_killed_mid_batch_loses_no_answered_record_and_duplicates_none(home):
    banwatch(home, "lists", "load", str(SDN))
    key = json.loads(banwatch(home, "keys", "create", "batch", "--role", "analyst", "--json").stdout)["key"]
    requests = [(str(uuid.uuid4()), NAMES[i % len(NAMES)]) for i in range(240)]
    answered: dict[str, int] = {}  # request id -> the audit record its answer named
    lock = threading.Lock()
    port = free_port()
    server = start_server(home, port)

    def send(share: list[tuple[str, str]], stop: threading.Event) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30,
                          headers={"Authorization": f"ApiKey {key}"}) as client:
            for request_id, name in share:
                if stop.is_set():
                    return
                with lock:
                    if request_id in answered:
                        continue
                try:
                    if name.startswith("Banco"):  # some of the batch is itself a batch
                        reply = client.post("/v1/screen/batch", json={"queries": [{"name": name}, {"name": "x y"}]},
                                            headers={"X-Request-Id": request_id})
                    else:
                        reply = client.post("/v1/screen", json={"name": name}, headers={"X-Request-Id": request_id})
                except httpx.TransportError:
                    return  # the server is gone: what was not answered is sent again later
                assert reply.status_code == 200, reply.text
                with lock:
                    answered[request_id] = int(reply.headers["X-Audit-Record"])

    def send_all(stop: threading.Event) -> list[threading.Thread]:
        threads = [threading.Thread(target=send, args=(requests[i::4], stop)) for i in range(4)]
        for thread in threads:
            thread.start()
        return threads

    stop = threading.Event()
    threads = send_all(stop)
    deadline = time.monotonic() + 120
    while len(answered) < 60 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(server.pid, signal.SIGKILL)  # in the middle: requests in flight on four connections
    server.wait(timeout=30)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    before_kill = dict(answered)
    assert 60 <= len(before_kill) < len(requests)

    server = start_server(home, port)
    try:
        for thread in send_all(threading.Event()):
            thread.join(timeout=300)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert len(answered) == len(requests)

    records = [r for r in trail(home) if r["action"].startswith("screen")]
    by_request = {}
    for r in records:
        assert r["request_id"] not in by_request, f"request {r['request_id']} recorded twice"
        by_request[r["request_id"]] = r["seq"]
    assert set(by_request) == {request_id for request_id, _ in requests}
    assert all(by_request[request_id] == seq for request_id, seq in answered.items())
    assert all(r["actor"] == "key:batch" for r in records)
    assert verify(home).returncode == 0


# ---------------------------------------------------------------------- over HTTP


def test_the_service_names_each_answers_record_keeps_a_retry_once_and_shows_the_trail_to_admins(home):
    from fastapi.testclient import TestClient  # noqa: PLC0415

    from banwatch.api import create_app  # noqa: PLC0415
    from banwatch.context import Context  # noqa: PLC0415
    from banwatch.settings import Settings  # noqa: PLC0415

    banwatch(home, "lists", "load", str(SDN))
    keys = {role: json.loads(banwatch(home, "keys", "create", role, "--role", role, "--json").stdout)["key"]
            for role in ("analyst", "admin")}
    headers = {role: {"Authorization": f"ApiKey {key}"} for role, key in keys.items()}
    settings = Settings.load({"BANWATCH_HOME": str(home.path), **home.env})
    with TestClient(create_app(Context(settings))) as client:
        retry = {**headers["analyst"], "X-Request-Id": "order-4711"}
        first = client.post("/v1/screen", json={"name": "Hamza bin Laden"}, headers=retry)
        again = client.post("/v1/screen", json={"name": "Hamza bin Laden"}, headers=retry)
        other = client.post("/v1/screen", json={"name": "Hamza bin Laden"}, headers=headers["analyst"])
        assert first.status_code == again.status_code == other.status_code == 200
        assert first.headers["X-Audit-Record"] == again.headers["X-Audit-Record"] != other.headers["X-Audit-Record"]
        too_long = client.post("/v1/screen", json={"name": "x"}, headers={**retry, "X-Request-Id": "r" * 201})
        assert too_long.status_code == 422 and "X-Request-Id" in too_long.json()["message"]

        assert client.get("/v1/audit", headers=headers["analyst"]).status_code == 403
        trail = client.get("/v1/audit", headers=headers["admin"]).json()
        screened = [r for r in trail["records"] if r["action"] == "screen"]
        assert [r["request_id"] for r in screened] == ["order-4711", None] and trail["next_after"] is None
        assert screened[0]["actor"] == "key:analyst" and str(screened[0]["seq"]) == first.headers["X-Audit-Record"]
        assert HAMZA in [hit["entity_id"] for hit in screened[0]["result"]["hits"]]
        for since in ("0", "2026-13-01"):
            refused = client.get("/v1/audit", params={"since": since}, headers=headers["admin"])
            assert refused.status_code == 422, since
        assert client.get("/v1/audit", params={"since": "2999-01-01"}, headers=headers["admin"]).json()[
            "records"] == []
        verified = client.get("/v1/audit/verify", headers=headers["admin"]).json()
        assert verified["intact"] and verified["records"] == len(trail["records"])
        assert verified["head"]["hash"] == trail["records"][-1]["hash"]
