"""`banwatch screen`: fuzzy name screening against every loaded list."""

from __future__ import annotations

import codecs
import csv
import gc
import io
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from banwatch.cli.common import EXIT_BAD_INPUT, err, out, print_json, reports_bad_input
from banwatch.errors import BadInput
from banwatch.match.screen import DEFAULT_LIMIT, DEFAULT_THRESHOLD, Screener
from banwatch.model import ScreenQuery
from banwatch.screening import load_screener


def query_from(name: str, entity_type: str | None, country: str | None, dob: str | None,
               identifiers: list[str] | None, where: str = "") -> ScreenQuery:
    from pydantic import ValidationError  # noqa: PLC0415

    if len(name) > 500:
        raise BadInput(f"{where}name" if where else "NAME", f"{len(name):,} characters is longer than any name (500 at most)")
    try:
        return ScreenQuery(name=name, type=entity_type or None, country=country, birth_date=dob,
                           identifiers=identifiers or [])
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "name"
        flag = {"birth_date": "dob"}.get(field, field)
        raise BadInput(f"{where}{flag}" if where else f"--{flag}" if flag != "name" else "NAME",
                       first["msg"].removeprefix("Value error, ")) from None


@reports_bad_input
def screen(
    name: Annotated[str, typer.Argument(help="The name to screen, in any script.")],
    entity_type: Annotated[str | None, typer.Option("--type", help="person, organization, vessel or aircraft.")]
    = None,
    country: Annotated[str | None, typer.Option(help="ISO country code tied to the name.")] = None,
    dob: Annotated[str | None, typer.Option(help="Date or year of birth, YYYY or YYYY-MM-DD.")] = None,
    identifier: Annotated[list[str] | None, typer.Option("--id", help="Passport, IMO, registration ... "
                                                          "(repeatable).")] = None,
    threshold: Annotated[float, typer.Option(help="Lowest score reported.")] = DEFAULT_THRESHOLD,
    limit: Annotated[int, typer.Option(help="Most hits reported.")] = DEFAULT_LIMIT,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Screen one name against every loaded list and the catalog, ranked and explained."""
    query = query_from(name, entity_type, country, dob, identifier)
    with err.status("Loading the screening index"):
        screener = load_screener()
    hits = screener.screen(query, threshold=threshold, limit=limit)
    if as_json:
        print_json({"query": query.model_dump(mode="json", exclude_defaults=True), "threshold": threshold,
                    "matches": [hit.model_dump(mode="json") for hit in hits]})
        return
    if not hits:
        out.print(f"No match at or above {threshold:.2f} for '{query.name}' "
                  f"({len(screener.index.entities):,} listed entities screened).", markup=False)
        return
    table = Table(title=f"{len(hits)} match(es) for '{query.name}'")
    for column in ("score", "entity", "listed name", "source", "programs"):
        table.add_column(column, overflow="fold")
    for hit in hits:
        table.add_row(f"{hit.score:.2f}", hit.entity_id, hit.name, hit.source, ", ".join(hit.programs[:3]))
    out.print(table)
    for hit in hits:
        out.print(f"• {hit.explanation}", markup=False)


# ---------------------------------------------------------------------- screen-file

#: rows sent to a worker at a time: large enough that passing them costs little
CHUNK_ROWS = 1000
#: chunks in flight per worker: keeps every worker busy while only a few
#: thousand rows are held in memory, however long the file
CHUNKS_AHEAD = 4
#: distinct queries a worker remembers: the same counterparty often appears on many rows
MEMO_SIZE = 50_000
#: a match list with no limit: every hit at or above the threshold
ALL_HITS = 1_000_000
OUT_COLUMNS = ("id", "name", "match_id", "match_name", "match_source", "score", "match_count")
ALL_COLUMNS = ("id", "name", "rank", "match_id", "match_name", "match_source", "score", "explanation")

# The worker's state, set in the parent before the pool forks so that every
# worker shares the one index copy-on-write instead of building or unpickling its own.
_screener: Screener | None = None
_threshold = DEFAULT_THRESHOLD
_memo: dict[tuple, tuple[tuple[str, ...], list[tuple[str, ...]]] | str] = {}
_column_names: dict[str, str] = {}  # query_from's name for a field -> the file's column

# a row as the parent reads it: (row number, id, name, type, country, dob)
RawRow = tuple[int, str, str, str, str, str]
# what a worker returns for it: (row number, OUT row, ALL rows) or (row number, problem, None)
Screened = tuple[int, tuple[str, ...] | str, list[tuple[str, ...]] | None]


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
    bad: list[tuple[int, str]] = field(default_factory=list)  # (row number, problem)


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@reports_bad_input
def screen_file(
    names: Annotated[Path, typer.Argument(help="CSV file with a header row and a column of names.")],
    out_path: Annotated[Path | None, typer.Option("--out", help="One row per input row with its best match. "
                                                  "Default: NAMES-screened.csv")] = None,
    name_column: Annotated[str, typer.Option(help="Column holding the names.")] = "name",
    id_column: Annotated[str | None, typer.Option(help="Column holding the row's own id; default: 'id' "
                                                  "when there is one, else the row number.")] = None,
    type_column: Annotated[str | None, typer.Option(help="Column with person, organization, vessel or "
                                                    "aircraft.")] = None,
    country_column: Annotated[str | None, typer.Option(help="Column with an ISO country code.")] = None,
    dob_column: Annotated[str | None, typer.Option(help="Column with a birth date, YYYY or YYYY-MM-DD.")]
    = None,
    all_path: Annotated[Path | None, typer.Option("--all-matches", help="Every match at or above the "
                                                  "threshold, explained. Default: OUT-all.csv")] = None,
    threshold: Annotated[float, typer.Option(help="Lowest score reported.", min=0.0, max=1.0)]
    = DEFAULT_THRESHOLD,
    workers: Annotated[int | None, typer.Option(help="Processes screening in parallel; default: every core.",
                                                min=1)] = None,
) -> None:
    """Screen every name of a CSV file against the loaded lists, on every core."""
    started = time.perf_counter()
    out_path = out_path or names.with_name(f"{names.stem}-screened.csv")
    all_path = all_path or out_path.with_name(f"{out_path.stem}-all{out_path.suffix or '.csv'}")
    workers = workers or default_workers()
    lines = check_utf8(names)
    columns = resolve_columns(names, name_column, id_column, type_column, country_column, dob_column)
    if len({names.resolve(), out_path.resolve(), all_path.resolve()}) < 3:
        raise BadInput("--out", f"{names}, {out_path} and {all_path} must be three different files")
    with err.status("Loading the screening index"):
        screener = load_screener()
    counts = screen_rows(names, columns, screener, threshold, workers, out_path, all_path,
                         max(lines - 1, 0))
    seconds = time.perf_counter() - started
    out.print(f"Screened {counts['screened']:,} names from {names} against "
              f"{len(screener.index.entities):,} listed entities in {seconds:.1f} s "
              f"({counts['screened'] / max(seconds, 1e-9):,.0f} names/s, {workers} worker(s)): "
              f"{counts['matched']:,} with a match at or above {threshold:.2f}.", markup=False)
    out.print(f"Reports: {out_path} (best match per row) and {all_path} ({counts['all']:,} matches)",
              markup=False)
    if counts["bad"]:
        err.print(f"banwatch: error: {counts['bad']:,} bad row(s) in {names} were skipped; "
                  f"the other {counts['screened']:,} were screened.", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT)


def check_utf8(path: Path) -> int:
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


def open_csv(path: Path) -> tuple[Any, Any]:
    handle = path.open(newline="", encoding="utf-8-sig")
    return handle, csv.reader(handle)


def resolve_columns(path: Path, name: str, id_: str | None, type_: str | None, country: str | None,
                    dob: str | None) -> dict[str, Any]:
    """Column positions in the header of `path`: name (required), then id, type,
    country and dob (None when not used). A column asked for and not there is
    bad input naming it and the header seen."""
    handle, reader = open_csv(path)
    with handle:
        try:
            header = next(reader, None)
        except csv.Error as error:
            raise BadInput(f"{path} line 1", f"broken CSV header: {error}") from None
    if not header or not any(cell.strip() for cell in header):
        raise BadInput(str(path), f"empty file: expected a header row with a column {name!r}")
    folded = [cell.strip().casefold() for cell in header]
    seen = ", ".join(repr(cell) for cell in header)

    def position(column: str, flag: str) -> int:
        if column in header:
            return header.index(column)
        if column.strip().casefold() in folded:
            return folded.index(column.strip().casefold())
        raise BadInput(f"{path} header", f"no column {column!r} ({flag}); the header has {seen}")

    return {
        "name": position(name, "--name-column"),
        "id": position(id_, "--id-column") if id_ is not None else folded.index("id") if "id" in folded else None,
        "type": position(type_, "--type-column") if type_ is not None else None,
        "country": position(country, "--country-column") if country is not None else None,
        "dob": position(dob, "--dob-column") if dob is not None else None,
        "width": len(header),
        "names": {"name": name, "type": type_, "country": country, "dob": dob},
    }


def read_rows(path: Path, columns: dict[str, Any]) -> Iterator[RawRow | tuple[int, str]]:
    """The data rows of `path` as RawRow, one at a time; a row with more cells
    than the header as (row number, problem). Blank lines are not rows."""
    width = columns["width"]
    picks = [columns[key] for key in ("id", "name", "type", "country", "dob")]
    handle, reader = open_csv(path)
    with handle:
        try:
            next(reader, None)
            for record in reader:
                if not record:
                    continue
                row = reader.line_num
                if len(record) > width:
                    yield row, f"{len(record)} cells for {width} columns (a comma in an unquoted name?)"
                    continue
                cells = [record[i] if i is not None and i < len(record) else "" for i in picks]
                yield row, cells[0] or str(row), cells[1], cells[2], cells[3], cells[4]
        except csv.Error as error:
            raise BadInput(f"{path} row {reader.line_num}", f"broken CSV: {error}") from None


def chunks(rows: Iterator[RawRow | tuple[int, str]], size: int) -> Iterator[list]:
    chunk: list = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def screen_rows(path: Path, columns: dict[str, Any], screener: Screener, threshold: float, workers: int,
                out_path: Path, all_path: Path, expected_rows: int) -> dict[str, int]:
    """Screen the rows of `path` in `workers` processes, in order, into the two
    reports (written under temporary names, renamed when complete)."""
    global _screener, _threshold  # noqa: PLW0603 (the workers' state, inherited through fork)
    _screener, _threshold = screener, threshold
    _memo.clear()
    _column_names.clear()
    _column_names.update({f"column {field}": f"column {name!r}" for field, name in columns["names"].items()})
    counts = {"screened": 0, "matched": 0, "all": 0, "bad": 0}
    work = chunks(read_rows(path, columns), CHUNK_ROWS)
    parallel = workers > 1 and "fork" in multiprocessing.get_all_start_methods()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    all_path.parent.mkdir(parents=True, exist_ok=True)
    temporary = [out_path.with_name(f".{out_path.name}.partial"), all_path.with_name(f".{all_path.name}.partial")]
    pool = None
    try:
        if parallel:
            gc.collect()
            gc.freeze()  # the index leaves the collector's view: workers never touch its pages for it
            # A pool executor, not multiprocessing.Pool: a worker killed (out of memory) breaks
            # it with an error, where Pool would wait for the lost chunk forever.
            pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
        with (temporary[0].open("w", newline="", encoding="utf-8") as best_file,
              temporary[1].open("w", newline="", encoding="utf-8") as all_file,
              Progress(TextColumn("Screening"), BarColumn(), MofNCompleteColumn(), TextColumn("rows"),
                       TimeRemainingColumn(), console=err, transient=True,
                       disable=not err.is_terminal) as progress):
            best, every = csv.writer(best_file), csv.writer(all_file)
            best.writerow(OUT_COLUMNS)
            every.writerow(ALL_COLUMNS)
            task = progress.add_task("rows", total=expected_rows or None)
            results = in_order(pool, work, workers) if pool else map(screen_chunk, work)
            for result in results:
                for row, problem in result.bad:
                    err.print(f"banwatch: bad row: {path} row {row}: {problem}", markup=False)
                counts["bad"] += len(result.bad)
                counts["screened"] += result.screened
                counts["matched"] += result.matched
                counts["all"] += result.all_matches
                best_file.write(result.best_csv)
                all_file.write(result.all_csv)
                progress.advance(task, result.rows)
        os.replace(temporary[0], out_path)
        os.replace(temporary[1], all_path)
    except BrokenProcessPool:
        err.print(f"banwatch: error: a screening worker died (out of memory? try fewer --workers); "
                  f"no report written for {path}", markup=False)
        raise typer.Exit(1) from None
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
            gc.unfreeze()
        for partial in temporary:
            partial.unlink(missing_ok=True)
    return counts


def in_order(pool: ProcessPoolExecutor, work: Iterator[list], workers: int) -> Iterator[ScreenedChunk]:
    """The results of screen_chunk over `work`, in order (like Pool.imap), with
    at most CHUNKS_AHEAD chunks per worker in flight: imap and Executor.map read
    the whole input ahead, into memory."""
    pending: deque[Future] = deque()
    for chunk in work:
        pending.append(pool.submit(screen_chunk, chunk))
        if len(pending) >= workers * CHUNKS_AHEAD:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def screen_chunk(chunk: list) -> ScreenedChunk:
    result = ScreenedChunk(rows=len(chunk))
    best_text, all_text = io.StringIO(), io.StringIO()
    best, every = csv.writer(best_text), csv.writer(all_text)
    for raw in chunk:
        row, outcome, matches = screen_row(raw)
        if matches is None:
            result.bad.append((row, outcome))
            continue
        result.screened += 1
        result.matched += bool(outcome[2])
        result.all_matches += len(matches)
        best.writerow(outcome)
        every.writerows(matches)
    result.best_csv, result.all_csv = best_text.getvalue(), all_text.getvalue()
    return result


def screen_row(raw: RawRow | tuple[int, str]) -> Screened:
    if len(raw) == 2:
        return raw[0], raw[1], None
    row, row_id, name, entity_type, country, dob = raw
    key = (name, entity_type, country, dob)
    found = _memo.get(key)
    if found is None:
        found = screen_cells(name, entity_type, country, dob)
        if len(_memo) >= MEMO_SIZE:
            _memo.clear()
        _memo[key] = found
    if isinstance(found, str):
        return row, found, None
    best, matches = found
    return (row, (row_id, name.strip(), *best),
            [(row_id, name.strip(), str(rank), *match) for rank, match in enumerate(matches, 1)])


def screen_cells(name: str, entity_type: str, country: str, dob: str
                 ) -> tuple[tuple[str, ...], list[tuple[str, ...]]] | str:
    """(the OUT cells after id and name, the ALL cells after id, name and rank)
    for one row, or what is wrong with it."""
    assert _screener is not None
    if not name.strip():
        return "empty name"
    try:
        query = query_from(name, entity_type.strip(), country.strip() or None, dob.strip() or None, None,
                           where="column ")
        hits = _screener.screen(query, threshold=_threshold, limit=ALL_HITS)
    except BadInput as problem:
        return f"{_column_names.get(problem.where, problem.where)}: {problem.problem}"
    matches: list[tuple[str, ...]] = [(hit.entity_id, hit.name, hit.source, f"{hit.score:.3f}", hit.explanation)
                                      for hit in hits]
    if not matches:
        return ("", "", "", "", "0"), []
    first = matches[0]
    return (*first[:4], str(len(matches))), matches
