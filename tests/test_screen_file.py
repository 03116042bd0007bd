"""`banwatch screen-file` and the index cache, on real lists of ../shared/data
loaded into a temporary store with `banwatch lists load`."""

from __future__ import annotations

import csv
import pickle
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from banwatch.match.cache import cache_key, cached_screener, read_index, write_index
from banwatch.match.screen import DEFAULT_THRESHOLD, Screener
from banwatch.model import EntityType, ListedEntity
from banwatch.store import Snapshot
from banwatch.store.sqlite import SqliteStore
from conftest import DATA, run_banwatch

KEY = b"a signing key for these tests!!!"
HAMZA = "ofac-sdn:21286"  # listed as "BIN LADEN, Hamza"
NOT_LISTED = ["Ottilie Brennecke", "Marguerite Okonkwo-Delacroix", "Tobias Quellmalz", "Hannelore Vasquez",
              "Finnegan Oyelaran", "Rosalind Achterberg"]


@pytest.fixture(scope="module")
def loaded_home(tmp_path_factory) -> Path:
    """A store with the SDN and UN lists, as a user loads them, and the index
    cache the first `screen` writes."""
    home = tmp_path_factory.mktemp("home")
    for path in (DATA / "ofac-sdn-2021", DATA / "un" / "consolidated.xml"):
        result = run_banwatch("lists", "load", str(path), home=home)
        assert result.returncode == 0, result.stderr
    assert not (home / "index").exists()
    first = run_banwatch("screen", "Hamza bin Laden", home=home)
    assert first.returncode == 0 and HAMZA in first.stdout, first.stderr
    return home


@pytest.fixture
def home(loaded_home, tmp_path) -> Path:
    """A private copy of the loaded store: each test sees its own index cache."""
    copy = tmp_path / "home"
    shutil.copytree(loaded_home, copy)
    return copy


def write_csv(path: Path, rows: list[list[str]], header: tuple[str, ...] = ("id", "name")) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def screen_file(home: Path, names: Path, *args: str):
    return run_banwatch("screen-file", str(names), "--out", str(names.with_name("out.csv")), *args, home=home)


def test_one_output_row_per_input_row_listed_names_matched_others_not(home, tmp_path):
    rows = [["c1", "BIN LADEN, Hamza"], ["c2", "Hamza bin Laden"], *([f"n{i}", name] for i, name in
                                                                        enumerate(NOT_LISTED))]
    result = screen_file(home, write_csv(tmp_path / "names.csv", rows))
    assert result.returncode == 0, result.stderr
    out = read_csv(tmp_path / "out.csv")
    assert list(out[0]) == ["id", "name", "match_id", "match_name", "match_source", "score", "match_count"]
    assert [row["id"] for row in out] == [row[0] for row in rows]  # every row, in input order
    assert [row["name"] for row in out] == [row[1] for row in rows]
    for listed in out[:2]:
        assert listed["match_id"] == HAMZA, listed
        assert listed["match_name"] == "BIN LADEN, Hamza" and listed["match_source"] == "ofac-sdn"
        assert float(listed["score"]) >= 0.95 and int(listed["match_count"]) >= 1
    for other in out[2:]:
        assert (other["match_id"], other["match_name"], other["score"], other["match_count"]) == ("", "", "", "0")
    assert "Screened 8 names" in result.stdout


def test_all_matches_file_lists_every_hit_ranked_and_explained(home, tmp_path):
    names = write_csv(tmp_path / "names.csv", [["c1", "Hamza bin Laden"], ["c2", NOT_LISTED[0]]])
    result = screen_file(home, names)
    assert result.returncode == 0, result.stderr
    every = read_csv(tmp_path / "out-all.csv")  # default: OUT with an -all suffix
    assert list(every[0]) == ["id", "name", "rank", "match_id", "match_name", "match_source", "score",
                              "explanation"]
    assert {row["id"] for row in every} == {"c1"}  # the unlisted name has no hit at all
    assert [row["rank"] for row in every] == [str(rank) for rank in range(1, len(every) + 1)]
    assert {HAMZA, "un:QDi.421"} <= {row["match_id"] for row in every}  # listed by OFAC and by the UN
    scores = [float(row["score"]) for row in every]
    assert scores == sorted(scores, reverse=True) and min(scores) >= DEFAULT_THRESHOLD
    first = every[0]
    assert first["match_id"] == HAMZA
    assert first["explanation"].startswith("'Hamza bin Laden' matches 'BIN LADEN, Hamza'")
    assert "hamza = hamza" in first["explanation"]
    best = read_csv(tmp_path / "out.csv")[0]
    assert best["match_count"] == str(len(every))

    custom = tmp_path / "every-hit.csv"
    assert screen_file(home, names, "--all-matches", str(custom), "--threshold", "0.95").returncode == 0
    strict = read_csv(custom)
    assert strict and all(float(row["score"]) >= 0.95 for row in strict) and len(strict) < len(every)


