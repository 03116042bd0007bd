"""The README's two set-up commands, run as a newcomer would on a fresh copy."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from conftest import ROOT, run_banwatch

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_names_exactly_the_two_setup_commands_and_ci_runs_the_test_one():
    assert "make demo" in README and "make test" in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.MULTILINE)


BAD_INPUT_EXAMPLES = ("bogus", "2024-02-30", "bad-inputs", "estate/bad/")


def test_every_banwatch_command_shown_in_the_readme_runs(tmp_path):
    commands = re.findall(r"^\$ banwatch (.+)$", README, re.MULTILINE)
    assert len(commands) >= 10
    for command in commands:  # in README order: loads come before status
        args = [arg.strip('"') for arg in re.findall(r'"[^"]*"|\S+', command)]
        # paths in the README are relative to the project; the store is this test's own
        result = run_banwatch(*args, cwd=ROOT, home=tmp_path)
        expected = 2 if any(example in command for example in BAD_INPUT_EXAMPLES) else 0
        assert result.returncode == expected, (command, result.stderr)


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
