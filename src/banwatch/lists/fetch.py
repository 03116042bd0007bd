"""Download a list's files from its publisher: conditional requests (ETag,
Last-Modified), retries with backoff, and progress reported to a callback.
Files land in a fresh folder; the download cache changes only when the caller,
having parsed and saved them, calls `keep_as_cache`. The validators of the
last good download are passed in and handed back, so this module never touches
the store; where the cache is and how long to wait come in with the Downloader.

A publisher's server is not trusted to behave: every socket operation has a
timeout, a source's whole download has a deadline and each file a slowest
rate it may go at, a body past the list file cap is refused (before it is
read when its Content-Length says so), and a redirect may only go to the
host asked or to one the source or the settings allow. Every way a download
fails is a BadInput; whatever way it ends, its temporary folder is removed.
"""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from banwatch.errors import BadInput
from banwatch.inputs import LIST_FILE_LIMIT
from banwatch.lists.sources import ListSource
from banwatch.model import Validators

RETRIES = 4  # attempts per file
RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 5
#: per socket operation; a read timeout alone never ends a server that sends a byte now and then
TIMEOUT = httpx.Timeout(30.0, connect=15.0)
#: the span the transfer rate is measured over, and how long a file transfers before it is
#: measured at all (the settings' text says 30 s too: settings may not import this module)
RATE_WINDOW = 30.0
#: downloads in progress are folders named so under the cache folder: on the same disk as
#: the cache (kept files are moved, not copied) and never taken for a source's cache
PARTIAL = ".partial-"
UNCHANGED = "the active snapshot is unchanged"

#: (file name, bytes received, bytes expected or None): called as a download goes
ProgressCallback = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class Limits:
    """How long a download may take and where it may go (from the settings)."""

    deadline: float = 600.0  # seconds for all of a source's files, retries included
    min_rate: float = 1024.0  # bytes a second over the last `rate_window`; 0: no minimum
    rate_window: float = RATE_WINDOW
    max_bytes: int = LIST_FILE_LIMIT  # of one file, as written (a compressed body is counted unpacked)
    redirect_hosts: tuple[str, ...] = ()  # hosts any source may be redirected to, besides its own


