"""Access tokens through the real app: forgeries refused, keys rotated, refresh rotated.

Every request goes over httpx through the real ASGI app (``POST /graphql`` with a
bearer token), on SQLite and on PostgreSQL. A forged token is built from a genuine one
so that it differs in exactly one respect; the control case re-signs the genuine
header and claims with our key and must be accepted, so each refusal is caused by the
forged part and nothing else.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
from joserfc import jws
from joserfc.jwk import ECKey
from sqlalchemy import func, select, update

from core.access.actions import Actor
from core.app.app import create_app
from core.app.authn import TENANT_HEADER
from core.auth import keys, sessions, tokens
from core.auth.models import AuthSession, Membership, RefreshToken, SecurityEvent, User
from core.auth.passwords import hash_password
from core.auth.secrets import digest
from core.auth.service import AuthService
from core.domain.areas.service import upsert_area
from core.tenancy.database import Database
from core.tenancy.models import Tenant
from core.testing.accounts import TEST_DOMAIN, sign_in
from core.testing.client import GraphQLClient
from tests.api.conftest import settings_for
from tests.conftest import DbUrls, make_tenant

AREAS = "{ serviceAreas { name } }"
PASSWORD = "cheval agrafe batterie correcte"


# --- the app, a pole, people -------------------------------------------------------------


def fresh_address() -> str:
    n = uuid.uuid4().int
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


@pytest_asyncio.fixture
async def client(db_urls: DbUrls, db: Database) -> AsyncIterator[GraphQLClient]:
    """The real app. Each test calls from an address of its own: the throttle counts
    failures per address in the database, which PostgreSQL tests share."""
    app = create_app(settings_for(db_urls), db)
    transport = httpx.ASGITransport(app=app, client=(fresh_address(), 40000))
    async with httpx.AsyncClient(transport=transport, base_url="https://maillage.test") as http:
        yield GraphQLClient(http, app=app)


@pytest_asyncio.fixture
async def pole(db: Database) -> Tenant:
    tenant = await make_tenant(db, "62")
    async with db.session(tenant.id) as session:
        await upsert_area(session, name="Artois", insee_codes=["62119", "62498"])
        await session.commit()
    return tenant


def auth_of(client: GraphQLClient) -> AuthService:
    return client.app.state.auth


def coordinator() -> Actor:
    return Actor(
        subject=f"test:coord-{uuid.uuid4().hex[:8]}",
        display_name="Coordinatrice de test",
        roles=frozenset({"coordinator"}),
    )


async def token_for(client: GraphQLClient, tenant: Tenant) -> tuple[str, uuid.UUID]:
    """A genuine access token (and its user id) of a new coordinator of ``tenant``."""
    return await sign_in(auth_of(client), coordinator(), tenant)


@functools.cache
def password_hash() -> str:
    return hash_password(PASSWORD)  # Argon2 is slow on purpose: once per run is enough


async def password_user(client: GraphQLClient, tenant: Tenant) -> tuple[str, uuid.UUID]:
    """A coordinator of ``tenant`` who signs in with ``PASSWORD``: (email, user id)."""
    auth = auth_of(client)
    email = f"agent-{uuid.uuid4().hex[:10]}@{TEST_DOMAIN}"
    async with auth.db.reference_session() as session:
        user = User(
            email=email,
            display_name="Agent de test",
            status="active",
            password_hash=password_hash(),
        )
        session.add(user)
        await session.commit()
    async with auth.db.session(tenant.id) as session:
        session.add(Membership(user_id=user.id, roles=["coordinator"], grants=[], active=True))
        await session.commit()
    return email, user.id


# --- requests ----------------------------------------------------------------------------


async def ask(
    client: GraphQLClient, token: str, tenant: Tenant | None = None, query: str = AREAS
) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"}
    if tenant is not None:
        headers[TENANT_HEADER] = tenant.slug
    return await client.http.post("/graphql", json={"query": query}, headers=headers)


def refusal_problem(response: httpx.Response) -> str | None:
    """None when the request was refused as it must be: 401 before any resolver ran, in
    the GraphQL shape, with the RFC 6750 challenge. Otherwise, what came back."""
    body = response.json()
    if (
        response.status_code == 401
        and body.get("data") is None
        and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        and response.headers.get("www-authenticate", "").startswith("Bearer")
    ):
        return None
    return f"{response.status_code} {response.text[:200]}"


def assert_refused(response: httpx.Response) -> None:
    problem = refusal_problem(response)
    assert problem is None, problem


async def assert_reads_areas(client: GraphQLClient, token: str, tenant: Tenant) -> None:
    response = await ask(client, token, tenant)
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"serviceAreas": [{"name": "Artois"}]}}


async def login(client: GraphQLClient, email: str) -> dict[str, Any]:
    response = await client.http.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()


async def refresh(client: GraphQLClient, refresh_token: str) -> httpx.Response:
    return await client.http.post(
        "/auth/token", data={"grant_type": "refresh_token", "refresh_token": refresh_token}
    )


async def jwks(client: GraphQLClient) -> dict[str, Any]:
    response = await client.http.get("/.well-known/jwks.json")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/jwk-set+json")
    return response.json()


# --- compact JWS by hand -------------------------------------------------------------------


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def segment(value: dict[str, Any]) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode())


def _json(part: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and claims of a compact JWS, signature unchecked."""
    header, claims, _ = token.split(".")
    return _json(header), _json(claims)


