"""Fuzzing every list reader and the order-file parser with hypothesis.

The property, for every reader: a file either reads, or is refused with the
project's own BadInput naming the file; never any other exception (a
KeyError, a ValueError from deep inside a library, a RecursionError), which
the CLI would show as a traceback and the updater could not report as a bad
list.

The inputs are hostile files made from small real seeds (tests/fixtures/fuzz/,
cut from ../shared/data): random bytes, truncations, flipped, inserted and
deleted bytes, wrong encodings, changed line ends, NUL bytes, huge fields, and
per format the cells of a CSV, the elements of the UN XML (with DOCTYPEs,
entity declarations and deep nesting) and the values of FtM JSON lines.

A run tries FUZZ_EXAMPLES inputs per test, 300 by default, the same ones on
every run (derandomized: CI does not fail on a new random draw). For a longer
run with fresh random inputs set BANWATCH_FUZZ_EXAMPLES:

    BANWATCH_FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest tests/test_fuzz_readers.py \\
        --hypothesis-show-statistics

A failure prints the smallest input found, and a @reproduce_failure(...)
line that replays it when put on the test.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from followthemoney import model
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from banwatch.errors import BadInput
from banwatch.lists.csl import read_csl
from banwatch.lists.dpl import read_dpl
from banwatch.lists.ftm import read_ftm
from banwatch.lists.ofac import read_ofac
from banwatch.lists.sources import read_list
from banwatch.lists.un import read_un
from banwatch.transactions import FIELDS, OrderLine, parse_transaction, read_orders

SEEDS = Path(__file__).resolve().parent / "fixtures" / "fuzz"
OFAC_FILES = ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")

FUZZ_EXAMPLES = int(os.environ.get("BANWATCH_FUZZ_EXAMPLES") or 300)
LONG_RUN = bool(os.environ.get("BANWATCH_FUZZ_EXAMPLES"))
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    # a huge field takes longer than hypothesis' 200 ms, and CI's cores are shared: no
    # deadline by default; a long run fails an input that takes seconds (a regex gone quadratic)
    deadline=dt.timedelta(seconds=5) if LONG_RUN else None,
    derandomize=not LONG_RUN,
    database=None,  # nothing written into the checkout
    print_blob=True,  # a failure prints the @reproduce_failure(...) that replays it
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


def seed(name: str) -> bytes:
    return (SEEDS / name).read_bytes()


# --------------------------------------------------------------------------- hostile values


def weighted(*choices: tuple[int, st.SearchStrategy]) -> st.SearchStrategy:
    """One of the strategies, each `weight` times as likely as a strategy of
    weight 1 (st.one_of gives repeated strategies no more weight)."""
    pool = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.sampled_from(pool).flatmap(lambda strategy: strategy)


#: cell and element values the readers treat specially, or that broke readers elsewhere
SPECIAL_TEXT = [
    "", " ", "-0-", "-0- ", '"', '""', "'", "\t", "\n", "\r", "\r\n", "\x1a", "\x7f", "\x0b",
    "\ufeff", "\u2028", "\u0085", "\ud800", "\udcff", "é", "Антивирус", "金正日", "٣٤", "²²²²", "２０２７",
    "1e999", "9" * 30, "9" * 5000, "-1", "0", "0000-00-00", "2021-02-30", "1951-06-19", "06/19/2003",
    "13/45/2003", "19 Jun 1951", "31 Feb 1951", "Jun 1951", "circa 1960", "1960 to 1962", "1962 to 1960",
    "2015-04-07-04:00", "9999-12-31Z",
    "DOB 14 Jun 1975; POB Leningrad, Russia; Gender Male; Passport 717637093 (Russia); a.k.a. 'BNC';",
    "a.k.a. '", "a.k.a. ''", "f.k.a. 'X'", "Linked To: ", "Linked To: ;", "nationality Iran",
    "Passport", "Passport (", "Passport 1 (", "Passport 1 issued 31 Feb 2001 expires", "DOB", "DOB ;",
    "POB ,", "Executive Order 13662 Directive Determination -", "Secondary sanctions risk:",
    "Entity List (EL) - Bureau of Industry and Security", "X () - Y", "(A) - ", "Individual", "Vessel",
    "aka", "fka", "weak", "Low", "f.k.a.", "A/K/A", "A/K/A A/K/A", "(A.K.A. ", "(F/K/A X)", "; ", ";;;",
    ", , ,", ", US", "1, 2, US", "US", "XX", "CP", "C.P. 12345", "<", ">", "&", "&amp;", "&#0;",
    "]]>", "{", "[", "null", "none", "NaN", "2027", "yes", "unknown", "sale", "import", "US-ME",
]
HUGE = st.builds(lambda char, count: char * count, st.sampled_from('A;, "\t<&9'),
                 st.integers(min_value=1_000, max_value=300_000))
HOSTILE_TEXT = st.one_of(st.sampled_from(SPECIAL_TEXT), st.text(max_size=40), HUGE,
                         st.lists(st.sampled_from(SPECIAL_TEXT), min_size=2, max_size=6).map("".join))

#: characters that pass one check and fail the next: digits of other scripts and
#: superscripts (isdigit() but not int()), Unicode spaces, direction marks,
#: combining marks, case changes that change the length, separators
TRICKY_CHARS = ("²³¹½٣۴५൬߃０９𝟘Ⅻ\u00a0\u2007\u200b\u200e\u202e\u0301ßﬁİıǅ\U0001f600\ufeff\x85\u2028"
                "\x1c\x0b\x1a\x7f\t\r\n;,.:/-'\"()[]<>&{}\\ ")


@st.composite
def tweaked(draw: st.DrawFn, value: str) -> str:
    """`value` a little changed, so that it still looks like what the column holds:
    characters inserted, replaced or deleted, cut short, or repeated; or a huge
    run of one character in it, after a label the reader knows ("Passport 1")."""
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        at = draw(st.integers(min_value=0, max_value=len(value)))
        char = draw(st.one_of(st.sampled_from(TRICKY_CHARS), st.characters()))
        match draw(st.sampled_from(["insert", "replace", "replace", "delete", "cut", "repeat", "case", "flood"])):
            case "flood":  # under the CSV readers' 128 KB field limit
                run = draw(st.sampled_from(" 1(;A.-")) * draw(st.integers(min_value=1_000, max_value=120_000))
                value = value[:at] + run + value[at:]
            case "insert":
                value = value[:at] + char + value[at:]
            case "replace":
                value = value[:at] + char + value[at + 1:]
            case "delete":
                value = value[:at] + value[at + 1:]
            case "cut":
                value = value[:at]
            case "repeat":
                value = value + draw(st.sampled_from(["; ", " ", "", ", "])) + value
            case "case":
                value = value.swapcase()
    return value


#: byte strings to splice into a file: broken UTF-8, cp1252, BOMs, markup, line ends
SPECIAL_BYTES = [
    b"\x00", b"\xff", b"\xfe\xff", b"\xe9", b"\x92", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xef\xbb\xbf",
    b"\r", b"\n", b"\r\n", b'"', b'""', b"\t", b",", b"\x1a", b"<", b"</", b"&", b"]]>", b"<!--",
    b"<!DOCTYPE x>", b'<!ENTITY a "b">', b"&a;", b"<?xml version='1.0'?>", b"{", b"}", b"[", b"\\", b'\\u0000',
]
SPECIAL_CHUNK = st.sampled_from(SPECIAL_BYTES)
CHUNK = weighted((2, SPECIAL_CHUNK), (1, st.binary(min_size=1, max_size=16)))
ENCODINGS = ["cp1252", "latin-1", "utf-16", "utf-16-le", "utf-32", "utf-8-sig", "utf-7", "cp037"]


def as_bytes(text: str) -> bytes:
    # surrogatepass: a lone surrogate becomes bytes strict UTF-8 must refuse
    return text.encode("utf-8", errors="surrogatepass")


@st.composite
def byte_mutations(draw: st.DrawFn, data: bytes) -> bytes:
    """`data` with a few bytes flipped, inserted, deleted, or runs of it repeated."""
    out = bytearray(data)
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        at = draw(st.integers(min_value=0, max_value=len(out)))
        match draw(st.sampled_from(["flip", "insert", "insert", "delete", "repeat", "zero"])):
            case "flip" if at < len(out):
                out[at] = draw(st.integers(min_value=0, max_value=255))
            case "insert":
                out[at:at] = draw(CHUNK)
            case "delete":
                del out[at:at + draw(st.integers(min_value=1, max_value=64))]
            case "repeat":
                end = at + draw(st.integers(min_value=1, max_value=512))
                out[at:at] = out[at:end] * draw(st.integers(min_value=1, max_value=4))
            case "zero":  # a block lost mid-file reads back as zeros
                out[at:at + 16] = b"\x00" * 16
    return bytes(out)


def whole_file(data: bytes) -> st.SearchStrategy[bytes]:
    """Hostile versions of the whole file `data`, format-blind."""
    text = data.decode("utf-8")
    return st.one_of(
        st.binary(max_size=4096),  # random bytes
        st.integers(min_value=0, max_value=len(data)).map(lambda end: data[:end]),  # truncated
        byte_mutations(data),
        st.sampled_from(ENCODINGS).map(lambda codec: text.encode(codec, errors="replace")),
        st.sampled_from([(b"\r\n", b"\n"), (b"\n", b"\r"), (b"\r\n", b"\r"), (b"\n", b"\r\r\n")])
        .map(lambda swap: data.replace(*swap)),
        st.just(data + data),  # written twice
        st.just(data.rstrip(b"\x1a\r\n")),  # without its last line end
        st.tuples(st.integers(min_value=0, max_value=len(data)), HUGE)  # a huge run anywhere
        .map(lambda cut: data[:cut[0]] + cut[1].encode() + data[cut[0]:]),
    )


# --------------------------------------------------------------------------- per format


def csv_records(data: bytes, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig").rstrip("\x1a"), newline=""),
                           delimiter=delimiter))


@st.composite
def cell_mutations(draw: st.DrawFn, data: bytes, delimiter: str = ",", quoting: int = csv.QUOTE_MINIMAL) -> bytes:
    """A delimited file with cells replaced, added or removed and rows dropped,
    repeated or swapped, written back with the format's own quoting or another."""
    records = csv_records(data, delimiter)
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        # mostly a data row: a broken header only ever gives one refusal
        first = 0 if len(records) < 2 or draw(st.integers(min_value=0, max_value=9)) == 0 else 1
        row = draw(st.integers(min_value=first, max_value=len(records) - 1))
        cells = records[row]
        column = draw(st.integers(min_value=0, max_value=max(len(cells) - 1, 0)))
        match draw(st.sampled_from(["set"] * 3 + ["tweak"] * 4 + ["add", "remove", "drop", "repeat", "swap",
                                                                  "blank"])):
            case "set" if cells:
                cells[column] = draw(HOSTILE_TEXT)
            case "tweak" if cells:
                cells[column] = draw(tweaked(cells[column]))
            case "add":
                cells.insert(column, draw(HOSTILE_TEXT))
            case "remove" if cells:
                del cells[column]
            case "drop" if len(records) > 1:
                del records[row]
            case "repeat":
                records.insert(row, list(cells))
            case "swap":
                other = draw(st.integers(min_value=0, max_value=len(records) - 1))
                records[row], records[other] = records[other], records[row]
            case "blank":
                records.insert(row, [])
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\r\n", "\n"])),
                        quoting=draw(st.sampled_from([quoting] * 4 + [csv.QUOTE_ALL, csv.QUOTE_MINIMAL,
                                                                      csv.QUOTE_NONNUMERIC])))
    writer.writerows(records)
    return as_bytes(out.getvalue())


