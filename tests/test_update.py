"""`lists update` against a real local HTTP server serving ../shared/data: a
good download, 304 on the second run, a changed file, a server error that
recovers, one that does not, a truncated body, and a file that fails to parse."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DATA, run_banwatch, run_json
from listserver import ListServer


@pytest.fixture()
def server():
    with ListServer(DATA) as running:
        yield running


def update(home: Path, server: ListServer, *sources: str) -> object:
    return run_banwatch("lists", "update", *sources, home=home,
                        BANWATCH_SOURCE_UN=server.url + "un/",
                        BANWATCH_SOURCE_BIS_DPL=server.url + "bis/",
                        BANWATCH_SOURCE_OFAC_SDN=server.url + "ofac-sdn-2021/",
                        BANWATCH_SOURCE_CSL=server.url + "bis/csl-sample.csv",
                        BANWATCH_RETRY_BACKOFF="0.01")


def status(home: Path) -> dict:
    return {entry["source"]: entry for entry in run_json("lists", "status", "--json", home=home)["sources"]}


def test_update_downloads_loads_and_then_asks_conditionally(tmp_path, server):
    first = update(tmp_path, server, "un", "bis-dpl", "ofac-sdn", "csl")
    assert first.returncode == 0, first.stderr
    loaded = status(tmp_path)
    assert (loaded["un"]["entities"], loaded["bis-dpl"]["entities"], loaded["ofac-sdn"]["entities"],
            loaded["csl"]["entities"]) == (1003, 581, 8976, 115)
    assert loaded["un"]["origin"] == server.url + "un/consolidated.xml"
    server.behaviour.requests.clear()
    second = update(tmp_path, server, "un", "ofac-sdn")
    assert second.returncode == 0, second.stderr
    assert "un: not modified since snapshot" in second.stdout
    assert {status for _, status in server.behaviour.requests} == {304}
    assert status(tmp_path) == loaded


def test_a_changed_file_makes_a_new_snapshot(tmp_path, server):
    assert update(tmp_path, server, "bis-dpl").returncode == 0
    original = (DATA / "bis" / "dpl.txt").read_bytes()
    lines = original.splitlines(keepends=True)
    server.behaviour.replace["bis/dpl.txt"] = b"".join(lines[:-5])  # five persons removed
    result = update(tmp_path, server, "bis-dpl")
    assert result.returncode == 0, result.stderr
    assert status(tmp_path)["bis-dpl"]["snapshot_id"] == 2
    diff = run_json("lists", "diff", "bis-dpl", "--json", home=tmp_path)
    assert diff["counts"]["removed"] >= 1 and diff["counts"]["added"] == 0


def test_server_errors_are_retried(tmp_path, server):
    server.behaviour.fail_500["un/consolidated.xml"] = 2
    result = update(tmp_path, server, "un")
    assert result.returncode == 0, result.stderr
    assert [status for path, status in server.behaviour.requests if path == "un/consolidated.xml"] == [500, 500, 200]


def test_a_server_that_keeps_failing_leaves_the_active_snapshot(tmp_path, server):
    assert update(tmp_path, server, "un").returncode == 0
    before = status(tmp_path)
    server.behaviour.fail_500["un/consolidated.xml"] = 100
    result = update(tmp_path, server, "un")
    assert result.returncode == 2
    assert "download failed after 4 attempts (HTTP 500)" in result.stderr
    assert "active snapshot is unchanged" in result.stderr
    assert status(tmp_path) == before


def test_a_truncated_body_is_retried_then_refused(tmp_path, server):
    assert update(tmp_path, server, "un").returncode == 0
    before = status(tmp_path)
    server.behaviour.replace["un/consolidated.xml"] = (DATA / "un" / "consolidated.xml").read_bytes() + b"\n"
    server.behaviour.truncate.add("un/consolidated.xml")
    result = update(tmp_path, server, "un")
    assert result.returncode == 2
    assert "un/consolidated.xml" in result.stderr and "download failed" in result.stderr
    assert status(tmp_path) == before


def test_a_complete_download_that_does_not_parse_is_refused(tmp_path, server):
    assert update(tmp_path, server, "un").returncode == 0
    before = status(tmp_path)
    whole = (DATA / "un" / "consolidated.xml").read_bytes()
    server.behaviour.replace["un/consolidated.xml"] = whole[: len(whole) // 2]  # consistent length, cut XML
    result = update(tmp_path, server, "un")
    assert result.returncode == 2 and "consolidated.xml" in result.stderr
    assert status(tmp_path) == before


def test_a_list_that_shrinks_too_much_is_refused_by_update(tmp_path, server):
    assert update(tmp_path, server, "csl").returncode == 0
    before = status(tmp_path)
    lines = (DATA / "bis" / "csl-sample.csv").read_bytes().splitlines(keepends=True)
    server.behaviour.replace["bis/csl-sample.csv"] = b"".join(lines[:50])
    result = update(tmp_path, server, "csl")
    assert result.returncode == 2 and "would drop from 115" in result.stderr
    assert status(tmp_path) == before


def test_one_failing_source_does_not_stop_the_others(tmp_path, server):
    server.behaviour.fail_500["un/consolidated.xml"] = 100
    result = update(tmp_path, server, "un", "bis-dpl")
    assert result.returncode == 2
    assert set(status(tmp_path)) == {"bis-dpl"}


def test_unknown_source_is_bad_input(tmp_path):
    result = run_banwatch("lists", "update", "eu-fsf", home=tmp_path)
    assert result.returncode == 2 and "unknown source eu-fsf" in result.stderr
