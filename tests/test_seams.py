"""The seams the layers meet at: settings read once (and documented from their
declarations), one catalog resolver for every command and the Python library,
errors that name fields rather than flags, and the plain rules of the layout
(who may read the environment, who may import whom, where flags are named)."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest
import typer

import banwatch
from banwatch import Context, Settings, Transaction
from banwatch.catalog import BUNDLED
from banwatch.cli import app
from banwatch.errors import BadInput
from banwatch.settings import DECLARED
from banwatch.cli.settings import document
from conftest import ROOT, run_banwatch, run_json

SOURCE = ROOT / "src" / "banwatch"
TIKHONOV = "catalog:us-ofac-kaspersky-leadership-2024/tikhonov-andrei-gennadyevich"


def modules(under: Path = SOURCE) -> list[Path]:
    return sorted(under.rglob("*.py"))


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


# ---------------------------------------------------------------------- the layout's plain rules


def test_only_the_settings_module_reads_the_environment():
    readers = [path.relative_to(SOURCE).as_posix() for path in modules() if "os.environ" in path.read_text()]
    assert readers == ["settings.py"]


@pytest.mark.parametrize(("layer", "never"), [
    ("match", "banwatch.store"), ("match", "banwatch.lists"), ("match", "banwatch.cli"),
    ("store", "banwatch.lists"), ("store", "banwatch.match"), ("store", "banwatch.settings"),
    ("lists", "banwatch.store"), ("lists", "banwatch.settings"), ("decide", "banwatch.store"),
    ("estate", "banwatch.store"), ("services", "banwatch.cli"), ("report", "banwatch.cli"),
])
def test_a_layer_does_not_import_what_it_must_not_know(layer, never):
    offenders = [(path.name, name) for path in modules(SOURCE / layer) for name in imported(path)
                 if name == never or name.startswith(never + ".")]
    assert offenders == []


def cli_flags() -> set[str]:
    command = typer.main.get_command(app)
    flags: set[str] = set()
    pending = [command]
    while pending:
        current = pending.pop()
        flags.update(opt for param in current.params for opt in param.opts if opt.startswith("--"))
        pending.extend(getattr(current, "commands", {}).values())
    return flags - {"--help"}


def test_no_command_line_flag_is_named_below_the_command_line():
    flags = cli_flags()
    assert {"--format", "--force", "--buyer-country", "--name-column", "--out"} <= flags
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, sorted(flags))) + r")(?![\w-])")
    found = []
    for path in modules():
        if path.is_relative_to(SOURCE / "cli"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and pattern.search(node.value):
                found.append((path.relative_to(SOURCE).as_posix(), pattern.search(node.value)[0]))
    assert found == []


# ---------------------------------------------------------------------- settings


def test_the_settings_table_is_generated_from_the_declarations():
    assert (ROOT / "docs" / "settings.md").read_text(encoding="utf-8") == document(), \
        "docs/settings.md is stale: banwatch settings --markdown > docs/settings.md"


def test_the_documented_defaults_are_the_defaults():
    defaults = Settings()
    for declared in DECLARED:
        if declared.name in ("home", "catalog", "database_url", "webhook_secret"):
            continue  # a path, or none: documented in words
        assert declared.parse(declared.default, declared.name) == getattr(defaults, declared.name), declared.name
    assert defaults.home == Path.home() / ".banwatch" and defaults.catalog is None and defaults.database_url is None \
        and defaults.webhook_secret is None


def test_environment_over_file_over_defaults(tmp_path):
    settings_file = tmp_path / "banwatch.toml"
    settings_file.write_text('max_drop = 0.25\nkeep_snapshots = 3\ncatalog = "my-catalog"\n'
                             '[sources]\nun = "http://127.0.0.1:9/un/"\n', encoding="utf-8")
    settings = Settings.load({"BANWATCH_SETTINGS": str(settings_file), "BANWATCH_KEEP_SNAPSHOTS": "5",
                              "BANWATCH_SOURCE_OFAC_SDN": "http://127.0.0.1:9/sdn/"})
    assert settings.max_drop == 0.25 and settings.origins["max_drop"] == str(settings_file)
    assert settings.keep_snapshots == 5 and settings.origins["keep_snapshots"] == "environment"
    assert settings.retry_backoff == 1.0 and settings.origins["retry_backoff"] == "default"
    assert settings.catalog == tmp_path / "my-catalog"  # relative to the file's folder
    assert settings.mirrors == {"un": "http://127.0.0.1:9/un/", "ofac-sdn": "http://127.0.0.1:9/sdn/"}
    assert Settings.load({}) == Settings()


@pytest.mark.parametrize(("environ", "content", "where", "problem"), [
    ({"BANWATCH_MAX_DROP": "lots"}, None, "BANWATCH_MAX_DROP", "'lots' is not a number"),
    ({"BANWATCH_KEEP_SNAPSHOTS": "2.5"}, None, "BANWATCH_KEEP_SNAPSHOTS", "not a whole number"),
    ({"BANWATCH_MAX_DROP": "2"}, None, "BANWATCH_MAX_DROP", "outside 0..1"),
    ({}, "max_dorp = 0.2\n", "max_dorp", "unknown setting"),
    ({}, "max_drop = \n", "banwatch.toml", "not valid TOML"),
])
def test_a_bad_setting_is_bad_input_naming_it(tmp_path, environ, content, where, problem):
    if content is not None:
        (tmp_path / "banwatch.toml").write_text(content, encoding="utf-8")
        environ = {**environ, "BANWATCH_SETTINGS": str(tmp_path / "banwatch.toml")}
    with pytest.raises(BadInput) as error:
        Settings.load(environ)
    assert where in error.value.where and problem in error.value.problem


def test_a_bad_setting_stops_the_command_with_one_line(tmp_path):
    result = run_banwatch("lists", "status", home=tmp_path, BANWATCH_MAX_DROP="lots")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["banwatch: error: BANWATCH_MAX_DROP: 'lots' is not a number"]


def test_settings_command_shows_each_value_and_where_it_came_from(tmp_path):
    rows = {row["name"]: row for row in run_json("settings", "--json", home=tmp_path, BANWATCH_MAX_DROP="0.3")}
    assert rows["home"] == {"name": "home", "variable": "BANWATCH_HOME", "value": str(tmp_path),
                            "from": "environment"}
    assert (rows["max_drop"]["value"], rows["max_drop"]["from"]) == ("0.3", "environment")
    assert rows["keep_snapshots"]["from"] == "default"


# ---------------------------------------------------------------------- one catalog everywhere


@pytest.fixture
def catalog_without_leadership(tmp_path) -> Path:
    """The bundled catalog without the OFAC designations of Kaspersky's leadership."""
    folder = tmp_path / "catalog"
    folder.mkdir()
    for measure in Path(str(BUNDLED)).glob("*.yaml"):
        if measure.stem != "us-ofac-kaspersky-leadership-2024":
            shutil.copy(measure, folder / measure.name)
    return folder


