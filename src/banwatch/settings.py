"""All configuration in one place, read from environment variables.

| variable | default | what |
|---|---|---|
| BANWATCH_HOME | ~/.banwatch | where the store (banwatch.sqlite) and downloaded lists live |
| BANWATCH_CATALOG | bundled | a folder of measure files to use instead of the bundled catalog |
| BANWATCH_KEEP_SNAPSHOTS | 10 | snapshots kept per list source, the active one included |
| BANWATCH_MAX_DROP | 0.10 | largest share of entities a new snapshot may lose before it is refused |
| BANWATCH_SOURCE_<SOURCE> | official URLs | a base URL (ending in /) serving the source's files, or comma-separated file URLs; SOURCE like OFAC_SDN |
| BANWATCH_RETRY_BACKOFF | 1.0 | seconds before the first retry of a download; doubles each retry |
| BANWATCH_PAUSE_BEFORE_COMMIT | 0 | seconds a load waits inside its transaction: fault injection for crash tests |
"""

from __future__ import annotations

import os
from pathlib import Path

from banwatch.errors import BadInput


def _number(name: str, default: float, low: float, high: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise BadInput(name, f"{text!r} is not a number") from None
    if not low <= value <= high:
        raise BadInput(name, f"{value} is outside {low}..{high}")
    return value


def home() -> Path:
    value = os.environ.get("BANWATCH_HOME", "").strip()
    return Path(value).expanduser() if value else Path.home() / ".banwatch"


def catalog_dir() -> Path | None:
    """A folder of measure files to use instead of the bundled catalog
    (BANWATCH_CATALOG), e.g. to add an organisation's own measures."""
    value = os.environ.get("BANWATCH_CATALOG", "").strip()
    return Path(value) if value else None


def keep_snapshots() -> int:
    return int(_number("BANWATCH_KEEP_SNAPSHOTS", 10, 1, 10_000))


def max_drop() -> float:
    return _number("BANWATCH_MAX_DROP", 0.10, 0.0, 1.0)


def pause_before_commit() -> float:
    return _number("BANWATCH_PAUSE_BEFORE_COMMIT", 0.0, 0.0, 3600.0)


def source_urls(source: str, files: tuple[str, ...], official: tuple[str, ...]) -> list[str]:
    """Where to download a source's files: the official URLs, or a mirror set
    with BANWATCH_SOURCE_<SOURCE> (a base URL ending in '/' that serves the same
    file names, or an explicit comma-separated list of URLs)."""
    variable = "BANWATCH_SOURCE_" + source.upper().replace("-", "_")
    value = os.environ.get(variable, "").strip()
    if not value:
        return list(official)
    if value.endswith("/"):
        return [value + name for name in files]
    urls = [url.strip() for url in value.split(",") if url.strip()]
    if len(urls) != len(files):
        raise BadInput(variable, f"needs {len(files)} URLs ({', '.join(files)}) or a base URL ending in '/'")
    return urls


def retry_backoff() -> float:
    """Seconds before the first retry of a failed download; doubles each time (BANWATCH_RETRY_BACKOFF)."""
    return _number("BANWATCH_RETRY_BACKOFF", 1.0, 0.0, 60.0)
