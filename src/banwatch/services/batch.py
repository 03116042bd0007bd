"""Batch screening: every row of a CSV file of names screened against one
screener, on every core, into two reports in input order: the best match per
row, and every match at or above the threshold, explained.

The work is pure functions over a screener and rows (`screen_chunk`), which
any engine can call on its own share of the rows; `screen_file` runs them here
in forked worker processes. The workers inherit the screener from the parent
when they fork, so its one index is shared copy-on-write instead of being
built or unpickled by each. A front end gives flags and shows progress; it
never sees a worker.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import ctypes
import ctypes.util
import gc
import io
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from banwatch.errors import FIELD, BadInput
from banwatch.outputs import SafeCsvWriter, replacing
from banwatch.match.screen import DEFAULT_THRESHOLD, Screener
from banwatch.queries import screen_query

#: rows sent to a worker at a time: large enough that passing them costs little
CHUNK_ROWS = 1000
#: chunks in flight per worker: keeps every worker busy while only a few
#: thousand rows are held in memory, however long the file
CHUNKS_AHEAD = 4
#: distinct queries a worker remembers: the same counterparty often appears on many rows
MEMO_SIZE = 50_000
#: a match list with no limit: every hit at or above the threshold
ALL_HITS = 1_000_000
BEST_COLUMNS = ("id", "name", "match_id", "match_name", "match_source", "score", "match_count")
ALL_COLUMNS = ("id", "name", "rank", "match_id", "match_name", "match_source", "score", "explanation")
#: prctl option: the signal a process gets when its parent dies (linux/prctl.h)
PR_SET_PDEATHSIG = 1
#: the fields a row can give a query, by their codes (`banwatch.queries`)
QUERY_FIELDS = ("name", "type", "country", "birth_date")

#: a row as the parent reads it: (row number, id, name, type, country, birth date, the input's kept cells)
Row = tuple[int, str, str, str, str, str, tuple[str, ...]]
#: a row that cannot be screened: (row number, problem)
BadRow = tuple[int, str]


@dataclass(frozen=True)
class Columns:
    """Where each field is in the file's rows (None: not used), and what the
    file calls the query fields, for the messages about a row."""

    name: int
    id: int | None
    type: int | None
    country: int | None
    birth_date: int | None
    width: int
    labels: dict[str, str]  # query field code -> "column 'Country'"
    kept: tuple[int, ...] = ()  # the input's columns copied into the best-match report
    kept_names: tuple[str, ...] = ()  # their names there (prefixed input_ where one of ours has it)

    def best_header(self) -> tuple[str, ...]:
        return (*BEST_COLUMNS, *self.kept_names)


@dataclass
class ScreenedChunk:
    """A chunk's report lines, already CSV text: the parent only writes them,
    so that it never competes with the workers for a core."""

    rows: int = 0
    screened: int = 0
    matched: int = 0
    all_matches: int = 0
    best_csv: str = ""
    all_csv: str = ""
    bad: list[BadRow] = field(default_factory=list)


@dataclass
class Totals:
    screened: int = 0
    matched: int = 0
    all_matches: int = 0
    bad: int = 0


class WorkerDied(RuntimeError):
    """A worker process was killed (out of memory, most likely): nothing was written."""


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# ---------------------------------------------------------------------- the input file


def count_lines(path: Path) -> int:
    """The number of lines of `path`, after checking that all of it is UTF-8:
    a bad byte at row 900,000 must stop the run before anything is written."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    lines, last = 0, b"\n"
    try:
        handle = path.open("rb")
    except OSError as error:
        raise BadInput(str(path), error.strerror or "cannot be read") from None
    with handle:
        while block := handle.read(1 << 20):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as error:
                line = lines + error.object[:error.start].count(b"\n") + 1
                raise BadInput(f"{path} line {line}", f"not UTF-8 text ({error.reason}); "
                               "save the file as UTF-8") from None
            lines += block.count(b"\n")
            last = block[-1:]
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            raise BadInput(f"{path} line {lines + 1}", f"not UTF-8 text ({error.reason})") from None
    return lines + (last != b"\n")  # a last line without its newline counts too


def _open_csv(path: Path) -> tuple[Any, Any]:
    handle = path.open(newline="", encoding="utf-8-sig")
    return handle, csv.reader(handle)


