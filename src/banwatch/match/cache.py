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

Why a pickle, and why it is safe to read: the index is some 40,000 small
objects, and unpickling is ten times faster than rebuilding them. A pickle runs
code when read, so it is signed: the file starts with an HMAC-SHA256 of its
contents under a random key kept in the store (`Store.signing_key`), and a file
whose signature does not verify is never unpickled, only rebuilt. Whoever could
plant a file in the index folder cannot sign it without the store; the folder
is the user's own, 0700 (`banwatch.home`). Without a key (a read-only store
that has none) there is no cache: the index is built.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import hmac
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
#: the first bytes of a signed index file, then the 32-byte signature, then the pickle
MAGIC = b"banwatch-index-hmac-sha256\n"
#: a temporary file older than this is left over from a killed writer
STALE_TEMP_SECONDS = 3600
#: the modules whose code decides what the index holds
ENGINE_MODULES = ("banwatch.match.index", "banwatch.match.normalise", "banwatch.match.characters",
                  "banwatch.match.name_forms", "banwatch.match.khmer", "banwatch.match.config", "banwatch.match.words",
                  "banwatch.match.screen", "banwatch.model",
                  "banwatch.lists.catalog_parties")  # its party_id decides which entities screen merges


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
                    build: Callable[[], Screener], directory: Path, signing_key: bytes | None) -> Screener:
    """The Screener for the lists whose digests are `contents`: read from
    `directory` when an index for exactly these lists and this catalog is
    there, signed with `signing_key`, else `build()` it and save it there
    (replacing any stale one). No key: built, not cached."""
    if signing_key is None:
        return build()
    key = cache_key(contents, catalog_digest)
    path = cache_path(directory, key)
    index = read_index(path, key, signing_key)
    if index is not None:
        return Screener(index)
    screener = build()
    write_index(path, key, screener.index, signing_key)
    return screener


def signature(signing_key: bytes, key: str, payload: bytes) -> bytes:
    return hmac.new(signing_key, key.encode() + b"\n" + payload, hashlib.sha256).digest()


def read_index(path: Path, key: str, signing_key: bytes) -> ScreeningIndex | None:
    """The index saved at `path` under `key` and signed with `signing_key`, or
    None when there is none, it cannot be read back whole, or its signature
    does not verify (then it is not unpickled at all)."""
    try:
        content = path.read_bytes()
    except OSError:
        return None
    head = len(MAGIC) + 32
    if not content.startswith(MAGIC) or len(content) < head:
        return None
    signed, payload = content[len(MAGIC):head], memoryview(content)[head:]
    if not hmac.compare_digest(signed, signature(signing_key, key, payload)):
        return None
    enabled = gc.isenabled()
    gc.disable()  # unpickling 40,000 small objects: the collector would triple the time
    try:
        document = pickle.loads(payload)  # noqa: S301 (signed by us, verified above)
    except Exception:  # noqa: BLE001 (any damage to the file means: rebuild it)
        return None
    finally:
        if enabled:
            gc.enable()
    if (not isinstance(document, dict) or document.get("key") != key
            or not isinstance(document.get("index"), ScreeningIndex)):
        return None
    return document["index"]


def write_index(path: Path, key: str, index: ScreeningIndex, signing_key: bytes) -> bool:
    """Save `index` at `path`, signed, atomically, and delete the other indexes
    of the folder. A folder that cannot be written only means no cache (False)."""
    temporary = None
    try:
        payload = pickle.dumps({"key": key, "version": INDEX_VERSION, "index": index},
                               protocol=pickle.HIGHEST_PROTOCOL)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=f".{key}.", suffix=".tmp",
                                         delete=False) as handle:
            temporary = Path(handle.name)
            handle.write(MAGIC + signature(signing_key, key, payload))
            handle.write(payload)
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
