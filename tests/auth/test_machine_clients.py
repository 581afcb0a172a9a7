"""Machine clients end to end: registration, the client_credentials grant, scopes,
revocation, private_key_jwt, the network client and the throttle.

Everything goes over httpx through the real ASGI app, on SQLite and PostgreSQL. A small
plugin declared here (``probe``) adds one mutation gated by an action of scope
``tenant:write``, so the write scope is checked on a real mutation.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import httpx
import pytest_asyncio
import strawberry
from joserfc import jwt
from joserfc.jwk import ECKey
from sqlalchemy import select

from core.access.actions import Action
from core.app.app import create_app
from core.app.authn import TENANT_HEADER
from core.auth import clients
from core.auth.models import ApiClient
from core.auth.secrets import digest
from core.auth.service import AuthService
from core.cli.auth import operator
from core.contributions import GraphQLContribution
from core.domain.areas.service import upsert_area
from core.hooks import hookimpl
from core.plugins.host import PluginHost
from core.plugins.manifest import API_VERSION, Plugin
from core.sdk import plugin_mutation, requires
from core.tenancy.database import Database
from core.tenancy.models import Tenant
from core.testing.client import GraphQLClient
from tests.api.conftest import settings_for
from tests.conftest import DbUrls, make_tenant

AREAS = "{ serviceAreas { name } }"
WRITE = "mutation { probeWrite }"
CREATE = """
mutation Create($name: String!, $scopes: [String!]!, $authMethod: String!, $publicJwks: JSON) {
  createApiClient(input: {
    name: $name, scopes: $scopes, authMethod: $authMethod, publicJwks: $publicJwks }) {
    client { clientId scopes authMethod }
    secret
    errors { code field message }
  }
}
"""
REVOKE = """
mutation Revoke($clientId: String!) {
  revokeApiClient(clientId: $clientId) { client { clientId revokedAt } errors { code } }
}
"""
LIST = "{ apiClients { clientId name scopes authMethod createdBy revokedAt lastUsedAt } }"


# --- a plugin with a tenant:write mutation ------------------------------------------------


@strawberry.type
class ProbeMutation:
    @plugin_mutation(
        "probe", description="Écrire dans le pôle.", extensions=requires("probe.write")
    )
    def probe_write(self) -> bool:
        return True


@hookimpl
def _probe_actions() -> list[Action]:
    return [
        Action(
            "probe.write",
            "Écrire (test)",
            default_roles=frozenset({"pole_admin"}),
            scope="tenant:write",
        )
    ]


@hookimpl
def _probe_graphql() -> GraphQLContribution:
    return GraphQLContribution(mutation=ProbeMutation)


def probe_plugin() -> ModuleType:
    # Named after this module, so that the types defined here count as the plugin's own.
    module = ModuleType(__name__)
    module.manifest = Plugin(  # type: ignore[attr-defined]
        name="probe",
        version="1.0.0",
        api_version=API_VERSION,
        title="Sonde",
        description="Une mutation de portée tenant:write, pour les tests.",
        default_enabled=True,
    )
    module.maillage_actions = _probe_actions  # type: ignore[attr-defined]
    module.maillage_graphql = _probe_graphql  # type: ignore[attr-defined]
    return module


# --- fixtures ------------------------------------------------------------------------------


def fresh_address() -> str:
    n = uuid.uuid4().int
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


@pytest_asyncio.fixture
async def client(db_urls: DbUrls, db: Database) -> AsyncIterator[GraphQLClient]:
    """The real app with the probe plugin. Each test calls from an address of its own:
    the throttle counts failures per address in the database, which PostgreSQL tests
    share."""
    host = PluginHost.start(entry_points=False, extra=[probe_plugin()])
    app = create_app(settings_for(db_urls), db, host)
    transport = httpx.ASGITransport(app=app, client=(fresh_address(), 40000))
    async with httpx.AsyncClient(transport=transport, base_url="https://maillage.test") as http:
        yield GraphQLClient(http, app=app)


async def pole_with_area(db: Database, departement: str, area: str, insee: list[str]) -> Tenant:
    tenant = await make_tenant(db, departement)
    async with db.session(tenant.id) as session:
        await upsert_area(session, name=area, insee_codes=insee)
        await session.commit()
    return tenant


@pytest_asyncio.fixture
async def pole(db: Database) -> Tenant:
    return await pole_with_area(db, "62", "Artois", ["62119", "62498"])


@pytest_asyncio.fixture
async def other_pole(db: Database) -> Tenant:
    return await pole_with_area(db, "63", "Combrailles", ["63103", "63300"])


# --- helpers ---------------------------------------------------------------------------------


def auth_of(client: GraphQLClient) -> AuthService:
    return client.app.state.auth


async def register(
    client: GraphQLClient,
    tenant: Tenant,
    scopes: list[str],
    auth_method: str = "client_secret_basic",
    public_jwks: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``createApiClient`` as the pole's admin: the payload."""
    result = await client.execute(
        CREATE,
        {
            "name": "Intégrateur de test",
            "scopes": scopes,
            "authMethod": auth_method,
            "publicJwks": public_jwks,
        },
        tenant=tenant,
    )
    assert "errors" not in result, result
    return result["data"]["createApiClient"]


