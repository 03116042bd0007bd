"""Screening queries from text: a command's arguments, a CSV row's cells, an
API request's fields. Every problem is a `BadInput` naming the field by its
code (name, type, country, birth_date, identifiers), which the caller names
its own way: a flag, a column, a JSON pointer."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from banwatch.errors import BadInput
from banwatch.model import ScreenQuery

#: the longest name screened; the model refuses longer ones too, this says so plainly
LONGEST_NAME = 500


def screen_query(name: str, entity_type: str | None = None, country: str | None = None,
                 birth_date: str | None = None, identifiers: Sequence[str] = ()) -> ScreenQuery:
    if len(name) > LONGEST_NAME:
        raise BadInput(None, f"{len(name):,} characters is longer than any name ({LONGEST_NAME} at most)",
                       field="name")
    try:
        return ScreenQuery(name=name, type=entity_type or None, country=country, birth_date=birth_date,
                           identifiers=list(identifiers))
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "name"
        raise BadInput(None, first["msg"].removeprefix("Value error, "), field=field) from None