def test_bad_rows_are_reported_by_row_number_and_the_rest_screened(home, tmp_path):
    names = tmp_path / "names.csv"
    rows = [["c1", "Hamza bin Laden", "", ""],          # row 2
            ["c2", "", "", ""],                         # row 3: empty name
            ["c3", "x" * 501, "", ""],                  # row 4: too long
            ["c4", "Doku Umarov", "Russia", ""],        # row 5: not an ISO code
            ["c5", "Doku Umarov", "RU", "1964-13-01"],  # row 6: no such date
            ["c6", "Doku Umarov", "RU", "1964"],        # row 7: fine
            ["c7", "UMAROV", "Doku", "RU", "1964"]]     # row 8: a comma in an unquoted name
    write_csv(names, rows, header=("id", "name", "country", "dob"))
    result = screen_file(home, names, "--country-column", "country", "--dob-column", "dob")
    assert result.returncode == 2
    problems = result.stderr.strip().splitlines()
    assert len(problems) == 6, result.stderr
    for line, (row, what) in zip(problems, [(3, "empty name"), (4, "500 at most"), (5, "'country'"),
                                            (6, "'dob'"), (8, "5 cells for 4 columns")], strict=False):
        assert line.startswith(f"banwatch: bad row: {names} row {row}:") and what in line, line
    assert problems[-1] == f"banwatch: error: 5 bad row(s) in {names} were skipped; the other 2 were screened."
    out = read_csv(tmp_path / "out.csv")
    assert [(row["id"], row["match_id"] != "") for row in out] == [("c1", True), ("c6", True)]
    assert "Traceback" not in result.stderr


def test_a_file_without_the_name_column_is_one_line_and_writes_nothing(home, tmp_path):
    names = write_csv(tmp_path / "names.csv", [["1", "Hamza bin Laden"]], header=("id", "full_name"))
    result = screen_file(home, names)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"banwatch: error: {names} header: no column 'name' (--name-column); the header has 'id', 'full_name'"]
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "out-all.csv").exists()
    assert screen_file(home, names, "--name-column", "full_name").returncode == 0  # ... and with the column named


def test_a_file_that_is_not_utf8_is_one_line(home, tmp_path):
    names = tmp_path / "names.csv"
    names.write_bytes(b"id,name\n1,John Smith\n2,M\xfcller GmbH\n")  # cp1252, as Excel saves it
    result = screen_file(home, names)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"banwatch: error: {names} line 3: not UTF-8 text (invalid start byte); save the file as UTF-8"]
    assert not (tmp_path / "out.csv").exists()


def test_without_an_id_column_the_row_number_is_the_id(home, tmp_path):
    names = write_csv(tmp_path / "names.csv", [["Hamza bin Laden"], ["", ], [NOT_LISTED[1]]], header=("name",))
    result = screen_file(home, names)
    assert result.returncode == 2  # row 3 is empty
    assert [row["id"] for row in read_csv(tmp_path / "out.csv")] == ["2", "4"]
    missing = screen_file(home, names, "--id-column", "customer")
    assert missing.returncode == 2 and "no column 'customer' (--id-column)" in missing.stderr


def test_one_worker_and_two_give_the_same_reports(home, tmp_path):
    listed = ["Hamza bin Laden", "Doku Umarov", "Saddam Hussein al-Tikriti", "AEROCARIBBEAN AIRLINES"]
    rows = [[f"c{i}", (listed + NOT_LISTED)[i % 10] + ("" if i % 3 else f" {i}")] for i in range(2_500)]
    names = write_csv(tmp_path / "names.csv", rows)  # three chunks of rows
    reports = {}
    for workers in ("1", "2"):
        out = tmp_path / f"out-{workers}.csv"
        result = run_banwatch("screen-file", str(names), "--out", str(out), "--workers", workers, home=home)
        assert result.returncode == 0, result.stderr
        reports[workers] = (out.read_bytes(), out.with_name(f"out-{workers}-all.csv").read_bytes())
    assert reports["1"] == reports["2"]
    assert reports["1"][0].count(b"\n") == 2_501


# ---------------------------------------------------------------------- the index cache

def cache_files(home: Path) -> list[Path]:
    return sorted((home / "index").glob("*.pickle"))


def store_key(home: Path) -> bytes:
    """The key the store signs its index cache with."""
    store = SqliteStore.open(home / "banwatch.sqlite", read_only=True)
    try:
        return store.signing_key()
    finally:
        store.close()


