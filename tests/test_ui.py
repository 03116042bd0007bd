"""The review UI (/ui), against a real store on SQLite and PostgreSQL with the
bundled SDN sample loaded, a book of customers monitored and its alerts
raised by the real command line.

Plain HTTP through FastAPI's TestClient: the session cookie and its flags,
CSRF refusals, a revoked key signed out, a viewer who may not close, a
closed alert's decision and who made it, the queue's filters, every page.
Then end to end in Debian's Chromium, driven by Playwright, against a real
`banwatch serve`: sign in, filter the queue, open an alert, close it with
the keyboard alone, screen a name; the screenshots of the queue and of an
alert in docs/screenshots are made here (by the SQLite run)."""

from __future__ import annotations

import base64
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from banwatch.api import create_app
from banwatch.context import Context
from banwatch.services.keys import digest_of
from banwatch.settings import Settings
from conftest import ROOT, Home, free_port, run_banwatch

SAMPLE = ROOT / "src" / "banwatch" / "samples" / "ofac-sdn-sample"
ESTATE = ROOT / "src" / "banwatch" / "samples" / "estate"
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
BOOK = ("id,name,country,dob\n"
        "C1,Banco Nacional de Cuba,CU,\n"
        "C2,Aerocaribbean Airlines,,\n"
        "C3,Muhammad Husayn Fadlallah,,1938\n"
        "C4,Jane Ordinary,,\n"
        "C5,AO Kaspersky Lab,RU,\n")
BANCO = "ofac-sdn:306"
#: every wait in the browser test ends within this many milliseconds
WAIT_MS = 20_000


def banwatch(home: Home, *args: str) -> subprocess.CompletedProcess[str]:
    result = run_banwatch(*args, **home.kwargs)
    assert result.returncode == 0, result.stderr
    return result


def new_key(home: Home, name: str, role: str) -> str:
    return json.loads(banwatch(home, "keys", "create", name, "--role", role, "--json").stdout)["key"]


def prepare(home: Home, folder: Path) -> dict[str, str]:
    """The sample list loaded, a viewer and an analyst key, a book monitored
    and run: the keys by role."""
    banwatch(home, "lists", "load", str(SAMPLE))
    keys = {role: new_key(home, f"ui-{role}", role) for role in ("viewer", "analyst")}
    book = folder / "customers.csv"
    book.write_text(BOOK, encoding="utf-8")
    banwatch(home, "monitor", "add", str(book), "--book", "customers", "--country-column", "country",
             "--dob-column", "dob")
    banwatch(home, "monitor", "run", "--json")
    return keys


def settings_of(home: Home, **settings: str) -> Settings:
    return Settings.load({"BANWATCH_HOME": str(home.path), **home.env, **settings})


def alerts(home: Home) -> list[dict]:
    """Every alert as the store has it now (as `alerts list --json` prints them)."""
    with Context(settings_of(home)) as reader:
        return [alert.as_json() for alert in reader.store.alerts()]


def alert_of(home: Home, record_id: str, entity_id: str | None = None) -> dict:
    return next(a for a in reversed(alerts(home))
                if a["record_id"] == record_id and entity_id in (None, a["entity_id"]))


def app_over(home: Home, **settings: str):
    return create_app(Context(settings_of(home, **settings)))


def csrf_in(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page)[1]


def error_in(page: str) -> str | None:
    found = re.search(r'<p class="error" role="alert"><strong>Error:</strong> (.*?)</p>', page, re.S)
    return html.unescape(found[1]) if found else None


def sign_in(client: TestClient, key: str) -> httpx.Response:
    form = client.get("/ui/login")
    assert form.status_code == 200, form.text
    return client.post("/ui/login", data={"key": key, "csrf": csrf_in(form.text)}, follow_redirects=False)


def session_cookie(response: httpx.Response) -> SimpleCookie:
    cookie = SimpleCookie()
    cookie.load(response.headers["set-cookie"])
    return cookie


def payload_of(value: str) -> dict:
    body = value.partition(".")[0]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


# ------------------------------------------------------------------ over HTTP


