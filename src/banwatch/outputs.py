"""Files banwatch writes: whole or not at all, and safe to open in a spreadsheet.

- Whole or not at all. A report is written under a temporary name in its own
  folder, flushed and fsynced, and renamed into place; the reports of one run
  (a CSV, its JSON and its provenance) are renamed only once all of them are
  complete. A killed process or a full disk leaves the previous reports as
  they were and no partial file: never a cut report that looks like a
  smaller complete one.
- Safe in a spreadsheet. A cell starting with =, +, -, @, a tab or a carriage
  return is a formula to Excel and LibreOffice ("CSV injection"); names come
  from users and from lists alike, so every cell of every CSV report is
  neutralised the way OWASP recommends: prefixed with a single quote.
"""

from __future__ import annotations

import re

import contextlib
import csv
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from banwatch.errors import FIELD, BadInput

#: what a spreadsheet takes for the start of a formula (OWASP, "CSV Injection")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: object) -> str:
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class SafeCsvWriter:
    """csv.writer whose every cell is spreadsheet-safe."""

    def __init__(self, handle: IO[str]):
        self._writer = csv.writer(handle)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([spreadsheet_safe(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def partial_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.partial")


@contextlib.contextmanager
def replacing(*paths: Path) -> Iterator[list[Path]]:
    """Temporary paths to write `paths` to; when the block ends without an
    error they are synced to disk and renamed over `paths`, else deleted."""
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_abandoned(path)
    temporary = [partial_path(path) for path in paths]
    try:
        yield temporary
        for written in temporary:
            sync(written)
        for written, path in zip(temporary, paths, strict=True):
            os.replace(written, path)
        for folder in {path.parent for path in paths}:
            sync_folder(folder)
    finally:
        for written in temporary:
            with contextlib.suppress(OSError):
                written.unlink(missing_ok=True)


def remove_abandoned(path: Path) -> None:
    """Delete the partial files of `path` left by writers that were killed
    (their process is gone); a running writer's own is left alone."""
    for partial in path.parent.glob(f".{path.name}.*.partial"):
        pid = partial.name.removeprefix(f".{path.name}.").removesuffix(".partial")
        if pid.isdigit() and not alive(int(pid)):
            with contextlib.suppress(OSError):
                partial.unlink()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def sync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def sync_folder(folder: Path) -> None:
    """Make the renames durable too (a crash right after must not bring the old file back)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def require_suffix(path: Path, allowed: tuple[str, ...], what: str, field: str = "out") -> None:
    """Refuse a report path whose extension is not one this report can be
    written as (a CSV written into `names.json` misleads whoever opens it)."""
    if path.suffix.lower() not in allowed:
        raise BadInput(None, f"{FIELD} {path}: {what} can be written as {' or '.join(allowed)}, not "
                       f"{path.suffix or 'a file without an extension'}", field=field)


def without_password(url: str) -> str:
    """A database URL as people may see it: postgresql://user:***@host/db."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)
