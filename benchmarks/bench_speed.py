"""Screening speed: index build, single-query latency and `screen-file`
throughput, with a brute-force rapidfuzz baseline measured in the same run.

    .venv/bin/python benchmarks/bench_speed.py [--rows 1000000] [--queries 2000] [--workers N]

- Index build: every list of ../shared/data read with banwatch.lists.sources.read_list,
  plus the catalog's parties, indexed by Screener.from_entities with their legal effects in a fresh process;
  its wall time and the process's peak RSS (parsing included). The same process
  saves the index with banwatch.match.cache and times reading it back.
- Single query: 2,000 generated queries screened in-process once the index is
  loaded (ScreenQuery validation included): a quarter names as listed, a quarter
  listed names with one or two typos, half random realistic names (Faker's name
  parts when Faker is installed, else a built-in generator).
- Baseline: `rapidfuzz.process.extractOne(q, all_names, scorer=fuzz.WRatio)` over
  every listed name and alias, on the same 2,000 queries: what screening by
  brute force costs. It finds a best string, not a ranked, explained match list.
- screen-file: the real CLI on a generated CSV of --rows names (96% random
  people and companies, 2% listed names, 2% typos of them), BANWATCH_HOME a
  temporary store where the same lists were loaded with `banwatch lists load`,
  the index cache warmed by one `banwatch screen`. Wall time of the whole
  command (start-up and index load included); names/s = rows / wall time.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
LISTS = [DATA / "ofac-sdn-2021", DATA / "ofac-consolidated", DATA / "un" / "consolidated.xml",
         DATA / "bis" / "dpl.txt", DATA / "bis" / "csl-sample.csv"]
PYTHON = ROOT / ".venv" / "bin" / "python"
PYTHON = PYTHON if PYTHON.exists() else Path(sys.executable)

TARGET_THROUGHPUT = 20_000  # names/s on this machine
TARGET_P99_MS = 10.0
TARGET_BUILD_S = 10.0
TARGET_BUILD_MB = 1024.0

BUILD_CHILD = """
import json, resource, sys, time
from pathlib import Path
rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
KEY = b"benchmark signing key, 32 bytes"  # the cache is signed; any key will do for the timing
started = time.perf_counter()
from banwatch.catalog import bundled_catalog
from banwatch.lists.catalog_parties import catalog_entities
from banwatch.lists.sources import read_list
from banwatch.match.cache import read_index, write_index
from banwatch.match.screen import Screener
from banwatch.lists.legal_effects import effects_by_entity
imported = time.perf_counter()
entities = [entity for path in sys.argv[2:] for entity in read_list(Path(path)).entities]
entities += catalog_entities(bundled_catalog()).entities
parsed = time.perf_counter()
rss_before = rss()
screener = Screener.from_entities(entities, effects_by_entity(entities))  # as the CLI builds it
built = time.perf_counter()
rss_built = rss()
path = Path(sys.argv[1])
write_index(path, "bench", screener.index, KEY)
saved = time.perf_counter()
assert read_index(path, "bench", KEY) is not None
loaded = time.perf_counter()
print(json.dumps({"parse_s": parsed - imported, "build_s": built - parsed, "peak_mb": rss_built,
                  "rss_before_build_mb": rss_before, "save_s": saved - built, "load_s": loaded - saved,
                  "entities": len(screener.index.entities), "names": len(screener.index.names),
                  "pickle_mb": path.stat().st_size / 1e6}))
