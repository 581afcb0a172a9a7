"""The local OIDC provider harness itself (tests/auth/oidc.py, tests/auth/oidc_provider/).

A real oidc-provider on loopback, driven by hand with httpx: discovery, the code flow with
PKCE/state/nonce, the ID token checked against the provider's JWKS, and the provider refusing
what it must refuse.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.auth import oidc
from tests.auth.oidc import (
    LocalOidcProvider,
    OidcAccount,
    OidcClient,
    OidcProviderError,
    OidcSignInError,
    deny_sign_in,
    node_available,
    sign_in,
)

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

REDIRECT_URI = "http://testserver/auth/oidc/callback"
BASIC = OidcClient("maillage-basic", "basic-secret-0123456789", [REDIRECT_URI])
POST = OidcClient(
    "maillage-post",
    "post-secret-0123456789",
    [REDIRECT_URI],
    token_endpoint_auth_method="client_secret_post",
)
ALICE = OidcAccount(
    sub="c7a1f4e2b9d0",
    email="alice.martin@example.gouv.fr",
    given_name="Alice",
    usual_name="Martin",
    extra={"siret": "13002526500013"},
)
BOB = OidcAccount(sub="b0b", email="bob@example.org", email_verified=False, given_name="Bob")


def _require_node() -> None:
    reason = node_available()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"CI=true and the local OIDC provider cannot run: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def provider() -> Iterator[LocalOidcProvider]:
    _require_node()
    with LocalOidcProvider(clients=[BASIC, POST], accounts=[ALICE, BOB]) as op:
        yield op


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def discovery(provider: LocalOidcProvider) -> dict[str, Any]:
    response = httpx.get(provider.discovery_url, timeout=10)
    response.raise_for_status()
    return response.json()


def _pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class Flow:
    """One authorization request, as a relying party builds it."""

    def __init__(
        self, discovery: dict[str, Any], client: OidcClient, scope: str = "openid email profile"
    ) -> None:
        self.discovery = discovery
        self.client = client
        self.state = secrets.token_urlsafe(16)
        self.nonce = secrets.token_urlsafe(16)
        self.verifier, self.challenge = _pkce_pair()
        self.params = {
            "response_type": "code",
            "client_id": client.client_id,
            "redirect_uri": REDIRECT_URI,
            "scope": scope,
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": self.challenge,
            "code_challenge_method": "S256",
        }

    def authorize_url(self, **override: str | None) -> str:
        params = {k: v for k, v in {**self.params, **override}.items() if v is not None}
        return f"{self.discovery['authorization_endpoint']}?{urlencode(params)}"

    async def token(
        self, http: httpx.AsyncClient, code: str, verifier: str | None = None
    ) -> httpx.Response:
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier or self.verifier,
        }
        auth: httpx.BasicAuth | None = None
        if self.client.token_endpoint_auth_method == "client_secret_post":
            data |= {"client_id": self.client.client_id, "client_secret": self.client.client_secret}
        else:
            auth = httpx.BasicAuth(self.client.client_id, self.client.client_secret)
        return await http.post(self.discovery["token_endpoint"], data=data, auth=auth)


def _query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


async def _verified_claims(http: httpx.AsyncClient, discovery: dict[str, Any], token: str) -> Any:
    jwks = (await http.get(discovery["jwks_uri"])).json()
    decoded = jwt.decode(token, KeySet.import_key_set(jwks), algorithms=["RS256"])
    assert decoded.header["alg"] == "RS256"
    return decoded.claims


async def _code_for(
    http: httpx.AsyncClient, flow: Flow, login: str | None = ALICE.email, **override: str | None
) -> str:
    back = await sign_in(http, flow.authorize_url(**override), login)
    assert back.startswith(REDIRECT_URI + "?"), back
    query = _query(back)
    assert query["state"] == flow.state
    return query["code"]


# -- the provider ---------------------------------------------------------------------------------


def test_provider_starts_fast_on_loopback(provider: LocalOidcProvider) -> None:
    assert provider.running
    assert provider.issuer == f"http://127.0.0.1:{provider.port}"
    assert provider.startup_seconds is not None and provider.startup_seconds < 5


def test_discovery_advertises_the_code_flow_with_s256(
    provider: LocalOidcProvider, discovery: dict[str, Any]
) -> None:
    assert discovery["issuer"] == provider.issuer
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert "code" in discovery["response_types_supported"]
    assert "RS256" in discovery["id_token_signing_alg_values_supported"]
    assert {"client_secret_basic", "client_secret_post"} <= set(
        discovery["token_endpoint_auth_methods_supported"]
    )
    assert {"openid", "email", "profile", "given_name", "usual_name", "siret"} <= set(
        discovery["scopes_supported"]
    )
    assert {"email", "email_verified", "given_name", "usual_name", "name"} <= set(
        discovery["claims_supported"]
    )
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"):
        assert discovery[endpoint].startswith(provider.issuer + "/")


def test_a_provider_that_cannot_start_says_why() -> None:
    _require_node()
    bad = LocalOidcProvider(clients=[{"redirect_uris": [REDIRECT_URI]}], accounts=[])
    with pytest.raises(OidcProviderError, match="client without client_id"):
        bad.start()
    assert not bad.running


def test_node_available_says_what_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "package.json").write_text('{"dependencies": {"oidc-provider": "1.0.0"}}')
    monkeypatch.setattr(oidc, "PROVIDER_DIR", tmp_path)
    if shutil.which("node") is not None:
        reason = oidc.node_available()
        assert reason is not None and "npm ci --prefix tests/auth/oidc_provider" in reason
    monkeypatch.setattr(oidc.shutil, "which", lambda _name: None)
    assert "no `node` binary" in (oidc.node_available() or "")


# -- the code flow --------------------------------------------------------------------------------


@pytest.mark.parametrize("client", [BASIC, POST], ids=["client_secret_basic", "client_secret_post"])
async def test_code_flow_with_pkce_gives_a_signed_id_token(
    provider: LocalOidcProvider,
    discovery: dict[str, Any],
    http: httpx.AsyncClient,
    client: OidcClient,
) -> None:
    flow = Flow(discovery, client)
    back = await sign_in(http, flow.authorize_url(), ALICE.email)
    assert back.startswith(REDIRECT_URI + "?")
    query = _query(back)
    assert query["state"] == flow.state
    assert query["iss"] == provider.issuer  # RFC 9207

    response = await flow.token(http, query["code"])
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["token_type"].lower() == "bearer"

    claims = await _verified_claims(http, discovery, tokens["id_token"])
    assert claims["iss"] == provider.issuer
    assert claims["aud"] == client.client_id
    assert claims["sub"] == ALICE.sub
    assert claims["nonce"] == flow.nonce
    assert claims["email"] == ALICE.email
    assert claims["email_verified"] is True
    assert claims["given_name"] == "Alice"
    assert claims["usual_name"] == "Martin"
    assert claims["name"] == "Alice Martin"
    assert "acr" not in claims  # only when acr_values asks for it
    assert "siret" not in claims  # not asked for

    userinfo = await http.get(
        discovery["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert userinfo.status_code == 200, userinfo.text
    assert userinfo.json()["email"] == ALICE.email
    assert userinfo.json()["usual_name"] == "Martin"


async def test_login_by_sub_and_proconnect_scopes(
    discovery: dict[str, Any], http: httpx.AsyncClient
) -> None:
    flow = Flow(discovery, BASIC, scope="openid email given_name usual_name siret")
    code = await _code_for(http, flow, login=ALICE.sub, acr_values="eidas1")
    tokens = (await flow.token(http, code)).json()
    claims = await _verified_claims(http, discovery, tokens["id_token"])
    assert claims["sub"] == ALICE.sub
    assert (claims["given_name"], claims["usual_name"]) == ("Alice", "Martin")
    assert claims["siret"] == "13002526500013"
    assert claims["acr"] == "eidas1"
    assert "name" not in claims  # only with the profile scope


async def test_unverified_email_is_reported_as_such(
    discovery: dict[str, Any], http: httpx.AsyncClient
) -> None:
    flow = Flow(discovery, BASIC)
    code = await _code_for(http, flow, login="BOB@example.org")
    claims = await _verified_claims(
        http, discovery, (await flow.token(http, code)).json()["id_token"]
    )
    assert claims["email_verified"] is False
    assert claims["name"] == "Bob"
    assert "usual_name" not in claims


async def test_a_replayed_code_is_refused(
    discovery: dict[str, Any], http: httpx.AsyncClient
) -> None:
    flow = Flow(discovery, BASIC)
    code = await _code_for(http, flow)
    assert (await flow.token(http, code)).status_code == 200
    replay = await flow.token(http, code)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"


async def test_a_wrong_code_verifier_is_refused(
    discovery: dict[str, Any], http: httpx.AsyncClient
) -> None:
    flow = Flow(discovery, BASIC)
    code = await _code_for(http, flow)
    wrong_verifier, _ = _pkce_pair()
    response = await flow.token(http, code, verifier=wrong_verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


async def test_a_wrong_client_secret_is_refused(
    discovery: dict[str, Any], http: httpx.AsyncClient
) -> None:
    flow = Flow(discovery, BASIC)
    code = await _code_for(http, flow)
    response = await http.post(
        discovery["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": flow.verifier,
        },
        auth=httpx.BasicAuth(BASIC.client_id, "not-the-secret"),
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


async def test_pkce_is_required(discovery: dict[str, Any], http: httpx.AsyncClient) -> None:
    flow = Flow(discovery, BASIC)
    url = flow.authorize_url(code_challenge=None, code_challenge_method=None)
    back = await sign_in(http, url, ALICE.email)
    query = _query(back)
    assert back.startswith(REDIRECT_URI + "?")
    assert query["error"] == "invalid_request"
    assert "PKCE" in query["error_description"]
    assert query["state"] == flow.state


# -- the interaction ------------------------------------------------------------------------------


async def test_an_unknown_login_is_refused(
    discovery: dict[str, Any], http: httpx.AsyncClient
) -> None:
    with pytest.raises(OidcSignInError, match=r"unknown account: nobody@example\.org"):
        await sign_in(http, Flow(discovery, BASIC).authorize_url(), "nobody@example.org")


async def test_cancelling_sends_access_denied_back(
    discovery: dict[str, Any], http: httpx.AsyncClient
) -> None:
    flow = Flow(discovery, BASIC)
    back = await deny_sign_in(http, flow.authorize_url())
    query = _query(back)
    assert back.startswith(REDIRECT_URI + "?")
    assert (query["error"], query["state"]) == ("access_denied", flow.state)


async def test_a_provider_session_is_reused_and_sign_in_says_so(
    discovery: dict[str, Any], http: httpx.AsyncClient
) -> None:
    await _code_for(http, Flow(discovery, BASIC))
    with pytest.raises(OidcSignInError, match="already has a session"):
        await sign_in(http, Flow(discovery, BASIC).authorize_url(), BOB.email)
    # SSO: no login page, straight back with a code for the same user.
    flow = Flow(discovery, BASIC)
    code = await _code_for(http, flow, login=None)
    claims = await _verified_claims(
        http, discovery, (await flow.token(http, code)).json()["id_token"]
    )
    assert claims["sub"] == ALICE.sub
    # prompt=login asks again, and another user can sign in.
    flow = Flow(discovery, BASIC)
    code = await _code_for(http, flow, login=BOB.sub, prompt="login")
    claims = await _verified_claims(
        http, discovery, (await flow.token(http, code)).json()["id_token"]
    )
    assert claims["sub"] == BOB.sub


async def test_prompt_none_without_a_session_comes_back_with_login_required(
    discovery: dict[str, Any], http: httpx.AsyncClient
) -> None:
    flow = Flow(discovery, BASIC)
    back = await sign_in(http, flow.authorize_url(prompt="none"), None)
    assert _query(back)["error"] == "login_required"


def test_the_provider_stops_with_the_block() -> None:
    _require_node()
    with LocalOidcProvider(clients=[BASIC], accounts=[ALICE]) as op:
        issuer = op.issuer
        assert httpx.get(f"{issuer}/jwks", timeout=5).status_code == 200
    assert not op.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{issuer}/jwks", timeout=5)


async def test_proconnect_like_mode_claims_in_a_signed_userinfo_only() -> None:
    """conform_id_token_claims=True plus a client asking for a signed userinfo (as ProConnect
    serves it): the ID token carries no scope claims, the userinfo JWT carries them."""
    _require_node()
    jwt_client = OidcClient(
        "maillage-jwt-userinfo",
        "jwt-secret-0123456789",
        [REDIRECT_URI],
        token_endpoint_auth_method="client_secret_post",
        extra={"userinfo_signed_response_alg": "RS256"},
    )
    with LocalOidcProvider([jwt_client], [ALICE], conform_id_token_claims=True) as op:
        async with httpx.AsyncClient(timeout=10) as http:
            discovery = (await http.get(op.discovery_url)).json()
            flow = Flow(discovery, jwt_client, scope="openid email given_name usual_name")
            code = await _code_for(http, flow)
            tokens = (await flow.token(http, code)).json()
            claims = await _verified_claims(http, discovery, tokens["id_token"])
            assert claims["sub"] == ALICE.sub and claims["nonce"] == flow.nonce
            assert "email" not in claims
            userinfo = await http.get(
                discovery["userinfo_endpoint"],
                headers={"Authorization": f"Bearer {tokens['access_token']}"},
            )
            assert userinfo.headers["content-type"].startswith("application/jwt")
            info = await _verified_claims(http, discovery, userinfo.text)
            assert (info["email"], info["usual_name"]) == (ALICE.email, "Martin")
