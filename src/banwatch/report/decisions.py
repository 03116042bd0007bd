"""Reports of a batch of decisions: a flat CSV a compliance officer can filter,
a JSON file with every detail, and a summary per measure and outcome."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from banwatch.errors import BadInput
from banwatch.outputs import SafeCsvWriter, replacing
from banwatch.model import Decision, Outcome, Provenance
from banwatch.report.provenance import provenance_path, write_provenance

NO_MEASURE = "(no measure)"
CSV_COLUMNS = ("row", "reference", "type", "date", "product", "vendor", "seller", "buyer",
               "seller_country", "buyer_country", "buyer_is_federal", "buyer_is_federal_contractor",
               "buyer_us_person", "seller_us_person", "subject_to_ear", "buyer_government",
               "model_year", "origin_nexus", "seller_nexus", "outcome", "measures",
               "citations", "phases", "reasons", "warnings")


@dataclass
class Batch:
    """The decisions of one file, with the rows that could not be read."""

    source: str
    decided: list[tuple[int, Decision]] = field(default_factory=list)
    bad_rows: list[BadInput] = field(default_factory=list)
    provenance: Provenance | None = None  # what every decision of the batch was made against

    def summary(self) -> dict[str, Counter[str]]:
        """measure id -> how many rows it made prohibited, review or allowed.
        A row counts once under every measure that had something to say."""
        table: dict[str, Counter[str]] = {}
        for _, decision in self.decided:
            measures = decision.measures or []
            if not measures:
                table.setdefault(NO_MEASURE, Counter())[decision.outcome.value] += 1
            for finding in measures:
                table.setdefault(finding.id, Counter())[finding.outcome.value] += 1
        return dict(sorted(table.items()))

    def outcomes(self) -> Counter[str]:
        return Counter(decision.outcome.value for _, decision in self.decided)


def said(value: bool | None) -> str:
    """A yes/no field that may not be known: true, false or empty."""
    return "" if value is None else str(value).lower()


def decision_row(row: int, decision: Decision) -> dict[str, str]:
    tx = decision.transaction
    # The measures behind the outcome; for an allowed line, every measure that looked at it.
    deciding = decision.measures
    if decision.outcome is not Outcome.allowed:
        deciding = [f for f in decision.measures if f.outcome is decision.outcome]
    return {
        "row": str(row),
        "reference": tx.reference or "",
        "type": tx.type.value,
        "date": tx.date.isoformat(),
        "product": tx.product or "",
        "vendor": tx.vendor or "",
        "seller": tx.seller or "",
        "buyer": tx.buyer or "",
        "seller_country": tx.seller_country or "",
        "buyer_country": tx.buyer_country or "",
        "buyer_is_federal": "true" if tx.buyer_is_federal else "false",
        "buyer_is_federal_contractor": "true" if tx.buyer_is_federal_contractor else "false",
        "buyer_us_person": said(tx.buyer_us_person),
        "seller_us_person": said(tx.seller_us_person),
        "subject_to_ear": tx.subject_to_ear.value,
        "buyer_government": tx.buyer_government or "",
        "model_year": "" if tx.model_year is None else str(tx.model_year),
        "origin_nexus": tx.origin_nexus.value,
        "seller_nexus": tx.seller_nexus.value,
        "outcome": decision.outcome.value,
        "measures": "; ".join(f.id for f in deciding),
        "citations": "; ".join(f.citation for f in deciding),
        "phases": "; ".join(f"{f.phase} (from {f.effective})" for f in deciding if f.phase),
        "reasons": " ".join(decision.reasons),
        "warnings": " ".join(decision.warnings),
    }


def write_csv(batch: Batch, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = SafeCsvWriter(handle)
        writer.writerow(CSV_COLUMNS)
        for row, decision in batch.decided:
            cells = decision_row(row, decision)
            writer.writerow(cells[column] for column in CSV_COLUMNS)


def write_json(batch: Batch, path: Path) -> None:
    document = {
        "source": batch.source,
        "provenance": batch.provenance.model_dump(mode="json") if batch.provenance else None,
        "outcomes": dict(batch.outcomes()),
        "summary": {measure: dict(counts) for measure, counts in batch.summary().items()},
        "bad_rows": [{"where": problem.where, "problem": problem.problem} for problem in batch.bad_rows],
        "decisions": [{"row": row, **decision.model_dump(mode="json")} for row, decision in batch.decided],
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def report_paths(report_csv: Path) -> tuple[Path, Path, Path]:
    """The CSV, its provenance sidecar and the JSON report of one decide-file run."""
    return report_csv, provenance_path(report_csv), report_csv.with_suffix(".json")


def write_reports(batch: Batch, report_csv: Path) -> None:
    """The three reports of a batch, replacing the old ones only once all three are complete."""
    with replacing(*report_paths(report_csv)) as (csv_path, sidecar, json_path):
        write_csv(batch, csv_path)
        if batch.provenance is not None:
            write_provenance(batch.provenance, sidecar)
        write_json(batch, json_path)