def test_screen_saves_the_index_and_the_next_run_reads_it(home):
    (cached,) = cache_files(home)  # written by the first `screen` (the loaded_home fixture)
    # Prove the next run reads the file: rename the entity inside the cached index, signed with
    # the store's own key (what banwatch itself would write).
    signing_key = store_key(home)
    index = read_index(cached, cached.stem, signing_key)
    position = next(i for i, entity in enumerate(index.entities) if entity.id == HAMZA)
    index.entities[position] = replace(index.entities[position], name="READ FROM THE CACHE")
    write_index(cached, cached.stem, index, signing_key)
    second = run_banwatch("screen", "Hamza bin Laden", home=home)
    assert second.returncode == 0
    assert "READ FROM THE CACHE" in second.stdout


def test_a_corrupt_cache_file_is_rebuilt_with_correct_results(home):
    (cached,) = cache_files(home)
    cached.write_bytes(cached.read_bytes()[:100_000])  # truncated: a full disk, a killed copy
    result = run_banwatch("screen", "Hamza bin Laden", "--json", home=home)
    assert result.returncode == 0, result.stderr
    assert HAMZA in result.stdout and "Traceback" not in result.stderr
    assert cache_files(home) == [cached] and read_index(cached, cached.stem, store_key(home)) is not None  # whole


def test_loading_a_list_gives_a_new_index_and_removes_the_stale_one(home):
    assert run_banwatch("screen", "Hamza bin Laden", home=home).returncode == 0
    (before,) = cache_files(home)
    assert run_banwatch("lists", "load", str(DATA / "bis" / "dpl.txt"), home=home).returncode == 0
    assert run_banwatch("screen", "Hamza bin Laden", home=home).returncode == 0
    (after,) = cache_files(home)
    assert after != before


def entity(number: int, name: str) -> ListedEntity:
    return ListedEntity(id=f"test:{number}", source="test", source_id=str(number), type=EntityType.person,
                        name=name)


def snapshot(snapshot_id: int, loaded_at: str = "2026-01-01T00:00:00+00:00") -> Snapshot:
    return Snapshot(id=snapshot_id, source="test", format="test", loaded_at=loaded_at, parser_version="1",
                    files=[{"name": "f", "sha256": "0" * 64, "bytes": 1}], origin="here", entities=1, names=1,
                    active=True)


def test_cached_screener_builds_once_per_key(tmp_path):
    builds = []

    def build() -> Screener:
        builds.append(1)
        return Screener.from_entities([entity(1, "Ivan Petrov"), entity(2, "Anna Schmidt")])

    folder = tmp_path / "index"
    first = cached_screener([snapshot(1).digest], "catalog-a", build, folder, KEY)
    again = cached_screener([snapshot(1).digest], "catalog-a", build, folder, KEY)
    assert len(builds) == 1
    assert [e.id for e in again.index.entities] == [e.id for e in first.index.entities]
    cached_screener([snapshot(1).digest], "catalog-b", build, folder, KEY)  # the catalog changed
    cached_screener([snapshot(1, "2026-02-02T00:00:00+00:00").digest], "catalog-b", build, folder, KEY)  # store recreated
    assert len(builds) == 3
    assert len(list(folder.glob("*.pickle"))) == 1  # only the current one is kept
    assert not list(folder.glob("*.tmp"))
    (current,) = folder.glob("*.pickle")
    good = current.read_bytes()
    for damage in (b"not a pickle at all", good[: len(good) // 2], b"", pickle.dumps({"key": current.stem}),
                   pickle.dumps(["a", "list"])):
        current.write_bytes(damage)
        rebuilt = cached_screener([snapshot(1, "2026-02-02T00:00:00+00:00").digest], "catalog-b", build, folder, KEY)
        assert [e.id for e in rebuilt.index.entities] == ["test:1", "test:2"]
        assert read_index(current, current.stem, KEY) is not None
    assert len(builds) == 3 + 5
    key = cache_key([snapshot(1, "2026-02-02T00:00:00+00:00").digest], "catalog-b")
    assert read_index(folder / f"{key}.pickle", "another key", KEY) is None  # a file under the wrong name is not used


def test_an_unwritable_cache_folder_only_means_no_cache(tmp_path):
    blocker = tmp_path / "index"
    blocker.write_text("a file where the folder should be")
    screener = cached_screener([snapshot(1).digest], None, lambda: Screener.from_entities([entity(1, "Ivan Petrov")]),
                               blocker, KEY)
    assert [e.id for e in screener.index.entities] == ["test:1"]