def test_the_session_cookie_is_signed_and_holds_no_key(tmp_path, home):
    keys = prepare(home, tmp_path)
    with TestClient(app_over(home)) as client:
        away = client.get("/ui/alerts", follow_redirects=False)
        assert (away.status_code, away.headers["location"]) == (303, "/ui/login?why=required&next=/ui/alerts")
        signed = sign_in(client, keys["analyst"])
        assert (signed.status_code, signed.headers["location"]) == (303, "/ui/alerts")
        header = signed.headers["set-cookie"]
        morsel = session_cookie(signed)["banwatch_ui"]
        assert morsel["httponly"] and morsel["samesite"].lower() == "strict" and morsel["path"] == "/ui"
        assert not morsel["secure"]  # plain http here; https below
        assert keys["analyst"] not in header and keys["analyst"].removeprefix("bw_") not in header
        payload = payload_of(morsel.value)
        assert (payload["k"], payload["d"]) == ("ui-analyst", digest_of(keys["analyst"]))
        assert set(payload) == {"n", "k", "d", "t"}
        queue = client.get("/ui/alerts")
        assert queue.status_code == 200 and "Signed in as <strong>ui-analyst</strong> (analyst)" in queue.text
        assert queue.headers["content-security-policy"].startswith("default-src 'none'")

    # a cookie changed by its holder (another key's name, the same signature) is no session
    forged = dict(payload, k="ui-viewer")
    body = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    with TestClient(app_over(home)) as other:
        genuine = other.get("/ui/alerts", headers={"Cookie": f"banwatch_ui={morsel.value}"}, follow_redirects=False)
        assert genuine.status_code == 200  # the cookie alone is the session, in any client
        refused = other.get("/ui/alerts", follow_redirects=False,
                            headers={"Cookie": f"banwatch_ui={body}.{morsel.value.partition('.')[2]}"})
        assert refused.status_code == 303

    with TestClient(app_over(home), base_url="https://testserver") as secure:
        assert session_cookie(sign_in(secure, keys["viewer"]))["banwatch_ui"]["secure"]


def test_wrong_keys_are_refused_and_count_toward_the_failure_limit(tmp_path, home):
    keys = prepare(home, tmp_path)
    with TestClient(app_over(home, BANWATCH_API_AUTH_FAILURES_PER_MINUTE="3")) as client:
        wrong = sign_in(client, "bw_not-a-key")
        assert wrong.status_code == 401 and error_in(wrong.text) == "This API key is not known or was revoked."
        assert "banwatch_ui" not in client.cookies or "d" not in payload_of(client.cookies["banwatch_ui"])
        assert [sign_in(client, "bw_still-wrong").status_code for _ in range(2)] == [401, 401]
        limited = sign_in(client, keys["analyst"])  # the right key, after three wrong ones: wait
        assert limited.status_code == 429 and "Too many wrong keys" in error_in(limited.text)
        # the same limiter as the API's: its keys wait too
        api = client.get("/v1/lists", headers={"Authorization": f"ApiKey {keys['viewer']}"})
        assert api.status_code == 429


def test_a_post_without_the_sessions_csrf_token_is_403(tmp_path, home):
    keys = prepare(home, tmp_path)
    alert = alert_of(home, "C1", BANCO)
    close = {"decision": "false_positive", "note": "another bank"}
    with TestClient(app_over(home)) as client, TestClient(app_over(home)) as other:
        # signing in needs the token of the visitor's own cookie too
        assert client.post("/ui/login", data={"key": keys["analyst"]}).status_code == 403
        assert sign_in(client, keys["analyst"]).status_code == 303
        assert sign_in(other, keys["analyst"]).status_code == 303
        token = csrf_in(client.get(f"/ui/alerts/{alert['id']}").text)
        theirs = csrf_in(other.get(f"/ui/alerts/{alert['id']}").text)
        assert token != theirs
        for form in (close, {**close, "csrf": ""}, {**close, "csrf": theirs}):
            refused = client.post(f"/ui/alerts/{alert['id']}/close", data=form, follow_redirects=False)
            assert refused.status_code == 403 and "no valid CSRF token" in error_in(refused.text)
        assert client.post("/ui/screen", data={"name": "Banco Nacional de Cuba"}).status_code == 403
        assert client.post("/ui/estate", files={"files": ("x.csv", b"a,b\n")}).status_code == 403
        assert client.post("/ui/logout", follow_redirects=False).status_code == 403
        assert alert_of(home, "C1", BANCO)["status"] == "open"  # nothing was closed
        closed = client.post(f"/ui/alerts/{alert['id']}/close", data={**close, "csrf": token}, follow_redirects=False)
        assert (closed.status_code, closed.headers["location"]) == (303, f"/ui/alerts/{alert['id']}?closed=1")
        assert client.post("/ui/logout", data={"csrf": token}, follow_redirects=False).status_code == 303
        assert client.get("/ui/alerts", follow_redirects=False).status_code == 303  # signed out


