"""When a phase of a measure starts to concern a covered party: the one rule
that decisions (`banwatch.decide.phases`) and the estate scan
(`banwatch.estate.findings`) both apply.

- A party limited to some phases (`Party.phases`) is not concerned by the others.
- A party added after a phase took effect (`Party.listed`) is concerned from
  its own date: Kaspersky Lab joined the FCC Covered List on 2022-03-25, a
  year after the list began.
- Without a party (a listed product, a signature that names no party, an
  entry of an official list the measure covers) the phase concerns the matter
  from its own effective date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from banwatch.model import Measure, Phase

def phase_start(measure: Measure, phase: Phase, parties: Iterable[str | None]) -> dt.date | None:
    """The first day `phase` of `measure` concerns any of `parties` (primary
    names; None for the measure as such: a product, a signature without a
    party), or None when it concerns none of them. The earliest start wins, so
    that no coverage is missed."""
    starts = [start for party in parties if (start := party_start(measure, phase, party)) is not None]
    return min(starts, default=None)


def party_start(measure: Measure, phase: Phase, party: str | None) -> dt.date | None:
    if party is None:
        return phase.effective
    covered = measure.party(party)
    if covered.phases and phase.id not in covered.phases:
        return None
    return max(phase.effective, covered.listed or phase.effective)
