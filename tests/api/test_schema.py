"""Property tests of the API against its own OpenAPI schema (schemathesis): every operation,
called in-process (WSGI) with a valid read-write token over the seeded world with generated
parameters, query strings and uploads, answers no 5xx, and each answer matches the schema.

The path's program and police ID are set to the seeded ones, so that the calls reach the data
(a wrong code is a 404, tested in test_access). A few examples per operation keep this under
half a minute: .venv/bin/pytest tests/api/test_schema.py -q"""

import io
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from api.models import ApiClient
from config.wsgi import application

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
EXAMPLES = 12


@pytest.fixture(autouse=True)
def connection_kept_between_requests():
    """Called straight through WSGI, each request would end by closing the database
    connection (close_old_connections), and with it the test's transaction; Django's test
    client keeps it open the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def rw_token(world, api_client, units, settings):
    settings.API_RATE_LIMIT = 10_000
    _client, token = api_client(units["jintan"], ApiClient.Access.READ_WRITE)
    return token


def test_api_conforms_to_its_schema(rw_token):
    # The schema is read (through the API, in-process) inside the test, whose database it
    # records the call in; each operation then gets its own Hypothesis run.
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    headers = {"Authorization": f"Bearer {rw_token}"}
    answers = Counter()

    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def conforms(case):
            parameters = case.path_parameters or {}
            if "code" in parameters:
                parameters["code"] = "CZ2023"
            if "police_id" in parameters:
                parameters["police_id"] = "320401"
            upload = case.body.get("file") if isinstance(case.body, dict) else None
            if upload is not None:
                # schemathesis's WSGI transport would send the bytes as a form field: a file
                # part is what the schema (format: binary) says, and what a client sends.
                content = getattr(upload, "data", upload)
                name = "名册.xlsx" if len(content) % 2 else "名册.csv"
                case.body["file"] = (io.BytesIO(content), name)
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            answers[f"{case.method} {case.operation.path} {response.status_code}"] += 1

        conforms()

    print(dict(sorted(answers.items())))  # the summary: pytest -s
    assert len(operations) == 12
    # The uploads reached the import (its checks answered), not only ninja's validation.
    assert answers["POST /api/v1/programs/{code}/roster 400"] > 0
