"""The screening index, built once per set of active lists and kept on disk.

Building the index reads every active entity from the store and normalises
every name (about a second for the official lists); loading the pickled index
takes a tenth of that. The file is `<index folder>/<key>.pickle`, where the
key is a hash of everything the index is made from, passed in as digests so
that this module needs to know nothing of the store or the catalog:

- a digest of each snapshot indexed (`Snapshot.digest`: id, source, load time
  and file hashes);
- the digest of the catalog whose parties are screened, when it is not loaded
  as a list of its own;
- INDEX_VERSION, the source code of the modules that build the index, and the
  versions of Python and of the name library, so that a new engine never reads
  an index the old one built.

A load or a switch of the active snapshot changes the key, so a stale index is
never used; it is deleted when the new one is written. The file is written to a
temporary name and renamed, so a reader sees a whole file or none. A file that
cannot be read back (truncated, corrupt, from another version) is rebuilt: the
cache can make screening faster, never fail it.

The pickle is read from the user's own home folder (the settings' `home`), the
same trust as the store it is built from; it is never read from anywhere else.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path

from banwatch.match.index import ScreeningIndex
from banwatch.match.screen import Screener

#: bump when the index's shape changes in a way the source hash would not catch
INDEX_VERSION = 3
SUFFIX = ".pickle"
#: a temporary file older than this is left over from a killed writer
STALE_TEMP_SECONDS = 3600
#: the modules whose code decides what the index holds
ENGINE_MODULES = ("banwatch.match.index", "banwatch.match.normalise", "banwatch.match.characters",
                  "banwatch.match.screen", "banwatch.model")


def engine_fingerprint() -> str:
    digest = hashlib.sha256(f"{INDEX_VERSION}|{sys.version_info[:2]}|{pickle.HIGHEST_PROTOCOL}".encode())
    for name in ("rigour", "rapidfuzz"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            digest.update(f"|{name}={metadata.version(name)}".encode())
    for module in ENGINE_MODULES:
        source = getattr(sys.modules.get(module), "__file__", None)
        if source:
            with contextlib.suppress(OSError):
                digest.update(Path(source).read_bytes())
    return digest.hexdigest()


def cache_key(contents: Iterable[str], catalog_digest: str | None) -> str:
    """The hash naming the index built from the lists whose digests are
    `contents` (and the catalog's parties, when `catalog_digest` is given)."""
    document = json.dumps({"lists": sorted(contents), "catalog": catalog_digest, "engine": engine_fingerprint()},
                          sort_keys=True)
    return hashlib.sha256(document.encode()).hexdigest()[:32]


def cache_path(directory: Path, key: str) -> Path:
    return directory / f"{key}{SUFFIX}"


def cached_screener(contents: Iterable[str], catalog_digest: str | None,
                    build: Callable[[], Screener], directory: Path) -> Screener:
    """The Screener for the lists whose digests are `contents`: read from
    `directory` when an index for exactly these lists and this catalog is
    there, else `build()` it and save it there (replacing any stale one)."""
    key = cache_key(contents, catalog_digest)
    path = cache_path(directory, key)
    index = read_index(path, key)
    if index is not None:
        return Screener(index)
    screener = build()
    write_index(path, key, screener.index)
    return screener


def read_index(path: Path, key: str) -> ScreeningIndex | None:
    """The index saved at `path` under `key`, or None when there is none or it
    cannot be read back whole."""
    try:
        handle = path.open("rb")
    except OSError:
        return None
    enabled = gc.isenabled()
    gc.disable()  # unpickling 40,000 small objects: the collector would triple the time
    try:
        with handle:
            document = pickle.load(handle)
    except Exception:  # noqa: BLE001 (any damage to the file means: rebuild it)
        return None
    finally:
        if enabled:
            gc.enable()
    if (not isinstance(document, dict) or document.get("key") != key
            or not isinstance(document.get("index"), ScreeningIndex)):
        return None
    return document["index"]


def write_index(path: Path, key: str, index: ScreeningIndex) -> bool:
    """Save `index` at `path` atomically and delete the other indexes of the
    folder. A folder that cannot be written only means no cache (False)."""
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=f".{key}.", suffix=".tmp",
                                         delete=False) as handle:
            temporary = Path(handle.name)
            pickle.dump({"key": key, "version": INDEX_VERSION, "index": index}, handle,
                        protocol=pickle.HIGHEST_PROTOCOL)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        temporary = None
    except (OSError, pickle.PicklingError, RecursionError):
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink()
        return False
    remove_stale(path.parent, keep=path)
    return True


def remove_stale(directory: Path, keep: Path) -> None:
    """Delete every other index of `directory`, and temporary files left by
    writers killed long ago (a recent one may belong to a writer at work)."""
    now = time.time()
    with contextlib.suppress(OSError):
        for other in directory.iterdir():
            with contextlib.suppress(OSError):
                if other.suffix == SUFFIX and other != keep:
                    other.unlink()
                elif other.suffix == ".tmp" and now - other.stat().st_mtime > STALE_TEMP_SECONDS:
                    other.unlink()