def test_a_revoked_key_is_signed_out_at_its_next_page(tmp_path, home):
    prepare(home, tmp_path)
    short_lived = new_key(home, "short-lived", "analyst")
    alert = alert_of(home, "C1", BANCO)
    with TestClient(app_over(home)) as client:
        assert sign_in(client, short_lived).status_code == 303
        detail = client.get(f"/ui/alerts/{alert['id']}")
        assert detail.status_code == 200
        banwatch(home, "keys", "revoke", "short-lived")
        away = client.get("/ui/alerts", follow_redirects=False)
        assert (away.status_code, away.headers["location"]) == (303, "/ui/login?why=revoked&next=/ui/alerts")
        assert "d" not in payload_of(session_cookie(away)["banwatch_ui"].value)  # the session cookie replaced
        login = client.get(away.headers["location"])
        assert "the key you signed in with was revoked" in login.text
        # a form of the revoked session closes nothing: sign in again
        late = client.post(f"/ui/alerts/{alert['id']}/close", follow_redirects=False,
                           data={"decision": "true_match", "note": "late", "csrf": csrf_in(detail.text)})
        assert late.status_code in (303, 403) and alert_of(home, "C1", BANCO)["status"] == "open"
        assert sign_in(client, short_lived).status_code == 401


def test_a_viewer_reads_the_queue_and_alerts_but_may_not_close_or_screen(tmp_path, home):
    keys = prepare(home, tmp_path)
    alert = alert_of(home, "C1", BANCO)
    with TestClient(app_over(home)) as client:
        assert sign_in(client, keys["viewer"]).status_code == 303
        assert f'href="/ui/alerts/{alert["id"]}"' in client.get("/ui/alerts").text
        detail = client.get(f"/ui/alerts/{alert['id']}")
        assert detail.status_code == 200 and "closing one needs an analyst key" in detail.text
        assert 'action="/ui/alerts/' not in detail.text
        refused = client.post(f"/ui/alerts/{alert['id']}/close", follow_redirects=False,
                              data={"decision": "false_positive", "note": "not them", "csrf": csrf_in(detail.text)})
        assert refused.status_code == 403
        assert error_in(refused.text) == "The key 'ui-viewer' has the role viewer; this needs analyst."
        assert alert_of(home, "C1", BANCO)["status"] == "open"
        screen = client.get("/ui/screen")
        assert screen.status_code == 200 and "screening a name needs an analyst key" in screen.text
        assert client.post("/ui/screen", data={"name": "Banco Nacional de Cuba",
                                               "csrf": csrf_in(screen.text)}).status_code == 403
        assert client.get("/ui/lists").status_code == 200


