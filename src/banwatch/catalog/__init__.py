"""The restriction catalog: one YAML file per measure in measures/, loaded into
validated `Measure` models. The decision logic reads only this data.

`open_catalog` is the one resolver: the bundled catalog, or the folder the
settings name, with the digest of its files (what an index cache and a
report's provenance are tied to)."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from banwatch.errors import BadInput
from banwatch.model import Measure

BUNDLED = resources.files("banwatch.catalog") / "measures"


def load_measure(path: Path) -> Measure:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise BadInput(str(path), f"not valid YAML: {error}".splitlines()[0]) from error
    if not isinstance(raw, dict):
        raise BadInput(str(path), "a measure file must hold one mapping")
    try:
        measure = Measure.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        location = ".".join(str(part) for part in first["loc"]) or "(top)"
        raise BadInput(f"{path}: {location}", first["msg"]) from error
    if measure.id != path.stem:
        raise BadInput(str(path), f"file name must be the measure id {measure.id!r}.yaml")
    return measure


def load_catalog(directory: Path | None = None) -> list[Measure]:
    """All measures in `directory` (default: the bundled catalog), sorted by id."""
    folder = Path(str(directory or BUNDLED))
    if not folder.is_dir():
        raise BadInput(str(folder), "catalog folder not found")
    measures = [load_measure(path) for path in sorted(folder.glob("*.yaml"))]
    if not measures:
        raise BadInput(str(folder), "no measure files (*.yaml) in the catalog folder")
    return measures


@dataclass(frozen=True)
class Catalog:
    measures: tuple[Measure, ...]
    digest: str  # sha256 over the names and bytes of the measure files
    origin: str  # "bundled catalog" or the folder

    def __len__(self) -> int:
        return len(self.measures)


def folder_digest(folder: Path, pattern: str = "*.yaml") -> str:
    """sha256 over the names and bytes of the files of `folder` matching `pattern`.
    Remembered while no file's size or modification time changes: a service
    asks for the catalog on every request, and hashing every file each time
    cost ~0.8 ms a call (a stat of each costs a few microseconds)."""
    paths = sorted(folder.glob(pattern))
    signature = tuple((path.name, stat.st_size, stat.st_mtime_ns) for path in paths
                      for stat in [path.stat()])
    return _digest(folder, signature)


@functools.lru_cache(maxsize=32)
def _digest(folder: Path, signature: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for name, _size, _modified in signature:
        digest.update(name.encode() + b"\0")
        digest.update(hashlib.sha256((folder / name).read_bytes()).digest())
    return digest.hexdigest()


def open_catalog(directory: Path | None = None) -> Catalog:
    """The catalog in `directory`, or the bundled one: loaded once per content
    (a long-running service sees an edited folder on its next call)."""
    folder = Path(str(directory or BUNDLED))
    if not folder.is_dir():
        raise BadInput(str(folder), "catalog folder not found")
    return _loaded(folder, folder_digest(folder), "bundled catalog" if directory is None else str(folder))


@functools.lru_cache(maxsize=8)
def _loaded(folder: Path, digest: str, origin: str) -> Catalog:
    return Catalog(tuple(load_catalog(folder)), digest, origin)


def bundled_catalog() -> tuple[Measure, ...]:
    return open_catalog().measures


def measure_summary(measure: Measure) -> dict[str, object]:
    """A measure in one line of a listing: id, title, who made it, citation, dates, kind, whom it binds."""
    return {"id": measure.id, "title": measure.title, "authority": measure.authority, "citation": measure.citation,
            "published": measure.published.isoformat() if measure.published else None,
            "effective": measure.effective.isoformat(), "kind": measure.kind,
            "bound": [bound.value for bound in measure.bound]}


def find_measure(measures: list[Measure] | tuple[Measure, ...], measure_id: str) -> Measure:
    for measure in measures:
        if measure.id == measure_id:
            return measure
    known = ", ".join(m.id for m in measures)
    raise BadInput("measure id", f"unknown measure {measure_id!r}; known: {known}")
