"""Property-based test over the OpenAPI schema (schemathesis 3.39): the schema is served at
/api/schema/ by the WSGI application; requests built from each operation's query parameters,
authenticated with a regio user's token on the small hand-made database, never give a server
error, and every answer conforms to the schema (schemathesis' checks: status code, content type,
headers, body, and that the request without the token is refused).

The query values are drawn per parameter from the parameter's own JSON schema with
hypothesis-jsonschema (strings of any characters, integers in range, the enums, dates), mixed with
codes that exist in the fixture so that the answers with data are reached too. Schemathesis' own
`operation.as_strategy()` cannot be used with the locked versions: it draws the whole query as one
object schema, and hypothesis-jsonschema 0.23.1's object strategy calls a Hypothesis internal
(`many.more()`) that Hypothesis 6.170 no longer has (AttributeError)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from jeugdregie.demo.loader import load_demo_region
from jeugdregie.web.tests.test_access import build_care
from jeugdregie.wsgi import application

from .support import token_client

pytestmark = pytest.mark.django_db
EXAMPLES = 20  # per operation


def schema_headers() -> dict[str, str]:
    """The schema is for logged-in users and tokens only (test_auth): a regio user's token."""
    load_demo_region()
    return {"Authorization": token_client("regio")._credentials["HTTP_AUTHORIZATION"]}


@pytest.mark.usefixtures("keep_test_connection")
def test_the_schema_describes_every_endpoint_in_dutch():
    schema = schemathesis.from_wsgi("/api/schema/", application, headers=schema_headers())
    assert schema.raw_schema["info"]["title"] == "Jeugdregie lees-API"
    paths = set(schema.raw_schema["paths"])
    assert paths == {"/api/kpi/", "/api/plafonds/", "/api/prognoses/", "/api/signalen/", "/api/stoplicht/"}
    assert all(set(p) == {"get"} for p in schema.raw_schema["paths"].values())  # read only
    assert {"tokenAuth", "cookieAuth"} <= set(schema.raw_schema["components"]["securitySchemes"])


def query_strategy(parameters, known):
    """A query dict: each parameter absent, drawn from its schema, or (if any) a known value."""
    fields = {}
    for p in parameters:
        if p["in"] != "query":
            continue
        choices = [st.none(), from_schema(p["schema"])]
        if known.get(p["name"]):
            choices.append(st.sampled_from(known[p["name"]]))
        fields[p["name"]] = st.one_of(choices)
    return st.fixed_dictionaries(fields).map(lambda d: {k: v for k, v in d.items() if v is not None})


def run(operation, queries, headers) -> set[int]:
    """Calls `operation` with generated queries and schemathesis' checks; the status codes seen."""
    seen = set()

    @given(query=queries)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(query):
        case = operation.make_case(query=query, headers=dict(headers), cookies={})
        response = case.call_and_validate()
        assert response.status_code < 500
        seen.add(response.status_code)

    check()
    return seen


@pytest.fixture
def keep_test_connection():
    """Calling the WSGI application directly (not through Django's test client) sends the request
    signals, whose handler closes "old" database connections; on PostgreSQL that would close the
    test's transaction with its fixture. Django's test client disconnects it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("keep_test_connection")
def test_generated_requests_conform_to_the_schema():
    load_demo_region()
    own, other = build_care()
    known = {
        "gemeente": ["0983", "0984", "9999"],
        "aanbieder": [own.agb_code, other.agb_code],
        "jaar": [2024, 2025],
        "peildatum": ["2024-12-31", "2025-01-31", "2024-06-30"],
        "pagina": [1, 2, 12, 13],
        "product": ["45N01"],
    }
    key = token_client("regio")._credentials["HTTP_AUTHORIZATION"].split()[1]
    headers = {"Authorization": f"Token {key}"}
    schema = schemathesis.from_wsgi("/api/schema/", application, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 5
    statuses = {
        operation.path: run(
            operation, query_strategy(operation.definition.raw.get("parameters", []), known), headers
        )
        for operation in operations
    }
    # The examples reached answers with data everywhere, and the refusals of values the schema
    # allows but the data does not (a year without data, a date that is not a month end).
    assert all(200 in found for found in statuses.values()), statuses
    assert all(400 in statuses[path] for path in ("/api/kpi/", "/api/plafonds/", "/api/signalen/")), statuses