def test_closing_an_alert_records_the_decision_and_who_and_a_re_raised_alert_shows_it(tmp_path, home):
    keys = prepare(home, tmp_path)
    alert = alert_of(home, "C1", BANCO)
    url = f"/ui/alerts/{alert['id']}"
    with TestClient(app_over(home)) as client:
        assert sign_in(client, keys["analyst"]).status_code == 303
        token = csrf_in(client.get(url).text)
        for form, problem in (({"decision": "false_positive", "note": " "}, "note: a decision needs a note"),
                              ({"decision": "maybe", "note": "x"}, "decision: 'maybe' is not a decision"),
                              ({"note": "x"}, "decision: choose a decision")):
            bad = client.post(f"{url}/close", data={**form, "csrf": token}, follow_redirects=False)
            assert bad.status_code == 422 and error_in(bad.text).startswith(problem), bad.text
        assert alert_of(home, "C1", BANCO)["status"] == "open"
        note = "Our customer is the Havana branch of another bank; checked its registration."
        done = client.post(f"{url}/close", data={"decision": "false_positive", "note": note, "csrf": token})
        assert done.status_code == 200 and "Alert closed: the decision is recorded." in done.text
        assert "<strong>False positive</strong>, by key:ui-analyst" in done.text
        closed = alert_of(home, "C1", BANCO)
        assert (closed["status"], closed["decision"], closed["note"], closed["closed_by"]) == (
            "closed", "false_positive", note, "key:ui-analyst") and closed["closed_at"]
        with Context(settings_of(home)) as reader:  # the audit trail
            [entry] = [r for r in reader.store.audit_records() if r.action == "alert.close"]
        assert entry.actor == "key:ui-analyst" and json.loads(entry.request)["decision"] == "false_positive"
        twice = client.post(f"{url}/close", data={"decision": "true_match", "note": "x", "csrf": token})
        assert twice.status_code == 422 and "was closed already (false_positive, by key:ui-analyst" in error_in(twice.text)
        missing = client.get("/ui/alerts/99999")
        assert missing.status_code == 404 and error_in(missing.text) == "alert: no alert 99999"
        assert client.get("/ui/alerts/x").status_code == 422

        # the record changes: the pair is raised again, and its page shows the earlier decision
        book = tmp_path / "customers.csv"
        book.write_text(BOOK.replace("C1,Banco Nacional de Cuba,CU,", "C1,Banco Nacional de Cuba,PA,"), encoding="utf-8")
        banwatch(home, "monitor", "add", str(book), "--book", "customers", "--country-column", "country",
                 "--dob-column", "dob")
        banwatch(home, "monitor", "run", "--json")
        again = alert_of(home, "C1", BANCO)
        assert again["earlier"] == alert["id"]
        page = client.get(f"/ui/alerts/{again['id']}").text
        earlier = page[page.index("Earlier decisions on this pair"):page.index('id="decision-title"')]
        assert f'<a href="/ui/alerts/{alert["id"]}">Alert {alert["id"]}</a>' in earlier
        assert "<strong>False positive</strong> by key:ui-analyst" in earlier and note in earlier
        assert "Raised again: the record changed" in page


def test_the_queue_filters_and_sorts_and_the_detail_sets_the_record_beside_the_entity(tmp_path, home):
    keys = prepare(home, tmp_path)
    every = alerts(home)
    assert {a["source"] for a in every} == {"ofac-sdn", "catalog"} and len(every) >= 4

    def listed(**filters: str) -> list[int]:
        page = client.get("/ui/alerts", params=filters)
        assert page.status_code == 200, error_in(page.text)
        return [int(n) for n in re.findall(r'<a href="/ui/alerts/(\d+)">Alert', page.text)]

    with TestClient(app_over(home)) as client:
        assert sign_in(client, keys["viewer"]).status_code == 303
        by_score = [a["id"] for a in sorted(every, key=lambda a: (-a["score"], a["id"]))]
        assert listed() == by_score
        assert listed(source="catalog") == [i for i in by_score if next(a for a in every if a["id"] == i)["source"] == "catalog"]
        assert listed(min_score="0.95") == [i for i in by_score if next(a for a in every if a["id"] == i)["score"] >= 0.95]
        assert listed(book="customers", status="all") == by_score
        assert listed(book="nobody") == [] and listed(status="closed") == []
        bad = client.get("/ui/alerts", params={"min_score": "lots"})
        assert bad.status_code == 422 and error_in(bad.text) == "minimum score: 'lots' is not a number"
        assert client.get("/ui/alerts", params={"min_score": "2"}).status_code == 422

        banco = alert_of(home, "C1", BANCO)
        page = client.get(f"/ui/alerts/{banco['id']}").text
        record = page[page.index("The book record"):page.index("The listed entity")]
        entity = page[page.index("The listed entity"):page.index("Why it matched")]
        assert "Banco Nacional de Cuba" in record and "CU" in record
        assert "BANCO NACIONAL DE CUBA" in entity and "NATIONAL BANK OF CUBA" in entity and BANCO in entity
        words = page[page.index('<table class="words">'):page.index("</table>")]
        assert [cells for cells in re.findall(r"<tr class=\"\">\s*<td>(\w+)</td>\s*<td>(\w+)</td>\s*<td>(\w+)</td>",
                                              words)][:2] == [("banco", "banco", "same"), ("nacional", "nacional", "same")]
        assert "CUBA" in page[page.index("Programs"):] and "us-ofac-sdn-blocked-persons" in page
        assert "OFAC SDN List" in page  # what the law makes of the listing

        # a party of the catalog's measures: no list snapshot
        kaspersky = alert_of(home, "C5", "catalog:us-bis-entity-list-kaspersky-2024/ao-kaspersky-lab")
        page = " ".join(client.get(f"/ui/alerts/{kaspersky['id']}").text.split())
        assert "against the catalog's parties" in page and "us-icts-kaspersky-2024" in page and "AO Kaspersky Lab" in page


