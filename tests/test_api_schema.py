"""Property-based testing of the whole HTTP API from its own OpenAPI
document, with schemathesis: every operation called with generated bodies,
parameters and uploads (valid and invalid), with an admin key. No answer may
be a 5xx, and every answer must conform to the document (status codes,
content types, the response schemas). Bounded: SCHEMA_EXAMPLES per
operation (BANWATCH_SCHEMA_EXAMPLES for a longer run)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from banwatch.api import create_app
from banwatch.context import Context
from banwatch.settings import Settings
from conftest import SHARED, run_banwatch

SCHEMA_EXAMPLES = int(os.environ.get("BANWATCH_SCHEMA_EXAMPLES") or 25)
# The app exists when the tests are collected (schemathesis reads its OpenAPI document then);
# it touches its store only when called, after the fixture below has loaded a list into it.
HOME = Path(tempfile.mkdtemp(prefix="banwatch-schema-"))
# enough wrong keys allowed that a generated Authorization header never locks the run out
APP = create_app(Context(Settings.load({"BANWATCH_HOME": str(HOME),
                                        "BANWATCH_API_AUTH_FAILURES_PER_MINUTE": "1000000"})))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module")
def key():
    loaded = run_banwatch("lists", "load", str(SHARED / "data" / "ofac-sdn-2021"), home=HOME)
    assert loaded.returncode == 0, loaded.stderr
    made = run_banwatch("keys", "create", "schemathesis", "--role", "admin", "--json", home=HOME)
    yield json.loads(made.stdout)["key"]
    APP.state.context.close()
    shutil.rmtree(HOME, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=SCHEMA_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_operation_answers_a_5xx_or_breaks_its_schema(case, key):
    # Every check but one: a schema-valid request may still be bad input to banwatch (a date
    # before any measure, a list source that is not loaded), answered 422 with the reason.
    case.call_and_validate(headers={"Authorization": f"ApiKey {key}"}, excluded_checks=[positive_data_acceptance])
