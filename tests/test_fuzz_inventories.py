"""Fuzzing every inventory reader, and the format detection, with hypothesis.

The property: scanning a file either succeeds or reports the project's own
BadInput for it, in one line (the CLI prints it and exits 2); never any other
exception, which the CLI would show as a traceback and which would stop the
other inventories of the scan from being scanned.

The inputs are hostile files made from the real-looking samples of
src/banwatch/samples/estate: random bytes, truncations, flipped, inserted and
deleted bytes, NUL bytes, huge fields, wrong encodings and line ends, and per
format the lines of an osquery log, the values of JSON documents (deep
nesting, huge numbers, wrong types), the elements and attributes of XML (with
DOCTYPEs and entity declarations) and the cells of a CSV export.

A run tries FUZZ_EXAMPLES inputs per test, 200 by default, the same ones on
every run (derandomized: CI does not fail on a new random draw). For a longer
run with fresh random inputs set BANWATCH_FUZZ_EXAMPLES:

    BANWATCH_FUZZ_EXAMPLES=3000 .venv/bin/python -m pytest tests/test_fuzz_inventories.py \\
        --hypothesis-show-statistics

A failure prints the smallest input found, and a @reproduce_failure(...)
line that replays it when put on the test.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from banwatch.catalog import bundled_catalog
from banwatch.errors import BadInput
from banwatch.estate.inventories import detect_format
from banwatch.estate.scan import scan

SAMPLES = Path(__file__).resolve().parents[1] / "src" / "banwatch" / "samples" / "estate"
TODAY = dt.date(2026, 11, 23)
FORMATS = {"osquery-log", "osquery-json", "cyclonedx-json", "cyclonedx-xml", "spdx-json", "spdx-tag-value",
           "nmap", "csv"}

FUZZ_EXAMPLES = int(os.environ.get("BANWATCH_FUZZ_EXAMPLES") or 200)
LONG_RUN = bool(os.environ.get("BANWATCH_FUZZ_EXAMPLES"))
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,  # a scan starts DuckDB, and a huge field takes longer than hypothesis' 200 ms
    derandomize=not LONG_RUN,
    database=None,  # nothing written into the checkout
    print_blob=True,  # a failure prints the @reproduce_failure(...) that replays it
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


@pytest.fixture(scope="module")
def measures():
    return bundled_catalog()


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz-inventories")


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def check(folder: Path, name: str, data: bytes, measures) -> None:
    """Scan `data` saved as `name` (the name matters: a single host's osqueryi
    output takes its host from it): findings, or BadInput in one line."""
    result = scan([write(folder, name, data)], measures, TODAY)
    for problem in result.problems:
        assert isinstance(problem, BadInput)
        line = problem.render()
        assert line and "\n" not in line and "\r" not in line, repr(line)
    if not result.problems:
        assert len(result.inventories) == 1


# --------------------------------------------------------------------------- hostile bytes

def weighted(*choices: tuple[int, st.SearchStrategy]) -> st.SearchStrategy:
    """One of the strategies, each `weight` times as likely as one of weight 1."""
    pool = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.sampled_from(pool).flatmap(lambda strategy: strategy)


#: byte strings to splice into a file: markup, delimiters, broken UTF-8, BOMs, NULs, numbers
TOKENS = [
    b'"', b'""', b"'", b",", b";", b"\t", b"\n", b"\r", b"\r\n", b"\x00", b"\x00" * 8, b"\\", b"\\u0000",
    b"\\ud800", b"{", b"}", b"[", b"]", b":", b"<", b">", b"</", b"/>", b"&", b"&amp;", b"&#0;", b"&#x110000;",
    b"&undefined;", b"]]>", b"<![CDATA[", b"<!--", b"-->", b"<?xml version='1.0'?>",
    b'<!DOCTYPE x [<!ENTITY a "b">]>', b'<!DOCTYPE x SYSTEM "file:///etc/passwd">', b'<!ENTITY e "&e;&e;">',
    b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x80", b"\xc3", b"\xe9", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
    b"null", b"true", b"[]", b"{}", b'""', b"1e999", b"-0", b"NaN", b"Infinity", b"9" * 5000, b"0." + b"1" * 5000,
    b"[" * 2000, b"{\"a\":" * 2000, b"SPDXVersion: SPDX-2.3\n", b"SPDXVersion: SPDX-9.9\n", b"PackageName: ",
    b"SPDXID: SPDXRef-", b"<text>", b"</text>", b"hostIdentifier", b'"bomFormat"', b"CycloneDX",
    b'"spdxVersion"', b"<nmaprun>", b"<bom xmlns='http://cyclonedx.org/schema/bom/1.6'>",
    "Антивирус Касперского".encode(), "Антивирус".encode("cp1251"), "é".encode("latin-1"),
]
HUGE_SIZES = st.sampled_from([70_000, 140_000, 300_000, 2_100_000])


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """`seed` with one to four byte-level mutations."""
    data = seed
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=len(data)))
        match draw(st.sampled_from(["truncate", "flip", "insert", "token", "token", "delete", "nul", "huge",
                                    "encoding", "line-ends", "repeat", "bom"])):
            case "truncate":
                data = data[:at]
            case "flip":
                data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1:]
            case "insert":
                data = data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
            case "token":
                data = data[:at] + draw(st.sampled_from(TOKENS)) + data[at:]
            case "delete":
                data = data[:at] + data[at + draw(st.integers(min_value=1, max_value=400)):]
            case "nul":
                data = data[:at] + b"\x00" + data[at:]
            case "huge":
                data = data[:at] + draw(st.sampled_from(b"A,;\"<9 [{")).to_bytes(1, "big") * draw(HUGE_SIZES) + data[at:]
            case "encoding":
                text = data.decode("utf-8", errors="replace")
                codec = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-32", "cp1252", "cp1251", "latin-1"]))
                data = text.encode(codec, errors="replace")
            case "line-ends":
                data = data.replace(b"\n", draw(st.sampled_from([b"\r\n", b"\r", b"\n\n", b""])))
            case "repeat":
                end = draw(st.integers(min_value=at, max_value=min(len(data), at + 2000)))
                data = data[:end] + data[at:end] * draw(st.integers(min_value=1, max_value=50)) + data[end:]
            case "bom":
                data = draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xef\xbb\xbf\xef\xbb\xbf"])) + data
    return data


# --------------------------------------------------------------------------- hostile values

SPECIAL_TEXT = [
    "", " ", '"', "'", "\t", "\n", "\r\n", "\x00", "a\x00b", "\x1a", "\x7f", "\x0b", "\x08", "\x0c", "\ufeff",
    "\u2028", "\ud800", "\udcff", "é", "Антивирус Касперского", "АО «Лаборатория Касперского»", "金正日",
    "Kaspersky", "KASPERSKY LAB", "kaspersky-lab", "Kasperskyish", "com.kaspersky.", "pkg:generic/kaspersky",
    "Huawei", "ZTE", "48:1B:40:00:00:01", "00-00-00-00-00-00", "zz:zz:zz:zz:zz:zz", "::", "ffff" * 40,
    "1e999", "9" * 30, "-1", "0", "null", "NaN", "<", ">", "&", "]]>", "{", "[", ",", ";", '"",""',
    "C:\\Program Files (x86)\\Kaspersky Lab\\", "/opt/kaspersky/kesl", "%s%n%x", "${jndi:ldap://x}", "'; DROP --",
]
HUGE_TEXT = st.builds(lambda char, count: char * count, st.sampled_from('A;, "\t<&9\\'), HUGE_SIZES)
HOSTILE_TEXT = weighted((4, st.sampled_from(SPECIAL_TEXT)), (3, st.text(max_size=40)), (1, HUGE_TEXT),
                        (2, st.lists(st.sampled_from(SPECIAL_TEXT), min_size=2, max_size=5).map("".join)))
JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), HOSTILE_TEXT)


def json_containers(inner: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(st.lists(inner, max_size=4), st.dictionaries(HOSTILE_TEXT, inner, max_size=4))


JSON_VALUES = st.recursive(JSON_SCALARS, json_containers, max_leaves=12)


def json_paths(value, path=()) -> list[tuple]:
    """The path of every value inside a JSON document."""
    paths = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            paths += json_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            paths += json_paths(item, (*path, index))
    return paths


def replaced(document, path: tuple, new):
    if not path:
        return new
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = new
    return document


#: a string standing for a deeply nested value, put in as text by dumped(): too deep for
#: json.dumps (and for the generator's own walks) as a Python value
DEEP = "\x00deep:"


@st.composite
def json_changed(draw: st.DrawFn, document) -> object:
    """`document` (a parsed copy) with one to three values replaced, deleted, or nested deep."""
    document = json.loads(json.dumps(document))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = json_paths(document)
        path = draw(st.sampled_from(paths))
        match draw(st.sampled_from(["value", "value", "value", "delete", "deep", "type"])):
            case "value":
                document = replaced(document, path, draw(JSON_VALUES))
            case "delete" if path:
                parent = document
                for step in path[:-1]:
                    parent = parent[step]
                del parent[path[-1]]
            case "deep":
                document = replaced(document, path, f"{DEEP}{draw(st.sampled_from([50, 500, 5000, 50_000]))}")
            case _:
                document = replaced(document, path, draw(st.sampled_from([[], {}, 0, None, True, "", 1.5])))
    return document


def dumped(document, ensure_ascii: bool) -> bytes:
    text = json.dumps(document, ensure_ascii=ensure_ascii)
    text = re.sub(r'"\\u0000deep:(\d+)"', lambda deep: "[" * int(deep[1]) + '"x"' + "]" * int(deep[1]), text)
    return text.encode("utf-8", errors="surrogatepass")


def json_documents(name: str) -> st.SearchStrategy[bytes]:
    document = json.loads(sample(name))
    changed = st.builds(dumped, json_changed(document), st.booleans())
    return weighted((3, changed), (2, mutated(sample(name))), (1, changed.flatmap(mutated)))


def as_json(line: bytes) -> object | None:
    """A line's JSON value; None when an earlier change left it no JSON (or too deep to walk)."""
    try:
        value = json.loads(line)
        json_paths(value)
    except (ValueError, RecursionError):
        return None
    return value


