"""The HTTP service (banwatch serve): its /v1 API and yente's endpoints,
through FastAPI's TestClient over a real store (the 2021 SDN list loaded by
the real `banwatch lists load`), and a real `banwatch serve` process driven
by OpenSanctions' own client, yente-client, as an existing client would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from banwatch.api import create_app
from banwatch.context import Context
from banwatch.settings import Settings
from conftest import ROOT, SHARED, free_port, run_banwatch

SDN = SHARED / "data" / "ofac-sdn-2021"
SAMPLES = ROOT / "src" / "banwatch" / "samples" / "estate"


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("api-home")
    loaded = run_banwatch("lists", "load", str(SDN), home=home)
    assert loaded.returncode == 0, loaded.stderr
    return home


def new_key(home: Path, name: str, role: str) -> str:
    made = run_banwatch("keys", "create", name, "--role", role, "--json", home=home)
    assert made.returncode == 0, made.stderr
    answer = json.loads(made.stdout)
    assert (answer["name"], answer["role"]) == (name, role) and answer["key"].startswith("bw_")
    return answer["key"]


@pytest.fixture(scope="module")
def keys(home) -> dict[str, str]:
    return {role: new_key(home, f"test-{role}", role) for role in ("viewer", "analyst", "admin")}


@pytest.fixture(scope="module")
def client(home, keys):
    settings = Settings.load({"BANWATCH_HOME": str(home), "BANWATCH_API_MAX_BATCH": "5",
                              "BANWATCH_API_MAX_BODY_BYTES": "200000", "BANWATCH_API_AUTH_FAILURES_PER_MINUTE": "3"})
    with TestClient(create_app(Context(settings))) as client:
        yield client


def auth(key: str, scheme: str = "ApiKey") -> dict[str, str]:
    return {"Authorization": f"{scheme} {key}"}


# ------------------------------------------------------------------ /v1

def test_screen_answers_the_hits_with_their_provenance(client, keys):
    answer = client.post("/v1/screen", json={"name": "Hamza bin Laden"}, headers=auth(keys["analyst"]))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [hit["entity_id"] for hit in body["hits"]][:1] == ["ofac-sdn:21286"]
    assert body["hits"][0]["words"][0] == {"query": "hamza", "listed": "hamza", "how": "same", "similarity": 1.0,
                                           "weight": body["hits"][0]["words"][0]["weight"]}
    [listed] = body["provenance"]["lists"]
    assert listed["source"] == "ofac-sdn" and listed["snapshot_id"] == 1
    assert len(body["provenance"]["catalog_digest"]) == 64
    assert any("not loaded" in warning for warning in body["warnings"])  # only one of the official lists


def test_screen_batch_screens_each_and_says_which_one_was_bad(client, keys):
    answer = client.post("/v1/screen/batch", headers=auth(keys["analyst"]), json={"queries": [
        {"name": "Hamza bin Laden"}, {"name": "Jane Q. Nobody-Ordinary"}, {"name": "!!!"}]})
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert results[0]["hits"][0]["entity_id"] == "ofac-sdn:21286"
    assert results[1]["hits"] == [] and results[1]["error"] is None
    assert results[2] == {"query": results[2]["query"], "hits": [], "error": "name: a name needs at least one letter or digit"}


def test_a_batch_over_the_limit_is_refused(client, keys):
    answer = client.post("/v1/screen/batch", headers=auth(keys["analyst"]),
                         json={"queries": [{"name": f"Name {n}"} for n in range(6)]})
    assert answer.status_code == 422
    assert answer.json()["code"] == "bad_input" and "at most 5" in answer.json()["message"]


def test_decide_screens_the_buyer_against_the_loaded_list(client, keys):
    transaction = {"type": "sale", "date": "2025-03-01", "product": "Kaspersky Endpoint Security",
                   "vendor": "AO Kaspersky Lab", "buyer": "Acme Hardware Inc", "buyer_country": "US"}
    answer = client.post("/v1/decide", json=transaction, headers=auth(keys["analyst"]))
    assert answer.status_code == 200, answer.text
    decision = answer.json()
    assert decision["outcome"] == "prohibited"
    assert "us-icts-kaspersky-2024" in {finding["id"] for finding in decision["measures"]}
    assert decision["provenance"]["lists"][0]["source"] == "ofac-sdn"
    batch = client.post("/v1/decide/batch", headers=auth(keys["analyst"]),
                        json={"transactions": [transaction, {**transaction, "date": "2024-06-01"}]})
    # before the sales ban took effect (2024-07-20), the same sale was allowed
    assert [d["outcome"] for d in batch.json()["decisions"]] == ["prohibited", "allowed"]


def test_a_transaction_with_an_unknown_field_value_is_a_422_naming_it(client, keys):
    answer = client.post("/v1/decide", headers=auth(keys["analyst"]),
                         json={"type": "smuggle", "date": "2025-03-01"})
    assert answer.status_code == 422
    body = answer.json()
    assert (body["code"], body["field"]) == ("bad_input", "/type") and body["message"].startswith("/type: ")


def test_lists_diff_catalog_and_entities_are_read_with_a_viewer_key(client, keys):
    viewer = auth(keys["viewer"])
    lists = client.get("/v1/lists", headers=viewer).json()
    assert [(item["source"], item["entities"]) for item in lists["lists"]] == [("ofac-sdn", 8976)]
    only_one = client.get("/v1/lists/ofac-sdn/diff", headers=viewer)  # one snapshot: nothing to compare
    assert (only_one.status_code, only_one.json()["message"]) == (
        422, "ofac-sdn: snapshot 1 is the first one kept: nothing to compare it with")
    catalog = client.get("/v1/catalog", headers=viewer).json()
    assert "us-icts-kaspersky-2024" in {measure["id"] for measure in catalog["measures"]}
    measure = client.get("/v1/catalog/us-icts-kaspersky-2024", headers=viewer).json()["measure"]
    assert measure["citation"].startswith("89 FR 52434")
    assert client.get("/v1/catalog/no-such-measure", headers=viewer).json()["code"] == "no_measure"
    entity = client.get("/v1/entities/ofac-sdn:21286", headers=viewer).json()
    assert entity["entity"]["name"] == "BIN LADEN, Hamza" and entity["provenance"]["lists"][0]["snapshot_id"] == 1
    missing = client.get("/v1/entities/ofac-sdn:0", headers=viewer)
    assert (missing.status_code, missing.json()["code"]) == (404, "no_entity")


def test_an_estate_scan_of_uploaded_inventories(client, keys):
    files = [("files", ("web-prod-03.dpkg-query.txt", (SAMPLES / "exports" / "web-prod-03.dpkg-query.txt").read_bytes())),
             ("files", ("installed-programs.csv", (SAMPLES / "installed-programs.csv").read_bytes()))]
    answer = client.post("/v1/estate/scan", files=files, data={"as_of": "2026-11-23"},
                         headers=auth(keys["analyst"]))
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert [i["origin"] for i in report["inventories"]] == ["web-prod-03.dpkg-query.txt", "installed-programs.csv"]
    assert {(f["host"], f["name"]) for f in report["findings"]} == {
        ("web-prod-03", "kesl"), ("web-prod-03", "klnagent64"), ("HR-PC-11", "Антивирус Касперского"),
        ("SALES-LT-07", "Kaspersky Free")}
    bad = client.post("/v1/estate/scan", files=[("files", ("x.json", b"{not json"))], headers=auth(keys["analyst"]))
    assert bad.status_code == 422 and bad.json()["code"] == "bad_input"


# ------------------------------------------------------------------ access

def test_keys_and_roles(client, keys, home):
    query = {"name": "Hamza bin Laden"}
    assert client.post("/v1/screen", json=query).status_code == 401
    assert client.post("/v1/screen", json=query, headers=auth(keys["analyst"], "Bearer")).status_code == 200
    forbidden = client.post("/v1/screen", json=query, headers=auth(keys["viewer"]))
    assert (forbidden.status_code, forbidden.json()["code"]) == (403, "forbidden")
    assert client.post("/v1/screen", json=query, headers=auth(keys["admin"])).status_code == 200
    revoked = new_key(home, "short-lived", "analyst")
    assert client.post("/v1/screen", json=query, headers=auth(revoked)).status_code == 200
    assert run_banwatch("keys", "revoke", "short-lived", home=home).returncode == 0
    assert client.post("/v1/screen", json=query, headers=auth(revoked)).status_code == 401
    listed = json.loads(run_banwatch("keys", "list", "--json", home=home).stdout)
    assert {k["name"]: bool(k["revoked_at"]) for k in listed}["short-lived"] is True
    assert all("key" not in k and "digest" not in k for k in listed)  # never shown again


def test_repeated_wrong_keys_from_one_address_are_slowed(home, keys):
    settings = Settings.load({"BANWATCH_HOME": str(home), "BANWATCH_API_AUTH_FAILURES_PER_MINUTE": "3"})
    with TestClient(create_app(Context(settings))) as fresh:
        codes = [fresh.get("/v1/lists", headers=auth("bw_wrong")).status_code for _ in range(4)]
        assert codes == [401, 401, 401, 429]
        limited = fresh.get("/v1/lists", headers=auth(keys["viewer"]))
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        assert fresh.get("/healthz").status_code == 200  # health needs no key, and is not slowed


def test_a_body_over_the_limit_is_413_and_bad_json_422(client, keys):
    huge = client.post("/v1/screen", content=b'{"name": "' + b"x" * 300_000 + b'"}',
                       headers={**auth(keys["analyst"]), "content-type": "application/json"})
    assert (huge.status_code, huge.json()["code"]) == (413, "too_large")
    broken = client.post("/v1/screen", content=b'{"name": ', headers={**auth(keys["analyst"]),
                                                                      "content-type": "application/json"})
    assert broken.status_code == 422 and broken.json()["code"] == "bad_input"


def test_openapi_and_docs_are_served(client):
    schema = client.get("/openapi.json").json()
    assert {"/v1/screen", "/v1/decide", "/match/{dataset}", "/search/{dataset}", "/readyz"} <= set(schema["paths"])
    assert client.get("/docs").status_code == 200


# ------------------------------------------------------------------ yente, over TestClient

def test_yente_match_with_cutoff_exclusions_and_an_unknown_dataset(client, keys):
    query = {"queries": {"a": {"schema": "Person", "properties": {"name": ["Usama bin Ladin"]}}}}
    answer = client.post("/match/default", json=query, headers=auth(keys["analyst"])).json()
    results = answer["responses"]["a"]["results"]
    assert results[0]["id"] == "ofac-sdn:6365" and results[0]["match"] is True
    assert results[0]["explanations"]["word_1"] == {"score": 1.0, "weight": results[0]["explanations"]["word_1"]
                                                    ["weight"], "detail": "same", "query": "usama",
                                                    "candidate": "usama"}
    excluded = client.post("/match/ofac-sdn", params={"exclude_entity_ids": "ofac-sdn:6365"}, json=query,
                           headers=auth(keys["analyst"])).json()
    assert "ofac-sdn:6365" not in [r["id"] for r in excluded["responses"]["a"]["results"]]
    unknown = client.post("/match/no-such-list", json=query, headers=auth(keys["analyst"]))
    assert (unknown.status_code, unknown.json()["code"]) == (404, "no_dataset")
    bad = client.post("/match/default", json={"queries": {"a": {"schema": "Spaceship", "properties": {}}}},
                      headers=auth(keys["analyst"]))
    assert bad.status_code == 422 and "Spaceship" in bad.json()["message"]


# ------------------------------------------------------------------ a real server and yente-client

@pytest.fixture(scope="module")
def server(home):
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BANWATCH_")}
    environment["BANWATCH_HOME"] = str(home)
    process = subprocess.Popen([sys.executable, "-m", "banwatch", "serve", "--port", str(port), "--workers", "2"],
                               env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # both workers build their index as they start
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("banwatch serve did not get ready in 120 s")
    yield base
    process.terminate()
    process.wait(timeout=30)


def test_yente_client_speaks_to_banwatch_serve(server, keys):
    from yente_client import Client  # noqa: PLC0415
    from yente_client.entities import Person  # noqa: PLC0415

    with Client(api_key=keys["analyst"], base_url=server) as yente:
        assert yente.healthz().status == "ok"
        assert [d.name for d in yente.datasets().datasets] == ["default", "ofac-sdn"]
        answer = yente.match(Person(name=["Usama bin Ladin"]))
        assert (answer.top.id, answer.top.match) == ("ofac-sdn:6365", True)
        assert answer.top.contributing_explanations["word_3"].candidate == "ladin"
        found = yente.search("Hamza bin Laden")
        assert found.results[0].id == "ofac-sdn:21286"
        entity = yente.fetch("ofac-sdn:21286")
        assert (entity.schema_, entity.caption) == ("Person", "BIN LADEN, Hamza")
        assert "SA" in [str(v).upper() for v in entity.properties["nationality"]]
        assert yente.algorithms().best == "banwatch"


def test_readyz_says_which_snapshots_are_served(server):
    ready = httpx.get(f"{server}/readyz").json()
    assert ready == {"status": "ok", "snapshots": {"ofac-sdn": 1}, "lists": 1}
    assert httpx.get(f"{server}/v1/lists").status_code == 401


def test_a_party_name_without_letters_is_bad_input_not_a_crash(client, keys, home):
    # found by the schemathesis run: screening ':' raised inside the decision (a 500, a traceback)
    answer = client.post("/v1/decide", json={"type": "use", "date": "2025-01-01", "buyer": ":"},
                         headers=auth(keys["analyst"]))
    assert (answer.status_code, answer.json()["field"]) == (422, "/buyer")
    command = run_banwatch("decide", "--type", "use", "--date", "2025-01-01", "--buyer", ":", home=home)
    assert (command.returncode, command.stderr.strip()) == (
        2, "banwatch: error: --buyer: a name needs at least one letter or digit")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_replicas_share_the_store_and_switch_to_a_new_snapshot(request, tmp_path, backend):
    """Two service replicas (two apps, two Contexts) over one store: a key made
    once works in both, and after a `lists load` both answer from the new
    snapshot, whole, with no request failing."""
    env = {} if backend == "sqlite" else {"BANWATCH_DATABASE_URL": request.getfixturevalue("database_url")}
    shared = tmp_path / "home"
    assert run_banwatch("lists", "load", str(SDN), home=shared, **env).returncode == 0
    made = run_banwatch("keys", "create", "replicas", "--role", "analyst", "--json", home=shared, **env)
    key = json.loads(made.stdout)["key"]
    # each replica its own home folder (its own index cache), as on two machines; the store is shared
    replicas = [create_app(Context(Settings.load({"BANWATCH_HOME": str(shared if backend == "sqlite"
                                                                       else tmp_path / f"replica-{n}"), **env})))
                for n in range(2)]
    with TestClient(replicas[0]) as first, TestClient(replicas[1]) as second:
        for client in (first, second):
            answer = client.post("/v1/screen", json={"name": "Hamza bin Laden"}, headers=auth(key)).json()
            assert answer["provenance"]["lists"][0]["snapshot_id"] == 1 and answer["hits"]
        assert run_banwatch("lists", "load", str(SDN), home=shared, **env).returncode == 0
        for client in (first, second):
            answer = client.post("/v1/screen", json={"name": "Hamza bin Laden"}, headers=auth(key)).json()
            assert answer["provenance"]["lists"][0]["snapshot_id"] == 2
            assert answer["hits"][0]["entity_id"] == "ofac-sdn:21286"
            assert client.get("/readyz").json()["snapshots"] == {"ofac-sdn": 2}
        diff = first.get("/v1/lists/ofac-sdn/diff", headers=auth(key)).json()  # the same file loaded twice
        assert (diff["from"], diff["to"], diff["counts"]) == (1, 2, {"added": 0, "removed": 0, "changed": 0})
        assert [item["snapshot_id"] for item in diff["provenance"]["lists"]] == [1, 2]


def test_the_service_survives_its_database_dropping_the_connection(tmp_path, database_url, postgres_server):
    """A PostgreSQL restart (here: the server ending the service's session) is
    not a failed request: the store connects again and answers."""
    import psycopg  # noqa: PLC0415

    home = tmp_path / "home"
    assert run_banwatch("lists", "load", str(SDN), home=home, BANWATCH_DATABASE_URL=database_url).returncode == 0
    key = json.loads(run_banwatch("keys", "create", "restart", "--json", home=home,
                                  BANWATCH_DATABASE_URL=database_url).stdout)["key"]
    app = create_app(Context(Settings.load({"BANWATCH_HOME": str(home), "BANWATCH_DATABASE_URL": database_url})))
    with TestClient(app) as client:
        assert client.get("/v1/lists", headers=auth(key)).status_code == 200
        database = database_url.rpartition("/")[2]
        with psycopg.connect(postgres_server, autocommit=True) as admin:
            ended = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                  "WHERE datname = %s AND pid <> pg_backend_pid()", (database,)).fetchone()[0]
        assert ended >= 1
        answer = client.post("/v1/screen", json={"name": "Hamza bin Laden"}, headers=auth(key))
        assert answer.status_code == 200 and answer.json()["hits"][0]["entity_id"] == "ofac-sdn:21286"
