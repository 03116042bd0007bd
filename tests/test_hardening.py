"""Issue 11: hostile input, faults and tampering change nothing and let no one
in. Each test reproduces the attack or the fault for real: a planted pickle
and folders of another user (`nobody`), invisible characters, formulas in
names, SIGKILLs of real processes, a real full tmpfs, a read-only mount, a
store locked by a real second load."""

from __future__ import annotations

import csv
import json
import os
import pickle
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import DATA, ROOT, run_banwatch

SDN_SAMPLE = ROOT / "src" / "banwatch" / "samples" / "ofac-sdn-sample"
BANCO = "ofac-sdn:306"  # BANCO NACIONAL DE CUBA in the bundled sample
NOBODY = 65534


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Path:
    """A home with the bundled SDN sample loaded and the index cached once."""
    home = tmp_path_factory.mktemp("hardening") / "home"
    assert run_banwatch("lists", "load", str(SDN_SAMPLE), home=home).returncode == 0
    assert run_banwatch("screen", "Banco Nacional de Cuba", home=home).returncode == 0
    return home


def copy_home(loaded: Path, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(loaded, home)
    return home


def one_error_line(result: subprocess.CompletedProcess[str], *said: str) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert len(lines) == 1 and lines[0].startswith("banwatch: error: "), result.stderr
    assert "Traceback" not in result.stderr
    for text in said:
        assert text in lines[0], lines[0]
    return lines[0]


# ---------------------------------------------------------------------- the index cache and its folders


class Planted:
    """What an attacker puts in the index folder: a pickle that runs code when read."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_planted_pickle_in_the_index_folder_is_never_run(loaded, tmp_path):
    home = copy_home(loaded, tmp_path)
    (cached,) = (home / "index").glob("*.pickle")
    marker = tmp_path / "code-ran"
    payload = pickle.dumps({"key": cached.stem, "index": Planted(marker)})
    for planted in (payload, b"banwatch-index-hmac-sha256\n" + b"\0" * 32 + payload):  # unsigned; wrongly signed
        cached.write_bytes(planted)
        result = run_banwatch("screen", "Banco Nacional de Cuba", "--json", home=home)
        assert result.returncode == 0, result.stderr
        assert not marker.exists()  # the planted code did not run
        assert BANCO in result.stdout  # the index was rebuilt from the store
        assert cached.read_bytes().startswith(b"banwatch-index-hmac-sha256\n")  # and saved again, signed


def test_an_index_folder_of_another_user_is_refused(loaded, tmp_path):
    home = copy_home(loaded, tmp_path)
    os.chown(home / "index", NOBODY, NOBODY)
    result = run_banwatch("screen", "Banco Nacional de Cuba", home=home)
    one_error_line(result, str(home / "index"), "belongs to another user")


def test_a_home_of_another_user_is_refused(loaded, tmp_path):
    """The home made by `nobody`, banwatch run by root. (Running Python itself as
    nobody is not possible on this machine: the interpreter lives under /root, 0700.)"""
    home = copy_home(loaded, tmp_path)
    for path in (home, *home.rglob("*")):
        os.chown(path, NOBODY, NOBODY)
    for args in (["screen", "Banco Nacional de Cuba"], ["lists", "load", str(SDN_SAMPLE)]):
        one_error_line(run_banwatch(*args, home=home), str(home), "belongs to another user")


@pytest.mark.parametrize("folder", ["", "index"])
def test_a_folder_others_can_write_is_refused(loaded, tmp_path, folder):
    home = copy_home(loaded, tmp_path)
    os.chmod(home / folder, 0o775)
    result = run_banwatch("screen", "Banco Nacional de Cuba", home=home)
    one_error_line(result, "can be written by its group", "chmod 700")


def test_home_and_index_are_made_private_whatever_the_umask(tmp_path):
    home = tmp_path / "new-home"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BANWATCH_")}
    for args in (["lists", "load", str(SDN_SAMPLE)], ["screen", "Banco Nacional de Cuba"]):
        result = subprocess.run([sys.executable, "-m", "banwatch", *args],
                                env={**environment, "BANWATCH_HOME": str(home)},
                                preexec_fn=lambda: os.umask(0o002), capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
    assert (home.stat().st_mode & 0o777, (home / "index").stat().st_mode & 0o777) == (0o700, 0o700)


# ---------------------------------------------------------------------- invisible characters and look-alikes

INVISIBLE = {
    "soft hyphen": "\u00ad", "zero width space": "\u200b", "zero width non-joiner": "\u200c",
    "zero width joiner": "\u200d", "left-to-right mark": "\u200e", "right-to-left mark": "\u200f",
    "left-to-right embedding": "\u202a", "right-to-left override": "\u202e", "word joiner": "\u2060",
    "invisible times": "\u2062", "invisible plus": "\u2064", "byte order mark": "\ufeff",
    "variation selector 16": "\ufe0f", "variation selector 1": "\ufe00",
}
DISGUISES = {**INVISIBLE, "Cyrillic look-alikes": "look-alike"}


#: Latin letters and the Cyrillic letters that look like them; several transliterate to
#: another letter (В is V, Н is N, Р is R, С is S, у is u, х is kh), so only a fold by looks meets them
CYRILLIC_LOOKS = str.maketrans("ABCEHKMOPTXacepxy", "АВСЕНКМОРТХасерху")


def disguise(name: str, how: str) -> str:
    """`name` with the character inside every word, or its letters that have a
    Cyrillic look-alike written in Cyrillic (the others stay Latin)."""
    if how == "look-alike":
        return name.translate(CYRILLIC_LOOKS)
    return " ".join(word[:2] + how + word[2:] if len(word) > 2 else word for word in name.split())


@pytest.mark.parametrize("how", DISGUISES.values(), ids=DISGUISES.keys())
def test_a_disguised_name_is_still_found_in_screening(loaded, how):
    result = run_banwatch("screen", disguise("BANCO NACIONAL DE CUBA", how), "--json", home=loaded)
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)["matches"]
    assert hits and hits[0]["entity_id"] == BANCO and hits[0]["score"] >= 0.95, hits[:1]


@pytest.mark.parametrize("how", DISGUISES.values(), ids=DISGUISES.keys())
def test_a_disguised_product_is_still_recognised_in_decisions(how):
    import datetime as dt

    import banwatch
    from banwatch import Transaction

    decision = banwatch.decide(Transaction(type="sale", date=dt.date(2025, 3, 1), buyer_country="US",
                                           product=disguise("Kaspersky Total Security", how)))
    assert decision.outcome.value == "prohibited", decision.reasons


def test_disguised_software_is_still_found_in_the_estate_scan(tmp_path):
    """Every disguise in one inventory, each on its own host: all of them found."""
    inventory = tmp_path / "programs.csv"
    with inventory.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["host", "name", "publisher"])
        for number, how in enumerate(DISGUISES.values()):
            writer.writerow([f"host-{number:02d}", disguise("Kaspersky Endpoint Security", how),
                             disguise("Kaspersky Lab", how)])
    result = run_banwatch("estate", "scan", str(inventory), "--out", str(tmp_path / "report.json"),
                          home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    findings = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["findings"]
    found = {f["host"] for f in findings if f["measure_id"] == "us-icts-kaspersky-2024"}
    assert found == {f"host-{number:02d}" for number in range(len(DISGUISES))}
    assert all(f["reasons"] for f in findings)  # each says which pattern matched, as the SQL did


def test_a_disguised_listed_name_meets_a_plain_query():
    """List names go through the same folding: a list that writes its entry
    with soft hyphens still matches the plain name."""
    from banwatch.match.screen import Screener
    from banwatch.model import EntityType, ListedEntity, ScreenQuery

    entity = ListedEntity(id="test:1", source="test", source_id="1", type=EntityType.organization,
                          name="BAN\u00adCO NACIO\u200bNAL DE CU\u0412A")
    hits = Screener.from_entities([entity]).screen(ScreenQuery(name="Banco Nacional de Cuba"))
    assert hits and hits[0].score >= 0.95


# ---------------------------------------------------------------------- formulas in CSV reports

FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+SUM(1,2)", "-2+3", "@SUM(1)", "\tTAB", "\rCR"]


def cells_of(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def test_formulas_are_neutralised_in_the_decisions_report(tmp_path):
    orders = tmp_path / "orders.csv"
    with orders.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["reference", "type", "date", "product", "buyer_country"])
        for number, formula in enumerate(FORMULAS):
            writer.writerow([formula, "sale", "2025-03-01", f"{formula} Kaspersky Total Security", "US"])
    result = run_banwatch("decide-file", str(orders), "--out", str(tmp_path / "report.csv"), "--no-screen",
                          home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    cells = cells_of(tmp_path / "report.csv")
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert "'" + FORMULAS[0] in cells and "'-2+3" in cells  # kept, readable, inert


def test_formulas_are_neutralised_in_the_screening_reports(loaded, tmp_path):
    names = tmp_path / "names.csv"
    names.write_text("name,owner\n" + "".join(f"\"{f.replace(chr(34), chr(34) * 2)}\",=1+1\n" for f in FORMULAS)
                     + "Banco Nacional de Cuba,@owner\n", encoding="utf-8")
    result = run_banwatch("screen-file", str(names), "--out", str(tmp_path / "out.csv"), home=loaded)
    assert result.returncode == 0, result.stderr
    for report in ("out.csv", "out-all.csv"):
        cells = cells_of(tmp_path / report)
        assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))], report
    assert "'=1+1" in cells_of(tmp_path / "out.csv") and "'@owner" in cells_of(tmp_path / "out.csv")


def test_formulas_are_neutralised_in_the_estate_report(tmp_path):
    inventory = tmp_path / "programs.csv"
    inventory.write_text("host,name,publisher\n=cmd|' /C calc'!A0,@Kaspersky Endpoint Security,+AO Kaspersky Lab\n",
                         encoding="utf-8")
    result = run_banwatch("estate", "scan", str(inventory), "--out", str(tmp_path / "report.csv"),
                          home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    cells = cells_of(tmp_path / "report.csv")
    assert any(cell.startswith("'=cmd") for cell in cells), cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


# ---------------------------------------------------------------------- reports whole or not at all


def test_the_out_extension_is_followed_or_refused(loaded, tmp_path):
    names = tmp_path / "names.csv"
    names.write_text("name\nBanco Nacional de Cuba\n", encoding="utf-8")
    one_error_line(run_banwatch("screen-file", str(names), "--out", str(tmp_path / "names.json"), home=loaded),
                   "--out", "can be written as .csv, not .json")
    orders = tmp_path / "orders.csv"
    orders.write_text("type,date,product\nsale,2025-03-01,Kaspersky Total Security\n", encoding="utf-8")
    one_error_line(run_banwatch("decide-file", str(orders), "--out", str(tmp_path / "orders.json"), home=loaded),
                   "--out", "not .json")
    assert orders.read_text(encoding="utf-8").startswith("type,date")  # untouched
    one_error_line(run_banwatch("lists", "export", "--out", str(tmp_path / "entities.csv"), home=loaded),
                   "--out", "not .csv")
    assert not (tmp_path / "names.json").exists() and not (tmp_path / "orders.json").exists()


def test_screen_file_keeps_the_inputs_other_columns(loaded, tmp_path):
    names = tmp_path / "names.csv"
    names.write_text("vendor_id,name,country,owner\nV-1,Banco Nacional de Cuba,CU,treasury\nV-2,Ottilie Brennecke,DE,"
                     "it\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert run_banwatch("screen-file", str(names), "--out", str(out), home=loaded).returncode == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["vendor_id"], r["country"], r["owner"], r["match_id"]) for r in rows] == [
        ("V-1", "CU", "treasury", BANCO), ("V-2", "DE", "it", "")]
    assert run_banwatch("screen-file", str(names), "--out", str(out), "--keep-columns", "owner",
                        home=loaded).returncode == 0
    assert list(csv.DictReader(out.open(encoding="utf-8")))[0].keys() >= {"owner"}
    assert "country" not in next(csv.DictReader(out.open(encoding="utf-8")))


def fleet(path: Path, hosts: int) -> None:
    """An inventory where every host runs Kaspersky: one finding per host."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write("host,name,publisher,version\n")
        for number in range(hosts):
            handle.write(f"host-{number:06d},Kaspersky Endpoint Security for Windows,AO Kaspersky Lab,11.{number}\n")


def test_a_killed_estate_scan_leaves_the_previous_report_whole(tmp_path):
    inventory = tmp_path / "fleet.csv"
    fleet(inventory, 100_000)
    report = tmp_path / "report.csv"
    previous = "the previous report\n"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BANWATCH_")}
    environment["BANWATCH_HOME"] = str(tmp_path / "home")
    command = [sys.executable, "-m", "banwatch", "estate", "scan", str(inventory), "--out", str(report)]
    started = time.monotonic()
    subprocess.run(command, env=environment, check=True, capture_output=True)
    whole = time.monotonic() - started
    outcomes = set()
    for step in range(12):  # kills spread over the last part of a run, where the report is written
        report.write_text(previous, encoding="utf-8")
        process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(whole * (0.55 + 0.04 * step))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        text = report.read_text(encoding="utf-8")
        rows = text.count("\n") - 1
        outcomes.add("previous" if text == previous else rows)
        assert outcomes <= {"previous", 100_000}, outcomes  # the old report, or the whole new one: never a part
    run_banwatch("estate", "scan", str(inventory), "--out", str(report), home=tmp_path / "home")
    assert not list(tmp_path.glob(".report.csv.*.partial"))  # the next run cleans what the killed ones left


def tmpfs(mount: Path, size: str):
    """A real filesystem of `size`, mounted for one test (a full disk is real only on one)."""
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], capture_output=True,
                          text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}): the full-disk case is not run")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def tiny_filesystem(tmp_path):
    yield from tmpfs(tmp_path / "tiny", "256k")


