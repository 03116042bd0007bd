"""Hardening of the list readers (issue 11): a file with every entity twice is
refused, a NUL byte anywhere in a list file is refused, and the inputs the
fuzzer (tests/test_fuzz_readers.py) found are refused with BadInput or read
whole (the ones that took minutes on quadratic patterns)."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from banwatch.errors import BadInput
from banwatch.inputs import HEAD_BYTES, read_text
from banwatch.lists.csl import read_csl
from banwatch.lists.dpl import read_dpl
from banwatch.lists.ftm import read_ftm
from banwatch.lists.ofac import read_ofac
from banwatch.transactions import OrderLine, parse_transaction, read_orders

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DPL = DATA / "bis" / "dpl.txt"
CSL = DATA / "bis" / "csl-sample.csv"
SEEDS = Path(__file__).resolve().parent / "fixtures" / "fuzz"


def twice(path: Path, target: Path) -> Path:
    """The list with every row after the header written a second time."""
    header, rows = path.read_text(encoding="utf-8").split("\n", 1)
    target.write_text(f"{header}\n{rows}{rows}", encoding="utf-8")
    return target


# --------------------------------------------------------------------------- every entity twice


def test_real_dpl_and_csl_keep_their_few_duplicates():
    dpl = read_dpl(DPL)
    assert len(dpl.entities) == 581
    assert sum("duplicate_of" in entity.properties for entity in dpl.entities) == 2
    assert len(read_csl(CSL).entities) == 115


def test_dpl_with_every_row_twice_is_refused(tmp_path):
    path = twice(DPL, tmp_path / "dpl.txt")
    with pytest.raises(BadInput) as error:
        read_dpl(path)
    # the real file's 2 repeated rows, then all 581 again
    assert error.value.where == str(path)
    assert error.value.problem.startswith("583 of its 1,162 rows repeat an earlier row's id (583 of them the whole row")


def test_csl_with_every_row_twice_is_refused(tmp_path):
    path = twice(CSL, tmp_path / "consolidated.csv")
    with pytest.raises(BadInput) as error:
        read_csl(path)
    assert error.value.where == str(path)
    assert error.value.problem.startswith("115 of its 230 rows repeat an earlier row's id (115 of them the whole row")
    assert "; the first on line 117)" in error.value.problem


def test_a_few_repeated_rows_still_load(tmp_path):
    # a tenth of the rows repeated: renamed "-2" and marked, as before
    header, rows = DPL.read_text(encoding="utf-8").split("\n", 1)
    some = "\n".join(rows.split("\n")[:58]) + "\n"
    path = tmp_path / "dpl.txt"
    path.write_text(f"{header}\n{rows}{some}", encoding="utf-8")
    entities = read_dpl(path).entities
    assert len(entities) == 581 + 58
    assert sum("duplicate_of" in entity.properties for entity in entities) == 2 + 58


# --------------------------------------------------------------------------- NUL bytes


def with_nul(data: bytes, offset: int) -> bytes:
    return data[:offset] + b"\x00" + data[offset:]


def test_nul_byte_past_the_head_of_a_dpl_file_is_refused_with_its_line(tmp_path):
    data = DPL.read_bytes()
    offset = data.index(b"\n", 100_000) + 5  # inside the name of the row on that line
    assert offset > HEAD_BYTES
    path = tmp_path / "dpl.txt"
    path.write_bytes(with_nul(data, offset))
    line = data.count(b"\n", 0, offset) + 1
    with pytest.raises(BadInput) as error:
        read_dpl(path)
    assert error.value.where == f"{path} line {line}"
    assert error.value.problem == f"binary data (NUL byte at byte offset {offset:,}): not a text file"


def test_nul_byte_past_the_head_of_a_csl_file_is_refused(tmp_path):
    # the sample is under 64 KB: a long remarks cell in its first row puts the
    # last row past the head, and a NUL goes into that row's name
    with CSL.open(encoding="utf-8", newline="") as handle:
        records = list(csv.reader(handle))
    remarks, name = records[0].index("remarks"), records[0].index("name")
    records[1][remarks] = "see the Federal Register notice " * 2_500
    records[-1][name] = records[-1][name][:3] + "\x00" + records[-1][name][3:]
    text = io.StringIO(newline="")
    csv.writer(text).writerows(records)
    data = text.getvalue().encode("utf-8")
    offset = data.index(b"\x00")
    assert offset > HEAD_BYTES
    path = tmp_path / "consolidated.csv"
    path.write_bytes(data)
    line = data.count(b"\n", 0, offset) + 1
    with pytest.raises(BadInput) as error:
        read_csl(path)
    assert error.value.where == f"{path} line {line}"
    assert f"NUL byte at byte offset {offset:,}" in error.value.problem


def test_read_text_finds_a_nul_anywhere(tmp_path):
    path = tmp_path / "list.txt"
    path.write_bytes(b"a line of text\n" * 20_000 + b"and \x00 here\n")
    with pytest.raises(BadInput) as error:
        read_text(path)
    assert error.value.where == f"{path} line 20001"
    assert "byte offset 300,004" in error.value.problem


def test_a_bad_byte_after_a_bom_is_named_as_it_is(tmp_path):
    # the decoder counts from after the BOM: the byte and line named were off by three
    path = tmp_path / "list.txt"
    path.write_bytes(b"\xef\xbb\xbfab\ncd\n\xe9t\xe9\n")
    with pytest.raises(BadInput) as error:
        read_text(path)
    assert error.value.where == f"{path} line 3"
    assert "byte 0xe9" in error.value.problem


# --------------------------------------------------------------------------- what the fuzzer found


def test_ftm_number_too_long_for_python_is_bad_input(tmp_path):
    # json.loads raises a plain ValueError (not JSONDecodeError) past 4,300 digits
    path = tmp_path / "entities.ftm.json"
    path.write_text('{"id": "a", "schema": "Person", "properties": {"name": ["A"]}}\n'
                    '{"id": "b", "schema": "Person", "properties": {"name": ["B"]}, "n": ' + "9" * 5_000 + "}\n",
                    encoding="utf-8")
    with pytest.raises(BadInput) as error:
        read_ftm(path)
    assert error.value.where == f"{path} line 2"
    assert error.value.problem.startswith("not an FtM entity: Exceeds the limit (4300 digits)")


def test_model_year_in_superscript_digits_is_bad_input(tmp_path):
    # '²' is a digit to str.isdigit() but not to int()
    fields = {"type": "import", "date": "2024-10-20", "product": "VCS module", "model_year": "²027"}
    with pytest.raises(BadInput) as error:
        parse_transaction(fields, "orders.csv row 2")
    assert (error.value.where, error.value.field) == ("orders.csv row 2 model_year", "model_year")
    assert parse_transaction({**fields, "model_year": "２０２７"}).model_year == 2027  # full-width: still read
    path = tmp_path / "orders.csv"
    path.write_text("type,date,product,model_year\nimport,2024-10-20,VCS module,²027\n"
                    "import,2024-10-20,VCS module,2027\n", encoding="utf-8")
    bad, good = read_orders(path)
    assert isinstance(bad, BadInput) and bad.where == f"{path} row 2 model_year"
    assert isinstance(good, OrderLine) and good.transaction.model_year == 2027


def ofac_set(tmp_path: Path) -> Path:
    folder = tmp_path / "ofac"
    shutil.copytree(SEEDS / "ofac", folder)
    return folder


def replace_last_field(path: Path, ent_num: str, value: str) -> None:
    """The last field of the first row of entry `ent_num`, set to `value` (quoted)."""
    lines = path.read_bytes().split(b"\r\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(ent_num.encode() + b","))
    fields = lines[index].rsplit(b",", 1)[0]
    lines[index] = fields + b',"' + value.encode() + b'"'
    path.write_bytes(b"\r\n".join(lines))


# Each of these inputs took minutes on the old, quadratic patterns. No time limit is asserted
# (a unit test holds no wall-clock limit): a regression shows as a suite that stalls.


@pytest.mark.parametrize("remarks", [
    "Passport 1" + " " * 120_000 + "2",  # _ID_COUNTRY and _ID_DATES tried every space against the rest
    "DOB 1" + " " * 120_000 + "2",  # _RANGE, the same
], ids=["passport", "dob"])
def test_ofac_remarks_with_a_huge_run_of_spaces_are_read(tmp_path, remarks):
    folder = ofac_set(tmp_path)
    replace_last_field(folder / "sdn.csv", "36", remarks)
    entity = next(entity for entity in read_ofac(folder).entities if entity.source_id == "36")
    assert entity.remarks == remarks


def test_ofac_address_with_a_huge_word_is_read(tmp_path):
    # _POSTAL backtracked over every digit of a long word that ends in a letter
    folder = ofac_set(tmp_path)
    lines = (folder / "add.csv").read_bytes().split(b"\r\n")
    fields = lines[0].split(b",")  # ent_num, add_num, address, city line, country, remarks
    fields[3] = b'"London ' + b"1" * 120_000 + b'x"'
    lines[0] = b",".join(fields)
    (folder / "add.csv").write_bytes(b"\r\n".join(lines))
    read_ofac(folder)


def test_csl_huge_source_and_name_cells_are_read(tmp_path):
    with CSL.open(encoding="utf-8", newline="") as handle:
        records = list(csv.reader(handle))
    source, name = records[0].index("source"), records[0].index("name")
    records[1][name] = "ACME (A/K/A " * 10_000  # _AKA_BRACKETS scanned to the end from each "(A/K/A"
    records[2][source] = "(EL)" * 30_000  # _LIST_NAME is quadratic in the cell
    text = io.StringIO(newline="")
    csv.writer(text).writerows(records)
    path = tmp_path / "consolidated.csv"
    path.write_text(text.getvalue(), encoding="utf-8")
    with pytest.raises(BadInput) as error:
        read_csl(path)
    assert error.value.where == f"{path} line 3" and error.value.problem.startswith("source '(EL)(EL)")


@pytest.mark.parametrize("name", ["(A/K/A FRANK SUN)", "(F.K.A. ACME LTD) "])
def test_dpl_name_that_is_only_an_alias_keeps_the_name_as_listed(tmp_path, name):
    # split_aka left an empty name, which ListedEntity refuses (a pydantic ValidationError)
    header, rows = DPL.read_text(encoding="utf-8").split("\n", 1)
    first, rest = rows.split("\n", 1)
    fields = first.split("\t")
    fields[0] = f'"{name}"'
    path = tmp_path / "dpl.txt"
    path.write_text(header + "\n" + "\t".join(fields) + "\n" + rest, encoding="utf-8")
    entity = read_dpl(path).entities[0]
    assert (entity.name, entity.aliases) == (name.strip(), [])


def test_ftm_unpaired_surrogate_escape_is_bad_input(tmp_path):
    # valid JSON, but "\ud800" decodes to half a character: FtM's country cleaning raised UnicodeEncodeError
    path = tmp_path / "entities.ftm.json"
    path.write_text('{"id": "a", "schema": "Person", "properties": {"name": ["\\ud83d\\ude00 A"]}}\n'
                    '{"id": "b", "schema": "Person", "properties": {"name": ["B"], "country": ["\\ud800"]}}\n',
                    encoding="utf-8")
    with pytest.raises(BadInput) as error:
        read_ftm(path)
    assert error.value.where == f"{path} line 2"
    assert "half a surrogate pair" in error.value.problem
    path.write_text(path.read_text(encoding="utf-8").split("\n")[0] + "\n", encoding="utf-8")
    assert read_ftm(path).entities[0].name == "\U0001f600 A"  # a pair of escapes is one character: read


def test_transaction_text_that_is_not_utf8_is_bad_input():
    # a command-line flag with a byte that is not UTF-8 reaches Python as a lone
    # surrogate; decide() then failed with UnicodeEncodeError in the name matching
    fields = {"type": "sale", "date": "2024-10-20", "buyer": "AO Kaspersky Lab \udcff"}
    with pytest.raises(BadInput) as error:
        parse_transaction(fields)
    assert (error.value.field, error.value.problem) == ("buyer", "is not UTF-8 text (byte 0xff)")


@pytest.mark.parametrize("encoding", ["ATF-8", "utf-32", "shift_jis", "idna"])
def test_a_list_xml_declaring_an_unreadable_encoding_is_bad_input(tmp_path, encoding):
    # found by the inventory fuzzer in the estate's XML reader; the list readers share inputs.parse_xml
    from banwatch.inputs import parse_xml

    with pytest.raises(BadInput, match="encoding that cannot be read"):
        parse_xml(f'<?xml version="1.0" encoding="{encoding}"?><CONSOLIDATED_LIST/>'.encode(), tmp_path / "un.xml")
