"""What every list reader shares: the parser version, the files' hashes, and
normalising countries, dates and scripts. Reading the file itself (sizes,
strict text, XML) is `banwatch.inputs`, shared with the inventory readers.

A reader either returns a complete `ParsedList` or raises `BadInput` naming the
file, the line or element, and the problem: a list is never half-read, so a
broken file can never half-replace the list in use.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import unicodedata
from collections import Counter
from pathlib import Path

from rigour.territories import lookup_territory
from rigour.text.scripts import codepoint_script


#: bumped whenever a reader's output changes, and stored with every snapshot so
#: that a past screening can be traced to the parser that produced its list.
PARSER_VERSION = "1"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_records(paths: list[Path]) -> list[dict[str, object]]:
    """What a snapshot records of the files a list was read from: name, SHA-256 and size."""
    return [{"name": path.name, "sha256": file_sha256(path), "bytes": path.stat().st_size} for path in paths]


@functools.lru_cache(maxsize=4096)
def country_code(name: str | None) -> str | None:
    """ISO alpha-2 (upper case) for a country name or code as lists write them
    ('Russia', 'Korea, North', 'UK'), from rigour's territory database; None
    when it is not a recognisable country."""
    if not name or not name.strip():
        return None
    territory = lookup_territory(name.strip())
    if territory is None:
        return None
    code = territory.code.upper()
    return code if len(code) == 2 else None


MONTHS = {month: number for number, month in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]{3})[a-z]* (\d{4})$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def iso_date(text: str | None) -> str | None:
    """A list's date as ISO text, keeping its precision: '14 Jun 1975' ->
    '1975-06-14', 'Jun 1975' -> '1975-06', '1975' -> '1975', '06/19/2003' ->
    '2003-06-19', '2003-06-19' unchanged. None when it is not a date."""
    if not text:
        return None
    value = text.strip()
    try:
        if re.fullmatch(r"\d{4}", value):
            return value
        if re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", value):
            dt.date.fromisoformat(value if len(value) == 10 else value + "-01")
            return value
        if match := _DAY_MONTH_YEAR.match(value):
            day, month, year = match.groups()
            return dt.date(int(year), MONTHS[month[:3].lower()], int(day)).isoformat()
        if match := _MONTH_YEAR.match(value):
            month, year = match.groups()
            return f"{year}-{MONTHS[month[:3].lower()]:02d}"
        if match := _US_DATE.match(value):
            month, day, year = match.groups()
            return dt.date(int(year), int(month), int(day)).isoformat()
    except (KeyError, ValueError):
        return None
    return None


# --------------------------------------------------------------------------- scripts

#: Unicode script names (as rigour reports them) -> ISO 15924 codes.
ISO_15924 = {
    "Latin": "Latn", "Cyrillic": "Cyrl", "Arabic": "Arab", "Han": "Hani", "Hangul": "Hang",
    "Hiragana": "Jpan", "Katakana": "Jpan", "Greek": "Grek", "Hebrew": "Hebr",
    "Armenian": "Armn", "Georgian": "Geor", "Thai": "Thai", "Devanagari": "Deva",
    "Bengali": "Beng", "Gurmukhi": "Guru", "Gujarati": "Gujr", "Tamil": "Taml",
    "Telugu": "Telu", "Kannada": "Knda", "Malayalam": "Mlym", "Sinhala": "Sinh",
    "Myanmar": "Mymr", "Khmer": "Khmr", "Lao": "Laoo", "Tibetan": "Tibt",
    "Ethiopic": "Ethi", "Syriac": "Syrc", "Thaana": "Thaa", "Mongolian": "Mong",
    "Tifinagh": "Tfng",
}


def script_of(text: str) -> str | None:
    """The ISO 15924 code of the script a name is written in, or None when it is
    Latin or has no letters. Mixed text is given its most frequent non-Latin
    script; Han with kana is Japanese (Jpan), Han with Hangul Korean (Kore).
    Han alone is Hani: simplified and traditional cannot be told apart reliably
    from a short name."""
    counts: Counter[str] = Counter()
    for char in text:
        if not unicodedata.category(char).startswith("L"):
            continue
        script = codepoint_script(ord(char))
        if script and script not in ("Common", "Inherited", "Unknown"):
            counts[script] += 1
    counts.pop("Latin", None)
    if not counts:
        return None
    if "Han" in counts and ("Hiragana" in counts or "Katakana" in counts):
        return "Jpan"
    if "Han" in counts and "Hangul" in counts:
        return "Kore"
    script = counts.most_common(1)[0][0]
    return ISO_15924.get(script, script[:4].title())
