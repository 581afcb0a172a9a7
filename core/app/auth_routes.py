"""HTTP endpoints of authentication: ``/auth/*`` and ``/.well-known/*``.

* ``/auth/login`` — GET the form; POST a form (browser: cookie + redirect) or JSON
  (``{"email", "password", "pole"?, "session": "token"|"cookie"}``: tokens or cookie);
* ``/auth/logout`` — revokes the session (cookie + CSRF, or bearer);
* ``/auth/token`` — OAuth 2 token endpoint: ``refresh_token`` (rotation, reuse
  detection) and ``client_credentials`` (secret basic/post or private_key_jwt);
* ``/auth/password/forgot``, ``/auth/password/reset``, ``/auth/invitation``;
* ``/auth/oidc/<pole>/login`` and ``/callback`` — federation (core.app.oidc);
* ``/.well-known/jwks.json`` and ``/.well-known/oauth-authorization-server``.

Every refusal is coded (``UNAUTHENTICATED``, ``RATE_LIMITED`` with ``Retry-After``,
``VALIDATION`` naming the field).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import unquote_plus

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.app import auth_pages
from core.app.authn import (
    CSRF_COOKIE,
    CSRF_HEADER,
    SESSION_COOKIE,
    bearer_token,
    client_address,
)
from core.app.cross_site import refuse_other_sites
from core.auth import accounts, clients, devices, sessions
from core.auth.accounts import SignedIn
from core.auth.principal import session_of
from core.auth.secrets import same
from core.auth.service import AuthService
from core.errors import ForbiddenError, MaillageError, RateLimitedError, ValidationError
from core.settings import Settings
from core.tenancy.database import Database
from core.tenancy.models import Tenant

JSON_TYPES = ("application/json",)


def _auth(request: Request) -> AuthService:
    return request.app.state.auth


def _settings(request: Request) -> Settings:
    return request.app.state.settings


async def read_input(request: Request) -> tuple[dict[str, Any], bool]:
    """The body as a dict, and whether it was JSON (an API caller) or a form."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in JSON_TYPES:
        try:
            body = await request.json()
        except ValueError:
            raise ValidationError("corps JSON illisible", field="body") from None
        if not isinstance(body, dict):
            raise ValidationError("objet JSON attendu", field="body")
        return body, True
    async with request.form() as form:
        return {k: v for k, v in form.items() if isinstance(v, str)}, False


