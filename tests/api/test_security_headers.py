"""Security headers on every response, over real HTTP (issue "Under attack", findings 7
and 8): the demo server, and a server in production mode."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from core.app.headers import BASE_HEADERS, DEFAULT_CSP, HSTS
from tests.live import (
    DEMO_PASSWORD,
    LiveServer,
    demo_environment,
    demo_setup,
    start_server,
)

PRODUCTION = {
    "MAILLAGE_MODE": "production",
    # Production refuses the suite's cheap password profile: the default, as an install.
    "MAILLAGE_PASSWORD_PROFILE": "rfc9106",
    "MAILLAGE_SECRET_KEY": "s" * 48,
    "MAILLAGE_PUBLIC_URL": "https://maillage.test",
    "MAILLAGE_MAIL": "smtps://relay.invalid:465",
    "MAILLAGE_ALLOW_SQLITE_IN_PRODUCTION": "1",
}


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A demo database (built in demo mode with the install's secret), then served in
    production mode — SQLite allowed on purpose."""
    workdir = tmp_path_factory.mktemp("headers-production")
    env = demo_environment(workdir, MAILLAGE_SECRET_KEY=PRODUCTION["MAILLAGE_SECRET_KEY"])
    demo_setup(env, workdir)
    server = start_server({**env, **PRODUCTION}, workdir)
    yield server
    server.stop()


def responses(server: LiveServer) -> dict[str, httpx.Response]:
    token = httpx.post(
        f"{server.base_url}/auth/login",
        json={"email": "coordinator@puy-de-dome.maillage.example", "password": DEMO_PASSWORD},
    ).json()["access_token"]
    bearer = {"authorization": f"Bearer {token}"}
    get, post = httpx.get, httpx.post
    url = server.base_url
    return {
        "healthz": get(f"{url}/healthz"),
        "graphql": post(f"{url}/graphql", json={"query": "{ tenants { slug } }"}),
        "graphql refused": post(f"{url}/graphql", content=b"null"),
        "login page": get(f"{url}/auth/login"),
        "report (health data)": get(f"{url}/reports/outreach.html?year=2026", headers=bearer),
        "report refused": get(f"{url}/reports/outreach.html?year=2026"),
        "questionnaire link": get(f"{url}/q/q_unknown"),
        "not found": get(f"{url}/nothing-here"),
        "jwks": get(f"{url}/.well-known/jwks.json"),
    }


def test_every_response_carries_the_security_headers(demo_server: LiveServer) -> None:
    for name, answer in responses(demo_server).items():
        assert answer.status_code < 500, name
        for header, value in BASE_HEADERS.items():
            if header == "referrer-policy" and answer.headers.get(header):
                continue  # a page may choose a stricter one
            assert answer.headers.get(header) == value, (name, header)
        assert answer.headers.get("content-security-policy"), name
        assert "strict-transport-security" not in answer.headers, name
    report = responses(demo_server)["report (health data)"]
    assert report.status_code == 200
    assert report.headers["content-security-policy"] == DEFAULT_CSP


def test_the_graphiql_page_states_its_own_policy(demo_server: LiveServer) -> None:
    page = httpx.get(f"{demo_server.base_url}/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    policy = page.headers["content-security-policy"]
    assert "script-src" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["x-frame-options"] == "DENY"


def test_production_adds_hsts(production: LiveServer) -> None:
    for name, answer in responses(production).items():
        assert answer.headers.get("strict-transport-security") == HSTS, name


def test_production_gives_no_field_suggestions(production: LiveServer) -> None:
    """Introspection is off in production; « Did you mean 'tenants'? » would still
    enumerate the schema."""
    answer = httpx.post(f"{production.base_url}/graphql", json={"query": "{ tenantz { slug } }"})
    error = answer.json()["errors"][0]
    assert error["extensions"]["code"] == "VALIDATION"
    assert "Did you mean" not in error["message"] and "tenants" not in error["message"]