@st.composite
def log_lines_changed(draw: st.DrawFn, seed: bytes) -> bytes:
    """An osquery results log with some of its events changed as JSON, some lines cut or repeated."""
    lines = seed.split(b"\n")
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        match draw(st.sampled_from(["event", "event", "cut", "repeat", "blank", "garbage"])):
            case "event" if (event := as_json(lines[at])) is not None:
                lines[at] = dumped(draw(json_changed(event)), draw(st.booleans()))
            case "cut":
                lines[at] = lines[at][:draw(st.integers(min_value=0, max_value=len(lines[at])))]
            case "repeat":
                lines[at:at] = [lines[at]] * draw(st.integers(min_value=1, max_value=20))
            case "blank":
                lines[at] = b""
            case _:
                lines[at] = draw(st.binary(max_size=200))
    return b"\n".join(lines)


@st.composite
def xml_changed(draw: st.DrawFn, seed: bytes) -> bytes:
    """An XML sample with elements removed, duplicated or nested deep, attributes
    and text replaced; sometimes behind a DOCTYPE that declares entities."""
    ET.register_namespace("", "http://cyclonedx.org/schema/bom/1.6")
    root = ET.fromstring(seed)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        elements = list(root.iter())
        element = draw(st.sampled_from(elements))
        text = draw(HOSTILE_TEXT).replace("\x00", "")  # ElementTree cannot write a NUL
        match draw(st.sampled_from(["attribute", "attribute", "text", "remove", "duplicate", "deep", "tag"])):
            case "attribute" if element.attrib:
                element.set(draw(st.sampled_from(sorted(element.attrib))), text)
            case "text":
                element.text = text
            case "remove":
                for parent in elements:
                    if element in list(parent):
                        parent.remove(element)
                        break
            case "duplicate":
                element.extend([copy.deepcopy(child) for child in list(element) for _ in range(3)])
            case "deep":  # as text below: ElementTree recurses over a deep tree
                ET.SubElement(element, f"deep{draw(st.sampled_from([10, 200, 3000, 30_000]))}")
            case _:
                element.tag = draw(st.sampled_from(["host", "address", "hostname", "component", "x", "bom"]))
    data = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    data = re.sub(rb"<deep(\d+) />", lambda deep: b"<x>" * int(deep[1]) + b"</x>" * int(deep[1]), data)
    if draw(st.integers(min_value=0, max_value=9)) == 0:  # an encoding expat or Python cannot read, or none
        encoding = draw(st.sampled_from(XML_ENCODINGS)).encode()
        data = data.replace(b"encoding='utf-8'", b"encoding='" + encoding + b"'", 1)
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        doctype = draw(st.sampled_from([b'<!DOCTYPE nmaprun [<!ENTITY a "aaaa">]>', b"<!DOCTYPE nmaprun>",
                                        b'<!DOCTYPE bom SYSTEM "http://example.invalid/x.dtd">']))
        declaration, _, rest = data.partition(b"?>")
        data = declaration + b"?>" + doctype + rest
    return data


