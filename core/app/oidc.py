"""OpenID Connect federation (ProConnect-shaped), through Authlib's Starlette client.

A pole declares its provider in ``tenants/<pole>.toml`` (``[oidc]``: issuer,
client_id, the *name* of the environment variable holding the secret, label,
scopes). ``/auth/oidc/<pole>/login`` redirects to the provider with a state, a nonce
and a PKCE S256 challenge (kept in a short-lived signed cookie scoped to
``/auth/oidc``); ``/callback`` checks the state (Authlib), exchanges the code with
the verifier, validates the ID token (signature from the provider's JWKS, issuer,
audience, expiry, nonce) and matches the person by *verified* email to a membership
provisioned beforehand in that pole. No membership: a clear refusal page, never an
account created on the fly.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import httpx2
from authlib.integrations.base_client import OAuthError
from authlib.integrations.starlette_client import OAuth
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.types import ASGIApp

from core.app import auth_pages
from core.app.auth_routes import safe_next, set_session_cookies
from core.app.authn import client_address
from core.auth import accounts
from core.auth.memberships import membership_in
from core.auth.models import User
from core.auth.security import security_event
from core.auth.service import AuthService
from core.errors import MaillageError
from core.tenancy.models import Tenant

log = logging.getLogger("maillage.oidc")
STATE_COOKIE = "maillage_oidc"


def _provider_config(tenant: Tenant) -> dict[str, str] | None:
    oidc = tenant.settings.get("oidc") if isinstance(tenant.settings, dict) else None
    return oidc if isinstance(oidc, dict) else None


def _client(request: Request, tenant: Tenant, config: dict[str, str]) -> Any:
    """The Authlib client of a pole, registered once per process (metadata cached)."""
    registry: dict[str, tuple[tuple[str, ...], OAuth]] = request.app.state.oidc_clients
    secret = os.environ.get(config["client_secret_env"], "")
    fingerprint = (config["issuer"], config["client_id"], config["scopes"], secret)
    cached = registry.get(tenant.slug)
    if cached is None or cached[0] != fingerprint:
        oauth = OAuth()
        oauth.register(
            name=tenant.slug,
            client_id=config["client_id"],
            client_secret=secret,
            server_metadata_url=f"{config['issuer']}/.well-known/openid-configuration",
            client_kwargs={"scope": config["scopes"], "code_challenge_method": "S256"},
        )
        registry[tenant.slug] = (fingerprint, oauth)
        cached = registry[tenant.slug]
    return cached[1].create_client(tenant.slug)


async def _tenant(request: Request) -> tuple[Tenant | None, dict[str, str] | None]:
    slug = request.path_params["pole"]
    async with request.app.state.db.reference_session() as session:
        tenant = (await session.execute(select(Tenant).where(Tenant.slug == slug))).scalar()
    if tenant is None or not tenant.active:
        return None, None
    return tenant, _provider_config(tenant)


async def oidc_login(request: Request) -> Response:
    tenant, config = await _tenant(request)
    if tenant is None or config is None:
        return auth_pages.message_page(
            "Connexion fédérée indisponible",
            "Ce pôle n'a pas déclaré de fournisseur d'identité.",
            404,
        )
    if not os.environ.get(config["client_secret_env"]):
        log.error("oidc secret missing", extra={"event": "oidc_misconfigured"})
        return auth_pages.message_page(
            "Connexion fédérée indisponible",
            "Le fournisseur d'identité de ce pôle n'est pas configuré sur ce serveur "
            "(secret absent) : prévenez l'exploitant.",
            503,
        )
    client = _client(request, tenant, config)
    request.session["next"] = safe_next(request.query_params.get("next"))
    redirect_uri = f"{request.app.state.auth.config.issuer}/auth/oidc/{tenant.slug}/callback"
    extra = {"acr_values": config["acr_values"]} if config.get("acr_values") else {}
    try:
        return await client.authorize_redirect(request, redirect_uri, **extra)
    except Exception:
        log.exception("oidc provider unreachable", extra={"event": "oidc_unreachable"})
        return auth_pages.message_page(
            "Connexion fédérée indisponible",
            "Le fournisseur d'identité ne répond pas ; réessayez plus tard.",
            502,
        )


USERINFO_ALGORITHMS = ["RS256", "ES256", "PS256"]


async def _identity(client: Any, token: dict[str, Any]) -> dict[str, Any]:
    """The person's claims: the ID token's (checked by Authlib), completed from the
    userinfo endpoint when the address is not in it. A signed userinfo answer
    (``application/jwt``, as ProConnect sends) is verified with the provider's keys and
    must name the provider and us; its ``sub`` must be the ID token's."""
    claims = dict(token.get("userinfo") or {})
    if "email" in claims:
        return claims
    metadata = await client.load_server_metadata()
    response = await client.get(metadata["userinfo_endpoint"], token=token)
    response.raise_for_status()
    if response.headers.get("content-type", "").split(";")[0].strip() == "application/jwt":
        keys = KeySet.import_key_set(await client.fetch_jwk_set())
        info = jwt.decode(response.text, keys, algorithms=USERINFO_ALGORITHMS).claims
        audience = info.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if info.get("iss") != metadata.get("issuer") or client.client_id not in audiences:
            raise ValueError("signed userinfo for another issuer or client")
    else:
        info = response.json()
    if not isinstance(info, dict) or info.get("sub") != claims.get("sub"):
        raise ValueError("userinfo names another subject than the ID token")
    return {**claims, **info}


