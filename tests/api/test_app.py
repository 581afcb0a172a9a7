"""HTTP surface: health check, request ids, production switches."""

from __future__ import annotations

import re

import httpx
from starlette.types import Receive, Scope, Send

from core.app.app import RequestIdMiddleware, create_app
from core.app.failures import UnexpectedErrors
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


async def test_a_database_down_answers_unavailable_to_clients_and_people(sqlite_urls: DbUrls):
    """Not Starlette's plain-text 500: a code, a delay to retry after, the request id
    (the live variant, on PostgreSQL: tests/concurrency/test_pool_under_load.py)."""
    down = Database("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    app = create_app(settings_for(sqlite_urls), down)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        api = await c.post(
            "/auth/login",
            json={"email": "a@b.example", "password": "x" * 12, "pole": "p"},
            headers={"x-request-id": "down-api-01"},
        )
        # A person signed in earlier: their session is looked up in the database.
        c.cookies.set("maillage_session", "s" * 43)
        page = await c.get("/", headers={"accept": "text/html", "x-request-id": "down-page-01"})
    await down.dispose()
    assert api.status_code == 503
    assert api.headers["retry-after"] == "5"
    assert api.json()["errors"][0]["extensions"] == {
        "code": "UNAVAILABLE",
        "requestId": "down-api-01",
    }
    assert page.status_code == 503
    assert "Service momentanément indisponible" in page.text
    assert "down-page-01" in page.text


async def test_any_other_escaped_exception_answers_internal_with_the_request_id():
    async def broken(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("a bug of ours")

    app = RequestIdMiddleware(UnexpectedErrors(broken))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        api = await c.get("/plugins/x/y", headers={"x-request-id": "bug-0000001"})
        page = await c.get("/familles", headers={"accept": "text/html"})
    assert api.status_code == 500
    assert api.json()["errors"][0]["extensions"] == {"code": "INTERNAL", "requestId": "bug-0000001"}
    assert "a bug of ours" not in api.text + page.text
    assert page.status_code == 500
    assert "Erreur inattendue" in page.text
    assert page.headers["x-request-id"] in page.text


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
        assert (await http.get("/static/graphiql/graphiql.min.js")).status_code == 404
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
    assert 'data-csrf-cookie="maillage_csrf"' in response.text
    assert 'data-csrf-header="x-csrf-token"' in response.text
    # Every file from the app itself, which serves them; the policy allows nothing else.
    assert "//" not in response.text.replace("<!doctype", "")
    assert "script-src 'self';" in response.headers["content-security-policy"]
    assets = re.findall(r'(?:src|href)="(/static/graphiql/[^"]+)"', response.text)
    assert len(assets) == 8
    for path in assets:
        served = await client.http.get(path)
        assert served.status_code == 200 and len(served.content) > 200, path
        kind = "javascript" if path.endswith(".js") else "css"
        assert kind in served.headers["content-type"], path
