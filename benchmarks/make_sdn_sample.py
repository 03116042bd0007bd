"""Write the demo's small sample of the OFAC SDN list (src/banwatch/samples/ofac-sdn-sample/)
from the mid-2021 SDN files in ../shared/data: every 30th entry, and three the
README's examples name, with their aliases, addresses and remark continuations,
in OFAC's own legacy CSV format (no header, CRLF, a ^Z after the last row).

It is a sample of a stale list, for the demo only: not for compliance use
(the folder's README.txt says so, and so does every decision that relies on it).

    .venv/bin/python benchmarks/make_sdn_sample.py
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SDN = ROOT.parent / "shared" / "data" / "ofac-sdn-2021"
OUT = ROOT / "src" / "banwatch" / "samples" / "ofac-sdn-sample"
EVERY = 30
NAMED = {"36", "306", "21286"}  # AEROCARIBBEAN AIRLINES, BANCO NACIONAL DE CUBA, BIN LADEN, Hamza


def rows(name: str) -> list[list[str]]:
    with (SDN / name).open(newline="", encoding="utf-8") as handle:
        return [row for row in csv.reader(handle) if len(row) > 1]  # the last line is OFAC's ^Z


def write(name: str, kept: list[list[str]]) -> None:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(kept)
    (OUT / name).write_text(text.getvalue() + "\x1a", encoding="utf-8", newline="")


def main() -> None:
    primary = rows("sdn.csv")
    chosen = [row for number, row in enumerate(primary) if number % EVERY == 0 or row[0] in NAMED]
    ids = {row[0] for row in chosen}
    OUT.mkdir(parents=True, exist_ok=True)
    write("sdn.csv", chosen)
    for name in ("alt.csv", "add.csv", "sdn_comments.csv"):
        kept = [row for row in rows(name) if row[0] in ids]
        if kept or name != "sdn_comments.csv":  # the comments file is optional, and never empty
            write(name, kept)
        else:
            (OUT / name).unlink(missing_ok=True)
    print(f"{len(chosen)} of {len(primary)} SDN entries written to {OUT}")


if __name__ == "__main__":
    main()
