"""The catalog's detection signatures as SQL conditions over the item columns,
and, for the few items that match, which pattern matched (for the finding).

- `word`: the pattern's words, in order, as whole words anywhere in the field
  ('Kaspersky' in 'AO Kaspersky Lab', not in 'Kasperskyish'); between two
  words any run of spaces or punctuation ('KAV SDK', 'KAV-SDK'). Letters and
  digits of every script count as word characters, so Cyrillic patterns work.
- `exact`: the whole field; `prefix`: its start. All case-insensitive.
A publisher or name signature reads installed software and SBOM components;
an `oui_vendor` signature reads only devices (their MAC's registered owner, or
the maker nmap's fingerprint names).

A word signature is tested on the field's words (`<column>_words`: every run
of characters other than letters and digits made one space, and a space at
each end), where ' kav sdk ' is a plain substring: one regular expression per
column, not one per signature. RE2 compiles each expression with a Unicode
class in it (letters and digits of every script) in ~6 ms, which one per
signature made 120 ms of every scan, however small the inventory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from banwatch.estate.items import DEVICE, sql_text
from banwatch.match.characters import unmasked_value
from banwatch.model import Measure, Signature, SignatureField, SignatureMatch

COLUMN_OF = {
    SignatureField.publisher: "vendor", SignatureField.name: "name", SignatureField.package: "package",
    SignatureField.bundle_id: "bundle_id", SignatureField.purl: "purl", SignatureField.oui_vendor: "vendor",
    SignatureField.path: "path", SignatureField.service: "service", SignatureField.team_id: "team_id",
}
#: the columns signatures read, lower-cased once per row
MATCHED_COLUMNS = tuple(dict.fromkeys(COLUMN_OF.values()))
#: letters and digits of any script (RE2 in DuckDB; Python's [^\W_] below)
SQL_WORD_CHAR = r"[\pL\pN]"
SQL_NOT_WORD_CHAR = r"[^\pL\pN]"
SQL_SPECIAL = set(r"\.^$|?*+()[]{}")


def pattern_words(pattern: str) -> list[str]:
    return [word for word in re.split(r"[\W_]+", pattern.lower()) if word]


def escape(word: str) -> str:
    """`word` literally in an RE2 expression."""
    return "".join("\\" + char if char in SQL_SPECIAL else char for char in word)


def words_sql(column: str) -> str:
    """SQL for the words of a lower-cased column, as word signatures read them:
    ' ao kaspersky lab ' for 'AO «Kaspersky» Lab'."""
    return f"' ' || regexp_replace({column}_lower, '{SQL_NOT_WORD_CHAR}+', ' ', 'g') || ' '"


def spaced_words(pattern: str) -> str:
    """A word pattern as a substring of a field's words: ' kav sdk ' for 'KAV-SDK'."""
    return f" {' '.join(pattern_words(pattern))} "




@dataclass(frozen=True)
class CompiledSignature:
    number: int
    measure: Measure
    signature: Signature

    @property
    def column(self) -> str:
        return COLUMN_OF[self.signature.field]

    def condition(self) -> str:
        """SQL over the lower-cased item columns (`<column>_lower`), their words
        (`<column>_words`, for a word signature) and `kind`."""
        field = f"{self.column}_lower"
        patterns = [pattern.lower() for pattern in self.signature.patterns]
        if self.signature.match is SignatureMatch.word:
            test = "(" + " OR ".join(f"contains({self.column}_words, {sql_text(spaced_words(p))})"
                                     for p in patterns) + ")"
        elif self.signature.match is SignatureMatch.exact:
            test = f"{field} IN ({', '.join(map(sql_text, patterns))})"
        else:
            test = "(" + " OR ".join(f"starts_with({field}, {sql_text(p)})" for p in patterns) + ")"
        devices = "=" if self.signature.field is SignatureField.oui_vendor else "<>"
        return f"(kind {devices} '{DEVICE}' AND {test})"

    def matched_pattern(self, value: str) -> str | None:
        """Which of the signature's patterns `value` matches (as the SQL did)."""
        folded = unmasked_value(value).lower()
        for pattern in self.signature.patterns:
            if self.signature.match is SignatureMatch.exact and folded == pattern.lower():
                return pattern
            if self.signature.match is SignatureMatch.prefix and folded.startswith(pattern.lower()):
                return pattern
            if self.signature.match is SignatureMatch.word:
                words = r"[\W_]+".join(re.escape(word) for word in pattern_words(pattern))
                if re.search(rf"(?<![^\W_]){words}(?![^\W_])", folded):
                    return pattern
        return None


def word_columns(signatures: list[CompiledSignature]) -> list[str]:
    """The columns word signatures read, which need `<column>_words`."""
    return list(dict.fromkeys(compiled.column for compiled in signatures
                              if compiled.signature.match is SignatureMatch.word))


def prefilter(signatures: list[CompiledSignature]) -> str:
    """An SQL condition, over the lower-cased columns, true of every row any of
    `signatures` matches, and cheap: per column one regular expression of plain
    words (any word of any word signature's patterns, anywhere: RE2 scans the
    text once for all), and the exact and prefix tests. Nearly no row of an
    inventory matches; only those that pass this get their words made and are
    tested signature by signature."""
    by_column: dict[str, list[CompiledSignature]] = {}
    for compiled in signatures:
        by_column.setdefault(compiled.column, []).append(compiled)
    tests = []
    for column, compiled_here in by_column.items():
        words = sorted({word for compiled in compiled_here if compiled.signature.match is SignatureMatch.word
                        for pattern in compiled.signature.patterns for word in pattern_words(pattern)})
        if words:
            tests.append(f"regexp_matches({column}_lower, {sql_text('|'.join(map(escape, words)))})")
        tests += [compiled.condition() for compiled in compiled_here if compiled.signature.match is not SignatureMatch.word]
    return " OR ".join(tests) or "false"


def compile_signatures(measures: list[Measure] | tuple[Measure, ...]) -> list[CompiledSignature]:
    compiled: list[CompiledSignature] = []
    for measure in measures:
        for signature in measure.detection.signatures if measure.detection else ():
            compiled.append(CompiledSignature(len(compiled), measure, signature))
    return compiled
