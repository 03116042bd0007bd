"""Transactions from text: command-line flags and order-line CSV files.

Every problem becomes a `BadInput` naming the field (and file and row), so the
CLI can print one line and exit 2, and a file run can skip the row and go on.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from banwatch.errors import FIELD, BadInput
from banwatch.model import NO_MODEL_YEAR, Answer, Transaction, TransactionType

FIELDS = ("reference", "type", "date", "product", "vendor", "seller", "buyer",
          "seller_country", "buyer_country", "buyer_is_federal", "buyer_is_federal_contractor",
          "buyer_us_person", "seller_us_person", "subject_to_ear", "buyer_government",
          "model_year", "origin_nexus", "seller_nexus")
REQUIRED_COLUMNS = ("type", "date")
SUBJECT_COLUMNS = ("product", "vendor", "seller", "buyer")
#: yes/no fields: false when empty
FLAG_FIELDS = ("buyer_is_federal", "buyer_is_federal_contractor")
#: yes/no fields: not known when empty
MAYBE_FIELDS = ("buyer_us_person", "seller_us_person")
#: yes/no/unknown fields: unknown when empty
ANSWER_FIELDS = ("subject_to_ear", "origin_nexus", "seller_nexus")
TRUE_WORDS = {"true", "yes", "y", "1"}
FALSE_WORDS = {"false", "no", "n", "0"}
TYPES = ", ".join(t.value for t in TransactionType)
ANSWERS = ", ".join(answer.value for answer in Answer)


def parse_type(text: str, place: str | None = None) -> TransactionType:
    try:
        return TransactionType(text.strip().lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        raise BadInput(place, f"unknown transaction type {text!r}; one of: {TYPES}", field="type") from None


def parse_date(text: str, place: str | None = None, field: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(place, f"{text!r} is not a real date in the form YYYY-MM-DD", field=field) from None


def parse_flag(text: str, place: str | None, field: str) -> bool:
    return parse_maybe(text, place, field) or False


def parse_maybe(text: str, place: str | None, field: str) -> bool | None:
    """True, False, or None for an empty field (not known)."""
    word = text.strip().lower()
    if not word:
        return None
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise BadInput(place, f"{text!r} is not true or false", field=field)


def parse_answer(text: str, place: str | None, field: str) -> Answer:
    word = text.strip().lower() or Answer.unknown.value
    try:
        return Answer(word)
    except ValueError:
        raise BadInput(place, f"{text!r} is not one of {ANSWERS}", field=field) from None


def parse_model_year(text: str, place: str | None) -> int | str | None:
    """A year such as 2027, 'none' (associated with no model year), or None when empty (not known)."""
    word = text.strip().lower()
    if not word:
        return None
    if word == NO_MODEL_YEAR:
        return NO_MODEL_YEAR
    # isdecimal, not isdigit: superscripts ('²027') are digits that int() refuses
    if word.isdecimal() and len(word) == 4:
        return int(word)
    raise BadInput(place, f"{text!r} is not a model year such as 2027, or {NO_MODEL_YEAR!r}", field="model_year")


def parse_transaction(fields: Mapping[str, str | None], place: str | None = None) -> Transaction:
    """A transaction from text fields named as in FIELDS. `place` is where the
    fields come from in a file ('orders.csv row 7'); errors name it and the field."""

    def text(name: str) -> str | None:
        value = fields.get(name)
        return value.strip() or None if value is not None else None

    for name in FIELDS:
        _check_text(fields.get(name), place, name)
    for name in REQUIRED_COLUMNS:
        if not text(name):
            raise BadInput(place, "is empty", field=name)
    special = ("type", "date", "model_year", *ANSWER_FIELDS, *FLAG_FIELDS, *MAYBE_FIELDS)
    values = {name: text(name) for name in FIELDS if name not in special}
    try:
        return Transaction(
            type=parse_type(fields["type"] or "", place),
            date=parse_date(fields["date"] or "", place),
            model_year=parse_model_year(fields.get("model_year") or "", place),
            **{name: parse_answer(fields.get(name) or "", place, name) for name in ANSWER_FIELDS},
            **{name: parse_flag(fields.get(name) or "", place, name) for name in FLAG_FIELDS},
            **{name: parse_maybe(fields.get(name) or "", place, name) for name in MAYBE_FIELDS},
            **values,
        )
    except ValidationError as error:
        first = error.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        if first["loc"]:
            raise BadInput(place, message, field=str(first["loc"][0])) from None
        # the whole transaction: in a file the row says enough; on its own, the
        # fields of which one is missing ("subject": product, vendor, seller or buyer)
        raise BadInput(place, message, field=None if place else "subject") from None


def _check_text(value: str | None, place: str | None, field: str) -> None:
    """BadInput for a value that is no text: a command-line argument that was not
    UTF-8 arrives with its bytes as lone surrogates ('\\udcff' for 0xff), and the
    name matching, which encodes every name, would fail on it with a traceback."""
    if not value or value.isascii():
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(value[error.start])
        byte = f"byte 0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"U+{code:04X}"
        raise BadInput(place, f"is not UTF-8 text ({byte})", field=field) from None


@dataclass(frozen=True)
class OrderLine:
    row: int  # 1-based line number in the file, header is line 1
    transaction: Transaction


def read_orders(path: Path, columns: Mapping[str, str] | None = None) -> Iterator[OrderLine | BadInput]:
    """Each data row of an order CSV as an OrderLine, or as the BadInput that
    says what is wrong with it. A file that cannot be read at all (missing,
    not UTF-8, missing columns) raises BadInput instead. `columns` maps a field
    (as in FIELDS) to the file's own name for its column, where they differ."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise BadInput(str(path), error.strerror or "cannot be read") from None
    with handle:
        try:
            reader = csv.DictReader(handle)
            header = [name.strip().lower() for name in (reader.fieldnames or [])]
        except (UnicodeDecodeError, csv.Error) as error:
            raise BadInput(f"{path} line 1", f"not a UTF-8 CSV file ({error})") from None
        header = renamed(path, header, columns or {})
        check_header(path, header)
        reader.fieldnames = header
        try:
            for record in reader:
                where = f"{path} row {reader.line_num}"
                if None in record:  # more cells than the header has columns
                    yield BadInput(where, f"{len(header) + len(record[None])} cells for {len(header)} columns")
                    continue
                if all(not (value or "").strip() for value in record.values()):
                    continue  # blank line
                try:
                    yield OrderLine(reader.line_num, parse_transaction(record, where))
                except BadInput as problem:
                    yield problem
        except UnicodeDecodeError as error:
            raise BadInput(f"{path} after row {reader.line_num}", f"not UTF-8 text ({error.reason})") from None
        except csv.Error as error:
            raise BadInput(f"{path} row {reader.line_num}", f"broken CSV: {error}") from None


def renamed(path: Path, header: list[str], columns: Mapping[str, str]) -> list[str]:
    """The header with the columns named in `columns` given their field names."""
    header = list(header)
    for field_name, column in columns.items():
        wanted = column.strip().lower()
        if wanted not in header:
            raise BadInput(f"{path} header", f"no column {column!r} ({FIELD}); the header has "
                           + ", ".join(map(repr, header)), field=f"{field_name}_column")
        header[header.index(wanted)] = field_name
    return header


def check_header(path: Path, header: list[str]) -> None:
    if not header:
        raise BadInput(str(path), "empty file: expected a header row with columns " + ", ".join(FIELDS))
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise BadInput(f"{path} header", f"missing column {', '.join(missing)}; expected "
                       + ", ".join(FIELDS))
    if not any(name in header for name in SUBJECT_COLUMNS):
        raise BadInput(f"{path} header", "needs at least one of the columns " + ", ".join(SUBJECT_COLUMNS))
    # Other columns (quantity, price, ...) are an order system's own and are ignored.
