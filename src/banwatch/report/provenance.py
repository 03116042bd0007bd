"""What a report was made against, beside it: REPORT.provenance.json for the
formats that cannot hold it themselves (CSV)."""

from __future__ import annotations

from pathlib import Path

from banwatch.model import Provenance


def provenance_path(report: Path) -> Path:
    return report.with_name(f"{report.stem}.provenance.json")


def provenance_json(provenance: Provenance) -> str:
    return provenance.model_dump_json(indent=2) + "\n"


def write_provenance(provenance: Provenance, path: Path) -> None:
    path.write_text(provenance_json(provenance), encoding="utf-8")
