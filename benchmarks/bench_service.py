"""The HTTP service under load: `banwatch serve --workers 2` answering
POST /v1/screen on loopback, with a brute-force screening service measured
in the same run on the same names.

    .venv/bin/python benchmarks/bench_service.py [--seconds 60] [--connections 8] [--baseline-seconds 10]
                                                 [--swap-seconds 30] [--postgres-seconds 30] [--postgres URL]

- Store: a temporary BANWATCH_HOME with the five lists of bench_speed loaded by
  `banwatch lists load`, and one analyst key made by `banwatch keys create`.
- Load: --connections concurrent HTTP/1.1 keep-alive connections (asyncio,
  one process, a minimal client: see Connection) sending `POST /v1/screen` with a realistic mix, 25%
  names as listed, 25% listed names with one or two typos, 50% random people
  and companies (bench_speed's generator), for --seconds; every request
  counted: answered 200, or an error (any other status, a timeout, a broken
  connection). Latency from send to the whole body read.
- Memory: each uvicorn worker's resident set (/proc/PID/status VmRSS) at the end.
- The load generator's own CPU: its process's user+system time over the run's
  wall time (1.0 = one whole core of the two the service also runs on).
- Swap: the same load for --swap-seconds while `banwatch lists load` loads the
  SDN list again a third of the way in (a new snapshot: every worker builds
  its index anew on its next request); errors must stay 0, and every answer
  after the load must name the new snapshot.
- PostgreSQL: the main load again for --postgres-seconds with the store in
  PostgreSQL (BANWATCH_DATABASE_URL: the lists loaded into a database made for
  the run on --postgres, dropped after).
- Baseline: the same load for --baseline-seconds against a minimal FastAPI
  service, also on uvicorn with 2 workers, that screens by brute force:
  rapidfuzz `process.extractOne(name, every listed name, scorer=WRatio)`.
  (yente's own documentation gives about 4 /match requests a second per vCPU
  with its default matcher; it needs Elasticsearch, which does not run here.)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_speed import LISTS, PYTHON, ROOT, Names, percentile  # noqa: E402

TARGET_RATE = 500.0
TARGET_P99_MS = 50.0

BASELINE_APP = textwrap.dedent("""
    import os
    from fastapi import FastAPI, Request
    from rapidfuzz import fuzz, process
    from banwatch.context import Context

    context = Context.from_environment()
    NAMES = [name for snap in context.snapshots() for entity in context.store.entities(snap.id)
             for name in [entity.name, *(alias.name for alias in entity.aliases)]]
    app = FastAPI()

    @app.post("/v1/screen")
    async def screen(request: Request):
        body = await request.json()
        best = process.extractOne(body["name"], NAMES, scorer=fuzz.WRatio)
        return {"hits": [{"name": best[0], "score": best[1] / 100}] if best and best[1] >= 80 else []}