async def _refuse(auth: AuthService, tenant: Tenant, reason: str, address: str | None) -> None:
    async with auth.db.reference_session() as session:
        security_event(
            session, "oidc_refused", tenant_id=tenant.id, detail=reason, client_address=address
        )
        await session.commit()


async def oidc_callback(request: Request) -> Response:
    auth: AuthService = request.app.state.auth
    address = client_address(request)
    tenant, config = await _tenant(request)
    if tenant is None or config is None:
        return auth_pages.message_page("Connexion refusée", "Pôle inconnu.", 404)
    client = _client(request, tenant, config)
    try:
        token = await client.authorize_access_token(request)
    except (OAuthError, JoseError) as exc:
        # OAuthError: wrong or replayed state, replayed or forged code, wrong PKCE verifier,
        # an error sent back by the provider. JoseError (joserfc, which Authlib validates the
        # ID token with): bad signature, issuer, audience, expiry or nonce.
        reason = f"oauth: {exc.error}" if isinstance(exc, OAuthError) else f"id_token: {exc}"
        await _refuse(auth, tenant, reason[:200], address)
        return auth_pages.message_page(
            "Connexion refusée",
            "La réponse du fournisseur d'identité n'a pas pu être vérifiée "
            "(lien expiré ou déjà utilisé). Recommencez la connexion.",
            400,
        )
    except httpx2.HTTPError:
        log.exception("oidc provider unreachable", extra={"event": "oidc_unreachable"})
        return auth_pages.message_page(
            "Connexion fédérée indisponible",
            "Le fournisseur d'identité ne répond pas ; réessayez plus tard.",
            502,
        )
    try:
        claims = await _identity(client, token)
    except (JoseError, ValueError, httpx2.HTTPError) as exc:
        await _refuse(auth, tenant, f"userinfo: {type(exc).__name__}", address)
        return auth_pages.message_page(
            "Connexion refusée",
            "Les informations du fournisseur d'identité n'ont pas pu être vérifiées.",
            400,
        )
    email = str(claims.get("email", "")).strip().lower()
    verified = claims.get("email_verified")
    if config.get("email_verification") == "provider":
        # The federation vouches for its addresses (ProConnect): only an explicit
        # "not verified" is refused.
        verified = verified is not False
    if not email or verified is not True:
        await _refuse(auth, tenant, "email missing or not verified", address)
        return auth_pages.message_page(
            "Connexion refusée",
            "Le fournisseur d'identité n'a pas transmis d'adresse électronique vérifiée.",
            403,
        )
    async with auth.db.reference_session() as session:
        user = (await session.execute(select(User).where(User.email == email))).scalar()
        member = None
        if user is not None and user.status != "disabled":
            async with auth.db.session(tenant.id) as pole:
                member = await membership_in(pole, user.id)
        if user is None or member is None:
            await _refuse(auth, tenant, "no membership", address)
            return auth_pages.message_page(
                "Aucun accès à ce pôle",
                f"Vous êtes bien identifié·e, mais aucun accès n'a été ouvert pour cette "
                f"adresse au « {tenant.name} ». Demandez à l'administrateur du pôle de vous "
                "inviter, puis reconnectez-vous.",
                403,
            )
        if user.status == "invited":
            user.status = "active"  # the invitation is honoured by the federation
        try:
            signed = await accounts.start_session(
                auth,
                session,
                user,
                kind="browser",
                method="oidc",
                pole=tenant.slug,
                client_address=address,
                user_agent=request.headers.get("user-agent"),
            )
        except MaillageError as exc:
            return auth_pages.message_page("Connexion refusée", exc.message, 403)
    response = RedirectResponse(safe_next(request.session.pop("next", None)), status_code=303)
    set_session_cookies(request, response, auth, signed)
    return response


def oidc_mount(secret_key: str, *, https_only: bool) -> BaseRoute:
    """``/auth/oidc/<pole>/…`` behind a signed, short-lived cookie holding the state,
    nonce and PKCE verifier between the two legs (SameSite=Lax: the provider's
    redirect back is a top-level GET)."""
    router: ASGIApp = Router(
        routes=[
            Route("/{pole}/login", oidc_login, methods=["GET"]),
            Route("/{pole}/callback", oidc_callback, methods=["GET"]),
        ]
    )
    app = SessionMiddleware(
        router,
        secret_key=secret_key,
        session_cookie=STATE_COOKIE,
        max_age=600,
        path="/auth/oidc",
        same_site="lax",
        https_only=https_only,
    )
    return Mount("/auth/oidc", app=app)