"""

# ---------------------------------------------------------------- name generator

BUILT_IN_FIRST = """James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard
Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony Betty Mark Sandra Paul Ashley
Steven Kimberly Andrew Emily Kenneth Donna Joshua Michelle Kevin Carol Brian Amanda George Melissa Timothy Deborah
Hans Ursula Klaus Petra Jurgen Sabine Pierre Marie Jean Sophie Luis Carmen Jose Lucia Marco Giulia Giuseppe Chiara
Ivan Olga Sergei Natalia Dmitri Elena Ahmed Fatima Mohammed Aisha Omar Layla Wei Li Ming Hui Hiroshi Yuki Kenji Aiko
Raj Priya Arjun Ananya Mehmet Ayse Mustafa Zeynep Jan Anna Piotr Katarzyna Joao Ana Pedro Beatriz""".split()
BUILT_IN_LAST = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez
Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis
Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell
Mueller Schmidt Schneider Fischer Weber Meyer Wagner Becker Dubois Durand Leroy Moreau Rossi Russo Ferrari Esposito
Ivanov Smirnov Kuznetsov Popov Sokolov Lebedev Haddad Nasser Khalil Mansour Wang Zhang Liu Chen Yang Huang Sato Suzuki
Takahashi Tanaka Sharma Patel Singh Kumar Yilmaz Kaya Demir Sahin Kowalski Nowak Wisniewski Silva Santos Oliveira
Souza Pereira Costa""".split()
COMPANY_WORDS = """Global Trading Logistics Systems Holdings Industries Technologies Shipping Energy Capital Partners
Consulting Supply Services Solutions International Marine Group Investments Engineering Foods Textiles Metals
Chemicals Electronics Pharma Resources Ventures Agro Steel Export Import""".split()
LEGAL_FORMS = ["Ltd", "LLC", "Inc", "GmbH", "S.A.", "SARL", "Co.", "Limited", "AG", "OOO", "B.V.", "S.p.A.", ""]
FAKER_LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "pt_BR", "pl_PL", "tr_TR", "nl_NL",
                 "ru_RU", "ar_AA", "fa_IR", "zh_CN", "ja_JP", "hi_IN", "uk_UA", "vi_VN"]


def name_parts() -> tuple[list[str], list[str], str]:
    """(first names, last names, where they come from)."""
    try:
        from faker import Faker  # noqa: PLC0415
    except ImportError:
        return BUILT_IN_FIRST, BUILT_IN_LAST, "built-in name parts"
    firsts: set[str] = set()
    lasts: set[str] = set()
    for locale in FAKER_LOCALES:
        try:
            fake = Faker(locale)
        except AttributeError:
            continue
        person = next((p for p in fake.providers if type(p).__module__.startswith("faker.providers.person")), None)
        for attribute, bucket in (("first_names", firsts), ("first_names_male", firsts),
                                  ("first_names_female", firsts), ("last_names", lasts)):
            values = getattr(person, attribute, None) or ()
            bucket.update(str(value) for value in values)
    firsts.discard("")
    lasts.discard("")
    return sorted(firsts), sorted(lasts), f"Faker name parts ({len(FAKER_LOCALES)} locales)"


def typo(rng: random.Random, name: str) -> str:
    """One or two keyboard slips in the longer words of `name`."""
    words = name.split()
    for _ in range(rng.choice((1, 1, 2))):
        long_words = [i for i, word in enumerate(words) if len(word) >= 5]
        if not long_words:
            break
        i = rng.choice(long_words)
        word = words[i]
        at = rng.randrange(1, len(word) - 1)
        kind = rng.randrange(3)
        if kind == 0:
            word = word[:at] + word[at + 1] + word[at] + word[at + 2:]  # swap
        elif kind == 1:
            word = word[:at] + word[at + 1:]  # drop
        else:
            word = word[:at] + rng.choice("aeiounrst") + word[at + 1:]  # substitute
        words[i] = word
    return " ".join(words)


