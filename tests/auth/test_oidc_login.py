"""Federated sign-in (core/app/oidc.py) end to end, against a real OpenID provider.

The app is the real one (httpx over ASGI, ``https://maillage.test``); the provider is the local
oidc-provider of tests/auth/oidc.py, reached over loopback by Authlib itself (discovery, JWKS,
token endpoint): nothing is mocked. `sign_in` plays the browser at the provider and hands back
the redirect to our callback, which the test then requests on the app.

PKCE: the provider refuses any authorization request without an S256 ``code_challenge`` (see
provider.mjs and test_pkce_is_required in test_oidc_provider_harness.py) and checks the
``code_verifier`` at the token endpoint, so every successful sign-in here proves that Authlib
sent both; the success test also checks the challenge against the verifier kept in our state
cookie.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
import pytest_asyncio
from itsdangerous import TimestampSigner
from sqlalchemy import func, select
from starlette.applications import Starlette

from core.app.app import create_app
from core.app.authn import CSRF_COOKIE, SESSION_COOKIE
from core.app.oidc import STATE_COOKIE
from core.auth.models import AuthSession, Membership, SecurityEvent, User
from core.tenancy.database import Database
from core.tenancy.models import Tenant
from tests.api.conftest import settings_for
from tests.auth.oidc import (
    LocalOidcProvider,
    OidcAccount,
    OidcClient,
    deny_sign_in,
    node_available,
    sign_in,
)
from tests.conftest import DbUrls, make_tenant

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

BASE = "https://maillage.test"
SECRET_ENV = "MAILLAGE_TEST_OIDC_LOGIN_SECRET"
DOMAIN = "oidc-login.maillage.example"

# Poles get fresh slugs (the PostgreSQL database is shared by the tests), and the provider must
# know every redirect_uri before it starts: a pool of slugs, all registered.
_RUN = uuid.uuid4().hex[:8]
_SLUGS = [f"oidc-{_RUN}-{n:02d}" for n in range(80)]
_free_slugs = iter(_SLUGS)

CLIENT = OidcClient(
    "maillage-poles",
    "poles-secret-0123456789",
    [f"{BASE}/auth/oidc/{slug}/callback" for slug in _SLUGS],
)

# The provider's accounts; our users (if any) are made per test with the same addresses.
# The member's address is mixed-case at the provider: we store and match it lower-cased.
MEMBER = OidcAccount(
    sub="member", email=f"Claire.Dupont@{DOMAIN}", given_name="Claire", usual_name="Dupont"
)
INVITED = OidcAccount(sub="invited", email=f"invitee@{DOMAIN}", given_name="Inès")
UNVERIFIED = OidcAccount(sub="unverified", email=f"unverified@{DOMAIN}", email_verified=False)
NO_ACCOUNT = OidcAccount(sub="no-account", email=f"nobody-{_RUN}@{DOMAIN}")
NO_MEMBERSHIP = OidcAccount(sub="no-membership", email=f"no-membership@{DOMAIN}")
OTHER_POLE = OidcAccount(sub="other-pole", email=f"other-pole@{DOMAIN}")
DEACTIVATED = OidcAccount(sub="deactivated", email=f"deactivated@{DOMAIN}")
DISABLED = OidcAccount(sub="disabled", email=f"disabled@{DOMAIN}")
ACCOUNTS = [
    MEMBER,
    INVITED,
    UNVERIFIED,
    NO_ACCOUNT,
    NO_MEMBERSHIP,
    OTHER_POLE,
    DEACTIVATED,
    DISABLED,
]

VIEWER = "{ viewer { subject displayName currentPole { slug } roles } }"


# -- fixtures -------------------------------------------------------------------------------------


def _require_node() -> None:
    reason = node_available()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"CI=true and the local OIDC provider cannot run: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def provider() -> Iterator[LocalOidcProvider]:
    _require_node()
    with LocalOidcProvider(clients=[CLIENT], accounts=ACCOUNTS) as op:
        yield op


@pytest.fixture
def app(db_urls: DbUrls, db: Database, monkeypatch: pytest.MonkeyPatch) -> Starlette:
    monkeypatch.setenv(SECRET_ENV, CLIENT.client_secret)
    return create_app(settings_for(db_urls, MAILLAGE_PUBLIC_URL=BASE), db)


@pytest_asyncio.fixture
async def browser(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """The user's browser on our app (its cookie jar carries the state and session cookies)."""
    async with _app_client(app) as http:
        yield http