def find_columns(path: Path, name: str, id_: str | None = None, type_: str | None = None,
                 country: str | None = None, birth_date: str | None = None,
                 keep: list[str] | None = None) -> Columns:
    """The positions of the columns called so in the header of `path`: name is
    required; id defaults to a column 'id' when there is one. `keep`: the
    columns to copy into the report (None: every column not used for the
    query). A column asked for and not there is bad input naming it (field
    `<field>_column`) and the header seen."""
    handle, reader = _open_csv(path)
    with handle:
        try:
            header = next(reader, None)
        except csv.Error as error:
            raise BadInput(f"{path} line 1", f"broken CSV header: {error}") from None
    if not header or not any(cell.strip() for cell in header):
        raise BadInput(str(path), f"empty file: expected a header row with a column {name!r}")
    folded = [cell.strip().casefold() for cell in header]
    seen = ", ".join(repr(cell) for cell in header)

    def position(column: str | None, field: str) -> int | None:
        if column is None:
            return None
        if column in header:
            return header.index(column)
        if column.strip().casefold() in folded:
            return folded.index(column.strip().casefold())
        raise BadInput(f"{path} header", f"no column {column!r} ({FIELD}); the header has {seen}",
                       field=f"{field}_column")

    given = {"name": name, "type": type_, "country": country, "birth_date": birth_date}
    name_at = position(name, "name")
    assert name_at is not None
    used = [name_at, position(id_, "id") if id_ is not None else folded.index("id") if "id" in folded else None,
            position(type_, "type"), position(country, "country"), position(birth_date, "dob")]
    if keep is None:
        kept = [at for at in range(len(header)) if at not in used]
    else:
        kept = [at for column in keep if (at := position(column, "keep")) is not None]
    return Columns(
        name=name_at, id=used[1], type=used[2], country=used[3], birth_date=used[4], width=len(header),
        labels={field: f"column {column!r}" for field, column in given.items() if column is not None},
        kept=tuple(kept),
        kept_names=tuple(f"input_{header[at]}" if header[at] in BEST_COLUMNS else header[at] for at in kept),
    )


def read_rows(path: Path, columns: Columns) -> Iterator[Row | BadRow]:
    """The data rows of `path`, one at a time; a row with more cells than the
    header as a BadRow. Blank lines are not rows."""
    picks = [columns.id, columns.name, columns.type, columns.country, columns.birth_date]
    handle, reader = _open_csv(path)
    with handle:
        try:
            next(reader, None)
            for record in reader:
                if not record:
                    continue
                row = reader.line_num
                if len(record) > columns.width:
                    yield row, f"{len(record)} cells for {columns.width} columns (a comma in an unquoted name?)"
                    continue
                cells = [record[i] if i is not None and i < len(record) else "" for i in picks]
                kept = tuple(record[i] if i < len(record) else "" for i in columns.kept)
                yield row, cells[0] or str(row), cells[1], cells[2], cells[3], cells[4], kept
        except csv.Error as error:
            raise BadInput(f"{path} row {reader.line_num}", f"broken CSV: {error}") from None


