"""Test accounts: a real user and membership for an ``Actor``, and a real access token.

The GraphQL client of the test kit signs requests this way, so every test goes
through the production path: token verification, session check, membership read
again from the database. Nothing is trusted from a header.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from core.access.actions import Actor
from core.access.roles import NETWORK_ROLES
from core.auth import sessions
from core.auth.memberships import membership_in
from core.auth.models import Membership, User
from core.auth.service import AuthService
from core.tenancy.models import Tenant

TEST_DOMAIN = "tests.maillage.example"


def email_of(actor: Actor) -> str:
    local = re.sub(r"[^a-z0-9.-]+", "-", actor.subject.lower()).strip("-.") or "test"
    return f"{local}@{TEST_DOMAIN}"


async def ensure_user(auth: AuthService, actor: Actor) -> User:
    email = email_of(actor)
    async with auth.db.reference_session() as session:
        user = (await session.execute(select(User).where(User.email == email))).scalar()
        if user is None:
            user = User(email=email, display_name=actor.display_name, status="active")
            session.add(user)
            await session.commit()
        return user


async def ensure_network_role(auth: AuthService, actor: Actor, user: User) -> None:
    role = next((r for r in sorted(actor.roles) if r in NETWORK_ROLES), None)
    if user.network_role == role:
        return
    async with auth.db.reference_session() as session:
        row = await session.get(User, user.id)
        assert row is not None
        row.network_role = role
        await session.commit()
    user.network_role = role


async def ensure_membership(auth: AuthService, tenant: Tenant, actor: Actor, user: User) -> None:
    """The actor's roles and grants in ``tenant``, exactly (created or updated)."""
    async with auth.db.session(tenant.id) as session:
        row = await membership_in(session, user.id, active_only=False)
        if row is None:
            row = Membership(user_id=user.id)
            session.add(row)
        row.roles, row.grants, row.active = sorted(actor.roles), sorted(actor.grants), True
        await session.commit()


async def access_token(auth: AuthService, user: User, tenant: Tenant | None) -> str:
    async with auth.db.reference_session() as session:
        row, _ = await sessions.open_session(
            auth,
            session,
            user=user,
            kind="api",
            method="test",
            tenant_id=tenant.id if tenant else None,
        )
        pair = await sessions.issue_tokens(auth, session, row, refresh=False)
        await session.commit()
    return pair.access_token


async def sign_in(auth: AuthService, actor: Actor, tenant: Tenant | None) -> tuple[str, uuid.UUID]:
    """A token for ``actor`` (a member of ``tenant`` with its roles, when given)."""
    user = await ensure_user(auth, actor)
    if tenant is not None:
        await ensure_membership(auth, tenant, actor, user)
    else:
        # Signed in with no pole: the actor's network role, if any, is its account's.
        await ensure_network_role(auth, actor, user)
    return await access_token(auth, user, tenant), user.id
