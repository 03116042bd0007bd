"""Shared helpers: run the real `banwatch` command, and decide transactions
against the bundled catalog."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from banwatch import Transaction, decide
from banwatch.catalog import bundled_catalog

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def run_banwatch(*args: str, cwd: Path | None = None, home: Path | None = None, merge_streams: bool = False,
                 **env: str) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it: a separate process, its exit code and both streams
    (or, with `merge_streams`, both in stdout as a terminal shows them). `home`
    is the BANWATCH_HOME of the run (its store); other keywords set env vars."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BANWATCH_")}
    if home is not None:
        environment["BANWATCH_HOME"] = str(home)
    environment.update(env)
    return subprocess.run([sys.executable, "-m", "banwatch", *args], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT if merge_streams else subprocess.PIPE, text=True,
                          cwd=cwd, env=environment, timeout=300)


def run_json(*args: str, home: Path | None = None, **env: str) -> object:
    result = run_banwatch(*args, home=home, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def outcome(**fields: object) -> str:
    return decide(Transaction(**fields)).outcome.value


@pytest.fixture(scope="session")
def catalog():
    return bundled_catalog()


DATA = SHARED / "data"