class Names:
    def __init__(self, listed: list[str], seed: int = 7):
        self.rng = random.Random(seed)
        self.firsts, self.lasts, self.origin = name_parts()
        self.listed = listed

    def random_person(self) -> str:
        rng = self.rng
        first, last = rng.choice(self.firsts), rng.choice(self.lasts)
        shape = rng.random()
        if shape < 0.55:
            return f"{first} {last}"
        if shape < 0.75:
            return f"{first} {rng.choice(self.firsts)} {last}"
        if shape < 0.85:
            return f"{first} {rng.choice('ABCDEFGHJKLMNPRSTW')}. {last}"
        if shape < 0.95:
            return f"{last.upper()}, {first}"
        return f"{first} {last}-{rng.choice(self.lasts)}"

    def random_company(self) -> str:
        rng = self.rng
        words = [rng.choice(self.lasts), *rng.sample(COMPANY_WORDS, rng.choice((1, 1, 2)))]
        return " ".join([*words, rng.choice(LEGAL_FORMS)]).strip()

    def one(self, listed_share: float, typo_share: float) -> str:
        pick = self.rng.random()
        if pick < listed_share:
            return self.rng.choice(self.listed)
        if pick < listed_share + typo_share:
            return typo(self.rng, self.rng.choice(self.listed))
        return self.random_person() if self.rng.random() < 0.8 else self.random_company()


# ---------------------------------------------------------------- measurements