def test_screening_the_lists_with_their_last_diff_and_an_estate_scan(tmp_path, home):
    keys = prepare(home, tmp_path)
    # a later snapshot without one entity, so that the lists page has a diff to show
    changed = tmp_path / "sdn-changed"
    shutil.copytree(SAMPLE, changed)
    sdn = (changed / "sdn.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (changed / "sdn.csv").write_text("".join(line for line in sdn if not line.startswith("767,")), encoding="utf-8")
    for name in ("alt.csv", "add.csv"):
        lines = (changed / name).read_text(encoding="utf-8").splitlines(keepends=True)
        (changed / name).write_text("".join(line for line in lines if not line.startswith("767,")), encoding="utf-8")
    banwatch(home, "lists", "load", str(changed))
    with TestClient(app_over(home)) as client:
        assert sign_in(client, keys["analyst"]).status_code == 303
        form = client.get("/ui/screen").text
        found = client.post("/ui/screen", data={"name": "Banco Nacional de Cuba", "country": "cu",
                                                "csrf": csrf_in(form)})
        assert found.status_code == 200 and BANCO in found.text and "BANCO NACIONAL DE CUBA" in found.text
        assert "Not screened against these official lists" in found.text
        assert "ofac-sdn snapshot 2" in found.text  # what it was screened against
        seq = int(found.headers["x-audit-record"])  # recorded as the API's screening is
        with Context(settings_of(home)) as reader:
            entry = reader.store.audit_record(seq)
        assert (entry.actor, entry.action, json.loads(entry.request)["name"]) == (
            "key:ui-analyst", "screen", "Banco Nacional de Cuba")
        assert f"audit record {seq}" in found.text
        for fields, problem in (({"name": "!!!"}, "name: a name needs at least one letter or digit"),
                                ({"name": "x", "threshold": "3"}, "threshold:"),
                                ({"name": "x", "country": "USA"}, "country:")):
            bad = client.post("/ui/screen", data={**fields, "csrf": csrf_in(form)})
            assert bad.status_code == 422 and error_in(bad.text).startswith(problem), error_in(bad.text)

        lists = client.get("/ui/lists").text
        diff = " ".join(lists[lists.index("ofac-sdn: the last change"):].split())
        assert "From snapshot 1 to 2: <strong>0</strong> added, <strong>1</strong> removed, <strong>0</strong> " \
               "changed." in diff
        assert "ETCO INTERNATIONAL COMMODITIES LTD." in diff and "ofac-sdn:767" in diff

        token = csrf_in(client.get("/ui/estate").text)
        inventory = (ESTATE / "installed-programs.csv").read_bytes()
        scanned = client.post("/ui/estate", data={"csrf": token, "as_of": "2026-11-23"},
                              files=[("files", ("installed-programs.csv", inventory))])
        assert scanned.status_code == 200, error_in(scanned.text)
        assert "Status as of 2026-11-23: 2 finding(s) on 2 host(s)" in scanned.text
        assert '<svg role="img" aria-label="Hosts affected per measure"' in scanned.text
        assert "HR-PC-11" in scanned.text and "SALES-LT-07" in scanned.text
        none = client.post("/ui/estate", data={"csrf": token})
        assert none.status_code == 422 and error_in(none.text) == "files: choose at least one inventory file"
        unreadable = client.post("/ui/estate", data={"csrf": token}, files=[("files", ("x.json", b"{not json"))])
        assert unreadable.status_code == 422 and error_in(unreadable.text)


# ------------------------------------------------------------------ in a browser


@pytest.fixture
def served(tmp_path, home):
    """A real `banwatch serve` over the prepared home: (its base URL, the keys)."""
    keys = prepare(home, tmp_path)
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BANWATCH_")}
    environment.update({"BANWATCH_HOME": str(home.path), **home.env})
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "banwatch", "serve", "--port", str(port)],
                               env=environment, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert process.poll() is None, (tmp_path / "serve.log").read_text()
        time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("banwatch serve did not get ready in 120 s")
    yield base, keys
    process.terminate()
    process.wait(timeout=30)
    log.close()


