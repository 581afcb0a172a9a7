"""Who makes a request, and for which pole: read again from the database each time.

``resolve`` takes what the HTTP layer extracted — a bearer token, a session cookie,
the pole asked for — and answers a ``Principal``:

* the credential names a person (``user:<uuid>``) or a client, and a session that
  must be live (a revoked session's tokens are refused at once);
* the pole is the one asked for (header ``X-Maillage-Tenant``), else the session's
  current pole, else the person's only pole; a client's pole is the one it is bound
  to, nothing else;
* the roles and grants come from the person's *active membership* of that pole. A
  pole the person is not a member of is refused (``refused_tenant``), never silently
  replaced by another: the request then reaches no pole's data at all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from core.access.actions import Actor
from core.auth import sessions, tokens
from core.auth.clients import is_live
from core.auth.memberships import membership_in, memberships_of
from core.auth.models import ApiClient, AuthSession, User
from core.auth.secrets import digest
from core.auth.service import AuthService
from core.tenancy.models import Tenant


@dataclass(frozen=True)
class Principal:
    actor: Actor | None = None
    tenant: Tenant | None = None
    session_id: uuid.UUID | None = None
    via_cookie: bool = False
    # Why the credential was refused (for the security log; the caller gets 401).
    refused_credential: str | None = None
    # A pole asked for and refused (not a member, inactive): FORBIDDEN on pole data.
    refused_tenant: str | None = None

    @property
    def user_id(self) -> uuid.UUID | None:
        return self.actor.user_id if self.actor else None


ANONYMOUS = Principal()


async def resolve(
    auth: AuthService,
    *,
    bearer: str | None,
    cookie: str | None,
    tenant_slug: str | None,
) -> Principal:
    now = auth.now()
    if not bearer and not cookie:
        return ANONYMOUS
    async with auth.db.reference_session() as session:
        found = await _credential(session, auth, bearer=bearer, cookie=cookie)
        if found.refusal is not None:
            return Principal(refused_credential=found.refusal)
        row, claims, via_cookie = found.row, found.claims, found.via_cookie
        assert row is not None
        if claims is not None and claims.api_client_id is not None:
            client = await session.get(ApiClient, row.client_id) if row.client_id else None
            if (
                not is_live(client, now)
                or client is None
                or (client.client_id != claims.api_client_id)
            ):
                return Principal(refused_credential="client revoked")
            return await _client_principal(auth, client, claims.scopes, row, tenant_slug)
        if claims is not None and row.user_id != claims.user_id:
            return Principal(refused_credential="token and session disagree")

        user = await session.get(User, row.user_id) if row.user_id else None
        if user is None or user.status != "active":
            return Principal(refused_credential="account not active")
        requested: Tenant | None = None
        if tenant_slug:
            requested = (
                await session.execute(select(Tenant).where(Tenant.slug == tenant_slug))
            ).scalar()
            if requested is None or not requested.active:
                return _person(user, row, None, via_cookie, refused=tenant_slug)
        elif row.current_tenant_id is not None:
            requested = await session.get(Tenant, row.current_tenant_id)

    if requested is None and not tenant_slug:
        # No pole chosen yet: a person with exactly one pole works in it.
        views = await memberships_of(auth, user.id)
        if len(views) != 1:
            return _person(user, row, None, via_cookie)
        requested = views[0].tenant
    assert requested is not None
    async with auth.db.session(requested.id) as pole:
        membership = await membership_in(pole, user.id)
    if membership is None or not requested.active:
        return _person(user, row, None, via_cookie, refused=requested.slug)
    return Principal(
        actor=Actor(
            subject=f"user:{user.id}",
            display_name=user.display_name,
            roles=frozenset(membership.roles),
            grants=frozenset(membership.grants),
            user_id=user.id,
            session_id=row.id,
        ),
        tenant=requested,
        session_id=row.id,
        via_cookie=via_cookie,
    )


@dataclass(frozen=True)
class _Found:
    row: AuthSession | None = None
    claims: tokens.AccessClaims | None = None
    via_cookie: bool = False
    refusal: str | None = None


async def _credential(
    session: Any, auth: AuthService, *, bearer: str | None, cookie: str | None
) -> _Found:
    """The live session a bearer token (checked) or a browser cookie names."""
    now = auth.now()
    if bearer:
        try:
            claims = await tokens.verify(
                bearer, await auth.keys(), auth.config, reload=auth.reload_keys, clock=auth.clock
            )
        except tokens.InvalidToken as exc:
            return _Found(refusal=exc.reason)
        row = await session.get(AuthSession, claims.session_id)
        if not sessions.live(row, now):
            return _Found(refusal="session revoked or expired")
        return _Found(row=row, claims=claims)
    row = (
        await session.execute(
            select(AuthSession).where(
                AuthSession.cookie_hash == digest(cookie or ""), AuthSession.kind == "browser"
            )
        )
    ).scalar()
    if not sessions.live(row, now):
        return _Found(refusal="cookie session revoked or expired")
    return _Found(row=row, via_cookie=True)


async def session_of(
    auth: AuthService, *, bearer: str | None, cookie: str | None
) -> tuple[uuid.UUID | None, bool]:
    """The live session a credential names (and whether by cookie), for logout."""
    if not bearer and not cookie:
        return None, False
    async with auth.db.reference_session() as session:
        found = await _credential(session, auth, bearer=bearer, cookie=cookie)
    if found.row is None:
        return None, False
    return found.row.id, found.via_cookie


def _person(
    user: User,
    row: AuthSession,
    tenant: Tenant | None,
    via_cookie: bool,
    refused: str | None = None,
) -> Principal:
    """A signed-in person with no pole in scope: no roles at all."""
    return Principal(
        actor=Actor(
            subject=f"user:{user.id}",
            display_name=user.display_name,
            user_id=user.id,
            session_id=row.id,
        ),
        tenant=tenant,
        session_id=row.id,
        via_cookie=via_cookie,
        refused_tenant=refused,
    )


async def _client_principal(
    auth: AuthService,
    client: ApiClient,
    scopes: frozenset[str],
    row: AuthSession,
    tenant_slug: str | None,
) -> Principal:
    tenant = None
    if client.pole_id is not None:
        async with auth.db.reference_session() as session:
            tenant = await session.get(Tenant, client.pole_id)
    actor = Actor(
        subject=f"client:{client.client_id}",
        display_name=client.name,
        kind="client",
        # A token carries the scopes asked for; the registration may have lost some.
        scopes=scopes & frozenset(client.scopes),
        session_id=row.id,
    )
    if tenant is None or not tenant.active or (tenant_slug and tenant_slug != tenant.slug):
        return Principal(
            actor=actor, session_id=row.id, refused_tenant=tenant_slug if tenant_slug else None
        )
    return Principal(actor=actor, tenant=tenant, session_id=row.id)