@pytest.fixture
def small_filesystem(tmp_path):
    """A 1000 KB tmpfs: room for the bundled SDN sample's store (578 KB, and its write-ahead log while
    it loads), not for the BIS DPL beside it (1,237 KB together)."""
    yield from tmpfs(tmp_path / "small", "1000k")


def test_a_full_disk_during_a_load_keeps_the_lists_already_stored(small_filesystem):
    home = small_filesystem / "home"
    assert run_banwatch("lists", "load", str(SDN_SAMPLE), home=home).returncode == 0
    one_error_line(run_banwatch("lists", "load", str(DATA / "bis" / "dpl.txt"), home=home),
                   "the disk is full", "nothing was changed")
    status = json.loads(run_banwatch("lists", "status", "--json", home=home).stdout)
    assert [(s["source"], s["entities"]) for s in status["sources"]] == [("ofac-sdn", 302)]
    assert BANCO in run_banwatch("screen", "Banco Nacional de Cuba", "--json", home=home).stdout


def test_a_full_disk_leaves_the_previous_decision_reports_whole(tiny_filesystem, tmp_path):
    orders = tmp_path / "orders.csv"
    with orders.open("w", encoding="utf-8") as handle:
        handle.write("reference,type,date,product,buyer_country\n")
        for number in range(2_000):
            handle.write(f"R{number},sale,2025-03-01,Kaspersky Total Security {number},US\n")
    report = tiny_filesystem / "report.csv"
    previous = {report: "previous csv\n", report.with_suffix(".json"): '{"previous": true}\n'}
    for path, text in previous.items():
        path.write_text(text, encoding="utf-8")
    result = run_banwatch("decide-file", str(orders), "--out", str(report), "--no-screen", home=tmp_path / "home")
    one_error_line(result, "No space left on device")
    assert {path: path.read_text(encoding="utf-8") for path in previous} == previous
    assert sorted(p.name for p in tiny_filesystem.iterdir()) == ["report.csv", "report.json"]  # no partial file