#: encodings an XML declaration may name that ElementTree fails on before it parses (not a ParseError)
XML_ENCODINGS = ["ATF-8", "utf-32", "shift_jis", "big5", "utf-7", "idna", "punycode", "rot13", "hex", "mbcs", "",
                 "utf-16", "cp037", "latin-1", "ascii"]


@pytest.mark.parametrize("encoding", XML_ENCODINGS)
@pytest.mark.parametrize("name", ["nmap-office.xml", "thirdparty-router-fw.cdx.xml"])
def test_an_xml_declaration_naming_any_encoding_is_read_or_refused(folder, measures, name, encoding):
    data = sample(name).replace(b'encoding="UTF-8"', f'encoding="{encoding}"'.encode(), 1)
    assert data != sample(name)
    check(folder, name, data, measures)


def xml_documents(name: str) -> st.SearchStrategy[bytes]:
    changed = xml_changed(sample(name))
    return weighted((3, changed), (2, mutated(sample(name))), (1, changed.flatmap(mutated)))


@st.composite
def csv_changed(draw: st.DrawFn, seed: bytes) -> bytes:
    """The CSV export with cells, header cells and row lengths changed, written back as CSV."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(seed.decode("utf-8-sig"), newline="")))
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        row = draw(st.integers(min_value=0, max_value=len(rows) - 1))
        if not rows[row]:  # a row an earlier change emptied
            continue
        column = draw(st.integers(min_value=0, max_value=len(rows[row]) - 1))
        match draw(st.sampled_from(["cell", "cell", "cell", "header", "short", "long", "rows"])):
            case "cell":
                rows[row][column] = draw(HOSTILE_TEXT)
            case "header" if column < len(rows[0]):
                rows[0][column] = draw(st.sampled_from(["", " host ", "HOST", "name", "Name", "Software Name",
                                                        "Computer Name", '"', "host\nname", "Publisher"]))
            case "short":
                del rows[row][column]
            case "long":
                rows[row].append(draw(HOSTILE_TEXT))
            case _:
                rows[1:] = rows[1:] * draw(st.integers(min_value=0, max_value=30))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=draw(st.sampled_from([",", ",", ";", "\t"])),
                        lineterminator=draw(st.sampled_from(["\r\n", "\n"])))
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8", errors="surrogatepass")


# --------------------------------------------------------------------------- the tests

RANDOM_PREFIXES = [b"", b"<", b"{", b"[", b"SPDXVersion:", b"host,name\n", b"\xef\xbb\xbf", b'{"hostIdentifier":',
                   b'{"bomFormat":"CycloneDX","specVersion":"1.6",', b'{"spdxVersion":"SPDX-2.3",', b"<nmaprun",
                   b"<bom xmlns='http://cyclonedx.org/schema/bom/1.6'", b"[{\"name\":"]


@FUZZ
@given(st.sampled_from(RANDOM_PREFIXES), st.binary(max_size=3000))
def test_random_bytes_are_detected_or_refused(folder, measures, prefix, data):
    try:
        assert detect_format(write(folder, "random.bin", prefix + data)) in FORMATS
    except BadInput:
        pass
    check(folder, "random.bin", prefix + data, measures)


@FUZZ
@given(weighted((3, log_lines_changed(sample("osquery-fleet.log"))), (2, mutated(sample("osquery-fleet.log"))),
                (1, st.just(sample("bad/truncated-osquery.log")).flatmap(mutated))))
def test_osquery_results_log(folder, measures, data):
    check(folder, "fleet.osquery.log", data, measures)


@FUZZ
@given(json_documents("fin-laptop-17.osquery.json"))
def test_osquery_single_host_json(folder, measures, data):
    check(folder, "fin-laptop-17.osquery.json", data, measures)


@FUZZ
@given(weighted((3, csv_changed(sample("installed-programs.csv"))), (2, mutated(sample("installed-programs.csv"))),
                (1, csv_changed(sample("installed-programs.csv")).flatmap(mutated))))
def test_csv_export(folder, measures, data):
    check(folder, "installed-programs.csv", data, measures)


@FUZZ
@given(xml_documents("nmap-office.xml"))
def test_nmap_xml(folder, measures, data):
    check(folder, "nmap-office.xml", data, measures)


@FUZZ
@given(st.one_of(json_documents("thirdparty-router-fw.cdx.json"),
                 st.just(sample("bad/unknown-spec.cdx.json")).flatmap(mutated)))
def test_cyclonedx_json(folder, measures, data):
    check(folder, "router-fw.cdx.json", data, measures)


@FUZZ
@given(xml_documents("thirdparty-router-fw.cdx.xml"))
def test_cyclonedx_xml(folder, measures, data):
    check(folder, "router-fw.cdx.xml", data, measures)


@FUZZ
@given(json_documents("thirdparty-router-fw.spdx.json"))
def test_spdx_json(folder, measures, data):
    check(folder, "router-fw.spdx.json", data, measures)


@st.composite
def tag_value_changed(draw: st.DrawFn, seed: bytes) -> bytes:
    """SPDX tag-value with some tags' values replaced, lines cut, repeated or dropped."""
    lines = seed.decode("utf-8").split("\n")
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        tag, colon, _ = lines[at].partition(": ")
        match draw(st.sampled_from(["value", "value", "drop", "repeat", "cut"])):
            case "value" if colon:
                lines[at] = f"{tag}: {draw(HOSTILE_TEXT)}"
            case "drop":
                del lines[at]
            case "repeat":
                lines[at:at] = [lines[at]] * draw(st.integers(min_value=1, max_value=10))
            case _:
                lines[at] = lines[at][:draw(st.integers(min_value=0, max_value=len(lines[at])))]
    return "\n".join(lines).encode("utf-8", errors="surrogatepass")


