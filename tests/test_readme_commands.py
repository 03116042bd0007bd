"""The README as a newcomer reads it: its two set-up commands run on a fresh
copy, and every other command it shows runs and prints what the README shows."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, free_port, run_banwatch

README = (ROOT / "README.md").read_text(encoding="utf-8")
#: what differs from run to run, masked in both the README and the real output
VOLATILE = ((re.compile(r"\(\d+\.\d+ s\)"), "(SECONDS)"),
            (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00"), "TIMESTAMP"),
            (re.compile(r"status as of \d{4}-\d{2}-\d{2}"), "status as of TODAY"))
#: the store and the project folder the README's examples show, for the test's own
SHOWN_HOME = "/root/.banwatch"
SHOWN_ROOT = "/work/main"


def shown_commands(readme: str = README) -> list[tuple[str, str | None]]:
    """Every `$ banwatch ...` command of the README's code blocks, in order,
    with the output shown under it: the lines up to the next command, or the
    next code block when the command ends its block and prose does not
    separate the two (a command, then its JSON). None: no output shown."""
    blocks = [(match.start(), match.end(), match[1]) for match in
              re.finditer(r"^```[a-z]*\n(.*?)^```$", readme, re.MULTILINE | re.DOTALL)]
    runs: list[tuple[str, str | None]] = []
    for number, (_start, end, body) in enumerate(blocks):
        lines = body.splitlines()
        starts = [i for i, line in enumerate(lines) if line.startswith("$ ")]
        for position, first in enumerate(starts):
            last = starts[position + 1] if position + 1 < len(starts) else len(lines)
            output = "\n".join(lines[first + 1:last])
            if not output and last == len(lines) and number + 1 < len(blocks):
                following = blocks[number + 1]
                if not readme[end:following[0]].strip() and not re.search(r"^\$ ", following[2], re.MULTILINE):
                    output = following[2].rstrip("\n")
            if lines[first].startswith("$ banwatch "):
                runs.append((lines[first].removeprefix("$ banwatch "), output or None))
    return runs


def comparable(text: str, home: Path | None = None) -> str:
    if home is not None:
        text = text.replace(str(home), SHOWN_HOME)
    for pattern, mask in VOLATILE:
        text = pattern.sub(mask, text)
    return re.sub(r"\s+", "", text)  # rich wraps and pads by the terminal's width


def first_missing(shown: str, printed: str, home: Path | None = None) -> str | None:
    """The first piece of `shown` (cut at each '...', which stands for what the
    README leaves out) that `printed` does not have, in order; None when all are there."""
    actual = comparable(printed, home)
    position = 0
    for piece in shown.split("..."):
        fragment = comparable(piece)
        if not fragment:
            continue
        found = actual.find(fragment, position)
        if found < 0:
            return piece.strip()
        position = found + len(fragment)
    return None


def test_readme_names_exactly_the_two_setup_commands_and_ci_runs_the_test_one():
    assert "make demo" in README and "make test" in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.MULTILINE)


BAD_INPUT_EXAMPLES = ("bogus", "2024-02-30", "bad-inputs", "estate/bad/")


@pytest.fixture(scope="module")
def readme_runs(tmp_path_factory) -> tuple[Path, list[tuple[str, str | None, subprocess.CompletedProcess[str]]]]:
    """Every README command run once, in README order (loads come before
    status), in a store of its own; paths in the README are relative to the project."""
    home = tmp_path_factory.mktemp("readme-home")
    runs = []
    for command, shown in shown_commands():
        if command.startswith("serve"):  # runs until stopped: test_the_readme_service_example_runs
            continue
        args = [arg.strip('"') for arg in re.findall(r'"[^"]*"|\S+', command)]
        # both streams in one, as a terminal shows them (the README shows an error line where it comes)
        runs.append((command, shown, run_banwatch(*args, cwd=ROOT, home=home, merge_streams=True)))
    return home, runs


def test_every_banwatch_command_shown_in_the_readme_runs(readme_runs):
    commands = [command for command in re.findall(r"^\$ banwatch (.+)$", README, re.MULTILINE)
                if not command.startswith("serve")]
    assert len(commands) >= 10
    _home, runs = readme_runs
    assert [command for command, _shown, _result in runs] == commands
    for command, _shown, result in runs:
        expected = 2 if any(example in command for example in BAD_INPUT_EXAMPLES) else 0
        assert result.returncode == expected, (command, result.stdout)


def test_the_readme_shows_what_its_commands_print(readme_runs):
    home, runs = readme_runs
    compared = [(command, shown, result) for command, shown, result in runs if shown]
    assert len(compared) >= 8
    for command, shown, result in compared:
        missing = first_missing(shown, result.stdout, home)
        assert missing is None, f"banwatch {command}: the README shows {missing!r}, the command printed:\n" \
                                f"{result.stdout}"


def test_shown_output_is_compared_piece_by_piece():
    readme = "```\n$ banwatch a\nfirst line\n...\nlast (1.25 s)\n$ banwatch b\n```\n\n```json\n{\"x\": 1}\n```\n"
    assert shown_commands(readme) == [("a", "first line\n...\nlast (1.25 s)"), ("b", '{"x": 1}')]
    assert first_missing("first line\n...\nlast (1.25 s)", "first   line\nmiddle\nlast (9.99 s)") is None
    assert first_missing("first line\n...\nlast", "last\nfirst line") == "last"  # order counts
    assert first_missing('{"a": 1, ...}', '{\n  "a": 1,\n  "b": 2\n}') is None


@pytest.mark.slow
def test_make_demo_works_on_a_fresh_copy(tmp_path):
    copy = tmp_path / "banwatch"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", ".git", "out", "*.egg-info",
                                                              "__pycache__", ".pytest_cache"))
    result = subprocess.run(["make", "demo"], cwd=copy, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert (copy / "out" / "reseller-orders-decisions.csv").stat().st_size > 0
    assert (copy / "out" / "reseller-orders-decisions.json").stat().st_size > 0
    assert "all order lines" in result.stdout
    # the estate scan of the bundled sample fleet
    assert "<svg" in (copy / "out" / "estate-report.html").read_text(encoding="utf-8")
    assert "us-ndaa-fy2019-s889: 2 finding(s) on 2 host(s)" in result.stdout
    # ... and prints what the README shows of it (the project's folder as the README shows it)
    (shown,) = [body for body in re.findall(r"^```\n(.*?)^```$", README, re.MULTILINE | re.DOTALL)
                if "banwatch demo --out out" in body]
    missing = first_missing(shown, result.stdout.replace(str(copy), SHOWN_ROOT))
    assert missing is None, f"the README shows {missing!r}; make demo printed:\n{result.stdout}"


def test_the_readme_service_example_runs(tmp_path):
    """The README's service example as a user runs it: the SDN list loaded, a
    key made, `banwatch serve` as shown (on a free port), then each `curl`
    shown, which must print what the README shows."""
    import json  # noqa: PLC0415
    import os  # noqa: PLC0415
    import sys  # noqa: PLC0415
    import time  # noqa: PLC0415

    import httpx  # noqa: PLC0415

    home = tmp_path / "home"
    assert run_banwatch("lists", "load", str(ROOT.parent / "shared" / "data" / "ofac-sdn-2021"),
                        home=home).returncode == 0
    key = json.loads(run_banwatch("keys", "create", "readme", "--json", home=home).stdout)["key"]
    [serve] = [command for command, _shown in shown_commands() if command.startswith("serve")]
    curls = re.findall(r"^\$ (curl [^\n]+)\n(.*?)(?=^\$ |^```$)", README, re.MULTILINE | re.DOTALL)
    assert len(curls) >= 3
    port = str(free_port())
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BANWATCH_")}
    environment.update(BANWATCH_HOME=str(home), KEY=key)
    process = subprocess.Popen([sys.executable, "-m", "banwatch", *serve.replace("8000", port).split()],
                               env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and process.poll() is None, "banwatch serve did not get ready"
            time.sleep(0.3)
        for command, shown in curls:
            printed = subprocess.run(["bash", "-c", command.replace("8000", port)], env=environment,
                                     capture_output=True, text=True, timeout=60).stdout
            missing = first_missing(shown.rstrip("\n"), printed, home)
            assert missing is None, f"{command}: the README shows {missing!r}, it printed:\n{printed}"
    finally:
        process.terminate()
        process.wait(timeout=30)
