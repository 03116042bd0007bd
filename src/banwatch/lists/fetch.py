"""Download a list's files from its publisher: conditional requests (ETag,
Last-Modified), retries with backoff, and progress reported to a callback.
Files land in a fresh folder; the download cache changes only when the caller,
having parsed and saved them, calls `keep_as_cache`. The validators of the
last good download are passed in and handed back, so this module never touches
the store; where the cache is and how long to wait come in with the Downloader."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from banwatch.errors import BadInput
from banwatch.inputs import LIST_FILE_LIMIT
from banwatch.lists.sources import ListSource
from banwatch.model import Validators

RETRIES = 4  # attempts per file
RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}
TIMEOUT = httpx.Timeout(60.0, connect=15.0)

#: (file name, bytes received, bytes expected or None): called as a download goes
ProgressCallback = Callable[[str, int, int | None], None]


@dataclass
class Download:
    source: ListSource
    urls: list[str]  # one per file of the source
    folder: Path  # a temporary folder with the source's files under their expected names
    modified: bool = False  # False when every file answered 304 Not Modified
    validators: Validators = field(default_factory=dict)  # of the files now in `folder`

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass(frozen=True)
class Downloader:
    client: httpx.Client
    cache_dir: Path  # downloaded files are kept here, one folder per source, for conditional requests
    backoff: float = 1.0  # seconds before the first retry; doubles each time

    def fetch(self, source: ListSource, urls: list[str], known: Validators,
              progress: ProgressCallback | None = None) -> Download:
        """Every file of `source` from `urls`, asking the server only for what
        changed since the validators in `known` (for files still in the cache)."""
        folder = Path(tempfile.mkdtemp(prefix=f"banwatch-{source.id}-"))
        download = Download(source, urls, folder)
        try:
            for name, url in zip(source.files, urls, strict=True):
                target = folder / name
                cached = self.cache_dir / source.id / name
                etag, last_modified = known.get(url, (None, None)) if cached.exists() else (None, None)
                headers = {key: value for key, value in
                           (("If-None-Match", etag), ("If-Modified-Since", last_modified)) if value}
                response_headers = self.get_with_retries(url, headers, target, progress)
                if response_headers is None:  # 304: the cached copy is current
                    shutil.copyfile(cached, target)
                else:
                    download.modified = True
                    etag, last_modified = response_headers.get("etag"), response_headers.get("last-modified")
                download.validators[url] = (etag, last_modified)
        except BaseException:
            download.discard()
            raise
        return download

    def get_with_retries(self, url: str, headers: dict[str, str], target: Path,
                         progress: ProgressCallback | None) -> httpx.Headers | None:
        """GET `url` into `target`; the response headers, or None for 304. Retries
        network errors, incomplete bodies and 5xx/429 with exponential backoff."""
        delay = self.backoff
        last_problem = ""
        for attempt in range(1, RETRIES + 1):
            try:
                return stream_to_file(self.client, url, headers, target, progress)
            except (httpx.TransportError, IncompleteBody) as error:
                last_problem = f"{type(error).__name__}: {error}"
            except RetryableStatus as error:
                last_problem = f"HTTP {error.status}"
            if attempt < RETRIES:
                time.sleep(delay)
                delay *= 2
        raise BadInput(url, f"download failed after {RETRIES} attempts ({last_problem}); "
                       "the active snapshot is unchanged")

    def keep_as_cache(self, download: Download) -> None:
        """After the new snapshot is saved: keep the files for the next conditional request."""
        destination = self.cache_dir / download.source.id
        destination.mkdir(parents=True, exist_ok=True)
        for name in download.source.files:
            (download.folder / name).replace(destination / name)
        download.discard()


class IncompleteBody(Exception):
    pass


class RetryableStatus(Exception):
    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


def stream_to_file(client: httpx.Client, url: str, headers: dict[str, str], target: Path,
                   progress: ProgressCallback | None) -> httpx.Headers | None:
    with client.stream("GET", url, headers=headers) as response:
        if response.status_code == 304:
            return None
        if response.status_code in RETRY_STATUSES:
            raise RetryableStatus(response.status_code)
        if response.status_code != 200:
            raise BadInput(url, f"HTTP {response.status_code} {response.reason_phrase}; "
                           "the active snapshot is unchanged")
        expected = int(response.headers.get("content-length") or 0) or None
        received = 0
        with target.open("wb") as handle:
            for chunk in response.iter_bytes(1 << 16):
                received += len(chunk)
                if received > LIST_FILE_LIMIT:
                    raise BadInput(url, f"more than {LIST_FILE_LIMIT:,} bytes: refused")
                handle.write(chunk)
                if progress:
                    progress(target.name, received, expected)
        if expected is not None and received != expected:
            raise IncompleteBody(f"{received:,} of {expected:,} bytes")
        return response.headers
