"""Every broken list file is refused with one line naming the file and where,
exit code 2, and the active snapshots untouched (`lists status` before and
after compared)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import DATA, run_banwatch, run_json

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&lol4;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE x [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&secret;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """A store with every good list loaded: what bad input must not disturb."""
    home = tmp_path_factory.mktemp("home")
    for path in ("ofac-sdn-2021", "ofac-consolidated", "un/consolidated.xml", "bis/dpl.txt", "bis/csl-sample.csv"):
        result = run_banwatch("lists", "load", str(DATA / path), home=home)
        assert result.returncode == 0, result.stderr
    return home


def made(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def sdn_set_with(tmp_path: Path, name: str, content: bytes) -> Path:
    folder = tmp_path / "sdn-set"
    shutil.copytree(DATA / "ofac-sdn-2021", folder)
    (folder / name).chmod(0o644)
    (folder / name).write_bytes(content)
    return folder


def bad_inputs(tmp_path: Path) -> list[tuple[Path, list[str], str]]:
    """(path to load, extra args, text the error must contain besides the file name)."""
    sdn = (DATA / "ofac-sdn-2021" / "sdn.csv").read_bytes()
    un = (DATA / "un" / "consolidated.xml").read_bytes()
    dpl = (DATA / "bis" / "dpl.txt").read_bytes()
    csl = (DATA / "bis" / "csl-sample.csv").read_bytes()
    return [
        (DATA / "bad-inputs", ["--format", "ofac-csv"], "line"),
        (DATA / "bad-inputs" / "csl.csv", [], "line"),
        (sdn_set_with(tmp_path, "sdn.csv", sdn[: len(sdn) // 2 + 17]), [], "line"),  # truncated mid-row
        (sdn_set_with(tmp_path / "e", "sdn.csv", b""), [], "empty"),
        (sdn_set_with(tmp_path / "w", "sdn.csv", sdn.replace(b"BANCO", "BANC\xc9".encode("cp1252"))), [], "UTF-8"),
        (sdn_set_with(tmp_path / "c", "sdn.csv", csl), [], "sdn.csv"),  # a CSV of the wrong list
        (made(tmp_path, "truncated.xml", un[: len(un) // 3]), [], "line"),
        (made(tmp_path, "laughs.xml", BILLION_LAUGHS.encode()), [], "DOCTYPE"),
        (made(tmp_path, "external.xml", EXTERNAL_ENTITY.encode()), [], "DOCTYPE"),
        (made(tmp_path, "other-root.xml", b"<?xml version='1.0'?><sdnList><x/></sdnList>"), ["--format", "un-xml"],
         "sdnList"),
        (made(tmp_path, "dpl-missing-column.txt", dpl.replace(b'"Country"\t', b"", 1)), ["--format", "bis-dpl"],
         "Country"),
        (made(tmp_path, "csl.csv", csl.decode().replace(",", ";", 40).encode()), ["--format", "csl"], ""),
        (made(tmp_path, "empty.csv", b""), ["--format", "csl"], "empty"),
        (made(tmp_path, "cp1252.txt", dpl + "\"JOS\xc9 GARC\xcdA\"\t\"\"\n".encode("cp1252")), ["--format", "bis-dpl"],
         "UTF-8"),
        (made(tmp_path, "junk.bin", bytes(range(256)) * 409600), ["--format", "csl"], ""),  # 100 MB of junk
        (made(tmp_path, "unknown.dat", b"hello world\n"), [], "cannot tell"),
        (made(tmp_path, "ftm.json", b'{"id": "x", "schema": "Foo", "properties": {}}\n'), [], "line 1"),
    ]


def test_every_bad_input_is_refused_with_one_line_and_the_store_unchanged(home, tmp_path):
    before = run_json("lists", "status", "--json", home=home)
    for path, args, expected in bad_inputs(tmp_path):
        result = run_banwatch("lists", "load", str(path), *args, home=home)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2, (path, result.stdout, result.stderr)
        assert len(lines) == 1 and lines[0].startswith("banwatch: error: "), (path, result.stderr)
        assert path.name in lines[0] and expected in lines[0], (path, lines[0])
        assert "Traceback" not in result.stderr
    assert run_json("lists", "status", "--json", home=home) == before


def test_unknown_format_and_missing_path_are_bad_input(home, tmp_path):
    result = run_banwatch("lists", "load", str(DATA / "bis" / "dpl.txt"), "--format", "xlsx", home=home)
    assert result.returncode == 2 and "unknown list format 'xlsx'" in result.stderr
    result = run_banwatch("lists", "load", str(tmp_path / "nothing-here"), home=home)
    assert result.returncode == 2 and "no such file or folder" in result.stderr