XML_DECLARATIONS = [
    # billion laughs: refused before anything is expanded
    '<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
    '<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',  # XXE
    '<!DOCTYPE CONSOLIDATED_LIST SYSTEM "http://127.0.0.1:9/x.dtd">',  # an external DTD (never fetched)
    '<!DOCTYPE CONSOLIDATED_LIST PUBLIC "-//X//Y" "x.dtd">',
    '<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>',  # parameter entity
    '<!DOCTYPE CONSOLIDATED_LIST [<!ATTLIST CONSOLIDATED_LIST dateGenerated CDATA "x">]>',
    "<!DOCTYPE CONSOLIDATED_LIST>",  # only names the root: read
    "<!DOCTYPE CONSOLIDATED_LIST [",  # never closed
]
XML_PROLOGS = ['<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0" encoding="UTF-16"?>',
               '<?xml version="1.0" encoding="ISO-8859-1"?>', '<?xml version="1.0" encoding="nonsense"?>',
               '<?xml version="2.0"?>', "", "\ufeff", '<?xml-stylesheet href="x.xsl"?>']
XML_TAGS = ["CONSOLIDATED_LIST", "INDIVIDUALS", "INDIVIDUAL", "ENTITIES", "ENTITY", "REFERENCE_NUMBER",
            "FIRST_NAME", "SECOND_NAME", "DATAID", "LISTED_ON", "NATIONALITY", "VALUE", "INDIVIDUAL_ALIAS",
            "ALIAS_NAME", "QUALITY", "INDIVIDUAL_DATE_OF_BIRTH", "TYPE_OF_DATE", "DATE", "YEAR", "FROM_YEAR",
            "TO_YEAR", "NOTE", "INDIVIDUAL_DOCUMENT", "NUMBER", "TYPE_OF_DOCUMENT", "INDIVIDUAL_ADDRESS",
            "COUNTRY", "ENTITY_ALIAS", "ENTITY_ADDRESS", "UN_LIST_TYPE", "x", "{urn:x}INDIVIDUAL"]


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: text that is mostly legal in XML (a control character makes the file malformed at once)
XML_TEXT = weighted((1, HOSTILE_TEXT), (3, HOSTILE_TEXT.map(lambda text: _XML_ILLEGAL.sub("", text))))


