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

import functools
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Actor
from core.access.roles import NETWORK_ROLES
from core.auth import sessions, tokens
from core.auth.clients import is_live
from core.auth.memberships import membership_in, memberships_of
from core.auth.models import ApiClient, AuthSession, Membership, User
from core.auth.secrets import digest
from core.auth.service import AuthService
from core.db import sql
from core.tenancy import guard
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
    session: AsyncSession,
    *,
    bearer: str | None,
    cookie: str | None,
    tenant_slug: str | None,
) -> Principal:
    """Who calls, on ``session`` (a reference session, the request's own).

    One statement reads the credential's session, its person or client, the pole and
    the person's active membership of it, and on PostgreSQL enters that pole
    (``app.tenant_id`` for the transaction) before reading the membership under both
    walls; the session is then bound to the pole (``Database.scope``, no second
    ``set_config``). The request goes on in that same transaction (docs/decisions.md,
    92 and 116). A request that ends up in no pole leaves the transaction the
    statement opened, and the pole with it."""
    if not bearer and not cookie:
        return ANONYMOUS
    principal = await _resolve(auth, session, bearer=bearer, cookie=cookie, tenant_slug=tenant_slug)
    if principal.tenant is None and session.in_transaction():
        await session.rollback()
    return principal


async def _resolve(
    auth: AuthService,
    session: AsyncSession,
    *,
    bearer: str | None,
    cookie: str | None,
    tenant_slug: str | None,
) -> Principal:
    found = await _caller(session, auth, bearer=bearer, cookie=cookie, tenant_slug=tenant_slug)
    if found.refusal is not None:
        return Principal(refused_credential=found.refusal)
    row, claims, via_cookie = found.row, found.claims, found.via_cookie
    assert row is not None
    now = auth.now()
    if claims is not None and claims.api_client_id is not None:
        client = found.client
        if not is_live(client, now) or client is None or (client.client_id != claims.api_client_id):
            return Principal(refused_credential="client revoked")
        return await _client_principal(
            auth, session, client, claims.scopes, row, found.tenant, tenant_slug, found.entered
        )
    if claims is not None and row.user_id != claims.user_id:
        return Principal(refused_credential="token and session disagree")

    user = found.user
    if user is None or user.status != "active":
        return Principal(refused_credential="account not active")
    requested = found.tenant
    if tenant_slug and (requested is None or not requested.active):
        return _person(user, row, None, via_cookie, refused=tenant_slug)
    if requested is None:
        # No pole chosen yet: a person with exactly one pole works in it. Rare (sign-in
        # picks the only pole): the request's connection goes back to the pool before
        # the identity session takes one, so the request never holds two.
        await session.close()
        views = await memberships_of(auth, user.id)
        if len(views) != 1:
            return _person(user, row, None, via_cookie)
        requested = views[0].tenant
        await auth.db.scope(session, requested.id)
        membership = await membership_in(session, user.id)
        roles, grants = (membership.roles, membership.grants) if membership else (None, None)
    else:
        await auth.db.scope(session, requested.id, entered=found.entered)
        roles, grants = found.roles, found.grants
    if roles is None or not requested.active:
        await auth.db.unscope(session)
        return _person(user, row, None, via_cookie, refused=requested.slug)
    return Principal(
        actor=Actor(
            subject=f"user:{user.id}",
            display_name=user.display_name,
            # A network role counts from the account only, never from a pole's
            # membership (a pole cannot make someone the network's).
            roles=(frozenset(roles) - NETWORK_ROLES) | _network_roles(user),
            grants=frozenset(grants or ()),
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
    user: User | None = None
    client: ApiClient | None = None
    tenant: Tenant | None = None
    claims: tokens.AccessClaims | None = None
    via_cookie: bool = False
    refusal: str | None = None
    # The person's active membership of ``tenant`` (None: none), read by the same
    # statement, and whether that statement entered the pole (PostgreSQL).
    roles: list[str] | None = None
    grants: list[str] | None = None
    entered: bool = False


@functools.cache
def _caller_statement(*, bearer: bool, by_slug: bool, entering: bool) -> Any:
    """The caller's statement of one shape, built once with bound parameters (``which``:
    the session's id or the cookie's digest; ``slug``: the pole asked for): the same
    object each request, so SQLAlchemy finds its compiled form by a key it memoizes on
    the object, and the tenant guard its analysis (docs/decisions.md, 195)."""
    which = (
        AuthSession.id == bindparam("which", type_=AuthSession.id.type)
        if bearer
        else (AuthSession.cookie_hash == bindparam("which", type_=AuthSession.cookie_hash.type))
        & (AuthSession.kind == "browser")
    )
    pole = (
        Tenant.slug == bindparam("slug", type_=Tenant.slug.type)
        if by_slug
        else Tenant.id == func.coalesce(ApiClient.pole_id, AuthSession.current_tenant_id)
    )
    # The membership's columns come AFTER the pole's set_config in the select list:
    # PostgreSQL evaluates it in order, so RLS reads the membership under the pole
    # the same row just entered (a test on PostgreSQL would see every member refused
    # otherwise). The explicit tenant filter is the application's wall.
    membership = (
        Membership.tenant_id == Tenant.id,
        Membership.user_id == AuthSession.user_id,
        Membership.active.is_(True),
    )
    return (
        select(
            AuthSession,
            User,
            ApiClient,
            Tenant,
            *([sql.transaction_tenant_column(Tenant.id)] if entering else []),
            select(Membership.roles).where(*membership).scalar_subquery().label("roles_"),
            select(Membership.grants).where(*membership).scalar_subquery().label("grants_"),
        )
        .outerjoin(User, User.id == AuthSession.user_id)
        .outerjoin(ApiClient, ApiClient.id == AuthSession.client_id)
        .outerjoin(Tenant, pole)
        .where(which)
        .execution_options(**{guard.CALLER_KEY: True})
    )


async def _caller(
    session: AsyncSession,
    auth: AuthService,
    *,
    bearer: str | None,
    cookie: str | None,
    tenant_slug: str | None = None,
) -> _Found:
    """The live session a bearer token (checked) or a browser cookie names, with its
    person or client and the pole in question, in one statement: the pole asked for
    (``tenant_slug``), else the client's own, else the session's current one."""
    now = auth.now()
    claims = None
    if bearer:
        try:
            claims = await tokens.verify(
                bearer, await auth.keys(), auth.config, reload=auth.reload_keys, clock=auth.clock
            )
        except tokens.InvalidToken as exc:
            return _Found(refusal=exc.reason)
        which: Any = claims.session_id
    else:
        which = digest(cookie or "")
    entering = not auth.db.is_sqlite
    query = _caller_statement(bearer=bool(bearer), by_slug=bool(tenant_slug), entering=entering)
    params = {"which": which, "slug": tenant_slug} if tenant_slug else {"which": which}

    async def run(s: AsyncSession) -> Any:
        return (await s.execute(query, params)).first()

    found = await auth.db.first_statement(session, run)
    if found is None or not sessions.live(found[0], now):
        refusal = "session revoked or expired" if bearer else "cookie session revoked or expired"
        return _Found(refusal=refusal)
    row, user, client, tenant = found[:4]
    # Detached, every attribute loaded: the request's later rollbacks (a failed
    # mutation) expire what the session holds, and these are read after them.
    for obj in found[:4]:
        if obj is not None:
            session.expunge(obj)
    return _Found(
        row=row,
        user=user,
        client=client,
        tenant=tenant,
        claims=claims,
        via_cookie=not bearer,
        roles=found.roles_,
        grants=found.grants_,
        entered=entering and tenant is not None,
    )


async def session_of(
    auth: AuthService, *, bearer: str | None, cookie: str | None
) -> tuple[uuid.UUID | None, bool]:
    """The live session a credential names (and whether by cookie), for logout."""
    if not bearer and not cookie:
        return None, False
    async with auth.db.reference_session() as session:
        found = await _caller(session, auth, bearer=bearer, cookie=cookie)
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
    """A signed-in person with no pole in scope: no pole role, only the network's role
    held on the account (it opens the network's actions, never a pole's)."""
    return Principal(
        actor=Actor(
            subject=f"user:{user.id}",
            display_name=user.display_name,
            roles=_network_roles(user),
            user_id=user.id,
            session_id=row.id,
        ),
        tenant=tenant,
        session_id=row.id,
        via_cookie=via_cookie,
        refused_tenant=refused,
    )


def _network_roles(user: User) -> frozenset[str]:
    role = user.network_role
    return frozenset({role}) if role in NETWORK_ROLES else frozenset()


async def _client_principal(
    auth: AuthService,
    session: AsyncSession,
    client: ApiClient,
    scopes: frozenset[str],
    row: AuthSession,
    found: Tenant | None,
    tenant_slug: str | None,
    entered: bool,
) -> Principal:
    """A machine client works in the pole it is bound to, nothing else: the pole found
    (asked for, or its own) must be that one."""
    tenant = found if found is not None and found.id == client.pole_id else None
    actor = Actor(
        subject=f"client:{client.client_id}",
        display_name=client.name,
        kind="client",
        # A token carries the scopes asked for; the registration may have lost some.
        scopes=scopes & frozenset(client.scopes),
        session_id=row.id,
    )
    if tenant is None or not tenant.active:
        return Principal(
            actor=actor, session_id=row.id, refused_tenant=tenant_slug if tenant_slug else None
        )
    await auth.db.scope(session, tenant.id, entered=entered)
    return Principal(actor=actor, tenant=tenant, session_id=row.id)
