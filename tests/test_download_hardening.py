"""Downloads against servers that misbehave, each a real HTTP server on
127.0.0.1 in a thread of the test: one that drips its body or its headers
(the deadline), one too slow (the minimum rate), one announcing a huge body
and one sending an endless one (the size cap), redirects to the same host
and to another (127.0.0.1 -> localhost), and Ctrl-C mid-download. After each
failure: one BadInput line, nothing left in the download folder, the stored
lists as they were. The settings that make these take seconds instead of
minutes are given to update_source in-process; what needs no setting also
runs through the command line."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from banwatch.errors import BadInput
from banwatch.lists import fetch
from banwatch.lists.fetch import TIMEOUT, Limits, redirect_target
from banwatch.lists.sources import SOURCES
from banwatch.services.lists import make_downloader, update_source
from banwatch.settings import Settings
from banwatch.store.sqlite import SqliteStore
from conftest import DATA, run_banwatch, run_json

DPL = (DATA / "bis" / "dpl.txt").read_bytes()
DPL_PATH = "bis/dpl.txt"

Behaviour = Callable[[BaseHTTPRequestHandler, threading.Event], None]


class Server:
    """Serves DPL_PATH as a publisher would, and any path in `routes` by its behaviour."""

    def __init__(self) -> None:
        self.routes: dict[str, Behaviour] = {}
        self.requests: list[str] = []
        self.stop = threading.Event()  # ends every dripping behaviour at teardown
        self.started = threading.Event()  # a behaviour has begun answering
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                path = self.path.lstrip("/")
                server.requests.append(path)
                try:
                    server.routes.get(path, serve_dpl)(self, server.stop)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up: that is the point

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}/{path}"

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def serve_dpl(request: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    request.send_response(200)
    request.send_header("Content-Length", str(len(DPL)))
    request.send_header("ETag", '"dpl"')
    request.end_headers()
    request.wfile.write(DPL)


def redirect_to(location: str) -> Behaviour:
    def behaviour(request: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        request.send_response(302)
        request.send_header("Location", location)
        request.send_header("Content-Length", "0")
        request.end_headers()

    return behaviour


def drip_body(started: threading.Event, every: float = 0.25, size: int = 1) -> Behaviour:
    """Headers at once, then `size` bytes every `every` seconds of a body that would take minutes."""

    def behaviour(request: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        request.send_response(200)
        request.send_header("Content-Length", "100000")
        request.end_headers()
        request.wfile.write(DPL[:size])
        started.set()
        while not stop.wait(every):
            request.wfile.write(DPL[:size])

    return behaviour


def drip_headers(request: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """A status line, then a header a byte every quarter second: never a read timeout, never a body."""
    request.close_connection = True
    request.wfile.write(b"HTTP/1.1 200 OK\r\n")
    while not stop.wait(0.25):
        request.wfile.write(b"x")


def announce_huge(request: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    request.send_response(200)
    request.send_header("Content-Length", str(10**12))
    request.end_headers()
    request.wfile.write(DPL[:4096])
    stop.wait(30)  # and then nothing: a client that read on would wait


def endless(request: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """No Content-Length (HTTP/1.0: the body ends when the connection does), and it does not end."""
    request.send_response(200)
    request.end_headers()
    chunk = b"x" * 16384
    for _ in range(10_000):  # 160 MB at most, should the client not stop reading
        if stop.is_set():
            return
        request.wfile.write(chunk)


@pytest.fixture()
def server() -> Iterator[Server]:
    with Server() as running:
        yield running


def leftovers(home: Path) -> list[str]:
    """What the download folder holds besides a cache folder per source: nothing, after any download."""
    downloads = home / "downloads"
    return sorted(p.name for p in downloads.iterdir() if p.name not in SOURCES) if downloads.exists() else []


def update(home: Path, settings: Settings | None = None, mirror: str | None = None,
           limits: dict[str, float] | None = None, progress: fetch.ProgressCallback | None = None,
           source: str = "bis-dpl"):
    """update_source in-process, with these settings (and Limits beyond what settings set)."""
    settings = settings or Settings(home=home)
    store = SqliteStore.open(settings.store_path)
    try:
        with httpx.Client(timeout=TIMEOUT, follow_redirects=True) as client:  # as the command line makes it
            downloader = make_downloader(client, settings)
            if limits:
                downloader = dataclasses.replace(downloader, limits=dataclasses.replace(downloader.limits, **limits))
            return update_source(store, downloader, source, mirror, progress=progress, actor="test")
    finally:
        store.close()


def active(home: Path) -> list[tuple[str, int, str]]:
    store = SqliteStore.open(home / "banwatch.sqlite")
    try:
        return [(snap.source, snap.id, snap.origin) for snap in store.active()]
    finally:
        store.close()


@pytest.fixture()
def loaded(tmp_path: Path, server: Server) -> list[tuple[str, int, str]]:
    """A store holding a good bis-dpl snapshot, to see that failures leave it as it was."""
    update(tmp_path, mirror=server.url(DPL_PATH))
    before = active(tmp_path)
    assert [source for source, _, _ in before] == ["bis-dpl"]
    return before


def refused(home: Path, **arguments: object) -> BadInput:
    with pytest.raises(BadInput) as error:
        update(home, **arguments)
    assert len(str(error.value).splitlines()) == 1
    assert leftovers(home) == []
    return error.value


# ---------------------------------------------------------------------- the deadline and the slowest rate


def test_a_server_dripping_its_body_is_stopped_at_the_deadline(tmp_path, server, loaded):
    server.routes["slow/dpl.txt"] = drip_body(server.started)
    settings = Settings(home=tmp_path, download_deadline_seconds=2, download_min_bytes_per_second=0)
    error = refused(tmp_path, settings=settings, mirror=server.url("slow/dpl.txt"))
    assert error.place == server.url("slow/dpl.txt")
    assert "not downloaded within the 2 s of the download_deadline_seconds setting" in error.problem
    assert "active snapshot is unchanged" in error.problem
    assert active(tmp_path) == loaded


def test_a_server_dripping_its_headers_is_stopped_at_the_deadline(tmp_path, server, loaded):
    # no byte ever waits for the read timeout (30 s): only the deadline's timer can end this
    server.routes["slow/dpl.txt"] = drip_headers
    settings = Settings(home=tmp_path, download_deadline_seconds=2)
    error = refused(tmp_path, settings=settings, mirror=server.url("slow/dpl.txt"))
    assert "not downloaded within the 2 s" in error.problem
    assert active(tmp_path) == loaded


def test_a_transfer_below_the_minimum_rate_is_retried_then_refused(tmp_path, server, loaded):
    server.routes["slow/dpl.txt"] = drip_body(server.started, every=0.1, size=10)  # about 100 bytes a second
    settings = Settings(home=tmp_path, download_min_bytes_per_second=1000, retry_backoff=0.01)
    error = refused(tmp_path, settings=settings, mirror=server.url("slow/dpl.txt"),
                    limits={"rate_window": 0.5})  # the setting's 30 s window would make this a two-minute test
    assert "download failed after 4 attempts (TooSlow:" in error.problem
    assert "below the 1,000 of the download_min_bytes_per_second setting" in error.problem
    assert server.requests.count("slow/dpl.txt") == 4
    assert active(tmp_path) == loaded


# ---------------------------------------------------------------------- the size cap


def test_a_huge_content_length_is_refused_before_the_body_is_read(tmp_path, server, loaded):
    server.routes["huge/dpl.txt"] = announce_huge
    reported: list[int] = []
    error = refused(tmp_path, mirror=server.url("huge/dpl.txt"),
                    progress=lambda name, received, expected: reported.append(received))
    assert "announces 1,000,000,000,000 bytes, more than the 536,870,912 a list file may have" in error.problem
    assert reported == []  # not a byte of the body taken
    assert active(tmp_path) == loaded


def test_a_body_without_a_length_is_cut_at_the_cap(tmp_path, server, loaded):
    server.routes["endless/dpl.txt"] = endless
    error = refused(tmp_path, mirror=server.url("endless/dpl.txt"), limits={"max_bytes": 1 << 20})
    assert "more than 1,048,576 bytes: refused" in error.problem
    assert active(tmp_path) == loaded


# ---------------------------------------------------------------------- redirects


def test_a_redirect_to_another_host_is_refused(tmp_path, server, loaded):
    elsewhere = server.url(DPL_PATH, host="localhost")  # the same server under another host name
    server.routes["moved/dpl.txt"] = redirect_to(elsewhere)
    error = refused(tmp_path, mirror=server.url("moved/dpl.txt"))
    assert f"redirected to another host, localhost ({elsewhere}): refused" in error.problem
    assert "download_allow_redirect_hosts" in error.problem
    assert server.requests.count(DPL_PATH) == 1  # the fixture's, not the redirect's
    assert active(tmp_path) == loaded


def test_a_redirect_to_a_host_the_settings_allow_is_followed_and_recorded(tmp_path, server):
    elsewhere = server.url(DPL_PATH, host="localhost")
    server.routes["moved/dpl.txt"] = redirect_to(elsewhere)
    settings = Settings(home=tmp_path, download_allow_redirect_hosts=("localhost",))
    updated = update(tmp_path, settings=settings, mirror=server.url("moved/dpl.txt"))
    assert updated.modified and updated.snapshot.entities > 0
    assert updated.snapshot.origin == elsewhere
    assert active(tmp_path) == [("bis-dpl", updated.snapshot.id, elsewhere)]
    assert leftovers(tmp_path) == []


def test_a_source_declares_the_hosts_its_publisher_redirects_to(tmp_path, server, monkeypatch):
    elsewhere = server.url(DPL_PATH, host="localhost")
    server.routes["moved/dpl.txt"] = redirect_to(elsewhere)
    server.routes["mirror/dpl.txt"] = redirect_to(elsewhere)
    declared = dataclasses.replace(SOURCES["bis-dpl"], official_urls=(server.url("moved/dpl.txt"),),
                                   redirect_hosts=("localhost",))
    monkeypatch.setitem(SOURCES, "bis-dpl", declared)
    assert update(tmp_path).snapshot.origin == elsewhere  # from the official URL: allowed
    error = refused(tmp_path, mirror=server.url("mirror/dpl.txt"))  # a mirror's redirect: the declaration is not its
    assert "redirected to another host, localhost" in error.problem


def test_redirects_that_are_refused_whatever_the_hosts_allowed():
    current = httpx.URL("https://lists.example.org/dpl.txt")
    allowed = {"lists.example.org"}
    assert redirect_target("a", httpx.URL("http://lists.example.org/x"), "https://lists.example.org/y",
                           allowed) == httpx.URL("https://lists.example.org/y")  # up to https: fine
    for location, problem in (("http://lists.example.org/dpl.txt", "from https to plain http"),
                              ("ftp://lists.example.org/dpl.txt", "not an http or https URL"),
                              ("https://cdn.example.org/dpl.txt", "another host, cdn.example.org")):
        with pytest.raises(BadInput) as error:
            redirect_target("a", current, location, allowed)
        assert problem in error.value.problem


def test_too_many_redirects_are_refused(tmp_path, server):
    server.routes["loop/dpl.txt"] = redirect_to("/loop/dpl.txt")
    error = refused(tmp_path, mirror=server.url("loop/dpl.txt"))
    assert f"more than {fetch.MAX_REDIRECTS} redirects" in error.problem


# ---------------------------------------------------------------------- a cancelled download


def test_ctrl_c_in_the_middle_of_a_download_leaves_nothing_behind(tmp_path, server, loaded):
    def interrupt(name: str, received: int, expected: int | None) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        update(tmp_path, mirror=server.url(DPL_PATH), progress=interrupt)
    assert leftovers(tmp_path) == []
    assert active(tmp_path) == loaded


# ---------------------------------------------------------------------- through the command line


def cli_update(home: Path, url: str) -> subprocess.CompletedProcess[str]:
    return run_banwatch("lists", "update", "bis-dpl", home=home, BANWATCH_SOURCE_BIS_DPL=url,
                        BANWATCH_RETRY_BACKOFF="0.01")


def cli_active(home: Path) -> list[tuple[str, int, str]]:
    return [(entry["source"], entry["snapshot_id"], entry["origin"])
            for entry in run_json("lists", "status", "--json", home=home)["sources"]]


def test_the_command_line_refuses_a_huge_body_and_another_host_in_one_line_each(tmp_path, server):
    first = cli_update(tmp_path, server.url(DPL_PATH))
    assert first.returncode == 0, first.stderr
    before = cli_active(tmp_path)
    server.routes["huge/dpl.txt"] = announce_huge
    server.routes["moved/dpl.txt"] = redirect_to(server.url(DPL_PATH, host="localhost"))
    for path, problem in (("huge/dpl.txt", "announces 1,000,000,000,000 bytes"),
                          ("moved/dpl.txt", "redirected to another host, localhost")):
        result = cli_update(tmp_path, server.url(path))
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("banwatch: error: ") and problem in lines[0], result.stderr
        assert leftovers(tmp_path) == []
        assert cli_active(tmp_path) == before


def test_the_command_line_follows_a_same_host_redirect_and_records_where_it_led(tmp_path, server):
    server.routes["moved/dpl.txt"] = redirect_to("/" + DPL_PATH)
    result = cli_update(tmp_path, server.url("moved/dpl.txt"))
    assert result.returncode == 0, result.stderr
    assert [origin for _, _, origin in cli_active(tmp_path)] == [server.url(DPL_PATH)]
    assert leftovers(tmp_path) == []


def test_ctrl_c_at_the_command_line_leaves_nothing_behind(tmp_path, server):
    server.routes["slow/dpl.txt"] = drip_body(server.started)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BANWATCH_")}
    environment.update(BANWATCH_HOME=str(tmp_path), BANWATCH_SOURCE_BIS_DPL=server.url("slow/dpl.txt"))
    with subprocess.Popen([sys.executable, "-m", "banwatch", "lists", "update", "bis-dpl"], env=environment,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as process:
        try:
            assert server.started.wait(60), "the download never began"
            assert [p.name for p in (tmp_path / "downloads").iterdir()]  # the partial folder, mid-download
            process.send_signal(signal.SIGINT)
            assert process.wait(30) != 0
        finally:
            process.kill()
    assert leftovers(tmp_path) == []


# ---------------------------------------------------------------------- the settings


def test_the_download_settings_are_read_from_the_environment_and_the_file(tmp_path):
    settings_file = tmp_path / "banwatch.toml"
    settings_file.write_text('download_allow_redirect_hosts = ["CDN.example.org", "files.example.net"]\n',
                             encoding="utf-8")
    settings = Settings.load({"BANWATCH_SETTINGS": str(settings_file),
                              "BANWATCH_DOWNLOAD_DEADLINE_SECONDS": "90",
                              "BANWATCH_DOWNLOAD_MIN_BYTES_PER_SECOND": "0",
                              "BANWATCH_STORE_LOCK_TIMEOUT_SECONDS": "5"})
    assert (settings.download_deadline_seconds, settings.download_min_bytes_per_second,
            settings.store_lock_timeout_seconds) == (90, 0, 5)
    assert settings.download_allow_redirect_hosts == ("cdn.example.org", "files.example.net")
    overridden = Settings.load({"BANWATCH_SETTINGS": str(settings_file),
                                "BANWATCH_DOWNLOAD_ALLOW_REDIRECT_HOSTS": "none"})
    assert overridden.download_allow_redirect_hosts == ()
    defaults = Settings()
    assert (defaults.download_deadline_seconds, defaults.download_min_bytes_per_second,
            defaults.download_allow_redirect_hosts, defaults.store_lock_timeout_seconds) == (600, 1024, (), 60)
    with httpx.Client() as client:
        assert make_downloader(client, settings).limits == Limits(
            deadline=90, min_rate=0, redirect_hosts=("cdn.example.org", "files.example.net"))


def test_a_redirect_host_given_as_a_url_is_bad_input():
    with pytest.raises(BadInput) as error:
        Settings.load({"BANWATCH_DOWNLOAD_ALLOW_REDIRECT_HOSTS": "https://cdn.example.org/"})
    assert error.value.where == "BANWATCH_DOWNLOAD_ALLOW_REDIRECT_HOSTS"
    assert "not a host name" in error.value.problem
