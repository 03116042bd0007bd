"""Monitored books and alerts whose decisions hold, through the real command
line, against SQLite and PostgreSQL: a run raises an alert per hit; a false
positive closed with a note is not raised again while neither side changes;
a changed record or a changed listed entity (a later snapshot) raises the
pair again, pointing to the earlier decision."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import DATA, Home, run_banwatch
from test_store import sdn_rows, write_sdn_copy

SDN = DATA / "ofac-sdn-2021"
HAMZA = "ofac-sdn:21286"


def banwatch(home: Home, *args: str):
    result = run_banwatch(*args, **home.kwargs)
    assert result.returncode == 0, result.stderr
    return result


def alerts(home: Home, *args: str) -> list[dict]:
    return json.loads(banwatch(home, "alerts", "list", "--json", *args).stdout)


def run(home: Home, *flags: str) -> dict:
    [summary] = json.loads(banwatch(home, "monitor", "run", "--json", *flags).stdout)
    return summary


def write_book(path, rows: list[tuple[str, str, str]]):
    path.write_text("id,name,dob\n" + "".join(f"{r},{n},{d}\n" for r, n, d in rows), encoding="utf-8")
    return path


def test_decisions_hold_until_the_record_or_the_listed_entity_changes(tmp_path, home):
    banwatch(home, "lists", "load", str(SDN))
    book = write_book(tmp_path / "customers.csv", [("C1", "Hamza bin Laden", ""), ("C2", "Jane Ordinary", "")])
    added = banwatch(home, "monitor", "add", str(book), "--book", "customers", "--dob-column", "dob")
    assert "2 new, 0 changed, 0 removed, 0 unchanged" in added.stdout

    first = run(home)
    assert (first["records"], len(first["raised"])) == (2, 1)
    [alert] = alerts(home, "--status", "open")
    assert (alert["record_id"], alert["entity_id"], alert["status"]) == ("C1", HAMZA, "open")
    nothing_changed = run(home)  # a delta run: no record and no list changed, nothing to screen
    assert (nothing_changed["full"], nothing_changed["records"], nothing_changed["raised"]) == (False, 0, [])
    assert run(home, "--full")["still_open"] == 1 and len(alerts(home)) == 1  # an open alert is not raised twice

    closed = banwatch(home, "alerts", "close", str(alert["id"]), "--as", "false_positive", "--note",
                      "our customer: no birth date on file, other documents differ", "--by", "analyst-7")
    assert f"Alert {alert['id']} closed as false_positive by analyst-7" in closed.stdout
    assert (run(home, "--full")["held"], alerts(home, "--status", "open")) == (1, [])
    banwatch(home, "lists", "load", str(SDN))  # a new snapshot with the same entities: still held
    assert run(home)["held"] == 1

    # the record changes: raised again, pointing to the decision
    write_book(book, [("C1", "Hamza bin Laden", "1989"), ("C2", "Jane Ordinary", "")])  # now his listed year
    assert "0 new, 1 changed, 0 removed, 1 unchanged" in banwatch(
        home, "monitor", "add", str(book), "--book", "customers", "--dob-column", "dob").stdout
    [again] = run(home)["raised"]
    assert (again["earlier"], again["status"]) == (alert["id"], "open")
    assert f"Raised again: the record changed since alert {alert['id']}, closed as false_positive by " \
           "analyst-7" in again["explanation"] and "our customer: no birth date on file, other documents differ" in again["explanation"]
    banwatch(home, "alerts", "close", str(again["id"]), "--as", "false_positive", "--note", "same name and year, passport differs")

    # the listed entity changes in a later snapshot (OFAC adds to its entry): raised again
    rows = sdn_rows()
    for row in rows:
        if row[0] == HAMZA.split(":")[1]:
            row[11] = (row[11].strip() + " Alt. DOB 1989.").strip()
    banwatch(home, "lists", "load", str(write_sdn_copy(tmp_path / "sdn-changed", rows)))
    [third] = run(home)["raised"]
    assert third["earlier"] == again["id"] and "the listed entity changed" in third["explanation"]
    assert [a["status"] for a in alerts(home)] == ["closed", "closed", "open"]


def test_closing_needs_a_known_decision_and_a_note(tmp_path, home):
    banwatch(home, "lists", "load", str(SDN))
    book = write_book(tmp_path / "b.csv", [("C1", "Hamza bin Laden", "")])
    banwatch(home, "monitor", "add", str(book), "--book", "b")
    [alert] = run(home)["raised"]
    wrong = run_banwatch("alerts", "close", str(alert["id"]), "--as", "maybe", "--note", "x", **home.kwargs)
    assert wrong.returncode == 2 and "'maybe' is not a decision" in wrong.stderr
    silent = run_banwatch("alerts", "close", str(alert["id"]), "--as", "true_match", "--note", " ", **home.kwargs)
    assert silent.returncode == 2 and "a decision needs a note" in silent.stderr
    banwatch(home, "alerts", "close", str(alert["id"]), "--as", "true_match", "--note", "the listed person")
    twice = run_banwatch("alerts", "close", str(alert["id"]), "--as", "false_positive", "--note", "x", **home.kwargs)
    assert twice.returncode == 2 and "was closed already (true_match" in twice.stderr
    duplicate = write_book(tmp_path / "dup.csv", [("C1", "A", ""), ("C1", "B", "")])
    refused = run_banwatch("monitor", "add", str(duplicate), "--book", "b", **home.kwargs)
    assert refused.returncode == 2 and "record id 'C1' appears twice" in refused.stderr
    assert json.loads(banwatch(home, "monitor", "list", "--json").stdout) == [
        {"book": "b", "records": 1, "updated_at": json.loads(banwatch(home, "monitor", "list", "--json").stdout)[0]
         ["updated_at"]}]


def test_books_and_alerts_over_http(tmp_path):
    from fastapi.testclient import TestClient  # noqa: PLC0415

    from banwatch.api import create_app  # noqa: PLC0415
    from banwatch.context import Context  # noqa: PLC0415
    from banwatch.settings import Settings  # noqa: PLC0415

    home = Home(tmp_path / "home")
    banwatch(home, "lists", "load", str(SDN))
    keys = {role: json.loads(banwatch(home, "keys", "create", role, "--role", role, "--json").stdout)["key"]
            for role in ("viewer", "analyst")}
    headers = {role: {"Authorization": f"ApiKey {key}"} for role, key in keys.items()}
    app = create_app(Context(Settings.load({"BANWATCH_HOME": str(home.path)})))
    with TestClient(app) as client:
        book = "id,name\nC1,Hamza bin Laden\nC2,Jane Ordinary\n".encode()
        added = client.post("/v1/books/customers", files={"file": ("customers.csv", book)}, headers=headers["analyst"])
        assert added.json() == {"book": "customers", "new": 2, "changed": 0, "removed": 0, "unchanged": 0}
        assert client.get("/v1/books", headers=headers["viewer"]).json()["books"][0]["records"] == 2
        ran = client.post("/v1/books/customers/run", headers=headers["analyst"]).json()
        [raised] = ran["raised"]
        assert raised["entity_id"] == HAMZA and ran["provenance"]["lists"][0]["source"] == "ofac-sdn"
        close = {"decision": "false_positive", "note": "another Hamza, checked his passport"}
        assert client.post(f"/v1/alerts/{raised['id']}/close", json=close, headers=headers["viewer"]).status_code == 403
        closed = client.post(f"/v1/alerts/{raised['id']}/close", json=close, headers=headers["analyst"]).json()
        assert (closed["status"], closed["closed_by"]) == ("closed", "key:analyst") and closed["closed_at"]
        assert client.post("/v1/books/customers/run", params={"full": "true"},
                           headers=headers["analyst"]).json()["held"] == 1
        assert client.get("/v1/alerts", params={"status": "open"}, headers=headers["viewer"]).json() == {"alerts": []}
        missing = client.get("/v1/alerts/999", headers=headers["viewer"])
        assert (missing.status_code, missing.json()["code"]) == (404, "no_alert")
        assert client.post("/v1/books/nobody/run", headers=headers["analyst"]).status_code == 404
        assert client.delete("/v1/books/customers", headers=headers["analyst"]).json()["removed"] is True


def test_new_and_re_raised_alerts_are_posted_signed_and_retried(tmp_path):
    """A local receiver on 127.0.0.1 that fails the first delivery (503): the
    alert arrives on the retry, its body signed with HMAC-SHA256 of the secret."""
    import hashlib  # noqa: PLC0415
    import hmac  # noqa: PLC0415
    import threading  # noqa: PLC0415
    from http.server import BaseHTTPRequestHandler, HTTPServer  # noqa: PLC0415

    received: list[tuple[bytes, str]] = []
    failures = [503]

    class Receiver(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = failures.pop() if failures else 200
            if status == 200:
                received.append((body, self.headers["X-Banwatch-Signature"]))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    secret = "a secret of thirty-two characters"
    home = Home(tmp_path / "home", {"BANWATCH_WEBHOOK_URLS": f"http://127.0.0.1:{server.server_port}/hook",
                                    "BANWATCH_WEBHOOK_SECRET": secret, "BANWATCH_RETRY_BACKOFF": "0.01"})
    try:
        banwatch(home, "lists", "load", str(SDN))
        banwatch(home, "monitor", "add", str(write_book(tmp_path / "b.csv", [("C1", "Hamza bin Laden", "")])),
                 "--book", "b")
        [summary] = json.loads(banwatch(home, "monitor", "run", "--json").stdout)
        assert [(d["delivered"], d["attempts"], d["last"]) for d in summary["webhooks"]] == [(True, 2, "200")]
        [(body, signed)] = received
        assert signed == "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        event = json.loads(body)
        assert (event["event"], event["alert"]["entity_id"]) == ("alert.raised", HAMZA)
        settings_shown = banwatch(home, "settings").stdout
        assert secret not in settings_shown and "(set)" in settings_shown
    finally:
        server.shutdown()


# ---------------------------------------------------------------------- delta runs


def copy_home(home: Home, to: Path) -> Home:
    """The same state in a second home: the folder copied, and for PostgreSQL the database."""
    import shutil  # noqa: PLC0415
    import uuid  # noqa: PLC0415

    shutil.copytree(home.path, to)
    if "BANWATCH_DATABASE_URL" not in home.env:
        return Home(to)
    import psycopg  # noqa: PLC0415

    url = home.env["BANWATCH_DATABASE_URL"]
    base, _, source = url.rpartition("/")
    copy = f"banwatch_copy_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')
    return Home(to, {"BANWATCH_DATABASE_URL": f"{base}/{copy}"})


def drop_copy(home: Home) -> None:
    if "BANWATCH_DATABASE_URL" in home.env:
        import psycopg  # noqa: PLC0415

        base, _, name = home.env["BANWATCH_DATABASE_URL"].rpartition("/")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def raised(summary: dict) -> set[tuple]:
    return {(a["record_id"], a["entity_id"], round(a["score"], 4), a["earlier"] is not None)
            for a in summary["raised"]}


def test_a_delta_run_raises_exactly_the_alerts_of_a_full_re_screen(tmp_path, home):
    """A book of real listed names (some with typos and reordered) and of
    ordinary ones: after a book change, the delta run screens only the new and
    changed records and raises the same alerts as a full re-screen of a copy
    of the same state; after a list change, the run is a full one by itself."""
    banwatch(home, "lists", "load", str(SDN))
    listed = [row[1] for row in sdn_rows()[:3000:10] if row[1].strip() and row[1] != "-0-"]
    ordinary = [f"{first} {last}" for first in ("Maria", "John", "Wei", "Fatima", "Olga")
                for last in ("Novak", "Garcia", "Smith", "Okafor", "Lindqvist", "Haddad", "Kim", "Moreau")]
    names = listed + ordinary
    book = tmp_path / "book.csv"

    def write(rows: dict[str, str]) -> None:
        book.write_text("id,name\n" + "".join(f'R{key},"{value}"\n' for key, value in rows.items()),
                        encoding="utf-8")

    rows = {str(i): name for i, name in enumerate(names)}
    write(rows)
    banwatch(home, "monitor", "add", str(book), "--book", "b")
    first = run(home)
    assert first["full"] and first["records"] == len(rows) and len(first["raised"]) > 100
    for alert in first["raised"][:8]:  # decisions that must hold in both runs
        banwatch(home, "alerts", "close", str(alert["id"]), "--as", "false_positive", "--note", "checked")

    # the book changes: 20 records renamed (to ordinary names, to other listed names, with a typo), 15
    # new, 10 removed
    changed = dict(rows)
    for n, key in enumerate(list(rows)[5:205:10]):
        changed[key] = (ordinary[n % len(ordinary)] if n % 3 == 0 else listed[-1 - n] if n % 3 == 1
                        else rows[key][:-1] + "x")
    for n in range(15):
        changed[f"new{n}"] = listed[n * 7] if n % 2 else ordinary[n]
    for key in list(rows)[300:310]:
        del changed[key]
    write(changed)
    banwatch(home, "monitor", "add", str(book), "--book", "b")

    full_home = copy_home(home, tmp_path / "full-home")
    try:
        delta = run(home)
        full = run(full_home, "--full")
    finally:
        drop_copy(full_home)
    assert (delta["full"], full["full"]) == (False, True)
    assert delta["records"] == 20 + 15 and full["records"] == len(changed)
    assert raised(delta) == raised(full) and raised(delta)

    # a list changes: the next run screens the whole book by itself
    banwatch(home, "lists", "load", str(write_sdn_copy(tmp_path / "sdn-changed", sdn_rows()[:-50])))
    after = run(home)
    assert after["full"] and "lists" in after["why"] and after["records"] == len(changed)