async def registered(client: GraphQLClient, tenant: Tenant, scopes: list[str]) -> tuple[str, str]:
    """A new secret client of ``tenant``: (client id, secret)."""
    payload = await register(client, tenant, scopes)
    assert payload["errors"] == []
    return payload["client"]["clientId"], payload["secret"]


async def token_basic(
    client: GraphQLClient, client_id: str, secret: str, **form: str
) -> httpx.Response:
    return await client.http.post(
        "/auth/token",
        data={"grant_type": "client_credentials", **form},
        auth=(client_id, secret),
    )


async def token_post(
    client: GraphQLClient, client_id: str, secret: str, **form: str
) -> httpx.Response:
    return await client.http.post(
        "/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
            **form,
        },
    )


async def token_jwt(client: GraphQLClient, assertion: str) -> httpx.Response:
    return await client.http.post(
        "/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": clients.ASSERTION_TYPE,
            "client_assertion": assertion,
        },
    )


def access_token(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and "refresh_token" not in body
    return body["access_token"]


def assert_oauth_error(response: httpx.Response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert "access_token" not in response.text


def unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and claims of a compact JWS, signature unchecked."""

    def part(value: str) -> dict[str, Any]:
        return json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))

    header, claims, _ = token.split(".")
    return part(header), part(claims)


async def ask(
    client: GraphQLClient, token: str, query: str = AREAS, tenant: Tenant | None = None
) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"}
    if tenant is not None:
        headers[TENANT_HEADER] = tenant.slug
    return await client.http.post("/graphql", json={"query": query}, headers=headers)


async def areas_read(client: GraphQLClient, token: str, tenant: Tenant | None = None) -> list[str]:
    response = await ask(client, token, tenant=tenant)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return [area["name"] for area in body["data"]["serviceAreas"]]


def assert_forbidden(response: httpx.Response, *codes: str) -> None:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] is None, body
    assert body["errors"][0]["extensions"]["code"] in (codes or ("FORBIDDEN",)), body


def assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def ec_key(kid: str) -> ECKey:
    return ECKey.generate_key("P-256", parameters={"kid": kid, "alg": "ES256", "use": "sig"})


def assertion(
    auth: AuthService, client_id: str, key: ECKey, *, audience: str | None = None, **claims: Any
) -> str:
    """An RFC 7523 client assertion: iss = sub = the client, aud = our token endpoint."""
    now = int(auth.now().timestamp())
    body = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience or f"{auth.config.issuer}/auth/token",
        "iat": now,
        "exp": now + 120,
        "jti": uuid.uuid4().hex,
        **claims,
    }
    return jwt.encode({"alg": "ES256", "kid": key.kid}, body, key, algorithms=["ES256"])


# --- registration ----------------------------------------------------------------------------


async def test_the_secret_is_shown_once_and_stored_as_a_digest(client: GraphQLClient, pole: Tenant):
    payload = await register(client, pole, ["tenant:read"])
    assert payload["errors"] == []
    client_id, secret = payload["client"]["clientId"], payload["secret"]
    assert payload["client"] == {
        "clientId": client_id,
        "scopes": ["tenant:read"],
        "authMethod": "client_secret_basic",
    }
    assert secret and len(secret) >= 40

    listed = await client.execute(LIST, tenant=pole)
    assert [c["clientId"] for c in listed["data"]["apiClients"]] == [client_id]
    assert secret not in json.dumps(listed)
    no_field = await client.execute("{ apiClients { clientId secret } }", tenant=pole)
    assert no_field["data"] is None and "secret" in no_field["errors"][0]["message"]

    async with client.app.state.db.reference_session() as session:
        row = (
            (
                await session.execute(
                    select(ApiClient.__table__).where(ApiClient.client_id == client_id)
                )
            )
            .mappings()
            .one()
        )
    assert row["secret_hash"] == digest(secret)
    assert all(secret not in str(value) for value in row.values())


async def test_bad_registrations_are_coded_errors(client: GraphQLClient, pole: Tenant):
    network = await register(client, pole, ["network:read"])
    private = await register(
        client,
        pole,
        ["tenant:read"],
        "private_key_jwt",
        {"keys": [ec_key("k1").as_dict(private=True)]},
    )
    for payload, field in ((network, "scopes"), (private, "publicJwks")):
        assert payload["client"] is None and payload["secret"] is None
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [("VALIDATION", field)]


# --- client_credentials with a secret --------------------------------------------------------


async def test_secret_basic_and_post_get_a_scoped_access_token(
    client: GraphQLClient, pole: Tenant, other_pole: Tenant
):
    client_id, secret = await registered(client, pole, ["tenant:read"])

    for response in (
        await token_basic(client, client_id, secret),
        await token_post(client, client_id, secret),
    ):
        token = access_token(response)
        assert response.json()["expires_in"] == 300
        header, claims = unverified(token)
        assert header["typ"] == "at+jwt" and header["alg"] == "ES256"
        assert claims["sub"] == f"client:{client_id}"
        assert claims["client_id"] == client_id
        assert claims["scope"] == "tenant:read"

        # Its own pole, with or without naming it.
        assert await areas_read(client, token) == ["Artois"]
        assert await areas_read(client, token, pole) == ["Artois"]
        # Another pole named: nothing of it.
        other = await ask(client, token, tenant=other_pole)
        assert_forbidden(other)
        assert "Combrailles" not in other.text and "Artois" not in other.text


async def test_read_scope_cannot_write_and_write_scope_can(client: GraphQLClient, pole: Tenant):
    reader = access_token(
        await token_basic(client, *await registered(client, pole, ["tenant:read"]))
    )
    writer = access_token(
        await token_basic(client, *await registered(client, pole, ["tenant:write"]))
    )

    assert_forbidden(await ask(client, reader, WRITE))
    written = await ask(client, writer, WRITE)
    assert written.status_code == 200 and written.json() == {"data": {"probeWrite": True}}
    assert await areas_read(client, writer) == ["Artois"]  # write implies read

    # Nothing a client holds gives it an admin's unscoped action.
    for token in (reader, writer):
        create = await ask(
            client,
            token,
            'mutation { createApiClient(input: { name: "x", scopes: ["tenant:read"] }) '
            "{ secret } }",
        )
        assert_forbidden(create)


async def test_a_scope_not_granted_is_refused(client: GraphQLClient, pole: Tenant):
    client_id, secret = await registered(client, pole, ["tenant:read"])
    assert_oauth_error(
        await token_basic(client, client_id, secret, scope="tenant:write"), 400, "invalid_scope"
    )
    narrowed = access_token(await token_basic(client, client_id, secret, scope="tenant:read"))
    assert unverified(narrowed)[1]["scope"] == "tenant:read"


async def test_wrong_secret_or_unknown_client_is_invalid_client(
    client: GraphQLClient, pole: Tenant
):
    client_id, secret = await registered(client, pole, ["tenant:read"])
    assert_oauth_error(await token_basic(client, client_id, secret + "x"), 401, "invalid_client")
    assert_oauth_error(await token_post(client, client_id, "mcs_wrong"), 401, "invalid_client")
    assert_oauth_error(await token_basic(client, "mc_unknown", secret), 401, "invalid_client")
    assert_oauth_error(
        await client.http.post("/auth/token", data={"grant_type": "client_credentials"}),
        401,
        "invalid_client",
    )


# --- private_key_jwt -------------------------------------------------------------------------


async def test_private_key_jwt(client: GraphQLClient, pole: Tenant):
    auth = auth_of(client)
    key = ec_key("integrator-2026")
    payload = await register(
        client, pole, ["tenant:read"], "private_key_jwt", {"keys": [key.as_dict(private=False)]}
    )
    assert payload["errors"] == [] and payload["secret"] is None
    client_id = payload["client"]["clientId"]

    signed = assertion(auth, client_id, key)
    token = access_token(await token_jwt(client, signed))
    assert unverified(token)[1]["sub"] == f"client:{client_id}"
    assert await areas_read(client, token) == ["Artois"]

    refused = {
        "replayed": signed,
        "wrong audience": assertion(auth, client_id, key, audience=f"{auth.config.issuer}/graphql"),
        "lives too long": assertion(auth, client_id, key, exp=int(auth.now().timestamp()) + 3600),
        "another key": assertion(auth, client_id, ec_key("integrator-2026")),
    }
    # Four failures here and one below: the throttle's limit (5) is reached, not passed.
    for name, value in refused.items():
        response = await token_jwt(client, value)
        assert response.status_code == 401 and response.json()["error"] == "invalid_client", name
    # A secret is no way in for a private_key_jwt client.
    assert_oauth_error(await token_post(client, client_id, "mcs_guess"), 401, "invalid_client")


# --- revocation ------------------------------------------------------------------------------


async def test_revoked_client_is_refused_at_once(client: GraphQLClient, pole: Tenant):
    client_id, secret = await registered(client, pole, ["tenant:read"])
    token = access_token(await token_basic(client, client_id, secret))
    assert await areas_read(client, token) == ["Artois"]

    revoked = await client.execute(REVOKE, {"clientId": client_id}, tenant=pole)
    assert revoked["data"]["revokeApiClient"]["errors"] == []
    assert revoked["data"]["revokeApiClient"]["client"]["revokedAt"] is not None

    assert_refused(await ask(client, token))
    assert_oauth_error(await token_basic(client, client_id, secret), 401, "invalid_client")


async def test_another_pole_cannot_revoke_a_client(
    client: GraphQLClient, pole: Tenant, other_pole: Tenant
):
    client_id, secret = await registered(client, pole, ["tenant:read"])
    attempt = await client.execute(REVOKE, {"clientId": client_id}, tenant=other_pole)
    assert [e["code"] for e in attempt["data"]["revokeApiClient"]["errors"]] == ["NOT_FOUND"]
    token = access_token(await token_basic(client, client_id, secret))
    assert await areas_read(client, token) == ["Artois"]


# --- the network client ----------------------------------------------------------------------


async def test_network_client_reaches_no_pole(client: GraphQLClient, pole: Tenant):
    auth = auth_of(client)
    async with auth.db.reference_session() as session:
        created = await clients.create(
            auth,
            session,
            operator(),
            name="Réseau national",
            scopes=["network:read"],
            tenant_id=None,
        )
        await session.commit()
    client_id, secret = created.client.client_id, created.secret
    assert secret is not None

    token = access_token(await token_basic(client, client_id, secret))
    assert unverified(token)[1]["scope"] == "network:read"
    for tenant in (None, pole):
        response = await ask(client, token, tenant=tenant)
        if response.status_code == 401:
            assert_refused(response)
        else:
            assert_forbidden(response, "FORBIDDEN", "UNAUTHENTICATED")
        assert "Artois" not in response.text
    assert_oauth_error(
        await token_basic(client, client_id, secret, scope="tenant:read"), 400, "invalid_scope"
    )


# --- throttle --------------------------------------------------------------------------------


async def test_repeated_wrong_secrets_are_rate_limited(client: GraphQLClient, pole: Tenant):
    auth = auth_of(client)
    limit = auth.config.throttle.per_account
    assert limit == 5  # login_max_failures, by default
    client_id, secret = await registered(client, pole, ["tenant:read"])

    for _ in range(limit):
        assert_oauth_error(await token_basic(client, client_id, "mcs_wrong"), 401, "invalid_client")
    for attempt in (
        await token_basic(client, client_id, "mcs_wrong"),
        await token_basic(client, client_id, secret),  # even the right one, until the window ends
    ):
        assert_oauth_error(attempt, 429, "slow_down")
        retry_after = int(attempt.headers["retry-after"])
        assert 0 < retry_after <= auth.config.throttle.window.total_seconds()

    later = auth.now() + auth.config.throttle.window + dt.timedelta(seconds=1)
    auth.clock = lambda: later
    token = access_token(await token_basic(client, client_id, secret))
    assert await areas_read(client, token) == ["Artois"]