@st.composite
def xml_mutations(draw: st.DrawFn, data: bytes) -> bytes:
    """The UN XML with elements changed, added, removed and repeated, then
    written back after a hostile prolog or DOCTYPE, or with deep nesting."""
    root = ET.fromstring(data)
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        elements = list(root.iter())
        parents = {child: parent for parent in elements for child in parent}
        element = draw(st.sampled_from(elements))
        match draw(st.sampled_from(["text", "tweak", "tweak", "tag", "remove", "repeat", "child", "attribute"])):
            case "text":
                element.text = draw(XML_TEXT)
            case "tweak":
                element.text = _XML_ILLEGAL.sub("", draw(tweaked(element.text or "")))
            case "tag":
                element.tag = draw(st.sampled_from(XML_TAGS))
            case "remove" if element in parents:
                parents[element].remove(element)
            case "repeat" if element in parents:
                parents[element].append(copy.deepcopy(element))
            case "child":
                child = ET.SubElement(element, draw(st.sampled_from(XML_TAGS)))
                child.text = draw(XML_TEXT)
            case "attribute":
                element.set("dateGenerated", draw(XML_TEXT))
    try:
        body = ET.tostring(root, encoding="unicode")
    except ValueError:  # a lone surrogate cannot be written as XML text; keep the seed's body
        body = data.decode("utf-8").split("?>", 1)[1]
    depth = draw(st.sampled_from([0, 0, 0, 100, 10_000, 200_000]))
    if depth:  # deep nesting inside the first record
        at = body.find("<FIRST_NAME>")
        body = body[:at] + "<x>" * depth + "</x>" * depth + body[at:]
    document = (draw(st.sampled_from(XML_PROLOGS)) + draw(st.sampled_from(["", "", *XML_DECLARATIONS]))
                + body)
    return as_bytes(document)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    | st.sampled_from(SPECIAL_TEXT) | st.sampled_from(["Person", "Sanction", "Address", "Thing", "Passport"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
FTM_SCHEMATA = ["Person", "Organization", "Company", "PublicBody", "LegalEntity", "Vessel", "Airplane",
                "Sanction", "Address", "Passport", "Identification", "Ownership", "Thing", "Interval", "", "person"]
#: values of the FtM types that parse: dates, countries, ids, URLs, e-mails, phone numbers
FTM_VALUES = ["2020-01-02", "2020-01", "2020", "2020-13-45", "ru", "kp", "suhh", "zz", "csl.20264", "NK-addr-1",
              "un.KPi.2e066", "NK-person-1", "https://example.org/", "a@b.c", "+74957978700", "male", "IMO9116412",
              "sanction", "role.pep", "nonsense.topic", "Passport"]
FTM_PROPERTIES = ["name", "alias", "weakAlias", "previousName", "birthDate", "nationality", "country",
                  "topics", "addressEntity", "entity", "holder", "number", "program", "listingDate",
                  "startDate", "sourceUrl", "idNumber", "passportNumber", "imoNumber", "email", "website",
                  "phone", "gender", "position", "notes", "createdAt", "full", "street", "city", "nope",
                  "owner", "asset", "passport", "registrationNumber", "taxNumber", "innCode", "title"]


@st.composite
def json_line_mutations(draw: st.DrawFn, data: bytes) -> bytes:
    """FtM JSON lines with values, schemata, ids and properties changed, lines
    dropped or repeated, and lines that are not JSON or are nested deep."""
    lines = data.decode("utf-8").splitlines()
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        kind = draw(st.sampled_from(["value", "value", "schema", "id", "property", "key", "drop", "repeat",
                                     "raw", "deep", "number"]))
        try:
            entity = json.loads(lines[index])
        except (ValueError, RecursionError):
            entity = None
        if not isinstance(entity, dict):
            kind = "raw"
        properties = entity.get("properties") if isinstance(entity, dict) else None
        match kind:
            case "value" if isinstance(properties, dict) and properties:
                name = draw(st.sampled_from(sorted(properties)))
                values = properties[name] if isinstance(properties[name], list) else []
                strings = st.lists(HOSTILE_TEXT, max_size=3)  # the right shape, hostile values
                near = st.tuples(*[tweaked(value) if isinstance(value, str) else st.just(value)
                                   for value in values]).map(list)  # the values a little changed
                properties[name] = draw(weighted((1, JSON_VALUES), (1, strings), (3, near)))
            case "schema":
                entity["schema"] = draw(st.one_of(st.sampled_from(FTM_SCHEMATA), JSON_VALUES))
            case "id":
                entity["id"] = draw(st.one_of(st.sampled_from(["", "a", "a.b", "ofac-sdn.36", "un.", "-", "x" * 2000]),
                                              JSON_VALUES))
            case "property" if isinstance(properties, dict):
                schema = model.get(entity.get("schema")) if isinstance(entity.get("schema"), str) else None
                names = sorted(schema.properties) if schema else FTM_PROPERTIES  # mostly ones the schema has
                name = draw(weighted((2, st.sampled_from(names)), (1, st.sampled_from(FTM_PROPERTIES))))
                properties[name] = draw(st.lists(st.one_of(HOSTILE_TEXT, st.sampled_from(FTM_VALUES)), max_size=3))
            case "key":
                entity[draw(st.sampled_from(["properties", "schema", "id", "datasets"]))] = draw(JSON_VALUES)
            case "drop" if len(lines) > 1:
                del lines[index]
            case "repeat":
                lines.insert(index, lines[index])
            case "raw":
                lines[index] = draw(st.sampled_from(['{"id": ', "[]", "null", "1", '"x"', "{}", "{\"id\":1e999}",
                                                     "\x00", '{"a":"\\ud800"}', "{" * 10, "1" * 5000]))
            case "deep":
                depth = draw(st.integers(min_value=100, max_value=100_000))
                lines[index] = '{"id":"d","schema":"Person","properties":{"name":' + "[" * depth + "]" * depth + "}}"
            case "number":
                lines[index] = '{"id":"n","schema":"Person","properties":{"name":["x"]},"v":' + "9" * 5000 + "}"
        if kind in ("value", "schema", "id", "property", "key") and entity is not None:
            lines[index] = json.dumps(entity, ensure_ascii=draw(st.booleans()))
    return as_bytes("\n".join(lines) + "\n")


# --------------------------------------------------------------------------- the property


def refuses_only_with_bad_input(read: Callable[[], object], where: Path) -> None:
    """`read()` returns, or raises BadInput naming a file in `where`; any
    other exception propagates and fails the test."""
    try:
        read()
    except BadInput as error:
        assert error.place and str(where) in error.place, f"BadInput names no file: {error}"
        event("refused: " + re.sub(r"'[^']*'|\d[\d,]*", "_", error.problem)[:50])  # --hypothesis-show-statistics
    else:
        event("read")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def write(workdir: Path, name: str, data: bytes) -> Path:
    path = workdir / name
    path.write_bytes(data)
    return path


def tabular(seed_name: str, delimiter: str, quoting: int = csv.QUOTE_MINIMAL) -> st.SearchStrategy[bytes]:
    """Hostile versions of a delimited file: mostly its cells changed, written
    back with its own quoting (`quoting`), so that most get past the header."""
    data = seed(seed_name)
    return weighted((1, whole_file(data)), (3, cell_mutations(data, delimiter, quoting)))


# --------------------------------------------------------------------------- the readers


@st.composite
def ofac_sets(draw: st.DrawFn) -> dict[str, bytes | None]:
    """The four OFAC files, one of them hostile (None: the file is left out)."""
    files: dict[str, bytes | None] = {name: seed(f"ofac/{name}") for name in OFAC_FILES}
    target = draw(st.sampled_from(OFAC_FILES))
    data = files[target]
    assert data is not None
    files[target] = draw(weighted((2, whole_file(data)), (6, cell_mutations(data)), (1, st.none())))
    return files


@FUZZ
@given(files=ofac_sets())
def test_ofac_reader_refuses_only_with_bad_input(workdir, files):
    folder = workdir / "ofac"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for name, data in files.items():
        if data is not None:
            write(folder, name, data)
    refuses_only_with_bad_input(lambda: read_ofac(folder), folder)


@FUZZ
@given(data=weighted((1, whole_file(seed("un.xml"))), (3, xml_mutations(seed("un.xml")))))
def test_un_reader_refuses_only_with_bad_input(workdir, data):
    path = write(workdir, "consolidated.xml", data)
    refuses_only_with_bad_input(lambda: read_un(path), path)


@FUZZ
@given(data=tabular("dpl.txt", "\t", csv.QUOTE_ALL))
def test_dpl_reader_refuses_only_with_bad_input(workdir, data):
    path = write(workdir, "dpl.txt", data)
    refuses_only_with_bad_input(lambda: read_dpl(path), path)


@FUZZ
@given(data=tabular("csl.csv", ","))
def test_csl_reader_refuses_only_with_bad_input(workdir, data):
    path = write(workdir, "consolidated.csv", data)
    refuses_only_with_bad_input(lambda: read_csl(path), path)


@FUZZ
@given(data=weighted((1, whole_file(seed("ftm.json"))), (3, json_line_mutations(seed("ftm.json")))))
def test_ftm_reader_refuses_only_with_bad_input(workdir, data):
    path = write(workdir, "entities.ftm.json", data)
    refuses_only_with_bad_input(lambda: read_ftm(path), path)


SEED_FILES = ["un.xml", "dpl.txt", "csl.csv", "ftm.json"]  # OFAC's files are told by their names


@FUZZ
@given(data=st.sampled_from(SEED_FILES).flatmap(lambda name: whole_file(seed(name))))
def test_format_detection_and_reading_refuse_only_with_bad_input(workdir, data):
    # a file of unknown name: its format is told from its first bytes
    path = write(workdir, "list.dat", data)
    refuses_only_with_bad_input(lambda: read_list(path), path)


@FUZZ
@given(data=tabular("orders.csv", ","))
def test_order_file_reader_refuses_only_with_bad_input(workdir, data):
    path = write(workdir, "orders.csv", data)

    def read() -> None:
        for line in read_orders(path):  # a bad row is yielded as its BadInput, the file goes on
            assert isinstance(line, OrderLine | BadInput)
            if isinstance(line, BadInput):
                assert line.place and str(path) in line.place, f"BadInput names no row: {line}"

    refuses_only_with_bad_input(read, path)


#: what each order-file column holds when it is right, for values a little wrong
ORDER_VALUES = {
    "type": ["sale", "Resale", "new-agreement", "cloud service", "import", "federal_procurement"],
    "date": ["2024-06-12", "2024-02-29", "2024-10-20", "2023-02-29", "20240612", "2024-06-12T10:00"],
    "model_year": ["2027", "none", "1899", "2101", "0000"],
    "seller_country": ["US", "ru", " de ", "USA", "U1"], "buyer_country": ["CN", "xx"],
    "buyer_government": ["US-ME", "us-me", "US-12", "CA-ON"],
    **dict.fromkeys(("buyer_is_federal", "buyer_is_federal_contractor", "buyer_us_person", "seller_us_person"),
                    ["true", "No", "y", "0", "1", ""]),
    **dict.fromkeys(("subject_to_ear", "origin_nexus", "seller_nexus"), ["yes", "No", "unknown", ""]),
}


def order_value(field: str) -> st.SearchStrategy[str | None]:
    right = st.sampled_from(ORDER_VALUES.get(field, ["Kaspersky Total Security", "AO Kaspersky Lab", ""]))
    # mostly right: a field is read only once those before it are
    return weighted((8 if field in ("type", "date") else 3, right), (1, right.flatmap(tweaked)),
                    (1, HOSTILE_TEXT), (1, st.none()))


@FUZZ
@given(fields=st.fixed_dictionaries({field: order_value(field) for field in ("type", "date")},
                                    optional={field: order_value(field) for field in FIELDS
                                              if field not in ("type", "date")}))
def test_transaction_fields_refuse_only_with_bad_input(fields):
    # one row of an order file, or the CLI's flags, as parse_transaction gets them
    try:
        transaction = parse_transaction(fields, "orders.csv row 2")
    except BadInput as error:
        assert error.place == "orders.csv row 2"
        event("refused: " + (error.field or "") + " " + re.sub(r"'[^']*'|\d[\d,]*", "_", error.problem)[:40])
    else:
        # a transaction read is text the matching can use: a lone surrogate (a
        # command-line byte that was not UTF-8) failed only later, in decide()
        for value in transaction.model_dump().values():
            if isinstance(value, str):
                value.encode("utf-8")
        event("read")
