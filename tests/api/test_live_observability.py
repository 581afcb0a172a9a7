"""Metrics and traces on the real server, the way an operator's Prometheus and
OpenTelemetry collector meet them: ``maillage serve`` over a socket, configured only by
its environment (MAILLAGE_METRICS_TOKEN, the standard OTEL_* variables)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live import DEMO_PASSWORD, LiveServer, demo_environment, demo_setup, start_server

POLE = "pas-de-calais"
COORDINATOR = f"coordinator@{POLE}.maillage.example"
METRICS_TOKEN = "metrics-" + uuid.uuid4().hex
WITHDRAW = """mutation Withdraw($id: ID!) { withdrawConsent(id: $id, by: "x") {
  errors { code } } }"""
FAMILIES = "query FamiliesAndChildren { families(first: 5) { edges { node { name } } } }"


@pytest.fixture(scope="module")
def install(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = tmp_path_factory.mktemp("live-observability")
    demo_setup(demo_environment(workdir), workdir)
    return workdir


@pytest.fixture
def serve(install: Path) -> Iterator[Any]:
    started: list[LiveServer] = []

    def start(**overrides: str) -> LiveServer:
        server = start_server(demo_environment(install, **overrides), install)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def sign_in(server: LiveServer) -> dict[str, str]:
    signed = httpx.post(
        f"{server.base_url}/auth/login", json={"email": COORDINATOR, "password": DEMO_PASSWORD}
    )
    assert signed.status_code == 200, signed.text
    return signed.json()


def a_few_requests(server: LiveServer) -> dict[str, str]:
    """Sign in, read families by a named operation, a refused one, a bad link."""
    tokens = sign_in(server)
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    for _ in range(2):
        read = httpx.post(f"{server.base_url}/graphql", json={"query": FAMILIES}, headers=bearer)
        assert read.status_code == 200 and "errors" not in read.json()
    anonymous = httpx.post(
        f"{server.base_url}/graphql", json={"query": "query Nope { families { totalCount } }"}
    )
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    refused = httpx.post(
        f"{server.base_url}/graphql",
        json={"query": WITHDRAW, "variables": {"id": "Q29uc2VudDow"}},
        headers=bearer,
    )
    assert refused.json()["data"]["withdrawConsent"]["errors"][0]["code"] == "NOT_FOUND"
    bogus = f"q_{uuid.uuid4().hex}{uuid.uuid4().hex}"
    assert httpx.get(f"{server.base_url}/q/{bogus}", params={"k": "secret-v"}).status_code >= 400
    return {**tokens, "link": bogus}


def samples(text: str, name: str) -> dict[str, float]:
    """``{labels: value}`` of one metric in Prometheus' text format."""
    found = {}
    for line in text.splitlines():
        match = re.match(rf"^{re.escape(name)}(\{{.*\}})? (\S+)$", line)
        if match:
            found[match.group(1) or ""] = float(match.group(2))
    return found


def test_metrics_are_off_without_the_operators_token(serve: Any) -> None:
    server = serve()
    assert httpx.get(f"{server.base_url}/metrics").status_code == 404


def test_metrics_by_route_operation_error_and_pool_for_the_token_bearer_only(
    serve: Any,
) -> None:
    server = serve(MAILLAGE_METRICS_TOKEN=METRICS_TOKEN)
    url = f"{server.base_url}/metrics"
    assert httpx.get(url).status_code == 401
    wrong = httpx.get(url, headers={"Authorization": "Bearer not-the-token-at-all"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"].startswith("Bearer")
    used = a_few_requests(server)
    scraped = httpx.get(url, headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    text = scraped.text

    requests = samples(text, "maillage_http_requests_total")
    assert requests['{method="POST",route="/graphql",status="200"}'] == 4
    assert requests['{method="POST",route="/auth/login",status="200"}'] == 1
    assert requests['{method="GET",route="/q/{token}",status="409"}'] == 1
    assert requests['{method="GET",route="/metrics",status="401"}'] == 2
    latency = samples(text, "maillage_http_request_duration_seconds_count")
    assert latency['{method="POST",route="/graphql"}'] == 4
    operations = samples(text, "maillage_graphql_operations_total")
    assert operations == {
        '{operation="FamiliesAndChildren"}': 2,
        '{operation="Nope"}': 1,
        '{operation="Withdraw"}': 1,
    }
    assert (
        samples(text, "maillage_graphql_operation_duration_seconds_count")[
            '{operation="FamiliesAndChildren"}'
        ]
        == 2
    )
    assert samples(text, "maillage_errors_total") == {
        '{code="UNAUTHENTICATED"}': 1,
        '{code="NOT_FOUND"}': 1,
    }
    # The pool of the SQLite database the demo serves from (nothing borrowed between
    # requests, nobody waiting).
    # The request pool and the side pool (decision 97).
    idle = {'{engine="app"}': 0, '{engine="side"}': 0}
    assert samples(text, "maillage_db_pool_in_use") == idle
    assert samples(text, "maillage_db_pool_waiting") == idle
    assert samples(text, "maillage_db_pool_size")['{engine="app"}'] >= 1
    assert "maillage_db_pool_overflow" in text
    for secret in (used["link"], used["access_token"], "secret-v", METRICS_TOKEN, COORDINATOR):
        assert secret not in text


def spans_in(text: str) -> list[dict[str, Any]]:
    """The spans the console exporter printed (indented JSON objects) among the log's
    one-line JSON records."""
    decoder, spans, position = json.JSONDecoder(), [], 0
    while (start := text.find("{", position)) != -1:
        try:
            value, position = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            position = start + 1
            continue
        if isinstance(value, dict) and "context" in value and "attributes" in value:
            spans.append(value)
    return spans


def test_traces_from_the_standard_variables_without_tokens_or_sql_parameters(
    serve: Any,
) -> None:
    server = serve(OTEL_TRACES_EXPORTER="console", OTEL_SERVICE_NAME="maillage-test")
    used = a_few_requests(server)
    server.stop()  # every span ended and printed
    text = server.settled_log()
    assert '"event": "otel_enabled"' in text
    spans = spans_in(text)
    names = {span["name"] for span in spans}
    assert {"POST /graphql", "GET /q/{token}", "POST /auth/login"} <= names
    link = next(span for span in spans if span["name"] == "GET /q/{token}")
    assert link["attributes"]["http.route"] == "/q/{token}"
    assert link["resource"]["attributes"]["service.name"] == "maillage-test"
    sql = [span for span in spans if "db.statement" in span["attributes"]]
    assert any("SELECT" in span["attributes"]["db.statement"] for span in sql)
    # SQL spans sit inside the request's span (same trace).
    request_traces = {s["context"]["trace_id"] for s in spans if s["name"] == "POST /auth/login"}
    assert any(s["context"]["trace_id"] in request_traces for s in sql)
    # The login looked the address up by a bound parameter: the spans hold the
    # placeholder, never the value; no token, no query value either.
    dumped = json.dumps(spans)
    for secret in (COORDINATOR, DEMO_PASSWORD, used["link"], used["access_token"], "secret-v"):
        assert secret not in dumped


def test_traces_asked_for_without_an_exporter_we_know_are_refused_in_the_log(
    serve: Any,
) -> None:
    server = serve(OTEL_TRACES_EXPORTER="zipkin")
    assert httpx.get(f"{server.base_url}/healthz").status_code == 200
    assert '"event": "otel_misconfigured"' in server.log_text()