def press_tab_until(page, selector: str, most: int = 60) -> None:
    """Tab (only the keyboard) until the element `selector` has the focus."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} never got the focus in {most} presses of Tab")


@pytest.mark.slow
def test_review_in_a_browser_with_the_keyboard(served, home):
    base, keys = served
    assert CHROMIUM.exists(), (f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium. Install it with "
                               "`apt-get install -y chromium` (make test does), never `playwright install`")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    screenshots = not home.env  # the SQLite run makes the README's screenshots
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            page = context.new_page()
            page.set_default_timeout(WAIT_MS)
            page.set_default_navigation_timeout(WAIT_MS)

            # sign in: the queue asks for it first
            page.goto(f"{base}/ui/alerts")
            assert "/ui/login" in page.url
            page.fill("#key", keys["analyst"])
            page.keyboard.press("Enter")
            page.wait_for_url(f"{base}/ui/alerts")
            [cookie] = [c for c in context.cookies() if c["name"] == "banwatch_ui"]
            assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (True, "Strict", "/ui")
            assert keys["analyst"] not in cookie["value"]
            rows = page.locator("table.queue tbody tr")
            assert rows.count() == len(alerts(home))
            if screenshots:
                shot(page, SCREENSHOTS / "alert-queue.png")

            # filter the queue: one list, a minimum score
            page.select_option("#source", "ofac-sdn")
            page.fill("#min_score", "0.9")
            page.click("form.filters button[type=submit]")
            page.wait_for_url(re.compile(r"/ui/alerts\?.*source=ofac-sdn"))
            listed = page.locator("table.queue tbody tr td:nth-child(6)").all_inner_texts()
            assert listed and set(listed) == {"ofac-sdn"}
            scores = [float(s) for s in page.locator("table.queue .score").all_inner_texts()]
            assert scores == sorted(scores, reverse=True) and min(scores) >= 0.9

            # open an alert
            banco = alert_of(home, "C1", BANCO)
            page.click(f'a[href="/ui/alerts/{banco["id"]}"]')
            page.wait_for_url(f"{base}/ui/alerts/{banco['id']}")
            assert page.locator("h1").inner_text() == f"Alert {banco['id']}: C1 in customers may be BANCO NACIONAL DE CUBA"
            if screenshots:
                shot(page, SCREENSHOTS / "alert-detail.png", full_page=True)

            # close it with the keyboard alone: the skip link first, then Tab to the form
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.className") == "skip"
            page.keyboard.press("Enter")
            assert page.evaluate("document.activeElement.id") == "main"
            press_tab_until(page, "input[name=decision]")
            focus_ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert focus_ring != "none", "the focused control shows no focus ring"
            page.keyboard.press("ArrowRight")  # the first choice has the focus; the arrow picks the second
            assert page.evaluate("document.querySelector('input[name=decision]:checked').value") == "false_positive"
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.id") == "note"
            page.keyboard.type("Another bank of the same name; checked with the keyboard only.")
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.id") == "close-alert"
            page.keyboard.press("Enter")
            page.wait_for_url(f"{base}/ui/alerts/{banco['id']}?closed=1")
            assert "False positive, by key:ui-analyst" in page.locator("#decided").inner_text()
            closed = alert_of(home, "C1", BANCO)
            assert (closed["status"], closed["decision"], closed["closed_by"]) == (
                "closed", "false_positive", "key:ui-analyst")

            # screen a name
            page.click("nav >> text=Screen a name")
            page.wait_for_url(f"{base}/ui/screen")
            page.fill("#name", "Hamza bin Laden")
            page.keyboard.press("Enter")
            page.wait_for_selector("#results")
            assert "BIN LADEN, Hamza" in page.locator("section.hit").first.inner_text()
            page.fill("#name", "!!!")
            page.keyboard.press("Enter")
            assert "a name needs at least one letter or digit" in page.wait_for_selector("p.error").inner_text()

            # sign out
            page.click("form.who button")
            page.wait_for_url("**/ui/login?why=signed_out")
            page.goto(f"{base}/ui/alerts")
            assert "/ui/login" in page.url
        finally:
            browser.close()


def shot(page, path: Path, full_page: bool = False) -> None:
    """A screenshot, written whole (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.png")
    page.screenshot(path=str(partial), full_page=full_page)
    partial.replace(path)
