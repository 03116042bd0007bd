"""The lists banwatch knows: where each is published, which files make it up,
which reader parses it, and how to tell a format from its files."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from banwatch import settings
from banwatch.errors import BadInput
from banwatch.lists.reading import ParsedList

OFAC_EXPORTS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    format: str
    files: tuple[str, ...]  # names the reader expects, in the download folder
    official_urls: tuple[str, ...]  # one per file

    def urls(self) -> list[str]:
        return settings.source_urls(self.id, self.files, self.official_urls)


SOURCES: dict[str, Source] = {source.id: source for source in (
    Source("ofac-sdn", "OFAC Specially Designated Nationals (legacy CSV)", "ofac-csv",
           ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"),
           tuple(OFAC_EXPORTS + name for name in ("SDN.CSV", "ADD.CSV", "ALT.CSV", "SDN_COMMENTS.CSV"))),
    Source("ofac-cons", "OFAC consolidated non-SDN lists (legacy CSV)", "ofac-csv",
           ("cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv"),
           tuple(OFAC_EXPORTS + name for name in
                 ("CONS_PRIM.CSV", "CONS_ADD.CSV", "CONS_ALT.CSV", "CONS_COMMENTS.CSV"))),
    Source("un", "UN Security Council consolidated list", "un-xml", ("consolidated.xml",),
           ("https://scsanctions.un.org/resources/xml/en/consolidated.xml",)),
    Source("bis-dpl", "BIS Denied Persons List", "bis-dpl", ("dpl.txt",),
           ("https://www.bis.doc.gov/dpl/dpl.txt",)),
    Source("csl", "trade.gov Consolidated Screening List", "csl", ("consolidated.csv",),
           ("https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv",)),
)}

#: format -> "module:function" of its reader, imported only when that format is
#: read: followthemoney alone adds a third of a second to every command's start.
READERS: dict[str, str] = {
    "ofac-csv": "banwatch.lists.ofac:read_ofac",
    "un-xml": "banwatch.lists.un:read_un",
    "bis-dpl": "banwatch.lists.dpl:read_dpl",
    "csl": "banwatch.lists.csl:read_csl",
    "ftm": "banwatch.lists.ftm:read_ftm",
}
FORMATS = (*READERS, "catalog")

OFAC_FILE_NAMES = {name for key in ("ofac-sdn", "ofac-cons") for name in SOURCES[key].files}


def detect_format(path: Path) -> str:
    """The format of a list file or folder, from its file names and first bytes."""
    if path.is_dir():
        names = {child.name.lower() for child in path.iterdir()}
        if names & OFAC_FILE_NAMES:
            return "ofac-csv"
        candidates = [child for child in sorted(path.iterdir()) if child.is_file()]
        if len(candidates) == 1:
            return detect_format(candidates[0])
        raise BadInput(str(path), "cannot tell which list this folder holds; give --format "
                       f"({', '.join(FORMATS)})")
    if not path.exists():
        raise BadInput(str(path), "no such file or folder")
    if path.name.lower() in OFAC_FILE_NAMES:
        return "ofac-csv"
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"<"):
        return "un-xml"
    if head.startswith(b"{"):
        return "ftm"
    first_line = head.split(b"\n", 1)[0].lower()
    if first_line.startswith(b'"name"\t'):
        return "bis-dpl"
    if first_line.startswith(b"source,") and b"alt_names" in first_line:
        return "csl"
    raise BadInput(str(path), "cannot tell which list this file is; give --format "
                   f"({', '.join(FORMATS)})")


def read_list(path: Path, list_format: str | None = None) -> ParsedList:
    """Parse a list file or folder completely, or raise BadInput."""
    chosen = list_format or detect_format(path)
    if chosen not in READERS:
        raise BadInput("--format", f"unknown list format {chosen!r}; one of: {', '.join(FORMATS)}")
    if not path.exists():
        raise BadInput(str(path), "no such file or folder")
    module, function = READERS[chosen].split(":")
    return getattr(importlib.import_module(module), function)(path)
