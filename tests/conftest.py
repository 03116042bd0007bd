"""Shared helpers: run the real `banwatch` command, and decide transactions
against the bundled catalog."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
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


# ------------------------------------------------------------------ PostgreSQL for the store tests

def postgres_answers(url: str) -> bool:
    import psycopg  # noqa: PLC0415

    try:
        psycopg.connect(url, connect_timeout=3).close()
        return True
    except psycopg.Error:
        return False


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The URL of a PostgreSQL server's maintenance database, where databases
    for the tests are made: BANWATCH_TEST_DATABASE_URL when set, else a
    server on 127.0.0.1:5432 when one answers, else one this fixture starts
    (installing Debian's postgresql first where it is missing): never a skip."""
    if os.environ.get("BANWATCH_TEST_DATABASE_URL"):
        return os.environ["BANWATCH_TEST_DATABASE_URL"]
    local = "postgresql://postgres@127.0.0.1:5432/postgres"
    if postgres_answers(local):
        return local
    import tempfile  # noqa: PLC0415

    from postgres_server import start_server  # noqa: PLC0415

    # not under pytest's own folder: its parents are root's alone, and the server runs as 'postgres'
    return start_server(Path(tempfile.mkdtemp(prefix="banwatch-postgres-")))


@pytest.fixture
def database_url(postgres_server) -> str:
    """A new, empty database for one test, dropped after it."""
    import uuid  # noqa: PLC0415

    import psycopg  # noqa: PLC0415

    name = f"banwatch_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = postgres_server.rpartition("/")
    yield f"{base}/{name}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    """A TCP port of 127.0.0.1 nothing listens on now."""
    import socket  # noqa: PLC0415

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ------------------------------------------------------------------ a home, on either store

@dataclass
class Home:
    """Where a test's banwatch keeps its state: a home folder, and for the
    PostgreSQL store the database it names. The `home` fixture gives one of
    each, so that a test taking it runs against SQLite and PostgreSQL."""

    path: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def kwargs(self) -> dict:
        return {"home": self.path, **self.env}


@pytest.fixture(params=["sqlite", "postgresql"])
def home(request, tmp_path) -> Home:
    if request.param == "sqlite":
        return Home(tmp_path / "home")
    return Home(tmp_path / "home", {"BANWATCH_DATABASE_URL": request.getfixturevalue("database_url")})