def _app_client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)


async def oidc_pole(db: Database, provider: LocalOidcProvider, **config: str) -> Tenant:
    """A fresh pole whose [oidc] table names the local provider."""
    tenant = await make_tenant(db, "62", slug=next(_free_slugs))
    oidc = {
        "issuer": provider.issuer,
        "client_id": CLIENT.client_id,
        "client_secret_env": SECRET_ENV,
        "label": "ProConnect de test",
        "scopes": "openid email given_name usual_name",
        **config,
    }
    async with db.unscoped(reason="oidc test: declare the pole's provider", actor="tests") as s:
        row = await s.get(Tenant, tenant.id)
        assert row is not None
        row.settings = {**(row.settings or {}), "oidc": oidc}
        await s.commit()
    tenant.settings = {**(tenant.settings or {}), "oidc": oidc}
    return tenant


async def user_for(db: Database, account: OidcAccount, *, status: str = "active") -> User:
    """Our account for that address (accounts are install-wide: reused across poles/tests)."""
    email = account.email.lower()
    async with db.reference_session() as session:
        user = (await session.execute(select(User).where(User.email == email))).scalar()
        if user is None:
            user = User(email=email, display_name=f"{account.sub} (test)", status=status)
            session.add(user)
        user.status = status
        await session.commit()
        return user


async def member_of(
    db: Database,
    tenant: Tenant,
    account: OidcAccount,
    roles: list[str],
    *,
    status: str = "active",
    active: bool = True,
) -> User:
    user = await user_for(db, account, status=status)
    async with db.session(tenant.id) as session:
        session.add(Membership(user_id=user.id, roles=roles, active=active))
        await session.commit()
    return user


# -- helpers --------------------------------------------------------------------------------------


def _query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=urlencode({**_query(url), **changes})))


def _set_cookies(response: httpx.Response) -> dict[str, str]:
    """Set-Cookie headers of a response, by cookie name (the whole header as value)."""
    return {header.split("=", 1)[0]: header for header in response.headers.get_list("set-cookie")}


def _session_of(app: Starlette, cookie: str) -> dict[str, Any]:
    """The content of our signed state cookie (as Starlette's SessionMiddleware reads it)."""
    signer = TimestampSigner(str(app.state.settings.secret_key))
    return json.loads(base64.b64decode(signer.unsign(cookie.encode(), max_age=600)))


def _forged(app: Starlette, session: dict[str, Any]) -> str:
    signer = TimestampSigner(str(app.state.settings.secret_key))
    data = base64.b64encode(json.dumps(session).encode())
    return signer.sign(data).decode()


async def start_login(
    browser: httpx.AsyncClient, tenant: Tenant, next_url: str = "/graphql"
) -> httpx.Response:
    response = await browser.get(f"/auth/oidc/{tenant.slug}/login", params={"next": next_url})
    assert response.status_code == 302, response.text
    return response


async def at_provider(authorize_url: str, account: OidcAccount) -> str:
    """Sign in at the provider in a fresh browser (no provider session), return the callback."""
    async with httpx.AsyncClient(timeout=10) as provider_browser:
        return await sign_in(provider_browser, authorize_url, account.email)


async def callback_for(
    browser: httpx.AsyncClient, tenant: Tenant, account: OidcAccount, next_url: str = "/graphql"
) -> str:
    """Our login, then the provider's: the URL the provider sends the browser back to."""
    authorize = (await start_login(browser, tenant, next_url)).headers["location"]
    back = await at_provider(authorize, account)
    assert back.startswith(f"{BASE}/auth/oidc/{tenant.slug}/callback?"), back
    assert "code" in _query(back), back
    return back


async def events(db: Database, tenant: Tenant, kind: str) -> list[SecurityEvent]:
    async with db.reference_session() as session:
        statement = (
            select(SecurityEvent)
            .where(SecurityEvent.pole_id == tenant.id, SecurityEvent.kind == kind)
            .order_by(SecurityEvent.at, SecurityEvent.id)
        )
        return list((await session.execute(statement)).scalars())


async def count(db: Database, model: type[Any], *where: Any) -> int:
    async with db.reference_session() as session:
        statement = select(func.count()).select_from(model).where(*where)
        return (await session.execute(statement)).scalar_one()