@dataclass
class Download:
    source: ListSource
    urls: list[str]  # one per file of the source
    folder: Path  # a temporary folder with the source's files under their expected names
    modified: bool = False  # False when every file answered 304 Not Modified
    validators: Validators = field(default_factory=dict)  # of the files now in `folder`
    final_urls: list[str] = field(default_factory=list)  # where each file came from, after redirects

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass(frozen=True)
class Downloader:
    client: httpx.Client
    cache_dir: Path  # downloaded files are kept here, one folder per source, for conditional requests
    backoff: float = 1.0  # seconds before the first retry; doubles each time
    limits: Limits = Limits()

    def fetch(self, source: ListSource, urls: list[str], known: Validators,
              progress: ProgressCallback | None = None) -> Download:
        """Every file of `source` from `urls`, asking the server only for what
        changed since the validators in `known` (for files still in the cache)."""
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            folder = Path(tempfile.mkdtemp(prefix=f"{PARTIAL}{source.id}-", dir=self.cache_dir))
        except OSError as error:
            raise BadInput(str(self.cache_dir), f"cannot make the download folder ({error.strerror or error}); "
                           f"{UNCHANGED}") from None
        download = Download(source, urls, folder)
        try:
            with Deadline(self.limits.deadline) as deadline:
                self.fetch_files(download, known, progress, deadline)
        except OSError as error:  # the disk, not the network: httpx wraps socket errors in its own
            download.discard()
            raise BadInput(str(error.filename or folder), f"cannot write the download ({error.strerror or error}); "
                           f"{UNCHANGED}") from None
        except BaseException:  # Ctrl-C and refusals alike: nothing half-downloaded stays
            download.discard()
            raise
        return download

    def fetch_files(self, download: Download, known: Validators, progress: ProgressCallback | None,
                    deadline: Deadline) -> None:
        source = download.source
        # the hosts a source's publisher redirects to are its own business, not a mirror's
        extra = source.redirect_hosts if tuple(download.urls) == source.official_urls else ()
        for name, url in zip(source.files, download.urls, strict=True):
            target = download.folder / name
            cached = self.cache_dir / source.id / name
            etag, last_modified = known.get(url, (None, None)) if cached.exists() else (None, None)
            headers = {key: value for key, value in
                       (("If-None-Match", etag), ("If-Modified-Since", last_modified)) if value}
            allowed = {host_of(url), *extra, *self.limits.redirect_hosts}
            final_url, response_headers = self.get_with_retries(url, headers, target, progress, deadline, allowed)
            download.final_urls.append(final_url)
            if response_headers is None and not headers:
                raise BadInput(url, f"answered 304 Not Modified to a request that was not conditional; {UNCHANGED}")
            if response_headers is None:  # 304: the cached copy is current
                shutil.copyfile(cached, target)
            else:
                download.modified = True
                etag, last_modified = response_headers.get("etag"), response_headers.get("last-modified")
            download.validators[url] = (etag, last_modified)

    def get_with_retries(self, url: str, headers: dict[str, str], target: Path, progress: ProgressCallback | None,
                         deadline: Deadline, allowed: set[str]) -> tuple[str, httpx.Headers | None]:
        """GET `url` into `target`: the final URL and the response headers (None
        for 304). Retries network errors, incomplete bodies, transfers slower
        than the minimum rate and 5xx/429 with exponential backoff, while the
        deadline leaves time."""
        delay = self.backoff
        last_problem = ""
        for attempt in range(1, RETRIES + 1):
            try:
                return self.get(url, headers, target, progress, deadline, allowed)
            except httpx.UnsupportedProtocol:
                raise BadInput(url, f"not an http or https URL; {UNCHANGED}") from None
            except (httpx.TransportError, httpx.DecodingError, IncompleteBody, TooSlow) as error:
                problem = f"{type(error).__name__}: {error}"
            except RetryableStatus as error:
                problem = f"HTTP {error.status}"
            except DeadlinePassed:
                problem = ""
            except httpx.HTTPError as error:  # anything else httpx refuses: not worth retrying
                raise BadInput(url, f"{type(error).__name__}: {error}; {UNCHANGED}") from None
            if deadline.expired():  # this attempt's error, if any, is the deadline's doing
                raise BadInput(url, deadline.problem(last_problem))
            last_problem = problem
            if attempt < RETRIES and deadline.left() <= delay:
                raise BadInput(url, deadline.problem(last_problem))
            if attempt < RETRIES:
                time.sleep(delay)
                delay *= 2
        raise BadInput(url, f"download failed after {RETRIES} attempts ({last_problem}); {UNCHANGED}")

    def get(self, url: str, headers: dict[str, str], target: Path, progress: ProgressCallback | None,
            deadline: Deadline, allowed: set[str]) -> tuple[str, httpx.Headers | None]:
        """One attempt: follow the redirects that are allowed, then stream the body to `target`."""
        current = httpx.URL(url)
        for _hop in range(MAX_REDIRECTS + 1):
            deadline.check()
            deadline.new_request()
            # Connection: close gives each request its own connection, whose socket the
            # deadline can then see opened (a connection from the pool opens none)
            with self.client.stream("GET", current, headers={**headers, "Connection": "close"},
                                    follow_redirects=False, timeout=deadline.timeout(),
                                    extensions={"trace": deadline.trace}) as response:
                if response.status_code in REDIRECT_STATUSES and "location" in response.headers:
                    current = redirect_target(url, current, response.headers["location"], allowed)
                    continue
                return str(response.url), self.save_body(response, target, progress, deadline)
        raise BadInput(url, f"more than {MAX_REDIRECTS} redirects; {UNCHANGED}")

    def save_body(self, response: httpx.Response, target: Path, progress: ProgressCallback | None,
                  deadline: Deadline) -> httpx.Headers | None:
        url, cap = str(response.url), self.limits.max_bytes
        if response.status_code == 304:
            return None
        if response.status_code in RETRY_STATUSES:
            raise RetryableStatus(response.status_code)
        if response.status_code != 200:
            raise BadInput(url, f"HTTP {response.status_code} {response.reason_phrase}; {UNCHANGED}")
        expected = content_length(response)
        if expected is not None and expected > cap:
            raise BadInput(url, f"announces {expected:,} bytes, more than the {cap:,} a list file may have: "
                           f"refused unread; {UNCHANGED}")
        rate = RateCheck(self.limits.min_rate, self.limits.rate_window)
        written = 0
        with target.open("wb") as handle:
            for chunk in response.iter_bytes():  # as it arrives: a chunk size would wait for that many bytes
                written += len(chunk)
                if written > cap:
                    raise BadInput(url, f"more than {cap:,} bytes: refused; {UNCHANGED}")
                handle.write(chunk)
                deadline.check()
                received = response.num_bytes_downloaded  # on the wire, as Content-Length counts
                rate.check(received)
                if progress:
                    progress(target.name, received, expected)
        deadline.check()  # a socket the deadline shut down ends a body without a length as if complete
        if expected is not None and response.num_bytes_downloaded != expected:
            raise IncompleteBody(f"{response.num_bytes_downloaded:,} of {expected:,} bytes")
        return response.headers

    def keep_as_cache(self, download: Download) -> None:
        """After the new snapshot is saved: keep the files for the next conditional request."""
        destination = self.cache_dir / download.source.id
        destination.mkdir(parents=True, exist_ok=True)
        for name in download.source.files:
            (download.folder / name).replace(destination / name)
        download.discard()


