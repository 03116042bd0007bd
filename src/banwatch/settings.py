"""All configuration in one place, read from environment variables."""

from __future__ import annotations

import os
from pathlib import Path


def catalog_dir() -> Path | None:
    """A folder of measure files to use instead of the bundled catalog
    (BANWATCH_CATALOG), e.g. to add an organisation's own measures."""
    value = os.environ.get("BANWATCH_CATALOG", "").strip()
    return Path(value) if value else None
