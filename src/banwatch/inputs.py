"""Reading the files banwatch is given: official lists and inventories. They
come from the network or from other people's tools, so each is checked before
it is parsed, the same way for both:

- size: an empty file is refused, and so is one past the limit for what is
  read whole into memory (a list, an SBOM): junk or an attack on memory;
- text: strict UTF-8 (a UTF-8 BOM is dropped) with no NUL bytes, a wrong
  encoding reported with its line rather than guessed at;
- format: told from the first bytes (`head`), never from the file name alone;
- XML: only through defusedxml. Entity declarations and DOCTYPEs that point
  elsewhere (SYSTEM, PUBLIC) are refused outright, never expanded or fetched
  (billion laughs, XXE); a DOCTYPE that only names the root element, as nmap
  writes `<!DOCTYPE nmaprun>`, declares nothing and is read.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from banwatch.errors import BadInput

#: the largest list file read. The biggest official file (the full CSL) is well
#: under 100 MB; anything far beyond is junk or an attack on memory.
LIST_FILE_LIMIT = 512 * 1024 * 1024
#: the largest inventory parsed whole in Python (SBOMs, nmap XML); the large
#: inventories (osquery logs, CSV exports) are streamed by DuckDB and have no limit
PARSED_INVENTORY_LIMIT = 256 * 1024 * 1024
#: what is read of a file to tell its format
HEAD_BYTES = 64 * 1024


def check_size(path: Path, limit: int, what: str = "a list file") -> int:
    try:
        size = path.stat().st_size
    except OSError as error:
        raise BadInput(str(path), error.strerror or "cannot be read") from None
    if size == 0:
        raise BadInput(str(path), "empty file")
    if size > limit:
        raise BadInput(str(path), f"{size:,} bytes ({size / 2**30:.1f} GB) is more than the {limit // 2**20:,} MB "
                                  f"{what} may have (is it the right file?)")
    return size


def read_bytes(path: Path, limit: int, what: str = "a list file") -> bytes:
    check_size(path, limit, what)
    return path.read_bytes()


def read_text(path: Path, limit: int = LIST_FILE_LIMIT, what: str = "a list file") -> str:
    """The whole file as text: strict UTF-8 (a UTF-8 BOM is dropped), no NUL
    bytes. A cp1252 file decoded as something else would silently corrupt names."""
    data = read_bytes(path, limit, what)
    # The whole file, not only its head: a NUL past the first 64 KB (a download
    # padded with zeros, a disk block lost mid-file) would otherwise reach the
    # CSV readers, which take it as part of a name. find() scans the bytes in
    # place (memchr), so a large list is not copied for it.
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise BadInput(f"{path} line {line}", f"binary data (NUL byte at byte offset {nul:,}): not a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # error.start counts in the bytes decoded, which lack the BOM if there is one
        line = error.object.count(b"\n", 0, error.start) + 1
        byte = error.object[error.start]
        raise BadInput(f"{path} line {line}",
                       f"not UTF-8 text (byte 0x{byte:02x}; is it cp1252/Latin-1?)") from None


def head(path: Path, size: int = HEAD_BYTES) -> str:
    """The start of a file as text, BOM and leading white space dropped, for
    telling its format; '' for an empty file."""
    try:
        with path.open("rb") as handle:
            data = handle.read(size)
    except OSError as error:
        raise BadInput(str(path), error.strerror or "cannot be read") from None
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with its BOM: what Windows tools save as 'Unicode'
        return data[:len(data) // 2 * 2].decode("utf-16", errors="replace").lstrip("\ufeff").lstrip()
    return data.decode("utf-8", errors="replace").lstrip("\ufeff").lstrip()


def parse_xml(data: str | bytes, path: Path, what: str = "a list file") -> Element:
    """The root element of an XML document read from `path`."""
    from defusedxml import DefusedXmlException, DTDForbidden  # noqa: PLC0415 (only the XML formats need it)

    try:
        try:
            return _defused(data, forbid_dtd=True)
        except DTDForbidden as doctype:
            if doctype.sysid is not None or doctype.pubid is not None:
                raise
            return _defused(data, forbid_dtd=False)  # only names the root: entities stay forbidden
    except DefusedXmlException as error:
        text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
        found = re.search(r"<!(DOCTYPE|ENTITY)", text)
        at = f" (line {text[:found.start()].count(chr(10)) + 1})" if found else ""
        raise BadInput(str(path), f"refused XML{at}: XML with a DOCTYPE/entity declaration is refused; {what} "
                                  f"needs none, and they carry XXE and entity-expansion attacks "
                                  f"({type(error).__name__})") from None
    except ParseError as error:
        row, column = error.position
        message = str(error).split(":")[0]
        raise BadInput(f"{path} line {row}", f"malformed XML ({message}, column {column + 1})") from None
    except (LookupError, ValueError, UnicodeError) as error:  # an encoding the declaration names wrongly
        raise BadInput(str(path), f"XML in an encoding that cannot be read ({str(error).splitlines()[0][:200]})"
                       ) from None


def _defused(data: str | bytes, forbid_dtd: bool) -> Element:
    import defusedxml.ElementTree as safe_xml  # noqa: PLC0415

    return safe_xml.fromstring(data, forbid_dtd=forbid_dtd, forbid_entities=True, forbid_external=True)