def test_screen_uses_the_catalog_the_settings_name(tmp_path, catalog_without_leadership):
    bundled = run_json("screen", "--json", "Andrei Gennadyevich Tikhonov", home=tmp_path / "a")
    assert bundled["matches"][0]["entity_id"] == TIKHONOV
    own = run_json("screen", "--json", "Andrei Gennadyevich Tikhonov", home=tmp_path / "b",
                   BANWATCH_CATALOG=str(catalog_without_leadership))
    assert own["matches"] == []


def test_decide_and_the_python_library_use_the_catalog_the_settings_name(tmp_path, catalog_without_leadership,
                                                                         monkeypatch):
    sale = Transaction(type="sale", date="2024-10-01", product="Laptop", buyer="Andrei Gennadyevich Tikhonov",
                       buyer_country="US")
    assert banwatch.decide(sale).outcome.value == "prohibited"  # the bundled catalog's OFAC designation
    monkeypatch.setenv("BANWATCH_CATALOG", str(catalog_without_leadership))
    monkeypatch.setenv("BANWATCH_HOME", str(tmp_path / "home"))
    assert banwatch.decide(sale).outcome.value == "allowed"
    assert banwatch.screen("Andrei Gennadyevich Tikhonov") == []
    with Context.from_environment() as context:
        assert len(context.catalog) == len(list(catalog_without_leadership.glob("*.yaml")))
        assert context.catalog.origin == str(catalog_without_leadership)
    decided = run_json("decide", "--json", "--type", "sale", "--date", "2024-10-01", "--product", "Laptop",
                       "--buyer", "Andrei Gennadyevich Tikhonov", "--buyer-country", "US", home=tmp_path / "home",
                       BANWATCH_CATALOG=str(catalog_without_leadership))
    assert "us-ofac-kaspersky-leadership-2024" not in {finding["id"] for finding in decided["measures"]}
    assert decided["outcome"] == "review"  # no list is loaded in this home: the buyer is not cleared


