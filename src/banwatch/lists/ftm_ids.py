"""FtM entity ids for banwatch ids and back: `ftm_id_of` writes a banwatch id
`<source>:<source id>` as `<source>.<escaped source id>` (FtM ids hold only
letters, digits, '.' and '-'); `banwatch_id` recognises exactly such an
encoding. The scheme is described under "Ids." in the docstring of
`banwatch.lists.ftm`.
"""

from __future__ import annotations

import string

from followthemoney import registry

from banwatch.lists.sources import SOURCES
from banwatch.model import ListedEntity

#: the source of an entity read from FtM whose id is not a banwatch id
SOURCE = "ftm"

ID_PATTERN = registry.entity.REGEX
_ID_SAFE = frozenset(string.ascii_letters + string.digits + "-")
_HEX = frozenset("0123456789abcdef")


def _escape(text: str) -> str:
    parts: list[str] = []
    for char in text:
        if char in _ID_SAFE:
            parts.append(char)
        else:
            parts.extend(f".{byte:02x}" for byte in char.encode("utf-8"))
    if parts and parts[-1] == "-":
        parts[-1] = ".2d"
    return "".join(parts)


def banwatch_id(ftm_id: str) -> tuple[str, str] | None:
    """(source, source id) when `ftm_id` is a banwatch id written by `ftm_id_of`,
    else None."""
    source, dot, rest = ftm_id.partition(".")
    if not dot or not rest or source not in SOURCES:
        return None
    raw = bytearray()
    index = 0
    while index < len(rest):
        char = rest[index]
        if char == ".":
            digits = rest[index + 1:index + 3]
            if len(digits) != 2 or not set(digits) <= _HEX:
                return None
            raw.append(int(digits, 16))
            index += 3
        elif char in _ID_SAFE:
            raw.append(ord(char))
            index += 1
        else:
            return None
    try:
        source_id = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return (source, source_id) if _escape(source_id) == rest else None


def ftm_id_of(entity: ListedEntity) -> str:
    """The FtM id an entity is exported under (see the docstring of banwatch.lists.ftm)."""
    if not entity.source_id:
        raise ValueError(f"{entity.id!r} has no source id to make an FtM id from")
    if (entity.source == SOURCE and ID_PATTERN.fullmatch(entity.source_id)
            and banwatch_id(entity.source_id) is None):
        return entity.source_id
    return f"{entity.source}.{_escape(entity.source_id)}"