def chunks(rows: Iterator[Row | BadRow], size: int = CHUNK_ROWS) -> Iterator[list[Row | BadRow]]:
    chunk: list[Row | BadRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# ---------------------------------------------------------------------- screening rows


@dataclass
class RowScreener:
    """Screens rows with one screener and threshold, remembering recent queries
    (the same counterparty often appears on many rows)."""

    screener: Screener
    threshold: float = DEFAULT_THRESHOLD
    labels: dict[str, str] = field(default_factory=dict)  # query field code -> how the file calls it
    memo: dict[tuple[str, str, str, str], tuple[tuple[str, ...], list[tuple[str, ...]]] | str] = field(
        default_factory=dict)

    def chunk(self, rows: list[Row | BadRow]) -> ScreenedChunk:
        result = ScreenedChunk(rows=len(rows))
        best_text, all_text = io.StringIO(), io.StringIO()
        best, every = SafeCsvWriter(best_text), SafeCsvWriter(all_text)
        for row in rows:
            if len(row) == 2:
                result.bad.append(row)  # type: ignore[arg-type]
                continue
            number, row_id, name, entity_type, country, birth_date, kept = row  # type: ignore[misc]
            found = self.cells(name, entity_type, country, birth_date)
            if isinstance(found, str):
                result.bad.append((number, found))
                continue
            cells, matches = found
            result.screened += 1
            result.matched += bool(matches)
            result.all_matches += len(matches)
            best.writerow((row_id, name.strip(), *cells, *kept))
            every.writerows((row_id, name.strip(), str(rank), *match) for rank, match in enumerate(matches, 1))
        result.best_csv, result.all_csv = best_text.getvalue(), all_text.getvalue()
        return result

    def cells(self, name: str, entity_type: str, country: str, birth_date: str
              ) -> tuple[tuple[str, ...], list[tuple[str, ...]]] | str:
        """(the best-match cells after id and name, the all-matches cells after
        id, name and rank) for one row, or what is wrong with it."""
        key = (name, entity_type, country, birth_date)
        found = self.memo.get(key)
        if found is None:
            found = self.screen_cells(*key)
            if len(self.memo) >= MEMO_SIZE:
                self.memo.clear()
            self.memo[key] = found
        return found

    def screen_cells(self, name: str, entity_type: str, country: str, birth_date: str
                     ) -> tuple[tuple[str, ...], list[tuple[str, ...]]] | str:
        if not name.strip():
            return "empty name"
        try:
            query = screen_query(name, entity_type.strip(), country.strip() or None, birth_date.strip() or None)
            hits = self.screener.screen(query, threshold=self.threshold, limit=ALL_HITS)
        except BadInput as problem:
            return problem.render(lambda code: self.labels.get(code, code))
        matches = [(hit.entity_id, hit.name, hit.source, f"{hit.score:.3f}", hit.explanation) for hit in hits]
        if not matches:
            return ("", "", "", "", "0"), []
        return (*matches[0][:4], str(len(matches))), matches


# ---------------------------------------------------------------------- a whole file, on every core

#: the worker process's own RowScreener, installed when it starts (inherited, not pickled: see fork)
_in_worker: RowScreener | None = None


def _install(rows: RowScreener, parent: int) -> None:
    global _in_worker  # noqa: PLW0603 (one per worker process, set once as it starts)
    _in_worker = rows
    die_with(parent)


def die_with(parent: int) -> None:
    """End this worker as soon as its parent is gone, however the parent ended
    (a SIGKILL runs no clean-up in it): the kernel signals the worker when the
    parent dies (Linux's PR_SET_PDEATHSIG), and a watch thread covers other
    systems and a parent that died before the signal was set."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _screen_in_worker(chunk: list[Row | BadRow]) -> ScreenedChunk:
    assert _in_worker is not None
    return _in_worker.chunk(chunk)


def screen_file(path: Path, columns: Columns, screener: Screener, out_path: Path, all_path: Path, *,
                threshold: float = DEFAULT_THRESHOLD, workers: int = 1,
                on_chunk: Callable[[ScreenedChunk], None] | None = None,
                beside: dict[Path, str] | None = None) -> Totals:
    """Screen the rows of `path` in `workers` processes, in input order, into
    the two reports (both replaced only when both are complete: `outputs.replacing`).
    `on_chunk` sees each chunk's result as it is written (for progress and its
    bad rows). `beside`: other files to write with the reports (a provenance
    sidecar), path -> text. WorkerDied when a worker is killed: then nothing is written."""
    rows = RowScreener(screener, threshold, columns.labels)
    work = chunks(read_rows(path, columns))
    parallel = workers > 1 and "fork" in multiprocessing.get_all_start_methods()
    totals = Totals()
    pool = None
    try:
        if parallel:
            gc.collect()
            gc.freeze()  # the index leaves the collector's view: workers never touch its pages for it
            # With fork the initializer's argument is inherited, not pickled. A pool executor, not
            # multiprocessing.Pool: a worker killed (out of memory) breaks it with an error, where
            # Pool would wait for the lost chunk forever.
            pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                       initializer=_install, initargs=(rows, os.getpid()))
        others = beside or {}
        with replacing(out_path, all_path, *others) as (best_path, every_path, *other_paths):
            for other, text in zip(other_paths, others.values(), strict=True):
                other.write_text(text, encoding="utf-8")
            write_reports(best_path, every_path, columns, rows, pool, work, workers, totals, on_chunk)
    except BrokenProcessPool:
        raise WorkerDied(f"a screening worker died (out of memory? try fewer workers); no report written "
                         f"for {path}") from None
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
            gc.unfreeze()
    return totals


def write_reports(best_path: Path, every_path: Path, columns: Columns, rows: RowScreener,
                  pool: ProcessPoolExecutor | None, work: Iterator[list[Row | BadRow]], workers: int,
                  totals: Totals, on_chunk: Callable[[ScreenedChunk], None] | None) -> None:
    with (best_path.open("w", newline="", encoding="utf-8") as best_file,
          every_path.open("w", newline="", encoding="utf-8") as all_file):
        SafeCsvWriter(best_file).writerow(columns.best_header())
        SafeCsvWriter(all_file).writerow(ALL_COLUMNS)
        for result in in_order(pool, work, workers) if pool else map(rows.chunk, work):
            totals.screened += result.screened
            totals.matched += result.matched
            totals.all_matches += result.all_matches
            totals.bad += len(result.bad)
            best_file.write(result.best_csv)
            all_file.write(result.all_csv)
            if on_chunk:
                on_chunk(result)


def in_order(pool: ProcessPoolExecutor, work: Iterator[list[Row | BadRow]], workers: int
             ) -> Iterator[ScreenedChunk]:
    """The results of screening `work` in the pool, in order (like Pool.imap),
    with at most CHUNKS_AHEAD chunks per worker in flight: imap and
    Executor.map read the whole input ahead, into memory."""
    pending: deque[Future[ScreenedChunk]] = deque()
    for chunk in work:
        pending.append(pool.submit(_screen_in_worker, chunk))
        if len(pending) >= workers * CHUNKS_AHEAD:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
