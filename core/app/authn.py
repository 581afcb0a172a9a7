"""From an HTTP request to a ``Principal``: the credential, the pole asked for, CSRF.

* ``Authorization: Bearer <access token>`` (API clients, scripts, integrators), or
* the ``maillage_session`` cookie (the browser, GraphiQL).

``X-Maillage-Tenant: <slug>`` picks the pole for this request; it is only a wish,
checked against the caller's memberships like everything else. A request whose
credential is refused is answered 401 before any resolver runs.

Cookie-authenticated mutations must carry ``X-CSRF-Token`` (the value of the
``maillage_csrf`` cookie, derived from the session): a form on another site can make
the browser send the cookie, never the header.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from graphql import ExecutionResult, GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from core.auth import sessions
from core.auth.principal import Principal, resolve
from core.auth.secrets import hmac_token, same
from core.auth.service import AuthService
from core.logs import request_facts_var

TENANT_HEADER = "x-maillage-tenant"
CSRF_HEADER = "x-csrf-token"
SESSION_COOKIE = "maillage_session"
CSRF_COOKIE = "maillage_csrf"


def client_address(request: HTTPConnection) -> str | None:
    return request.client.host if request.client else None


def bearer_token(request: HTTPConnection) -> str | None:
    raw = request.headers.get("authorization", "")
    scheme, _, value = raw.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def authenticate(
    request: HTTPConnection, auth: AuthService, session: AsyncSession | None = None
) -> Principal:
    """The caller of ``request``, resolved on ``session`` — the request's own, which
    then goes on in the caller's pole (``core.auth.principal.resolve``). Without one, a
    session of its own, closed before returning."""
    if session is None:
        async with auth.db.reference_session() as own:
            return await authenticate(request, auth, own)
    authorization = request.headers.get("authorization")
    bearer = bearer_token(request)
    if authorization and bearer is None:
        return Principal(refused_credential="unsupported authorization scheme")
    asked = {value.strip() for value in request.headers.getlist(TENANT_HEADER)}
    if len(asked) > 1:
        # Two different poles in one request: ambiguous, so refused outright.
        return Principal(refused_credential="several X-Maillage-Tenant values")
    principal = await resolve(
        auth,
        session,
        bearer=bearer,
        cookie=None if bearer else request.cookies.get(SESSION_COOKIE),
        tenant_slug=next(iter(asked), "") or None,
    )
    note_principal(principal, auth.config.secret_key)
    return principal


def log_pseudonym(secret_key: str, subject: str) -> str:
    """Who made a request, for the request log: stable for one install (an operator can
    follow one actor's requests), meaningless elsewhere, and never a name or an address.
    Whoever holds the install's secret and the accounts table can link it back; the log
    alone cannot."""
    return "a_" + hmac_token(secret_key, "log-actor", subject)[:16]


def note_principal(principal: Principal, secret_key: str) -> None:
    """Tell the request log which pole (slug) and which actor (pseudonym) this is."""
    facts = request_facts_var.get()
    if facts is None:
        return
    if principal.tenant is not None:
        facts.pole = principal.tenant.slug
    if principal.actor is not None:
        facts.actor = log_pseudonym(secret_key, principal.actor.subject)


def csrf_ok(request: HTTPConnection, auth: AuthService, principal: Principal) -> bool:
    """True unless the request rides on the cookie without the session's CSRF token."""
    if not principal.via_cookie or principal.session_id is None:
        return True
    given = request.headers.get(CSRF_HEADER, "")
    return bool(given) and same(given, sessions.csrf_token(auth, principal.session_id))


def unauthenticated(message: str = "identifiants refusés (jeton ou session invalide)") -> Response:
    """401 in the GraphQL response shape, with the RFC 6750 challenge."""
    return JSONResponse(
        {"data": None, "errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


class CsrfGuard(SchemaExtension):
    """Refuse a cookie-authenticated mutation without the CSRF header, before any
    resolver runs (queries are harmless: another site cannot read their answer)."""

    async def on_execute(self) -> AsyncIterator[None]:
        ctx = self.execution_context.context
        if (
            getattr(ctx, "csrf_failed", False)
            and self.execution_context.operation_type is OperationType.MUTATION
        ):
            self.execution_context.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "jeton CSRF manquant ou invalide : envoyez l'en-tête X-CSRF-Token "
                        "(valeur du cookie maillage_csrf)",
                        extensions={"code": "FORBIDDEN", "field": CSRF_HEADER},
                    )
                ],
            )
        yield