# ---------------------------------------------------------------------- errors name fields


def test_an_error_names_its_field_as_each_front_end_does():
    problem = BadInput("names.csv header", "no column 'nom' ({field}); the header has 'id'", field="name_column")
    assert problem.render() == "names.csv header: no column 'nom' (name_column); the header has 'id'"
    assert problem.render(lambda code: "--" + code.replace("_", "-")) == \
        "names.csv header: no column 'nom' (--name-column); the header has 'id'"
    assert problem.render(lambda code: "/" + code) == "names.csv header: no column 'nom' (/name_column); the header has 'id'"
    row = BadInput("orders.csv row 7", "'USA' is not a country", field="buyer_country")
    assert (row.where, row.problem) == ("orders.csv row 7 buyer_country", "'USA' is not a country")
    flag_only = BadInput(None, "unknown transaction type", field="type")
    assert flag_only.render(lambda code: f"--{code}") == "--type: unknown transaction type"


# ---------------------------------------------------------------------- one in-force rule


def test_decisions_and_the_estate_scan_apply_a_partys_own_phases_alike():
    """The FCC's equipment-authorization phase (2023-02-06) does not concern
    Kaspersky's software (its entry names only the initial list): neither a
    decision nor an estate finding may apply it to Kaspersky, while both
    apply it to Huawei."""
    import datetime as dt

    from banwatch.catalog import bundled_catalog, find_measure
    from banwatch.estate.findings import status_on
    from banwatch.estate.scan import scan
    from banwatch.model import Detection, Signature

    fcc = find_measure(bundled_catalog(), "us-fcc-covered-list")
    on = dt.date(2024, 1, 1)
    assert status_on(fcc, on, ["AO Kaspersky Lab"]) == ("low", "watch")
    assert status_on(fcc, on, ["Huawei Technologies Company"])[0] == "medium"

    def fcc_outcome(vendor: str) -> str:
        decision = banwatch.decide(Transaction(type="sale", date=on, vendor=vendor, buyer_country="US"))
        return next(f.outcome.value for f in decision.measures if f.id == fcc.id)

    assert (fcc_outcome("AO Kaspersky Lab"), fcc_outcome("Huawei Technologies Company")) == ("allowed", "review")

    # a detection signature that names its party gets that party's phases in a scan
    signature = Signature(field="publisher", match="word", patterns=["Kaspersky"], label="Kaspersky as publisher",
                          source="test", party="AO Kaspersky Lab")
    with_detection = fcc.model_copy(update={"detection": Detection(what="Kaspersky software", remediation="replace",
                                                                     signatures=[signature])})
    inventory = ROOT / "src" / "banwatch" / "samples" / "estate" / "installed-programs.csv"
    findings = scan([inventory], [with_detection], on).findings
    assert findings and {(f.severity, f.status) for f in findings} == {("low", "watch")}
    anonymous = with_detection.model_copy(update={"detection": Detection(
        what="Kaspersky software", remediation="replace", signatures=[signature.model_copy(update={"party": None})])})
    assert {f.severity for f in scan([inventory], [anonymous], on).findings} == {"medium"}


def test_a_measure_names_only_its_own_parties_and_only_a_list_measure_goes_without_a_publication_date():
    from pydantic import ValidationError

    from banwatch.catalog import bundled_catalog, find_measure

    fcc = find_measure(bundled_catalog(), "us-fcc-covered-list").model_dump()
    signature = {"field": "publisher", "match": "word", "patterns": ["X"], "label": "x", "source": "test",
                 "party": "Nobody Ltd"}
    with pytest.raises(ValidationError, match="not a party of the measure"):
        banwatch.Measure.model_validate({**fcc, "detection": {"what": "x", "remediation": "x",
                                                               "signatures": [signature]}})
    with pytest.raises(ValidationError, match="no publication date"):
        banwatch.Measure.model_validate({**fcc, "published": None})
    sdn = find_measure(bundled_catalog(), "us-ofac-sdn-blocked-persons")
    assert sdn.published is None and sdn.lists == ["ofac-sdn"] and not sdn.parties
