"""The versioned store: snapshots, the active pointer, retention, the drop
gate, diffs, and surviving a process killed in the middle of a load; each
test against the embedded SQLite store and against PostgreSQL (a new
database per test, `database_url`), through the real command line."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from conftest import DATA, Home, run_banwatch, run_json

SDN = DATA / "ofac-sdn-2021"


def status(home: Home) -> dict:
    return run_json("lists", "status", "--json", **home.kwargs)


def load(home: Home, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_banwatch("lists", "load", *args, **home.kwargs, **env)


def sdn_rows() -> list[list[str]]:
    with (SDN / "sdn.csv").open(newline="", encoding="utf-8") as handle:
        return [row for row in csv.reader(handle) if len(row) > 1]  # OFAC ends the file with a ^Z line


def write_sdn_copy(folder: Path, rows: list[list[str]]) -> Path:
    """A copy of the 2021 SDN set with sdn.csv replaced by `rows`; aliases and
    addresses of dropped entities are dropped too, as OFAC would."""
    folder.mkdir(parents=True)
    kept = {row[0] for row in rows}
    with (folder / "sdn.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    for name in ("alt.csv", "add.csv", "sdn_comments.csv"):
        with (SDN / name).open(newline="", encoding="utf-8") as source:
            lines = [row for row in csv.reader(source) if row and row[0] in kept]
        with (folder / name).open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\r\n").writerows(lines)
    return folder


def test_load_records_counts_hashes_and_makes_the_snapshot_active(tmp_path, home):
    result = load(home, str(SDN))
    assert result.returncode == 0, result.stderr
    assert "ofac-sdn: snapshot 1 active, 8,976 entities" in result.stdout
    (entry,) = status(home)["sources"]
    assert (entry["source"], entry["snapshot_id"], entry["entities"], entry["active"]) == ("ofac-sdn", 1, 8976, True)
    assert entry["names"] >= 8976 + 11910
    hashes = {f["name"]: f["sha256"] for f in entry["files"]}
    for name in ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"):
        assert hashes[name] == hashlib.sha256((SDN / name).read_bytes()).hexdigest()
    assert entry["parser_version"] and entry["loaded_at"]


def test_sources_are_independent_and_old_snapshots_are_pruned(tmp_path, home):
    for _ in range(3):
        assert load(home, str(SDN), BANWATCH_KEEP_SNAPSHOTS="2").returncode == 0
    assert load(home, str(DATA / "bis" / "dpl.txt")).returncode == 0
    sources = {entry["source"]: entry for entry in status(home)["sources"]}
    assert sources["ofac-sdn"]["snapshot_id"] == 3 and sources["ofac-sdn"]["snapshots_kept"] == 2
    assert sources["bis-dpl"]["entities"] == 581


def test_diff_reports_exactly_what_changed(tmp_path, home):
    rows = sdn_rows()
    # Rename 500 entities that no other entry names in its "Linked To:" remarks: the
    # reader resolves those links against the list, so renaming a target changes two.
    remarks = " ".join(row[11] for row in rows) + (SDN / "sdn_comments.csv").read_text(encoding="utf-8")
    renamable = [index for index, row in enumerate(rows[:-3]) if row[1] not in remarks][:500]
    changed = rows[:]
    for index in renamable:
        changed[index] = [changed[index][0], changed[index][1] + " X", *changed[index][2:]]
    removed = {changed[-1][0], changed[-2][0], changed[-3][0]}
    changed = changed[:-3]
    changed.append(["99999901", "NEW ENTITY ONE", "-0- ", "SDGT", *["-0- "] * 8])
    changed.append(["99999902", "NEW ENTITY TWO", "individual", "SDGT", *["-0- "] * 8])
    assert load(home, str(SDN)).returncode == 0
    assert load(home, str(write_sdn_copy(tmp_path / "changed", changed))).returncode == 0
    result = run_json("lists", "diff", "ofac-sdn", "--json", **home.kwargs)
    assert result["counts"] == {"added": 2, "removed": 3, "changed": 500}
    assert {item["id"] for item in result["added"]} == {"ofac-sdn:99999901", "ofac-sdn:99999902"}
    assert {item["id"] for item in result["removed"]} == {f"ofac-sdn:{ent}" for ent in removed}
    first = next(item for item in result["changed"] if item["id"] == f"ofac-sdn:{rows[0][0]}")
    assert first["fields"]["name"] == {"from": rows[0][1], "to": rows[0][1] + " X"}
    text = run_banwatch("lists", "diff", "ofac-sdn", **home.kwargs)
    assert "2 added, 3 removed, 500 changed" in text.stdout


def test_diff_needs_two_snapshots(tmp_path, home):
    assert load(home, str(SDN)).returncode == 0
    result = run_banwatch("lists", "diff", "ofac-sdn", **home.kwargs)
    assert result.returncode == 2 and "nothing to compare it with" in result.stderr


def test_a_list_that_shrinks_too_much_is_refused_and_force_accepts_it(tmp_path, home):
    assert load(home, str(SDN)).returncode == 0
    before = status(home)
    half = write_sdn_copy(tmp_path / "half", sdn_rows()[:4000])
    refused = load(home, str(half))
    assert refused.returncode == 2
    assert "would drop from 8,976 to 4,000 entities" in refused.stderr and "snapshot 1 stays active" in refused.stderr
    assert status(home) == before
    forced = load(home, str(half), "--force")
    assert forced.returncode == 0 and status(home)["sources"][0]["entities"] == 4000


def test_killed_in_the_middle_of_a_load_the_previous_snapshot_stays_active(tmp_path, home):
    assert load(home, str(SDN)).returncode == 0
    before = status(home)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANWATCH_")}
    env.update(BANWATCH_HOME=str(home.path), BANWATCH_PAUSE_BEFORE_COMMIT="60", **home.env)
    process = subprocess.Popen([sys.executable, "-m", "banwatch", "lists", "load", str(SDN), "--force"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stderr.readline()  # printed inside the open transaction, entities written
        assert "pausing" in line, line
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert status(home) == before  # opens cleanly; snapshot 1 still active, nothing half-written
    again = load(home, str(SDN))
    assert again.returncode == 0, again.stderr
    assert status(home)["sources"][0]["entities"] == 8976


def test_export_ftm_writes_every_active_entity(tmp_path, home):
    assert load(home, str(DATA / "bis" / "dpl.txt")).returncode == 0
    assert load(home, str(DATA / "un" / "consolidated.xml")).returncode == 0
    out = tmp_path / "export.ftm.json"
    result = run_banwatch("lists", "export", "--format", "ftm", "--out", str(out), **home.kwargs)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 581 + 1003
    assert all(line["id"] and line["schema"] and line["properties"].get("name") for line in lines)
    # and the export loads back as an FtM list
    reloaded = load(home, str(out))
    assert reloaded.returncode == 0 and "1,584 entities" in reloaded.stdout


def test_catalog_parties_load_as_a_source(tmp_path, home):
    result = load(home, "--format", "catalog")
    assert result.returncode == 0, result.stderr
    (entry,) = status(home)["sources"]
    assert entry["source"] == "catalog" and entry["entities"] >= 12 + 3


def test_a_corrupt_store_file_is_reported_not_overwritten(tmp_path):
    (tmp_path / "banwatch.sqlite").write_bytes(b"this is not a database" * 100)
    result = run_banwatch("lists", "status", home=tmp_path)
    assert result.returncode == 2 and "not a banwatch store" in result.stderr
    assert (tmp_path / "banwatch.sqlite").read_bytes().startswith(b"this is not a database")
