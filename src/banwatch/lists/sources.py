"""The one registry of the lists banwatch knows: each format (its name, its
reader, how to tell it from a file's first bytes) and each source (its id,
title, format, files and where it is published).

A format's name is spelled one way everywhere: it is what the reader writes
into the parsed list and what every snapshot records. A source's id also
names its format (`bis-dpl` for `bis-dpl-tsv`). What a hit on an entry
means for a transaction is its listing's legal effect (`legal_effects.yaml`:
by the list, the program, the directive); a listing with none is a review.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from banwatch.errors import FIELD, BadInput
from banwatch.inputs import head
from banwatch.model import ParsedList


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0].lower()


@dataclass(frozen=True)
class ListFormat:
    name: str
    #: "module:function" of the reader, imported only when the format is read:
    #: followthemoney alone adds a third of a second to every command's start
    reader: str | None
    #: whether a file's first bytes (BOM and leading space dropped) are of this format
    recognises: Callable[[str], bool] = lambda head: False

    def read(self, path: Path) -> ParsedList:
        if self.reader is None:
            raise BadInput(None, f"the {self.name} list is not read from files", field="format")
        module, function = self.reader.split(":")
        return getattr(importlib.import_module(module), function)(path)


FORMATS: dict[str, ListFormat] = {fmt.name: fmt for fmt in (
    ListFormat("ofac-csv", "banwatch.lists.ofac:read_ofac"),  # told by its file names (OFAC_FILE_NAMES)
    ListFormat("un-xml", "banwatch.lists.un:read_un", lambda text: text.startswith("<")),
    ListFormat("bis-dpl-tsv", "banwatch.lists.dpl:read_dpl", lambda text: _first_line(text).startswith('"name"\t')),
    ListFormat("csl-csv", "banwatch.lists.csl:read_csl",
               lambda text: _first_line(text).startswith("source,") and "alt_names" in _first_line(text)),
    ListFormat("ftm-json", "banwatch.lists.ftm:read_ftm", lambda text: text.startswith("{")),
    ListFormat("catalog", None),  # the catalog's parties: banwatch.lists.catalog_parties
)}

OFAC_EXPORTS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"


@dataclass(frozen=True)
class ListSource:
    id: str
    title: str  # as decisions name the list
    format: str
    files: tuple[str, ...] = ()  # names the reader expects, in the download folder
    official_urls: tuple[str, ...] = ()  # one per file; none: not downloaded (read from a file or the catalog)
    #: other hosts the publisher's server may redirect the official URLs to (a CDN, a
    #: storage bucket), lower case; a redirect to any other host is refused. Not for
    #: mirrors: a mirror's redirects are allowed by the download_allow_redirect_hosts setting
    redirect_hosts: tuple[str, ...] = ()

    def urls(self, mirror: str | None = None) -> list[str]:
        """Where to download the files: the official URLs, or a mirror (a base
        URL ending in '/' that serves the same file names, or one URL per file,
        comma-separated)."""
        if not mirror:
            return list(self.official_urls)
        if mirror.endswith("/"):
            return [mirror + name for name in self.files]
        urls = [url.strip() for url in mirror.split(",") if url.strip()]
        if len(urls) != len(self.files):
            raise BadInput(f"the mirror of {self.id}", f"needs {len(self.files)} URLs ({', '.join(self.files)}) "
                           "or a base URL ending in '/'")
        return urls


SOURCES: dict[str, ListSource] = {source.id: source for source in (
    ListSource("ofac-sdn", "OFAC Specially Designated Nationals list", "ofac-csv",
               ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"),
               tuple(OFAC_EXPORTS + name for name in ("SDN.CSV", "ADD.CSV", "ALT.CSV", "SDN_COMMENTS.CSV"))),
    ListSource("ofac-cons", "OFAC consolidated non-SDN lists", "ofac-csv",
               ("cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv"),
               tuple(OFAC_EXPORTS + name for name in
                     ("CONS_PRIM.CSV", "CONS_ADD.CSV", "CONS_ALT.CSV", "CONS_COMMENTS.CSV"))),
    ListSource("un", "UN Security Council consolidated list", "un-xml", ("consolidated.xml",),
               ("https://scsanctions.un.org/resources/xml/en/consolidated.xml",)),
    ListSource("bis-dpl", "BIS Denied Persons List", "bis-dpl-tsv", ("dpl.txt",),
               ("https://www.bis.doc.gov/dpl/dpl.txt",)),
    ListSource("csl", "Consolidated Screening List", "csl-csv", ("consolidated.csv",),
               ("https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv",)),
    ListSource("ftm", "FollowTheMoney list", "ftm-json"),
    ListSource("catalog", "banwatch catalog", "catalog"),
)}
#: the sources `lists update` downloads
PUBLISHED = tuple(source.id for source in SOURCES.values() if source.official_urls)

OFAC_FILE_NAMES = {name for key in ("ofac-sdn", "ofac-cons") for name in SOURCES[key].files}
FORMAT_CHOICES = ", ".join(FORMATS)


def list_format(name: str) -> ListFormat:
    """The format called `name`, or the format of the source called `name`."""
    if name in FORMATS:
        return FORMATS[name]
    if name in SOURCES:
        return FORMATS[SOURCES[name].format]
    raise BadInput(None, f"unknown list format {name!r}; one of: {FORMAT_CHOICES} (or a source: "
                   f"{', '.join(SOURCES)})", field="format")


def detect_format(path: Path) -> ListFormat:
    """The format of a list file or folder, from its file names and first bytes."""
    if path.is_dir():
        names = {child.name.lower() for child in path.iterdir()}
        if names & OFAC_FILE_NAMES:
            return FORMATS["ofac-csv"]
        candidates = [child for child in sorted(path.iterdir()) if child.is_file()]
        if len(candidates) == 1:
            return detect_format(candidates[0])
        raise BadInput(str(path), f"cannot tell which list this folder holds; give {FIELD} ({FORMAT_CHOICES})",
                       field="format")
    if not path.exists():
        raise BadInput(str(path), "no such file or folder")
    if path.name.lower() in OFAC_FILE_NAMES:
        return FORMATS["ofac-csv"]
    text = head(path, 4096)
    for fmt in FORMATS.values():
        if fmt.recognises(text):
            return fmt
    raise BadInput(str(path), f"cannot tell which list this file is; give {FIELD} ({FORMAT_CHOICES})",
                   field="format")


def read_list(path: Path, format_name: str | None = None) -> ParsedList:
    """Parse a list file or folder completely, or raise BadInput."""
    chosen = list_format(format_name) if format_name else None
    if not path.exists():
        raise BadInput(str(path), "no such file or folder")
    return (chosen or detect_format(path)).read(path)
