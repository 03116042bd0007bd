"""The restriction catalog: one YAML file per measure in measures/, loaded into
validated `Measure` models. The decision logic reads only this data."""

from __future__ import annotations

import functools
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


@functools.cache
def bundled_catalog() -> tuple[Measure, ...]:
    return tuple(load_catalog())


def find_measure(measures: list[Measure] | tuple[Measure, ...], measure_id: str) -> Measure:
    for measure in measures:
        if measure.id == measure_id:
            return measure
    known = ", ".join(m.id for m in measures)
    raise BadInput("measure id", f"unknown measure {measure_id!r}; known: {known}")