@FUZZ
@given(weighted((3, tag_value_changed(sample("thirdparty-router-fw.spdx"))),
                (2, mutated(sample("thirdparty-router-fw.spdx")))))
def test_spdx_tag_value(folder, measures, data):
    check(folder, "router-fw.spdx", data, measures)


#: the exports of other tools (PowerShell, wmic, package lists, fleetctl, Intune, Syft, Trivy, nmap -sV):
#: byte-level mutations of each, fewer examples apiece (there are many)
EXPORT_NAMES = sorted(path.name for path in (SAMPLES / "exports").iterdir())


@pytest.mark.parametrize("name", EXPORT_NAMES)
def test_other_tools_exports(folder, measures, name):
    @settings(FUZZ, max_examples=max(10, FUZZ_EXAMPLES // 4))
    @given(mutated(sample(f"exports/{name}")))
    def mutations(data):
        check(folder, name, data, measures)
    mutations()


SAMPLE_NAMES = sorted(path.name for path in SAMPLES.iterdir() if path.is_file() and path.suffix != ".md")


@pytest.mark.parametrize("new_name", ["inventory.txt", "inventory", "x.json", "x.xml", "x.spdx", "x.csv", "x.rdf"])
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_a_sample_under_any_name_is_read_by_its_content(folder, measures, name, new_name):
    """The format is told from the first bytes, not the name: a sample saved
    under another name gives the same findings (the osqueryi JSON aside, whose
    host is its file name)."""
    expected = scan([SAMPLES / name], measures, TODAY)
    got = scan([write(folder, new_name, sample(name))], measures, TODAY)
    assert not got.problems, got.problems
    if name != "fin-laptop-17.osquery.json":
        assert [(f.host, f.name, f.measure_id) for f in got.findings] == \
               [(f.host, f.name, f.measure_id) for f in expected.findings]


# --------------------------------------------------------------------------- word signatures

#: pieces of item names and vendors: the catalog's pattern words and near misses, in any case,
#: and what may stand between two words or next to one (punctuation, spaces and marks of any script)
WORD_PIECES = ["kaspersky", "Kaspersky", "KASPERSKY", "касперского", "Касперский", "kav", "KAV", "sdk", "SDK",
               "kav4fs", "lab", "Lab", "huawei", "HUAWEI", "zte", "hikvision", "dahua", "ivms", "iVMS", "4200",
               "smartpss", "ezviz", "hytera", "kasparov", "kaspersky2", "ао", "лаборатория",
               "K\u0430spersky", "K\u200baspersky", "Kas\u00adpersky", "\u041a\u0430\u0440"]  # look-alikes, invisibles
SEPARATORS = [" ", "  ", "-", "_", ".", ",", "«", "»", "(", ")", "/", "\\", "\u00a0", "\u2028", "\t", "\n", "\u0301",
              "²", "٣", "ß", "İ", "ı", "\U0001f600", "'", "x", "1", "Ж", "é", ""]
WORD_TEXT = st.lists(st.one_of(st.sampled_from(WORD_PIECES), st.sampled_from(SEPARATORS), st.text(max_size=3)),
                     max_size=8).map("".join)


@settings(FUZZ, max_examples=max(25, FUZZ_EXAMPLES // 8))  # each example is 60 rows, and the reference is slow
@given(st.lists(st.tuples(WORD_TEXT, WORD_TEXT, WORD_TEXT, st.booleans()), min_size=1, max_size=60))
def test_word_signatures_match_as_one_regular_expression_per_signature_did(measures, rows):
    """The scan tests word signatures on a field's words (signatures.words_sql),
    each signature a substring: the same hits as the regular expression per
    signature it replaced, `(^|[^\\pL\\pN])(word[^\\pL\\pN]+word|...)($|[^\\pL\\pN])`."""
    import duckdb

    from banwatch.estate.inventories import load_rows
    from banwatch.estate.items import sql_text
    from banwatch.estate.scan import match_query, unmasked_sql
    from banwatch.estate.signatures import SQL_NOT_WORD_CHAR, compile_signatures, escape, pattern_words
    from banwatch.model import SignatureField, SignatureMatch

    signatures = compile_signatures(measures)
    connection = duckdb.connect()
    items = [{"host": f"h{number}", "kind": "device" if device else "program", "vendor": vendor, "name": name,
              "path": path} for number, (vendor, name, path, device) in enumerate(rows)]
    table = load_rows(connection, "items", items)
    ours = {match["host"]: sorted(match["hits"]) for match, *_ in connection.execute(
        match_query(table, signatures)).fetchall() if match is not None}

    def regex(patterns: list[str]) -> str:
        alternatives = "|".join(f"{SQL_NOT_WORD_CHAR}+".join(escape(w) for w in pattern_words(p)) for p in patterns)
        return f"(^|{SQL_NOT_WORD_CHAR})({alternatives})($|{SQL_NOT_WORD_CHAR})"

    tests = []
    for compiled in signatures:
        column, devices = compiled.column, "=" if compiled.signature.field is SignatureField.oui_vendor else "<>"
        lowered = f"lower({unmasked_sql(column)})"  # as the scan reads a column (look-alikes, invisibles)
        if compiled.signature.match is SignatureMatch.word:
            test = f"regexp_matches({lowered}, {sql_text(regex([p.lower() for p in compiled.signature.patterns]))})"
        else:
            test = compiled.condition().replace(f"{column}_lower", lowered)
        tests.append(f"CASE WHEN kind {devices} 'device' AND {test} THEN {compiled.number} END")
    reference = {host: sorted(hits) for host, hits in connection.execute(
        f"SELECT host, list_filter([{', '.join(tests)}], lambda hit: hit IS NOT NULL) AS hits FROM items").fetchall()
        if hits}
    assert ours == reference