# ---------------------------------------------------------------------- the store under faults


@pytest.fixture
def read_only_home(loaded, tmp_path):
    for mount in tmpfs(tmp_path / "mount", "64m"):
        home = mount / "home"
        shutil.copytree(loaded, home)
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        yield home


def test_a_read_only_home_answers_and_refuses_only_writing(read_only_home):
    screened = run_banwatch("screen", "Banco Nacional de Cuba", "--json", home=read_only_home)
    assert screened.returncode == 0, screened.stderr
    assert BANCO in screened.stdout
    assert run_banwatch("lists", "status", home=read_only_home).returncode == 0
    decided = run_banwatch("decide", "--type", "sale", "--date", "2025-03-01", "--buyer", "Banco Nacional de Cuba",
                           "--buyer-country", "CU", "--seller-country", "US", home=read_only_home)
    assert decided.returncode == 0 and "PROHIBITED" in decided.stdout, decided.stderr
    one_error_line(run_banwatch("lists", "load", str(SDN_SAMPLE), home=read_only_home), "banwatch.sqlite")


def test_a_damaged_store_is_one_line(loaded, tmp_path):
    home = copy_home(loaded, tmp_path)
    (home / "banwatch.sqlite").write_bytes(b"this is not a database" * 100)
    for name in ("banwatch.sqlite-wal", "banwatch.sqlite-shm"):
        (home / name).unlink(missing_ok=True)
    one_error_line(run_banwatch("screen", "Banco", home=home), "is damaged or not a banwatch store")
    one_error_line(run_banwatch("lists", "status", home=home), "is damaged or not a banwatch store")