async def sessions_of(db: Database, user: User) -> int:
    return await count(db, AuthSession, AuthSession.user_id == user.id)


async def viewer(browser: httpx.AsyncClient) -> Any:
    response = await browser.post("/graphql", json={"query": VIEWER})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["viewer"]


def assert_refused(response: httpx.Response, status: int, *phrases: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert 'lang="fr"' in response.text
    text = html.unescape(response.text)
    for phrase in phrases:
        assert phrase in text, text
    assert SESSION_COOKIE not in _set_cookies(response)
    assert CSRF_COOKIE not in _set_cookies(response)


# -- 1. success -----------------------------------------------------------------------------------


async def test_a_member_signs_in_through_the_pole_provider(
    app: Starlette, browser: httpx.AsyncClient, db: Database, provider: LocalOidcProvider
) -> None:
    pole = await oidc_pole(db, provider)
    user = await member_of(db, pole, MEMBER, ["staff", "coordinator"])
    sessions_before = await sessions_of(db, user)

    login = await start_login(browser, pole, "/graphql?from=oidc")

    # The authorization request: code flow, state, nonce and a PKCE S256 challenge.
    authorize = login.headers["location"]
    async with httpx.AsyncClient(timeout=10) as http:
        discovery = (await http.get(provider.discovery_url)).json()
    assert authorize.startswith(discovery["authorization_endpoint"] + "?")
    params = _query(authorize)
    assert params["response_type"] == "code"
    assert params["client_id"] == CLIENT.client_id
    assert params["redirect_uri"] == f"{BASE}/auth/oidc/{pole.slug}/callback"
    assert params["scope"] == "openid email given_name usual_name"
    assert params["code_challenge_method"] == "S256"
    assert len(params["state"]) >= 20 and len(params["nonce"]) >= 20

    # State, nonce and verifier wait in a short-lived signed cookie scoped to /auth/oidc.
    state_cookie = _set_cookies(login)[STATE_COOKIE].lower()
    for attribute in ("path=/auth/oidc", "httponly", "samesite=lax", "max-age=600"):
        assert attribute in state_cookie
    kept = _session_of(app, browser.cookies[STATE_COOKIE])
    assert kept["next"] == "/graphql?from=oidc"
    (data,) = (v["data"] for k, v in kept.items() if k.endswith(params["state"]))
    assert data["nonce"] == params["nonce"]
    digest = hashlib.sha256(data["code_verifier"].encode("ascii")).digest()
    assert params["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    back = await at_provider(authorize, MEMBER)
    assert _query(back)["state"] == params["state"]
    assert _query(back)["iss"] == provider.issuer

    # Back on our callback: Authlib exchanges the code (with the verifier: the provider checks
    # it) and validates the ID token; the verified email matches the membership.
    response = await browser.get(back)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/graphql?from=oidc"
    cookies = _set_cookies(response)
    session_cookie = cookies[SESSION_COOKIE].lower()
    assert "httponly" in session_cookie and "secure" in session_cookie
    assert "samesite=lax" in session_cookie
    assert "httponly" not in cookies[CSRF_COOKIE].lower()  # the page's script echoes it
    assert browser.cookies[SESSION_COOKIE] and browser.cookies[CSRF_COOKIE]

    me = await viewer(browser)
    assert me == {
        "subject": f"user:{user.id}",
        "displayName": user.display_name,
        "currentPole": {"slug": pole.slug},
        "roles": ["coordinator", "staff"],
    }

    (login_event,) = await events(db, pole, "login")
    assert (login_event.detail, login_event.user_id) == ("oidc", user.id)
    assert await events(db, pole, "oidc_refused") == []
    assert await sessions_of(db, user) == sessions_before + 1
    async with db.reference_session() as session:
        # The cookie names its session by digest only (core.auth.sessions).
        cookie_hash = hashlib.sha256(browser.cookies[SESSION_COOKIE].encode()).hexdigest()
        row = await session.scalar(
            select(AuthSession).where(AuthSession.cookie_hash == cookie_hash)
        )
        assert row is not None and row.user_id == user.id
        assert (row.kind, row.method, row.current_tenant_id) == ("browser", "oidc", pole.id)


async def test_an_invited_member_is_activated_and_next_stays_on_our_site(
    app: Starlette, browser: httpx.AsyncClient, db: Database, provider: LocalOidcProvider
) -> None:
    pole = await oidc_pole(db, provider)
    user = await member_of(db, pole, INVITED, ["staff"], status="invited")

    back = await callback_for(browser, pole, INVITED, next_url="//evil.example/steal")
    response = await browser.get(back)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/"  # never an open redirect: the home page

    async with db.reference_session() as session:
        assert (await session.get(User, user.id)).status == "active"  # type: ignore[union-attr]
    assert (await viewer(browser))["currentPole"] == {"slug": pole.slug}


# -- 2. wrong state -------------------------------------------------------------------------------


async def test_a_tampered_state_is_refused(
    browser: httpx.AsyncClient, db: Database, provider: LocalOidcProvider
) -> None:
    pole = await oidc_pole(db, provider)
    user = await member_of(db, pole, MEMBER, ["staff"])
    sessions_before = await sessions_of(db, user)
    back = await callback_for(browser, pole, MEMBER)

    response = await browser.get(_with_query(back, state="not-the-state-we-sent"))
    assert_refused(response, 400, "Connexion refusée", "Recommencez la connexion")
    assert SESSION_COOKIE not in browser.cookies
    assert await viewer(browser) is None
    assert [e.detail for e in await events(db, pole, "oidc_refused")] == [
        "oauth: mismatching_state"
    ]
    assert await events(db, pole, "login") == []
    assert await sessions_of(db, user) == sessions_before


async def test_a_callback_without_our_state_cookie_is_refused(
    app: Starlette, browser: httpx.AsyncClient, db: Database, provider: LocalOidcProvider
) -> None:
    """Login CSRF: a callback URL made for someone else's browser does not sign this one in."""
    pole = await oidc_pole(db, provider)
    await member_of(db, pole, MEMBER, ["staff"])
    back = await callback_for(browser, pole, MEMBER)
    async with _app_client(app) as victim:
        assert_refused(await victim.get(back), 400, "Recommencez la connexion")
    assert [e.detail for e in await events(db, pole, "oidc_refused")] == [
        "oauth: mismatching_state"
    ]


# -- 3. replayed code -----------------------------------------------------------------------------


async def test_a_replayed_callback_is_refused(
    app: Starlette, browser: httpx.AsyncClient, db: Database, provider: LocalOidcProvider
) -> None:
    pole = await oidc_pole(db, provider)
    user = await member_of(db, pole, MEMBER, ["staff"])
    back = await callback_for(browser, pole, MEMBER)
    state_cookie = browser.cookies[STATE_COOKIE]  # as it was before the callback
    assert (await browser.get(back)).status_code == 303
    sessions_after_login = await sessions_of(db, user)
    first_session = browser.cookies[SESSION_COOKIE]

    # The same browser: the state was used up by the first callback.
    assert_refused(await browser.get(back), 400, "déjà utilisé")
    assert browser.cookies[SESSION_COOKIE] == first_session
    # Another browser, without the state cookie.
    async with _app_client(app) as other:
        assert_refused(await other.get(back), 400, "déjà utilisé")
    # Another browser with a copy of the state cookie from before the callback: our checks pass,
    # so the code reaches the provider again, which refuses it (single use).
    async with _app_client(app) as thief:
        thief.cookies.set(STATE_COOKIE, state_cookie, domain="maillage.test", path="/auth/oidc")
        assert_refused(await thief.get(back), 400, "déjà utilisé")
        assert SESSION_COOKIE not in thief.cookies

    assert [e.detail for e in await events(db, pole, "oidc_refused")] == [
        "oauth: mismatching_state",
        "oauth: mismatching_state",
        "oauth: invalid_grant",
    ]
    assert len(await events(db, pole, "login")) == 1
    assert await sessions_of(db, user) == sessions_after_login


async def test_an_id_token_for_another_nonce_is_refused(
    app: Starlette, browser: httpx.AsyncClient, db: Database, provider: LocalOidcProvider
) -> None:
    """The ID token's nonce must be the one of this login (Authlib checks it against the nonce
    kept in our cookie; here the cookie is re-signed with our key to hold another nonce)."""
    pole = await oidc_pole(db, provider)
    user = await member_of(db, pole, MEMBER, ["staff"])
    sessions_before = await sessions_of(db, user)
    back = await callback_for(browser, pole, MEMBER)
    kept = _session_of(app, browser.cookies[STATE_COOKIE])
    for value in kept.values():
        if isinstance(value, dict) and "data" in value:
            value["data"]["nonce"] = "some-other-login-nonce"
    browser.cookies.set(STATE_COOKIE, _forged(app, kept), domain="maillage.test", path="/auth/oidc")

    assert_refused(await browser.get(back), 400, "Connexion refusée")
    (refused,) = await events(db, pole, "oidc_refused")
    assert refused.detail.startswith("id_token:")
    assert await sessions_of(db, user) == sessions_before


async def test_a_wrong_code_verifier_is_refused_by_the_provider(
    app: Starlette, browser: httpx.AsyncClient, db: Database, provider: LocalOidcProvider
) -> None:
    """PKCE end to end: with another verifier than the one the challenge was made from, the
    provider refuses the code (our cookie re-signed with our key, as an attacker holding a
    stolen code but not the verifier would need)."""
    pole = await oidc_pole(db, provider)
    await member_of(db, pole, MEMBER, ["staff"])
    back = await callback_for(browser, pole, MEMBER)
    kept = _session_of(app, browser.cookies[STATE_COOKIE])
    for value in kept.values():
        if isinstance(value, dict) and "data" in value:
            value["data"]["code_verifier"] = "x" * 64
    browser.cookies.set(STATE_COOKIE, _forged(app, kept), domain="maillage.test", path="/auth/oidc")

    assert_refused(await browser.get(back), 400, "Connexion refusée")
    assert [e.detail for e in await events(db, pole, "oidc_refused")] == ["oauth: invalid_grant"]


async def test_cancelling_at_the_provider_is_refused(
    browser: httpx.AsyncClient, db: Database, provider: LocalOidcProvider
) -> None:
    pole = await oidc_pole(db, provider)
    authorize = (await start_login(browser, pole)).headers["location"]
    async with httpx.AsyncClient(timeout=10) as provider_browser:
        back = await deny_sign_in(provider_browser, authorize)
    assert _query(back)["error"] == "access_denied"
    assert_refused(await browser.get(back), 400, "Connexion refusée")
    assert [e.detail for e in await events(db, pole, "oidc_refused")] == ["oauth: access_denied"]


# -- 4. no access ---------------------------------------------------------------------------------


async def _no_access_setup(db: Database, pole: Tenant, case: str) -> OidcAccount:
    if case == "no account":
        return NO_ACCOUNT
    if case == "account without membership":
        await user_for(db, NO_MEMBERSHIP)
        return NO_MEMBERSHIP
    if case == "member of another pole only":
        other = await make_tenant(db, "63", slug=f"other-{uuid.uuid4().hex[:10]}")
        await member_of(db, other, OTHER_POLE, ["pole_admin"])
        return OTHER_POLE
    if case == "deactivated membership":
        await member_of(db, pole, DEACTIVATED, ["staff"], active=False)
        return DEACTIVATED
    assert case == "disabled account"
    await member_of(db, pole, DISABLED, ["staff"], status="disabled")
    return DISABLED


@pytest.mark.parametrize(
    "case",
    [
        "no account",
        "account without membership",
        "member of another pole only",
        "deactivated membership",
        "disabled account",
    ],
)
async def test_no_access_without_a_membership_in_this_pole(
    browser: httpx.AsyncClient, db: Database, provider: LocalOidcProvider, case: str
) -> None:
    pole = await oidc_pole(db, provider)
    account = await _no_access_setup(db, pole, case)
    back = await callback_for(browser, pole, account)
    users_before = await count(db, User)
    sessions_before = await count(db, AuthSession)

    response = await browser.get(back)
    assert_refused(response, 403, "Aucun accès à ce pôle", "aucun accès n'a été ouvert")
    assert f"« {pole.name} »" in html.unescape(response.text)

    assert await count(db, User) == users_before  # never an account made on the fly
    assert await count(db, User, User.email == account.email.lower()) == (
        0 if case == "no account" else 1
    )
    assert await count(db, AuthSession) == sessions_before
    assert await viewer(browser) is None
    assert [e.detail for e in await events(db, pole, "oidc_refused")] == ["no membership"]


# -- 5. unverified email --------------------------------------------------------------------------


async def test_an_unverified_email_is_refused_even_for_a_member(
    browser: httpx.AsyncClient, db: Database, provider: LocalOidcProvider
) -> None:
    pole = await oidc_pole(db, provider)
    user = await member_of(db, pole, UNVERIFIED, ["staff"])
    back = await callback_for(browser, pole, UNVERIFIED)

    response = await browser.get(back)
    assert_refused(response, 403, "adresse électronique vérifiée")
    assert await sessions_of(db, user) == 0
    assert [e.detail for e in await events(db, pole, "oidc_refused")] == [
        "email missing or not verified"
    ]


# -- 6. not configured ----------------------------------------------------------------------------


async def test_a_pole_without_a_provider_has_no_federated_login(
    browser: httpx.AsyncClient, db: Database
) -> None:
    pole = await make_tenant(db, "62")
    for path in (f"/auth/oidc/{pole.slug}/login", f"/auth/oidc/{pole.slug}/callback?code=x"):
        assert_refused(await browser.get(path), 404, "Connexion")
    assert_refused(await browser.get("/auth/oidc/no-such-pole/login"), 404)
    assert STATE_COOKIE not in browser.cookies


async def test_a_missing_secret_is_a_503_not_a_redirect(
    browser: httpx.AsyncClient,
    db: Database,
    provider: LocalOidcProvider,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pole = await oidc_pole(db, provider)
    monkeypatch.delenv(SECRET_ENV)
    response = await browser.get(f"/auth/oidc/{pole.slug}/login")
    assert_refused(response, 503, "secret absent", "prévenez l'exploitant")
    assert "location" not in response.headers
    assert STATE_COOKIE not in browser.cookies


# -- 7. the login page ----------------------------------------------------------------------------


async def test_the_login_page_offers_the_pole_provider(
    browser: httpx.AsyncClient, db: Database, provider: LocalOidcProvider
) -> None:
    pole = await oidc_pole(db, provider, label="AgentConnect du pôle")
    plain = await make_tenant(db, "63")
    response = await browser.get("/auth/login", params={"next": "/graphql?x=1"})
    assert response.status_code == 200
    page = html.unescape(response.text)
    assert f'href="/auth/oidc/{pole.slug}/login?next=/graphql?x=1"' in page
    assert "Se connecter avec AgentConnect du pôle" in page
    assert pole.name in page
    assert f"/auth/oidc/{plain.slug}/" not in page


# -- 8. ProConnect-shaped provider ----------------------------------------------------------------

# ProConnect keeps the address out of the ID token, answers userinfo as a signed JWT and
# sends no email_verified (it federates identity providers that verify addresses).
PROCONNECT_CLIENT = OidcClient(
    CLIENT.client_id,
    CLIENT.client_secret,
    CLIENT.redirect_uris,
    extra={"userinfo_signed_response_alg": "RS256"},
)
AGENT = OidcAccount(sub="agent", email=f"agent.public-{_RUN}@{DOMAIN}", given_name="Agent")
AGENT_TOO = OidcAccount(sub="agent-too", email=f"agent.too-{_RUN}@{DOMAIN}")


@pytest.fixture(scope="module")
def proconnect() -> Iterator[LocalOidcProvider]:
    _require_node()
    accounts = [
        {k: v for k, v in a.claims().items() if k != "email_verified"} for a in (AGENT, AGENT_TOO)
    ]
    with LocalOidcProvider(
        clients=[PROCONNECT_CLIENT], accounts=accounts, conform_id_token_claims=True
    ) as op:
        yield op


async def test_a_proconnect_shaped_provider_signs_in_through_signed_userinfo(
    browser: httpx.AsyncClient, db: Database, proconnect: LocalOidcProvider
) -> None:
    pole = await oidc_pole(db, proconnect, email_verification="provider")
    user = await member_of(db, pole, AGENT, ["staff"])
    back = await callback_for(browser, pole, AGENT)
    response = await browser.get(back)
    assert response.status_code == 303, response.text
    assert (await viewer(browser))["subject"] == f"user:{user.id}"


async def test_without_the_provider_policy_a_missing_email_verified_is_refused(
    browser: httpx.AsyncClient, db: Database, proconnect: LocalOidcProvider
) -> None:
    pole = await oidc_pole(db, proconnect)
    user = await member_of(db, pole, AGENT_TOO, ["staff"])
    back = await callback_for(browser, pole, AGENT_TOO)
    assert_refused(await browser.get(back), 403, "adresse électronique vérifiée")
    assert await sessions_of(db, user) == 0