def _text(data: dict[str, Any], key: str, *, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        if required:
            raise ValidationError(f"champ « {key} » requis", field=key)
        return ""
    return value


def error_json(exc: MaillageError, status: int) -> JSONResponse:
    body: dict[str, Any] = {"code": str(exc.code), "message": exc.message}
    if exc.field:
        body["field"] = exc.field
    headers = {"Cache-Control": "no-store"}
    if isinstance(exc, RateLimitedError):
        headers["Retry-After"] = str(exc.retry_after)
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def status_of(exc: MaillageError) -> int:
    return {
        "UNAUTHENTICATED": 401,
        "FORBIDDEN": 403,
        "RATE_LIMITED": 429,
        "CONFLICT": 409,
        "INTERNAL": 500,
    }.get(str(exc.code), 400)


def safe_next(value: str | None) -> str:
    """Only a local path: never an open redirect to another site."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def cookie_secure(request: Request) -> bool:
    return _settings(request).is_production or request.url.scheme == "https"


def set_session_cookies(
    request: Request, response: Response, auth: AuthService, signed: SignedIn
) -> None:
    assert signed.cookie is not None
    secure = cookie_secure(request)
    max_age = int(auth.config.session_ttl.total_seconds())
    response.set_cookie(
        SESSION_COOKIE,
        signed.cookie,
        max_age=max_age,
        httponly=True,
        secure=secure,
        samesite="lax",
    )
    # Readable by the page's script (GraphiQL) so it can echo it in X-CSRF-Token.
    response.set_cookie(
        CSRF_COOKIE,
        sessions.csrf_token(auth, signed.session.id),
        max_age=max_age,
        httponly=False,
        secure=secure,
        samesite="strict",
    )


def remember_device(request: Request, response: Response, signed: SignedIn) -> None:
    """The device cookie of a password sign-in (core.auth.devices): sent back only to
    /auth/*, never readable by a script; it outlives sessions and sign-outs."""
    if signed.device is not None:
        response.set_cookie(
            devices.DEVICE_COOKIE,
            signed.device,
            max_age=int(devices.DEVICE_TTL.total_seconds()),
            path="/auth",
            httponly=True,
            secure=cookie_secure(request),
            samesite="strict",
        )


def clear_session_cookies(request: Request, response: Response) -> None:
    secure = cookie_secure(request)
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        response.delete_cookie(name, secure=secure, httponly=name == SESSION_COOKIE)


async def providers(db: Database) -> list[tuple[str, str, str]]:
    """Poles that declared an OpenID provider: (slug, name, button label)."""
    async with db.reference_session() as session:
        rows = (await session.execute(select(Tenant).where(Tenant.active.is_(True)))).scalars()
        return [
            (t.slug, t.name, str(t.settings["oidc"].get("label", "ProConnect")))
            for t in sorted(rows, key=lambda t: t.slug)
            if isinstance(t.settings, dict) and isinstance(t.settings.get("oidc"), dict)
        ]


def signed_in_response(
    request: Request,
    auth: AuthService,
    signed: SignedIn,
    *,
    as_json: bool,
    mode: str,
    next_url: str,
) -> Response:
    if as_json and mode == "token":
        assert signed.tokens is not None
        body: dict[str, Any] = signed.tokens.as_json()
        body["poles"] = [v.tenant.slug for v in signed.memberships]
        return JSONResponse(body, headers={"Cache-Control": "no-store"})
    if as_json:
        response: Response = JSONResponse(
            {
                "poles": [v.tenant.slug for v in signed.memberships],
                "csrf_token": sessions.csrf_token(auth, signed.session.id),
            },
            headers={"Cache-Control": "no-store"},
        )
    else:
        response = RedirectResponse(next_url, status_code=303)
    set_session_cookies(request, response, auth, signed)
    return response


async def login_form(request: Request) -> Response:
    return auth_pages.login_page(
        next_url=safe_next(request.query_params.get("next")),
        providers=await providers(request.app.state.db),
    )


async def login(request: Request) -> Response:
    auth = _auth(request)
    try:
        data, as_json = await read_input(request)
    except ValidationError as exc:
        return error_json(exc, 400)
    next_url = safe_next(data.get("next") if isinstance(data.get("next"), str) else None)
    mode = data.get("session", "token" if as_json else "cookie")
    try:
        refuse_other_sites(request)
        if mode not in {"token", "cookie"}:
            raise ValidationError("session : « token » ou « cookie »", field="session")
        signed = await accounts.login(
            auth,
            email=_text(data, "email"),
            password=_text(data, "password"),
            kind="api" if mode == "token" else "browser",
            pole=_text(data, "pole", required=False) or None,
            client_address=client_address(request),
            user_agent=request.headers.get("user-agent"),
            device=request.cookies.get(devices.DEVICE_COOKIE),
        )
    except MaillageError as exc:
        if as_json:
            return error_json(exc, status_of(exc))
        response = auth_pages.login_page(
            next_url=next_url,
            providers=await providers(request.app.state.db),
            error=exc.message,
            email=str(data.get("email", "")),
            status=status_of(exc),
        )
        if isinstance(exc, RateLimitedError):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    response = signed_in_response(
        request, auth, signed, as_json=as_json, mode=mode, next_url=next_url
    )
    remember_device(request, response, signed)
    return response


async def logout_form(request: Request) -> Response:
    """The sign-out button (GraphiQL's bar links here): a form carrying the session's
    CSRF token, so it works without JavaScript."""
    auth = _auth(request)
    session_id, via_cookie = await session_of(
        auth, bearer=None, cookie=request.cookies.get(SESSION_COOKIE)
    )
    if session_id is None or not via_cookie:
        return auth_pages.message_page("Déconnexion", "Vous n'êtes pas connecté.")
    return auth_pages.logout_page(csrf=sessions.csrf_token(auth, session_id))


async def logout(request: Request) -> Response:
    auth = _auth(request)
    # The session itself, whatever else the request says (a disabled account or an
    # odd pole header must not keep a session alive).
    bearer = bearer_token(request)
    session_id, via_cookie = await session_of(
        auth, bearer=bearer, cookie=None if bearer else request.cookies.get(SESSION_COOKIE)
    )
    try:
        data, as_json = await read_input(request)
    except ValidationError:
        data, as_json = {}, True
    if session_id is None:
        response: Response = JSONResponse({"ok": True})
        clear_session_cookies(request, response)
        return response
    if via_cookie:
        try:
            refuse_other_sites(request)
        except ForbiddenError as exc:
            return error_json(exc, 403)
        given = request.headers.get(CSRF_HEADER) or str(data.get("csrf", ""))
        if not given or not same(given, sessions.csrf_token(auth, session_id)):
            return error_json(ValidationError("jeton CSRF manquant", field=CSRF_HEADER), 403)
    await sessions.revoke(auth, session_id, reason="logout", client_address=client_address(request))
    response = (
        JSONResponse({"ok": True})
        if as_json or bearer_token(request)
        else RedirectResponse("/auth/login", status_code=303)
    )
    clear_session_cookies(request, response)
    return response


def _oauth_error(error: str, description: str, status: int = 400, **headers: str) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status,
        headers={"Cache-Control": "no-store", **headers},
    )


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    raw = request.headers.get("authorization", "")
    scheme, _, value = raw.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    # RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
    return (unquote_plus(client_id), unquote_plus(secret)) if sep else None


async def token(request: Request) -> Response:
    """RFC 6749 token endpoint (form-encoded)."""
    auth = _auth(request)
    async with request.form() as form:
        data = {k: v for k, v in form.items() if isinstance(v, str)}
    grant = data.get("grant_type")
    address = client_address(request)
    try:
        if grant == "refresh_token":
            if not data.get("refresh_token"):
                return _oauth_error("invalid_request", "refresh_token manquant")
            pair = await sessions.refresh(auth, data["refresh_token"], client_address=address)
            return JSONResponse(pair.as_json(), headers={"Cache-Control": "no-store"})
        if grant == "client_credentials":
            basic = _basic_credentials(request)
            assertion = None
            if data.get("client_assertion_type") == clients.ASSERTION_TYPE:
                assertion = data.get("client_assertion")
            if basic is not None:
                client_id, secret = basic
            else:
                client_id, secret = data.get("client_id", ""), data.get("client_secret")
            if assertion and not client_id:
                # RFC 7523: the client is the assertion's subject (checked with its key).
                client_id = _assertion_subject(assertion)
            if not client_id:
                return _oauth_error("invalid_client", "client non identifié", 401)
            pair = await clients.client_credentials(
                auth,
                client_id=client_id,
                secret=secret,
                assertion=assertion,
                scope=data.get("scope"),
                client_address=address,
            )
            return JSONResponse(pair.as_json(), headers={"Cache-Control": "no-store"})
    except RateLimitedError as exc:
        response = _oauth_error(
            "slow_down", exc.message, 429, **{"Retry-After": str(exc.retry_after)}
        )
        return response
    except clients.InvalidClient as exc:
        return _oauth_error("invalid_client", exc.message, 401)
    except ValidationError as exc:
        return _oauth_error("invalid_scope", exc.message)
    except MaillageError as exc:
        return _oauth_error("invalid_grant", exc.message)
    return _oauth_error("unsupported_grant_type", "refresh_token ou client_credentials")


def _assertion_subject(assertion: str) -> str:
    parts = assertion.split(".")
    if len(parts) != 3:
        return ""
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return ""
    sub = claims.get("sub") if isinstance(claims, dict) else None
    return sub if isinstance(sub, str) else ""


async def forgot_form(request: Request) -> Response:
    return auth_pages.forgot_page()


async def forgot(request: Request) -> Response:
    try:
        data, as_json = await read_input(request)
    except ValidationError as exc:
        return error_json(exc, 400)
    try:
        refuse_other_sites(request)
        await accounts.request_reset(
            _auth(request), _text(data, "email"), client_address=client_address(request)
        )
    except MaillageError as exc:
        if as_json:
            return error_json(exc, status_of(exc))
        response = auth_pages.forgot_page(
            error=exc.message, email=str(data.get("email", "")), status=status_of(exc)
        )
        if isinstance(exc, RateLimitedError):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if as_json:
        return JSONResponse({"ok": True}, status_code=202)
    return auth_pages.forgot_page(sent=True, status=202)


async def reset_form(request: Request) -> Response:
    return auth_pages.new_password_page(
        action="/auth/password/reset",
        token=request.query_params.get("token", ""),
        title="Nouveau mot de passe",
    )


async def reset(request: Request) -> Response:
    data, as_json = await read_input(request)
    try:
        refuse_other_sites(request)
        await accounts.reset_password(
            _auth(request),
            _text(data, "token"),
            _text(data, "password"),
            client_address=client_address(request),
        )
    except MaillageError as exc:
        if as_json:
            return error_json(exc, status_of(exc))
        return auth_pages.new_password_page(
            action="/auth/password/reset",
            token=str(data.get("token", "")),
            title="Nouveau mot de passe",
            error=exc.message,
            status=status_of(exc),
        )
    if as_json:
        return JSONResponse({"ok": True})
    return auth_pages.message_page(
        "Mot de passe changé", "Votre mot de passe est enregistré : connectez-vous."
    )


async def invitation_form(request: Request) -> Response:
    return auth_pages.new_password_page(
        action="/auth/invitation",
        token=request.query_params.get("token", ""),
        title="Bienvenue sur maillage",
        ask_name=True,
    )


async def accept_invitation(request: Request) -> Response:
    data, as_json = await read_input(request)
    try:
        refuse_other_sites(request)
        await accounts.accept_invitation(
            _auth(request),
            _text(data, "token"),
            _text(data, "password"),
            display_name=_text(data, "display_name", required=False) or None,
            client_address=client_address(request),
        )
    except MaillageError as exc:
        if as_json:
            return error_json(exc, status_of(exc))
        return auth_pages.new_password_page(
            action="/auth/invitation",
            token=str(data.get("token", "")),
            title="Bienvenue sur maillage",
            error=exc.message,
            ask_name=True,
            display_name=str(data.get("display_name", "")),
            status=status_of(exc),
        )
    if as_json:
        return JSONResponse({"ok": True})
    return auth_pages.message_page(
        "Compte activé", "Votre mot de passe est enregistré : connectez-vous."
    )


async def jwks(request: Request) -> Response:
    ring = await _auth(request).keys()
    return JSONResponse(
        ring.jwks(),
        headers={
            # Short: a verifier meeting an unknown kid should fetch again anyway.
            "Cache-Control": "public, max-age=60",
            "Content-Type": "application/jwk-set+json",
        },
    )


async def metadata(request: Request) -> Response:
    """RFC 8414 metadata: what an integrator's OAuth library reads."""
    config = _auth(request).config
    return JSONResponse(
        {
            "issuer": config.issuer,
            "token_endpoint": config.token_endpoint,
            "jwks_uri": f"{config.issuer}/.well-known/jwks.json",
            "grant_types_supported": ["client_credentials", "refresh_token"],
            "token_endpoint_auth_methods_supported": list(clients.AUTH_METHODS),
            "token_endpoint_auth_signing_alg_values_supported": ["ES256", "RS256", "PS256"],
            "scopes_supported": ["tenant:read", "tenant:write", "network:read"],
            "revocation_endpoint": f"{config.issuer}/auth/logout",
        }
    )


def auth_routes() -> list[BaseRoute]:
    return [
        Route("/auth/login", login_form, methods=["GET"]),
        Route("/auth/login", login, methods=["POST"]),
        Route("/auth/logout", logout_form, methods=["GET"]),
        Route("/auth/logout", logout, methods=["POST"]),
        Route("/auth/token", token, methods=["POST"]),
        Route("/auth/password/forgot", forgot_form, methods=["GET"]),
        Route("/auth/password/forgot", forgot, methods=["POST"]),
        Route("/auth/password/reset", reset_form, methods=["GET"]),
        Route("/auth/password/reset", reset, methods=["POST"]),
        Route("/auth/invitation", invitation_form, methods=["GET"]),
        Route("/auth/invitation", accept_invitation, methods=["POST"]),
        Route("/.well-known/jwks.json", jwks, methods=["GET"]),
        Route("/.well-known/oauth-authorization-server", metadata, methods=["GET"]),
    ]