def test_an_entity_edited_outside_banwatch_is_reported_not_used(loaded, tmp_path):
    home = copy_home(loaded, tmp_path)
    shutil.rmtree(home / "index")
    with sqlite3.connect(home / "banwatch.sqlite") as db:
        db.execute("UPDATE entities SET data = replace(data, 'BANCO NACIONAL DE CUBA', 'HARMLESS NAME') "
                   "WHERE entity_id = ?", (BANCO,))
    one_error_line(run_banwatch("screen", "Banco Nacional de Cuba", home=home),
                   f"entity {BANCO} was changed outside banwatch")
    one_error_line(run_banwatch("lists", "export", "--out", str(tmp_path / "export.json"), home=home),
                   "was changed outside banwatch")
    assert not (tmp_path / "export.json").exists()


def test_a_second_load_waits_for_the_first_then_gives_up_clearly(tmp_path):
    home = tmp_path / "home"
    assert run_banwatch("lists", "load", str(SDN_SAMPLE), home=home).returncode == 0
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BANWATCH_")}
    first = subprocess.Popen([sys.executable, "-m", "banwatch", "lists", "load", str(SDN_SAMPLE), "--force"],
                             env={**environment, "BANWATCH_HOME": str(home), "BANWATCH_PAUSE_BEFORE_COMMIT": "15"},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        seen = []
        while "pausing" not in (line := first.stderr.readline()):  # then the first holds the write lock
            seen.append(line)
            assert time.monotonic() < deadline and first.poll() is None, seen
        paused = time.monotonic()
        gave_up = run_banwatch("lists", "load", str(SDN_SAMPLE), "--force", home=home,
                               BANWATCH_STORE_LOCK_TIMEOUT_SECONDS="1")
        assert first.poll() is None, f"the first load ended {time.monotonic() - paused:.1f} s into its pause"
        assert "Waiting for another banwatch writing" in gave_up.stderr, (gave_up.stdout, gave_up.stderr)
        assert gave_up.returncode == 2 and "is locked by another banwatch writing it; gave up after 1 s" in gave_up.stderr
        waited = run_banwatch("lists", "load", str(SDN_SAMPLE), "--force", home=home,
                              BANWATCH_STORE_LOCK_TIMEOUT_SECONDS="60")
        assert waited.returncode == 0, waited.stderr
        assert "Waiting for another banwatch writing" in waited.stderr
    finally:
        first.wait(timeout=60)
    assert first.returncode == 0


# ---------------------------------------------------------------------- workers die with their parent


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (state := process_state(int(entry.name))) and state[1] == pid:
            found.append(int(entry.name))
    return found


def process_state(pid: int) -> tuple[str, int] | None:
    """(state letter, parent pid) of a process, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[1])


def running(pid: int) -> bool:
    state = process_state(pid)
    return state is not None and state[0] != "Z"  # a zombie has exited; only its entry waits for a reaper


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_screen_file_workers_end_when_their_parent_is_killed(loaded, tmp_path, how):
    names = tmp_path / "names.csv"
    with names.open("w", encoding="utf-8") as handle:
        handle.write("name\n")
        for number in range(400_000):
            handle.write(f"Person Number{number} Lastname{number % 977}\n")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BANWATCH_")}
    parent = subprocess.Popen([sys.executable, "-m", "banwatch", "screen-file", str(names), "--workers", "2"],
                              env={**environment, "BANWATCH_HOME": str(loaded)}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(workers := children_of(parent.pid)) < 2:
        assert time.monotonic() < deadline and parent.poll() is None, "no workers started"
        time.sleep(0.1)
    parent.send_signal(how)
    parent.wait(timeout=30)
    deadline = time.monotonic() + 10  # a bound, not the figure: no wall-clock limits in unit tests
    while any(running(pid) for pid in workers):
        assert time.monotonic() < deadline, f"workers {workers} outlived their parent"
        time.sleep(0.05)
    if how is signal.SIGTERM:  # the parent's clean-up ran: no partial report left
        assert not list(tmp_path.glob(".names-screened*.partial"))
