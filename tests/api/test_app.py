"""HTTP surface: health check, request ids, production switches."""

from __future__ import annotations

import httpx

from core.api.app import create_app
from core.tenancy.database import Database
from tests.api.conftest import GraphQLClient, settings_for
from tests.conftest import DbUrls

PRODUCTION = {
    "MAILLAGE_MODE": "production",
    "MAILLAGE_SECRET_KEY": "x" * 48,
    "MAILLAGE_PUBLIC_URL": "https://maillage.example",
    "MAILLAGE_MAIL": "smtp+starttls://relais@mail.example:587",
}


async def test_healthz_checks_the_database(client: GraphQLClient):
    response = await client.http.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


async def test_healthz_answers_503_when_the_database_is_down(sqlite_urls: DbUrls):
    down = Database("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    app = create_app(settings_for(sqlite_urls), down)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        response = await c.get("/healthz")
    await down.dispose()
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}


async def test_request_id_is_echoed_or_made(client: GraphQLClient):
    given = await client.http.get("/healthz", headers={"X-Request-Id": "abcdef123456"})
    assert given.headers["x-request-id"] == "abcdef123456"
    made = await client.http.get("/healthz", headers={"X-Request-Id": "bad id!"})
    assert made.headers["x-request-id"] != "bad id!"
    assert len(made.headers["x-request-id"]) == 32


async def _production_client(urls: DbUrls, db: Database) -> httpx.AsyncClient:
    settings = settings_for(urls, **PRODUCTION, MAILLAGE_ALLOW_SQLITE_IN_PRODUCTION="1")
    app = create_app(settings, db)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_production_turns_off_introspection_graphiql_and_a_bare_tenant_header(
    sqlite_urls: DbUrls,
):
    db = sqlite_urls.database()
    async with await _production_client(sqlite_urls, db) as http:
        intro = await http.post("/graphql", json={"query": "{ __schema { types { name } } }"})
        assert intro.json()["errors"][0]["extensions"]["code"] == "VALIDATION"
        ide = await http.get("/graphql", headers={"Accept": "text/html"})
        assert ide.status_code != 200 or "graphiql" not in ide.text.lower()
        header = await http.post(
            "/graphql",
            json={"query": "{ tenant { slug } }"},
            headers={"X-Maillage-Tenant": "puy-de-dome"},
        )
        assert header.json()["data"]["tenant"] is None
    await db.dispose()


async def test_demo_serves_graphiql(client: GraphQLClient):
    response = await client.http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
    # It echoes the session's CSRF cookie in our header, so mutations work from it.
    assert 'Cookies.get("maillage_csrf")' in response.text
    assert '"x-csrf-token"' in response.text
