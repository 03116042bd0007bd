"""POST /v1/estate/scan: `banwatch estate scan` of uploaded inventories
(multipart, one or more `files`), the findings and their status on a date."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile

from banwatch.api.auth import require
from banwatch.api.errors import ERRORS
from banwatch.api.limits import save_upload
from banwatch.context import Context
from banwatch.errors import BadInput
from banwatch.estate.inventories import ReadOptions
from banwatch.estate.scan import scan
from banwatch.report.estate import as_json

router = APIRouter(prefix="/v1", tags=["estate"], responses=ERRORS)


@router.post("/estate/scan", summary="Scan uploaded inventories for restricted software and devices")
async def estate_scan(request: Request, files: list[UploadFile] = File(...), as_of: dt.date | None = Form(None),
                      federal: bool = Form(False), host: str | None = Form(None, max_length=255),
                      _key: Any = Depends(require("analyst"))) -> dict[str, Any]:
    return await scan_uploads(request.app.state.context, files, as_of, federal, host)


async def scan_uploads(context: Context, files: list[UploadFile], as_of: dt.date | None, federal: bool,
                       host: str | None) -> dict[str, Any]:
    """The JSON report of a scan of uploaded inventories (this endpoint's and the review UI's),
    naming each by its upload's name; no inventory readable is bad input."""
    with tempfile.TemporaryDirectory(prefix="banwatch-upload-") as folder:
        paths = []
        for number, upload in enumerate(files):
            # the upload's own name, without folders: a single-host export takes its host from it
            name = Path(upload.filename or f"inventory-{number}").name or f"inventory-{number}"
            path = Path(folder) / f"{number}" / name
            path.parent.mkdir()
            paths.append(await save_upload(upload, path))
        result = scan(paths, context.catalog.measures, as_of or dt.date.today(), ReadOptions(host=host),
                      federal=federal)
        result.provenance = context.provenance([])
        report = as_json(result)
        uploaded = re.compile(re.escape(folder) + r"/\d+/")  # the uploads' names, not the temporary folder
        for inventory in report["inventories"]:
            inventory["origin"] = uploaded.sub("", inventory["origin"])
        for item in (*report["problems"], *report["findings"]):
            for key in ("where", "inventory"):
                if key in item:
                    item[key] = uploaded.sub("", item[key])
    if result.problems and not result.inventories:
        raise BadInput(report["problems"][0]["where"], report["problems"][0]["problem"])
    return report
