"""The one error type for bad input. It says what is wrong and where, in terms
that do not belong to any one front end:

- `place`: a place in a file or document ("orders.csv row 7", "sdn.csv line 12"),
  when the input came from one;
- `field`: the input field the problem is about, as a code ("buyer_country",
  "name_column", "format"), when there is one.

Each presenting layer names a field its own way: the CLI as one of its
flags, the HTTP API as a JSON pointer. A problem that mentions
its field mid-sentence writes FIELD there ("no column 'name' ({field})"), and
the presenting layer's name for the field is put in its place. Without a
namer, a field is named by its code, which is also the column name of the
CSV files banwatch reads.
"""

from __future__ import annotations

from collections.abc import Callable

FIELD = "{field}"


def as_code(field: str) -> str:
    return field


class BadInput(ValueError):
    def __init__(self, place: str | None, problem: str, *, field: str | None = None):
        self.place = place
        self.field = field
        self.text = problem
        super().__init__(self.render())

    def parts(self, name: Callable[[str], str] = as_code) -> tuple[str | None, str]:
        """(location, problem) with the field named by `name`. The location is
        the place, followed by the field unless the problem names it itself."""
        if self.field is None:
            return self.place, self.text
        field = name(self.field)
        if FIELD in self.text:
            return self.place, self.text.replace(FIELD, field)
        return " ".join(part for part in (self.place, field) if part), self.text

    def render(self, name: Callable[[str], str] = as_code) -> str:
        location, problem = self.parts(name)
        return f"{location}: {problem}" if location else problem

    @property
    def where(self) -> str:
        """The location as a CSV or report reader sees it (fields named by code)."""
        return self.parts()[0] or ""

    @property
    def problem(self) -> str:
        return self.parts()[1]


class StoreUnavailable(BadInput):
    """The store's server cannot be reached (a PostgreSQL restart, a network
    fault): not the input's fault. The CLI says it in one line; the HTTP
    service answers 503, and the next request tries again."""