def es256(header: dict[str, Any], claims: dict[str, Any], key: ECKey) -> str:
    """Exactly this header (``jwt.encode`` would add a ``typ`` when there is none)."""
    payload = json.dumps(claims, separators=(",", ":")).encode()
    return jws.serialize_compact(header, payload, key, algorithms=["ES256"])


def hs256(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    signing_input = f"{segment(header)}.{segment(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


def attacker_key(kid: str = "attacker-1") -> ECKey:
    return ECKey.generate_key("P-256", parameters={"kid": kid, "alg": "ES256", "use": "sig"})


@dataclass
class Forge:
    """A genuine token taken apart, and our real signing key, to re-sign variations."""

    header: dict[str, Any]
    claims: dict[str, Any]
    kid: str
    key: ECKey
    public_jwk: dict[str, Any]
    issuer: str
    now: int

    def ours(
        self, *, header: dict[str, Any] | None = None, drop: tuple[str, ...] = (), **claims: Any
    ) -> str:
        """Signed with our real key: the genuine header and claims, changed as asked."""
        new_header = {k: v for k, v in {**self.header, **(header or {})}.items() if k not in drop}
        return es256(new_header, {**self.claims, **claims}, self.key)

    def by_attacker(self, key: ECKey, **header: Any) -> str:
        return es256({"alg": "ES256", "typ": "at+jwt", **header}, self.claims, key)


async def forge_kit(client: GraphQLClient, token: str) -> Forge:
    auth = auth_of(client)
    ring = await auth.keys()
    kid, key = ring.signing_key()
    header, claims = unverified(token)
    assert header["kid"] == kid
    (public,) = [k for k in (await jwks(client))["keys"] if k["kid"] == kid]
    return Forge(
        header=header,
        claims=claims,
        kid=kid,
        key=key,
        public_jwk=public,
        issuer=auth.config.issuer,
        now=int(auth.now().timestamp()),
    )


def _alg_none(f: Forge) -> str:
    return f"{segment({**f.header, 'alg': 'none'})}.{segment(f.claims)}."


def _hs256_public_pem(f: Forge) -> str:
    pem = ECKey.import_key(f.public_jwk).as_pem(private=False)
    return hs256({**f.header, "alg": "HS256"}, f.claims, pem)


def _hs256_public_jwk(f: Forge) -> str:
    return hs256({**f.header, "alg": "HS256"}, f.claims, json.dumps(f.public_jwk).encode())


def _expired(f: Forge) -> str:
    then = f.now - 3600
    return f.ours(iat=then, nbf=then, exp=then + 300)


def _id_token(f: Forge) -> str:
    # What an OpenID provider (or our own federation) hands a client: typ JWT, the
    # client as audience, a nonce. Signed with our real key, it is still no access token.
    claims = {
        "iss": f.issuer,
        "sub": f.claims["sub"],
        "aud": "maillage",
        "nonce": "n-0S6_WzA2Mj",
        "auth_time": f.now,
        "iat": f.now,
        "nbf": f.now,
        "exp": f.now + 300,
        "sid": f.claims["sid"],
        "jti": "id-token-1",
        "client_id": "maillage",
    }
    return es256({"alg": "ES256", "typ": "JWT", "kid": f.kid}, claims, f.key)


def _embedded_jwk(f: Forge) -> str:
    key = attacker_key()
    return f.by_attacker(key, kid="attacker-1", jwk=key.as_dict(private=False))


FORGERIES: dict[str, Callable[[Forge], str]] = {
    "alg none": _alg_none,
    "HS256 keyed with our public key (PEM)": _hs256_public_pem,
    "HS256 keyed with our public key (JWK)": _hs256_public_jwk,
    "wrong issuer": lambda f: f.ours(iss="https://attacker.example"),
    "wrong audience": lambda f: f.ours(aud="https://attacker.example/graphql"),
    "audience is the issuer, not the API": lambda f: f.ours(aud=f.issuer),
    "expired": _expired,
    "not yet valid": lambda f: f.ours(nbf=f.now + 600),
    "issued in the future": lambda f: f.ours(iat=f.now + 600, nbf=f.now, exp=f.now + 300),
    "lifetime longer than ours": lambda f: f.ours(exp=f.now + 86400),
    "no typ": lambda f: f.ours(drop=("typ",)),
    "typ JWT": lambda f: f.ours(header={"typ": "JWT"}),
    "ID token signed with our key": _id_token,
    "jku elsewhere (our key)": lambda f: f.ours(header={"jku": "https://attacker.example/jwks"}),
    "jku elsewhere (attacker key)": lambda f: f.by_attacker(
        attacker_key(), kid="attacker-1", jku="https://attacker.example/jwks"
    ),
    "embedded jwk (attacker key)": _embedded_jwk,
    "embedded jwk (our key)": lambda f: f.ours(header={"jwk": f.public_jwk}),
    "x5u elsewhere (our key)": lambda f: f.ours(header={"x5u": "https://attacker.example/c.pem"}),
    "unknown kid (our key)": lambda f: f.ours(header={"kid": "20990101-unknown00"}),
    "no kid (our key)": lambda f: f.ours(drop=("kid",)),
    "attacker key with our kid": lambda f: f.by_attacker(attacker_key(f.kid), kid=f.kid),
    "unknown subject kind": lambda f: f.ours(sub="admin:root"),
    "no session id": lambda f: f.ours(sid=None),
    "signature of another token": lambda f: ".".join(
        [*f.ours(jti="one").split(".")[:2], f.ours(jti="two").split(".")[2]]
    ),
}


# --- 1. forgeries ----------------------------------------------------------------------------


async def test_genuine_and_resigned_tokens_read_the_pole(client: GraphQLClient, pole: Tenant):
    token, _ = await token_for(client, pole)
    await assert_reads_areas(client, token, pole)
    forge = await forge_kit(client, token)
    assert forge.header["typ"] == "at+jwt" and forge.header["alg"] == "ES256"
    await assert_reads_areas(client, forge.ours(), pole)


async def test_every_forgery_is_refused(client: GraphQLClient, pole: Tenant):
    token, _ = await token_for(client, pole)
    forge = await forge_kit(client, token)
    not_refused = {}
    for name, make in FORGERIES.items():
        forged = make(forge)
        assert forged != token, name
        problem = refusal_problem(await ask(client, forged, pole))
        if problem is not None:
            not_refused[name] = problem
    assert not_refused == {}
    # The genuine token still works: nothing above was refused for another reason.
    await assert_reads_areas(client, token, pole)


async def test_garbage_and_other_schemes_are_refused(client: GraphQLClient, pole: Tenant):
    token, _ = await token_for(client, pole)
    for authorization in ("Bearer not-a-jwt", "Bearer a.b.c", f"Basic {token}", f"Token {token}"):
        response = await client.http.post(
            "/graphql",
            json={"query": AREAS},
            headers={"authorization": authorization, TENANT_HEADER: pole.slug},
        )
        assert_refused(response)


async def test_deactivated_membership_keeps_the_person_but_not_the_pole(
    client: GraphQLClient, pole: Tenant
):
    token, user_id = await token_for(client, pole)
    await assert_reads_areas(client, token, pole)
    async with client.app.state.db.session(pole.id) as session:
        await session.execute(
            update(Membership).where(Membership.user_id == user_id).values(active=False)
        )
        await session.commit()

    for tenant in (pole, None):  # asked for by header, or the session's own pole
        response = await ask(client, token, tenant)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert "Artois" not in response.text


# --- 2. JWKS and rotation --------------------------------------------------------------------


PRIVATE_PARAMETERS = {"d", "p", "q", "dp", "dq", "qi", "k", "oth"}


async def test_jwks_publishes_public_keys_only(client: GraphQLClient, pole: Tenant):
    token, _ = await token_for(client, pole)
    published = (await jwks(client))["keys"]
    assert published
    for jwk in published:
        assert not PRIVATE_PARAMETERS & set(jwk), jwk
        assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == ("EC", "P-256", "ES256", "sig")
        assert not ECKey.import_key(jwk).is_private
    header, _ = unverified(token)
    assert header["kid"] in {jwk["kid"] for jwk in published}


async def rotate_keys(db_urls: DbUrls, auth: AuthService) -> tuple[str, dt.datetime]:
    """``maillage keys rotate``: as the owner role (the runtime role only reads keys)."""
    owner = Database(db_urls.owner)
    now = auth.now()
    try:
        async with owner.reference_session() as session:
            new, _retired = await keys.rotate(session, auth.config, now=now)
            await session.commit()
    finally:
        await owner.dispose()
    return new.kid, now


async def test_rotation_keeps_old_tokens_until_they_expire(
    client: GraphQLClient, pole: Tenant, db_urls: DbUrls
):
    auth = auth_of(client)
    old_token, _ = await token_for(client, pole)
    old_kid, old_key = (await auth.keys()).signing_key()
    assert unverified(old_token)[0]["kid"] == old_kid

    new_kid, rotated_at = await rotate_keys(db_urls, auth)
    await auth.reload_keys()

    assert new_kid != old_kid
    await assert_reads_areas(client, old_token, pole)
    new_token, _ = await token_for(client, pole)
    assert unverified(new_token)[0]["kid"] == new_kid
    await assert_reads_areas(client, new_token, pole)
    assert {old_kid, new_kid} <= {k["kid"] for k in (await jwks(client))["keys"]}

    # Past the last moment a token signed by the old key could still be valid.
    later = rotated_at + auth.config.access_ttl + dt.timedelta(seconds=auth.config.leeway + 1)
    auth.clock = lambda: later
    await auth.reload_keys()

    kids = {k["kid"] for k in (await jwks(client))["keys"]}
    assert old_kid not in kids and new_kid in kids
    assert_refused(await ask(client, old_token, pole))
    # Refused for its key, not only for its age: the same fresh claims pass with the
    # new key and fail with the old one.
    _, claims = unverified(new_token)
    now = int(later.timestamp())
    fresh = {**claims, "iat": now, "nbf": now, "exp": now + 300, "jti": "after-rotation"}
    _, new_key = auth.ring.signing_key()
    await assert_reads_areas(
        client, es256({"alg": "ES256", "typ": "at+jwt", "kid": new_kid}, fresh, new_key), pole
    )
    assert_refused(
        await ask(
            client, es256({"alg": "ES256", "typ": "at+jwt", "kid": old_kid}, fresh, old_key), pole
        )
    )


async def test_a_signature_checked_once_leaves_time_and_claims_checked_each_time(
    client: GraphQLClient, pole: Tenant
):
    """The signature's outcome is kept per token and key (decision 118); the clock and
    the claims are not: the same token, once expired, is refused."""
    auth = auth_of(client)
    token, _ = await token_for(client, pole)
    ring = await auth.keys()
    first = await tokens.verify(token, ring, auth.config, clock=auth.clock)
    assert await tokens.verify(token, ring, auth.config, clock=auth.clock) == first
    later = first.expires_at + dt.timedelta(seconds=auth.config.leeway + 1)
    with pytest.raises(tokens.InvalidToken, match="expired"):
        await tokens.verify(token, ring, auth.config, clock=lambda: later)
    header, claims = unverified(token)
    forged = es256(header, {**claims, "sub": f"user:{uuid.uuid4()}"}, ECKey.generate_key("P-256"))
    with pytest.raises(tokens.InvalidToken, match="signature"):
        await tokens.verify(forged, ring, auth.config, clock=auth.clock)


# --- 3. refresh and logout -------------------------------------------------------------------


async def used_at(auth: AuthService, refresh_token: str) -> dt.datetime | None:
    async with auth.db.reference_session() as session:
        row = (
            await session.execute(
                select(RefreshToken).where(RefreshToken.token_hash == digest(refresh_token))
            )
        ).scalar_one()
        return row.used_at


async def test_refresh_rotates_and_reuse_revokes_the_session(client: GraphQLClient, pole: Tenant):
    auth = auth_of(client)
    email, user_id = await password_user(client, pole)
    first = await login(client, email)
    assert first["token_type"] == "Bearer" and first["poles"] == [pole.slug]
    assert first["expires_in"] == int(auth.config.access_ttl.total_seconds())
    assert unverified(first["access_token"])[0]["typ"] == "at+jwt"
    await assert_reads_areas(client, first["access_token"], pole)

    # A wrong guess is refused and revokes nothing.
    for guess in ("mr_" + "A" * 43, first["access_token"]):
        wrong = await refresh(client, guess)
        assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"

    rotated = await refresh(client, first["refresh_token"])
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert await used_at(auth, first["refresh_token"]) is not None
    assert await used_at(auth, second["refresh_token"]) is None
    await assert_reads_areas(client, second["access_token"], pole)

    # The first refresh token again: a copy leaked. The whole session goes.
    replay = await refresh(client, first["refresh_token"])
    assert replay.status_code == 400, replay.text
    assert replay.json()["error"] == "invalid_grant"
    assert_refused(await ask(client, second["access_token"], pole))
    assert_refused(await ask(client, first["access_token"], pole))
    after = await refresh(client, second["refresh_token"])
    assert after.status_code == 400 and after.json()["error"] == "invalid_grant"

    async with auth.db.reference_session() as session:
        kinds = (
            (
                await session.execute(
                    select(SecurityEvent.kind).where(SecurityEvent.user_id == user_id)
                )
            )
            .scalars()
            .all()
        )
    assert "refresh_reuse" in kinds


async def test_logout_revokes_the_session_at_once(client: GraphQLClient, pole: Tenant):
    email, _ = await password_user(client, pole)
    body = await login(client, email)
    await assert_reads_areas(client, body["access_token"], pole)

    response = await client.http.post(
        "/auth/logout", headers={"authorization": f"Bearer {body['access_token']}"}
    )
    assert response.status_code == 200 and response.json() == {"ok": True}

    assert_refused(await ask(client, body["access_token"], pole))
    again = await refresh(client, body["refresh_token"])
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


async def test_logout_of_a_disabled_account_still_revokes_its_session(
    client: GraphQLClient, pole: Tenant
):
    email, user_id = await password_user(client, pole)
    body = await login(client, email)
    async with auth_of(client).db.reference_session() as session:
        user = await session.get(User, user_id)
        assert user is not None
        user.status = "disabled"
        await session.commit()
    assert_refused(await ask(client, body["access_token"], pole))
    out = await client.http.post(
        "/auth/logout", headers={"authorization": f"Bearer {body['access_token']}"}
    )
    assert out.status_code == 200
    async with auth_of(client).db.reference_session() as session:
        revoked = await session.scalar(
            select(AuthSession.revoked_reason).where(AuthSession.user_id == user_id)
        )
    assert revoked == "logout"


async def test_guessing_refresh_tokens_is_throttled(client: GraphQLClient, pole: Tenant):
    statuses = [(await refresh(client, f"mr_{uuid.uuid4().hex}")).status_code for _ in range(31)]
    assert statuses[:30] == [400] * 30 and statuses[30] == 429


async def test_purge_removes_only_what_can_no_longer_be_used(client: GraphQLClient, pole: Tenant):
    email, user_id = await password_user(client, pole)
    gone, kept = await login(client, email), await login(client, email)
    await client.http.post(
        "/auth/logout", headers={"authorization": f"Bearer {gone['access_token']}"}
    )
    auth = auth_of(client)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    auth.clock = lambda: later
    counts = await sessions.purge_expired(auth, keep=dt.timedelta(days=1))
    assert counts["auth_sessions"] >= 1
    async with auth.db.reference_session() as session:
        left = (
            await session.execute(
                select(AuthSession.revoked_at).where(AuthSession.user_id == user_id)
            )
        ).all()
        chains = await session.scalar(
            select(func.count())
            .select_from(RefreshToken)
            .where(RefreshToken.token_hash == digest(gone["refresh_token"]))
        )
    assert left == [(None,)] and chains == 0
    # The surviving session still refreshes (its 30 days are not over).
    assert (await refresh(client, kept["refresh_token"])).status_code == 200
