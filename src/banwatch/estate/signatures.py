"""The catalog's detection signatures as SQL conditions over the item columns,
and, for the few items that match, which pattern matched (for the finding).

- `word`: the pattern's words, in order, as whole words anywhere in the field
  ('Kaspersky' in 'AO Kaspersky Lab', not in 'Kasperskyish'); between two
  words any run of spaces or punctuation ('KAV SDK', 'KAV-SDK'). Letters and
  digits of every script count as word characters, so Cyrillic patterns work.
- `exact`: the whole field; `prefix`: its start. All case-insensitive.
A publisher or name signature reads installed software and SBOM components;
an `oui_vendor` signature reads only devices (their MAC's registered owner).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from banwatch.estate.items import DEVICE, sql_text
from banwatch.model import Measure, Signature, SignatureField, SignatureMatch

COLUMN_OF = {
    SignatureField.publisher: "vendor", SignatureField.name: "name", SignatureField.package: "package",
    SignatureField.bundle_id: "bundle_id", SignatureField.purl: "purl", SignatureField.oui_vendor: "vendor",
    SignatureField.path: "path",
}
#: the columns signatures read, lower-cased once per row
MATCHED_COLUMNS = tuple(dict.fromkeys(COLUMN_OF.values()))
#: letters and digits of any script (RE2 in DuckDB; Python's [^\W_] below)
SQL_WORD_CHAR = r"[\pL\pN]"
SQL_NOT_WORD_CHAR = r"[^\pL\pN]"
SQL_SPECIAL = set(r"\.^$|?*+()[]{}")


def pattern_words(pattern: str) -> list[str]:
    return [word for word in re.split(r"[\W_]+", pattern.lower()) if word]


def sql_regex(patterns: list[str]) -> str:
    def escape(word: str) -> str:
        return "".join("\\" + char if char in SQL_SPECIAL else char for char in word)

    alternatives = "|".join(f"{SQL_NOT_WORD_CHAR}+".join(escape(w) for w in pattern_words(p)) for p in patterns)
    return f"(^|{SQL_NOT_WORD_CHAR})({alternatives})($|{SQL_NOT_WORD_CHAR})"


@dataclass(frozen=True)
class CompiledSignature:
    number: int
    measure: Measure
    signature: Signature

    @property
    def column(self) -> str:
        return COLUMN_OF[self.signature.field]

    def condition(self) -> str:
        """SQL over the lower-cased item columns (`<column>_lower`) and `kind`."""
        field = f"{self.column}_lower"
        patterns = [pattern.lower() for pattern in self.signature.patterns]
        if self.signature.match is SignatureMatch.word:
            test = f"regexp_matches({field}, {sql_text(sql_regex(patterns))})"
        elif self.signature.match is SignatureMatch.exact:
            test = f"{field} IN ({', '.join(map(sql_text, patterns))})"
        else:
            test = "(" + " OR ".join(f"starts_with({field}, {sql_text(p)})" for p in patterns) + ")"
        devices = "=" if self.signature.field is SignatureField.oui_vendor else "<>"
        return f"(kind {devices} '{DEVICE}' AND {test})"

    def matched_pattern(self, value: str) -> str | None:
        """Which of the signature's patterns `value` matches (as the SQL did)."""
        folded = value.lower()
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


def compile_signatures(measures: list[Measure] | tuple[Measure, ...]) -> list[CompiledSignature]:
    compiled: list[CompiledSignature] = []
    for measure in measures:
        for signature in measure.detection.signatures if measure.detection else ():
            compiled.append(CompiledSignature(len(compiled), measure, signature))
    return compiled