def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def build_figures(scratch: Path) -> dict:
    result = subprocess.run([str(PYTHON), "-c", BUILD_CHILD, str(scratch / "index.pickle"), *map(str, LISTS)],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def latency_figures(scratch: Path, queries: int) -> tuple[dict, dict, str]:
    sys.path.insert(0, str(ROOT / "src"))
    from rapidfuzz import fuzz, process  # noqa: PLC0415

    from banwatch.match.cache import read_index  # noqa: PLC0415
    from banwatch.match.screen import Screener  # noqa: PLC0415
    from banwatch.model import ScreenQuery  # noqa: PLC0415

    index = read_index(scratch / "index.pickle", "bench", b"benchmark signing key, 32 bytes")
    assert index is not None
    screener = Screener(index)
    all_names = [name.text for name in index.names]
    primary = [entity.name for entity in index.entities]
    generator = Names(primary, seed=11)
    sample = [generator.one(0.25, 0.25) for _ in range(queries)]
    for name in [generator.one(0.25, 0.25) for _ in range(100)]:  # warm-up: first calls fill lazy caches
        screener.screen(ScreenQuery(name=name))

    def timed(run) -> dict:
        seconds = []
        started = time.perf_counter()
        for name in sample:
            before = time.perf_counter()
            run(name)
            seconds.append(time.perf_counter() - before)
        total = time.perf_counter() - started
        return {"rate": len(sample) / total, "p50_ms": percentile(seconds, 0.50) * 1e3,
                "p99_ms": percentile(seconds, 0.99) * 1e3}

    ours = timed(lambda name: screener.screen(ScreenQuery(name=name)))
    baseline = timed(lambda name: process.extractOne(name, all_names, scorer=fuzz.WRatio))
    return ours, baseline, generator.origin


def run_cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BANWATCH_")}
    environment["BANWATCH_HOME"] = str(home)
    return subprocess.run([str(PYTHON), "-m", "banwatch", *args], capture_output=True, text=True,
                          env=environment, check=False)


def throughput_figures(scratch: Path, rows: int, workers: int | None) -> dict:
    home = scratch / "home"
    for path in LISTS:
        loaded = run_cli("lists", "load", str(path), home=home)
        assert loaded.returncode == 0, loaded.stderr
    warm = run_cli("screen", "warm up the index cache", home=home)
    assert warm.returncode == 0, warm.stderr
    sys.path.insert(0, str(ROOT / "src"))
    from banwatch.lists.sources import read_list  # noqa: PLC0415

    listed = [e.name for path in LISTS for e in read_list(path).entities]
    generator = Names(listed, seed=23)
    names_csv = scratch / "names.csv"
    distinct: set[str] = set()
    with names_csv.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("id", "name"))
        for number in range(1, rows + 1):
            name = generator.one(0.02, 0.02)
            if len(distinct) < 5_000_000:
                distinct.add(name)
            writer.writerow((f"C{number:08d}", name))
    extra = ["--workers", str(workers)] if workers else []
    started = time.perf_counter()
    result = run_cli("screen-file", str(names_csv), "--out", str(scratch / "out.csv"), *extra, home=home)
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    with (scratch / "out.csv").open(newline="", encoding="utf-8") as handle:
        out_rows = sum(1 for _ in handle) - 1
        handle.seek(0)
        matched = sum(1 for row in csv.DictReader(handle) if row["match_id"])
    assert out_rows == rows, (out_rows, rows)
    return {"rows": rows, "seconds": seconds, "rate": rows / seconds, "distinct": len(distinct),
            "matched": matched, "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "workers": workers or len(os.sched_getaffinity(0))}


def spin(_: int) -> float:
    started = time.perf_counter()
    total = 0
    for number in range(15_000_000):
        total += number
    return time.perf_counter() - started


def parallel_speedup(cores: int) -> float:
    """How much faster `cores` processes get through `cores` CPU-bound jobs than
    one process does: the parallelism the machine really gives (a VM's vCPUs
    may share one physical core)."""
    import multiprocessing  # noqa: PLC0415

    one = spin(0)
    with multiprocessing.get_context("fork").Pool(cores) as pool:
        started = time.perf_counter()
        pool.map(spin, range(cores), chunksize=1)
        together = time.perf_counter() - started
    return cores * one / together


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="names in the screen-file run")
    parser.add_argument("--queries", type=int, default=2_000, help="single queries timed")
    parser.add_argument("--workers", type=int, default=None, help="screen-file --workers (default: all cores)")
    options = parser.parse_args()
    os.environ.pop("BANWATCH_HOME", None)
    cores = len(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as folder:
        scratch = Path(folder)
        build = build_figures(scratch)
        ours, baseline, origin = latency_figures(scratch, options.queries)
        flow = throughput_figures(scratch, options.rows, options.workers)
    speedup = parallel_speedup(cores)

    rows = [
        ("index build (5 lists + catalog parties)",
         f"{build['build_s']:.2f} s, peak RSS {build['peak_mb']:.0f} MB",
         "-", f"< {TARGET_BUILD_S:.0f} s, < 1 GB: "
         + verdict(build["build_s"] < TARGET_BUILD_S and build["peak_mb"] < TARGET_BUILD_MB)),
        ("  parsing the lists first (not in build time)", f"{build['parse_s']:.2f} s", "-", ""),
        ("  index cache: save / load", f"{build['save_s']:.2f} s / {build['load_s']:.2f} s "
         f"({build['pickle_mb']:.1f} MB)", "-", ""),
        (f"single query p50 ({options.queries:,} queries)", f"{ours['p50_ms']:.2f} ms",
         f"{baseline['p50_ms']:.2f} ms", ""),
        (f"single query p99 ({options.queries:,} queries)", f"{ours['p99_ms']:.2f} ms",
         f"{baseline['p99_ms']:.2f} ms", f"<= {TARGET_P99_MS:.0f} ms: {verdict(ours['p99_ms'] <= TARGET_P99_MS)}"),
        ("single queries in-process, 1 core", f"{ours['rate']:,.0f} names/s", f"{baseline['rate']:,.0f} names/s", ""),
        (f"screen-file {flow['rows']:,} names, {flow['workers']} workers on {cores} cores",
         f"{flow['rate']:,.0f} names/s ({flow['seconds']:.1f} s, peak RSS {flow['peak_mb']:.0f} MB/process)",
         f"{baseline['rate'] * cores:,.0f} names/s (x{cores} cores, est.)",
         f">= {TARGET_THROUGHPUT:,} names/s: {verdict(flow['rate'] >= TARGET_THROUGHPUT)}"),
        (f"  CPU parallelism available: {cores} processes vs 1", f"x{speedup:.2f}", "-", ""),
    ]
    header = ("what", "banwatch", "baseline: rapidfuzz extractOne WRatio", "target")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print(f"Index: {build['entities']:,} entities, {build['names']:,} names. Queries: {origin}; "
          f"single queries 25% listed, 25% typos, 50% random; screen-file names 2% listed, 2% typos, "
          f"{flow['distinct'] / flow['rows']:.0%} distinct, {flow['matched']:,} rows matched.")
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
