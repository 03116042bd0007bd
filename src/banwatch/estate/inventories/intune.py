"""Intune's detected apps as Microsoft Graph returns them
(`GET /deviceManagement/detectedApps`: `{"@odata.context": ..., "value": [...]}`,
each app with `displayName`, `version`, `publisher`, `platform` and
`deviceCount`). The same report exported as CSV is read by `csv_export`.

Aggregate: a device count per app, not the devices. Each finding's host says
how many devices have the app, and the inventory's note says it is aggregate."""

from __future__ import annotations

from pathlib import Path

import duckdb

from banwatch.errors import BadInput
from banwatch.estate.inventories import Reading, ReadOptions, load_rows, parse_json, short

AGGREGATE_NOTE = ("an aggregate inventory (a device count per app, no device names): each finding says on how many "
                  "devices, not on which")


def aggregate_host(devices: object) -> str:
    return f"aggregate: {devices if devices not in (None, '') else '?'} device(s)"


def read_json(connection: duckdb.DuckDBPyConnection, path: Path, table: str, _options: ReadOptions) -> Reading:
    document = parse_json(path)
    apps = document.get("value") if isinstance(document, dict) else None
    if not isinstance(apps, list):
        raise BadInput(str(path), "Intune detected apps without a 'value' list of apps")
    rows = []
    for number, app in enumerate(apps, 1):
        if not isinstance(app, dict):
            raise BadInput(f"{path} value[{number}]", f"{short(app)} is not an app object")
        rows.append({"host": aggregate_host(app.get("deviceCount")), "kind": "app", "name": app.get("displayName"),
                     "vendor": app.get("publisher"), "version": app.get("version"),
                     "devices": app.get("deviceCount")})
    return Reading(load_rows(connection, table, rows), "intune-json", [f"{path.name}: {AGGREGATE_NOTE}"], aggregate=True)