""")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(home: Path, database: str | None = None) -> dict[str, str]:
    chosen = {"BANWATCH_HOME": str(home), **({"BANWATCH_DATABASE_URL": database} if database else {})}
    return {**{k: v for k, v in os.environ.items() if not k.startswith("BANWATCH_")}, **chosen}


def banwatch(home: Path, *args: str, database: str | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(PYTHON), "-m", "banwatch", *args], env=environment(home, database),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def wait_ready(base: str, process: subprocess.Popen, workers: int, path: str = "/readyz") -> None:
    """Until `workers` answers in a row are ready (each worker builds its index as it starts)."""
    deadline, ready = time.monotonic() + 300, 0
    while ready < workers * 4:
        assert time.monotonic() < deadline, "the service did not get ready in 300 s"
        assert process.poll() is None, "the service ended"
        try:
            ready = ready + 1 if httpx.get(base + path, timeout=5).status_code < 500 else 0
        except httpx.TransportError:
            ready = 0
            time.sleep(0.3)


def worker_rss_mb(parent: int) -> list[float]:
    """VmRSS of each worker process of `parent` (uvicorn's workers are
    multiprocessing's spawned children; its resource tracker is not one)."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            if b"spawn_main" not in (entry / "cmdline").read_bytes():
                continue
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(parent) and "VmRSS" in fields:
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(sizes)


class Connection:
    """One keep-alive HTTP/1.1 connection sending prepared POSTs and reading
    each answer by its Content-Length. Written here, not httpx: httpx spent
    ~3 ms of CPU a request, so the load generator took a whole core of the two
    the service runs on; this takes a few hundredths of a millisecond."""

    def __init__(self, host: str, port: int, key: str):
        self.host, self.port = host, port
        self.head = (f"POST /v1/screen HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: ApiKey {key}\r\n"
                     "Content-Type: application/json\r\nContent-Length: ")
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(f"{self.head}{len(body)}\r\n\r\n".encode() + body)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return int(status_line.split()[1]), await self.reader.readexactly(length)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def load(base: str, key: str, names: list[str], seconds: float, connections: int,
               during: asyncio.Future | None = None) -> dict:
    """Send the names round-robin from `connections` clients for `seconds`."""
    latencies: list[float] = []
    errors: list[str] = []
    snapshots: list[tuple[float, int]] = []
    host, port = base.removeprefix("http://").split(":")
    bodies = [json.dumps({"name": name}).encode() for name in names]
    started = time.perf_counter()
    stop = started + seconds

    async def one_client(number: int) -> None:
        connection = Connection(host, int(port), key)
        position = number
        try:
            while time.perf_counter() < stop:
                body = bodies[position % len(bodies)]
                position += connections
                sent = time.perf_counter()
                try:
                    status, answer = await connection.post(body)
                except (OSError, asyncio.IncompleteReadError, ConnectionError) as error:
                    errors.append(f"{type(error).__name__}: {error}")
                    connection.close()
                    connection = Connection(host, int(port), key)
                    continue
                latencies.append(time.perf_counter() - sent)
                if status != 200:
                    errors.append(f"{status} {answer[:100]!r}")
                elif during is not None:
                    lists = json.loads(answer).get("provenance", {}).get("lists", [])
                    snapshots.append((sent - started, max((item["snapshot_id"] for item in lists), default=0)))
        finally:
            connection.close()

    await asyncio.gather(*(one_client(n) for n in range(connections)))
    wall = time.perf_counter() - started
    return {"requests": len(latencies), "errors": errors, "wall": wall, "rate": len(latencies) / wall,
            "p50": percentile(latencies, 0.50) * 1000 if latencies else 0.0,
            "p99": percentile(latencies, 0.99) * 1000 if latencies else 0.0,
            "max": max(latencies, default=0.0) * 1000, "snapshots": snapshots}


def measured_load(base: str, key: str, names: list[str], seconds: float, connections: int) -> dict:
    before = resource.getrusage(resource.RUSAGE_SELF)
    result = asyncio.run(load(base, key, names, seconds, connections))
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {**result, "generator_cores": cpu / result["wall"]}


def swap_load(base: str, key: str, names: list[str], seconds: float, connections: int, home: Path) -> dict:
    async def run() -> dict:
        loop = asyncio.get_running_loop()
        during: asyncio.Future = loop.create_future()

        async def swap() -> None:
            await asyncio.sleep(seconds / 3)
            done = await loop.run_in_executor(None, lambda: banwatch(home, "lists", "load", str(LISTS[0])))
            during.set_result(time.perf_counter())
            print(f"  swap: {done.stdout.strip().splitlines()[-1]}", file=sys.stderr)

        swapping = asyncio.ensure_future(swap())
        result = await load(base, key, names, seconds, connections, during)
        await swapping
        return result

    return asyncio.run(run())


def start(command: list[str], home: Path, base: str, workers: int, ready: str,
          database: str | None = None) -> subprocess.Popen:
    process = subprocess.Popen(command, env=environment(home, database), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    wait_ready(base, process, workers, ready)
    return process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


@contextlib.contextmanager
def fresh_database(server: str):
    """A new database on `server` (a URL of its maintenance database), dropped after."""
    import psycopg  # noqa: PLC0415

    name = f"bench_service_{os.getpid()}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server.rpartition('/')[0]}/{name}"
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_run(folder: Path, server: str, key_names: list[str], options: argparse.Namespace) -> dict:
    """The main load again, with the store in PostgreSQL: the lists loaded into a new database."""
    with fresh_database(server) as database:
        home = folder / "postgres-home"
        for path in LISTS:
            banwatch(home, "lists", "load", str(path), database=database)
        key = json.loads(banwatch(home, "keys", "create", "bench", "--role", "analyst", "--json",
                                  database=database).stdout)["key"]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        service = start([str(PYTHON), "-m", "banwatch", "serve", "--port", str(port), "--workers",
                         str(options.workers)], home, base, options.workers, "/readyz", database)
        try:
            return measured_load(base, key, key_names, options.postgres_seconds, options.connections)
        finally:
            stop(service)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--swap-seconds", type=float, default=30.0)
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgres-seconds", type=float, default=30.0)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL server's maintenance database, where a database is made for the run "
                             "('none': no PostgreSQL run)")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-service-") as folder:
        home = Path(folder) / "home"
        for path in LISTS:
            banwatch(home, "lists", "load", str(path))
        key = json.loads(banwatch(home, "keys", "create", "bench", "--role", "analyst", "--json").stdout)["key"]
        sys.path.insert(0, str(ROOT / "src"))
        from banwatch.lists.sources import read_list  # noqa: PLC0415

        listed = [entity.name for path in LISTS for entity in read_list(path).entities]
        generator = Names(listed, seed=31)
        names = [generator.one(0.25, 0.25) for _ in range(200_000)]
        random.Random(5).shuffle(names)

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        service = start([str(PYTHON), "-m", "banwatch", "serve", "--port", str(port), "--workers",
                         str(options.workers)], home, base, options.workers, "/readyz")
        try:
            ours = measured_load(base, key, names, options.seconds, options.connections)
            memory = worker_rss_mb(service.pid)
            swapped = swap_load(base, key, names[len(names) // 2:], options.swap_seconds, options.connections, home)
        finally:
            stop(service)

        app_file = Path(folder) / "brute_force_service.py"
        app_file.write_text(BASELINE_APP, encoding="utf-8")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        baseline = start([str(PYTHON), "-m", "uvicorn", "--app-dir", folder, "brute_force_service:app", "--port",
                          str(port), "--workers", str(options.workers), "--log-level", "warning"], home, base,
                         options.workers, "/docs")
        try:
            theirs = measured_load(base, key, names, options.baseline_seconds, options.connections)
        finally:
            stop(baseline)
        on_postgres = postgres_run(Path(folder), options.postgres, names, options) \
            if options.postgres != "none" else None

    after_swap = [snap for when, snap in swapped["snapshots"] if when > options.swap_seconds / 3 + 15]
    new_id = max((snap for _when, snap in swapped["snapshots"]), default=0)
    cores = len(os.sched_getaffinity(0))
    rows = [
        ("requests/s (POST /v1/screen)", f"{ours['rate']:,.0f} ({ours['requests']:,} in {ours['wall']:.0f} s)",
         f"{theirs['rate']:,.1f} ({theirs['requests']:,} in {theirs['wall']:.0f} s)",
         f">= {TARGET_RATE:,.0f}: {'met' if ours['rate'] >= TARGET_RATE else 'MISSED'}"),
        ("latency p50 / p99", f"{ours['p50']:.1f} / {ours['p99']:.1f} ms", f"{theirs['p50']:.0f} / {theirs['p99']:.0f} ms",
         f"p99 <= {TARGET_P99_MS:.0f} ms: {'met' if ours['p99'] <= TARGET_P99_MS else 'MISSED'}"),
        ("errors", f"{len(ours['errors'])}", f"{len(theirs['errors'])}",
         f"0: {'met' if not ours['errors'] else 'MISSED'}"),
        ("memory per worker (RSS)", ", ".join(f"{mb:,.0f} MB" for mb in memory) or "?", "-", "-"),
        ("load generator CPU (of the machine's cores)", f"{ours['generator_cores']:.2f} of {cores}",
         f"{theirs['generator_cores']:.2f} of {cores}", "-"),
        (f"with `lists load` at {options.swap_seconds / 3:.0f} s of {options.swap_seconds:.0f} s",
         f"{swapped['rate']:,.0f} requests/s, p99 {swapped['p99']:.0f} ms, max {swapped['max']:,.0f} ms "
         f"(a worker rebuilding its index), {len(swapped['errors'])} errors",
         "-", f"0 errors: {'met' if not swapped['errors'] else 'MISSED'}"),
        ("  answers 15 s after the load naming the new snapshot",
         f"{sum(1 for snap in after_swap if snap == new_id):,} of {len(after_swap):,} (snapshot {new_id})", "-", "all"),
        ("the same against the PostgreSQL store",
         f"{on_postgres['rate']:,.0f} requests/s, p50 {on_postgres['p50']:.1f} / p99 {on_postgres['p99']:.1f} ms, "
         f"{len(on_postgres['errors'])} errors ({on_postgres['wall']:.0f} s)" if on_postgres else "not run",
         "-", f"0 errors: {'met' if on_postgres and not on_postgres['errors'] else 'MISSED'}"),
    ]
    header = ("what", "banwatch serve", "baseline: brute-force rapidfuzz service", "target")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print(f"{len(names):,} names (25% listed, 25% typos, 50% random), {options.connections} connections, "
          f"{options.workers} workers, {cores} cores, loopback; the service and the load generator share the cores.")
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    for error in (ours["errors"] + swapped["errors"])[:5]:
        print(f"ERROR: {error}")


if __name__ == "__main__":
    main()