def host_of(url: str) -> str:
    try:
        host = httpx.URL(url).host
    except httpx.InvalidURL as error:
        raise BadInput(url, f"not a valid URL ({error}); {UNCHANGED}") from None
    if not host:
        raise BadInput(url, f"not a URL with a host; {UNCHANGED}")
    return host.lower()


def redirect_target(asked: str, current: httpx.URL, location: str, allowed: set[str]) -> httpx.URL:
    """Where a redirect goes, if it may go there: the same host (http may become
    https, never the reverse) or a host in `allowed`."""
    try:
        target = current.join(location)
    except httpx.InvalidURL:
        raise BadInput(asked, f"redirected to {location!r}, not a URL; {UNCHANGED}") from None
    if target.scheme not in ("http", "https") or not target.host:
        raise BadInput(asked, f"redirected to {location!r}, not an http or https URL; {UNCHANGED}")
    if current.scheme == "https" and target.scheme == "http":
        raise BadInput(asked, f"redirected from https to plain http ({target}): refused; {UNCHANGED}")
    if target.host.lower() not in allowed:
        raise BadInput(asked, f"redirected to another host, {target.host} ({target}): refused; allow it with "
                       f"the download_allow_redirect_hosts setting if it serves the list; {UNCHANGED}")
    return target


def content_length(response: httpx.Response) -> int | None:
    try:
        return int(response.headers["content-length"])
    except (KeyError, ValueError):
        return None


class Deadline:
    """The time a source's download must be done by. Checked as data arrives,
    and enforced when none does: a server that drips its headers or body a
    byte at a time never trips the read timeout, so at the deadline a timer
    thread shuts the request's sockets down, which wakes the blocked read."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.passed = False
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.timer = threading.Timer(seconds, self.expire)
        self.timer.daemon = True

    def __enter__(self) -> Deadline:
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()

    def left(self) -> float:
        return self.at - time.monotonic()

    def expired(self) -> bool:
        return self.passed or self.left() <= 0

    def check(self) -> None:
        if self.expired():
            raise DeadlinePassed

    def problem(self, last_problem: str) -> str:
        return (f"not downloaded within the {self.seconds:g} s of the download_deadline_seconds setting"
                + (f" (last problem: {last_problem})" if last_problem else "") + f"; {UNCHANGED}")

    def timeout(self) -> httpx.Timeout:
        """The socket timeouts of a request, none beyond the deadline."""
        left = max(self.left(), 0.01)
        return httpx.Timeout(min(TIMEOUT.read or left, left), connect=min(TIMEOUT.connect or left, left))

    def new_request(self) -> None:
        with self.lock:  # the sockets of finished requests are closed; forget them
            self.sockets.clear()

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpx's trace hook: note each socket a request opens (TLS wraps it in another)."""
        if not event.endswith((".connect_tcp.complete", ".start_tls.complete")):
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is None:
            return
        with self.lock:
            self.sockets.append(sock)
            if self.passed:
                shut_down(sock)

    def expire(self) -> None:
        with self.lock:
            self.passed = True
            for sock in self.sockets:
                shut_down(sock)


def shut_down(sock: socket.socket) -> None:
    # socket.socket's own shutdown, also for a TLS socket: ssl.SSLSocket.shutdown would
    # unwrap it under the reading thread; the plain shutdown only makes its read return
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:  # closed already
        pass


class RateCheck:
    """Refuses a transfer slower than `min_rate` bytes a second over the last
    `window` seconds, once it has gone on for `window` seconds."""

    def __init__(self, min_rate: float, window: float):
        self.min_rate, self.window = min_rate, window
        self.samples: deque[tuple[float, int]] = deque([(time.monotonic(), 0)])  # (when, bytes so far)

    def check(self, received: int) -> None:
        now = time.monotonic()
        self.samples.append((now, received))
        while len(self.samples) > 1 and self.samples[1][0] <= now - self.window:
            self.samples.popleft()  # samples[0] stays the last one at least a window old
        since, before = self.samples[0]
        if self.min_rate and now - since >= self.window and (received - before) / (now - since) < self.min_rate:
            raise TooSlow(f"{(received - before) / (now - since):,.0f} bytes/s over the last {now - since:.0f} s, "
                          f"below the {self.min_rate:,.0f} of the download_min_bytes_per_second setting")


class IncompleteBody(Exception):
    pass


class TooSlow(Exception):
    pass


class DeadlinePassed(Exception):
    pass


class RetryableStatus(Exception):
    def __init__(self, status: int):
        super().__init__(status)
        self.status = status
