"""Local accounts: sign in with a password, change it, reset it by mail, accept an
invitation. Every outcome is a security event; failures are throttled."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.auth import devices, mail, passwords, sessions, throttle
from core.auth.config import as_utc
from core.auth.memberships import MembershipView, memberships_of, normalise_email
from core.auth.models import AuthSession, OneTimeToken, User
from core.auth.secrets import digest, new_token
from core.auth.security import pole_security_event, security_event
from core.auth.service import AuthService
from core.errors import RateLimitedError, UnauthenticatedError, ValidationError
from core.tenancy.models import Tenant

WRONG_CREDENTIALS = "adresse ou mot de passe incorrect"


@dataclass(frozen=True)
class SignedIn:
    user: User
    session: AuthSession
    cookie: str | None
    tokens: sessions.TokenPair | None
    memberships: list[MembershipView]
    # A password sign-in's device cookie (core.auth.devices), for the browser to keep.
    device: str | None = None


def pick_tenant(
    memberships: list[MembershipView], slug: str | None, field: str = "pole"
) -> Tenant | None:
    """The pole a new session starts in: the one asked for (a membership, or refused),
    else the only one, else none (the person chooses with switchTenant)."""
    if slug:
        for view in memberships:
            if view.tenant.slug == slug:
                return view.tenant
        raise UnauthenticatedError("vous n'êtes pas membre de ce pôle", field=field)
    return memberships[0].tenant if len(memberships) == 1 else None


async def start_session(
    auth: AuthService,
    session: AsyncSession,
    user: User,
    *,
    kind: str,
    method: str,
    pole: str | None,
    client_address: str | None,
    user_agent: str | None,
) -> SignedIn:
    """Open a session for an authenticated user (password or OIDC), log it, commit."""
    memberships = await memberships_of(auth, user.id)
    tenant = pick_tenant(memberships, pole)
    row, cookie = await sessions.open_session(
        auth,
        session,
        user=user,
        kind=kind,
        method=method,
        tenant_id=tenant.id if tenant else None,
        client_address=client_address,
        user_agent=user_agent,
    )
    user.last_login_at = auth.now()
    pair = await sessions.issue_tokens(auth, session, row) if kind == "api" else None
    security_event(
        session,
        "login",
        user_id=user.id,
        tenant_id=tenant.id if tenant else None,
        detail=method,
        client_address=client_address,
    )
    await session.commit()
    if tenant is not None:
        async with auth.db.session(tenant.id) as pole:
            pole_security_event(
                pole,
                "login",
                tenant_id=tenant.id,
                actor=f"user:{user.id}",
                object_id=str(user.id),
                client_address=client_address,
            )
            await pole.commit()
    return SignedIn(user, row, cookie, pair, memberships)


async def login(
    auth: AuthService,
    *,
    email: str,
    password: str,
    kind: str = "browser",
    pole: str | None = None,
    client_address: str | None = None,
    user_agent: str | None = None,
    device: str | None = None,
) -> SignedIn:
    """Check a password and open a session. Throttled per account (or per known
    device, when ``device`` is the cookie of a browser that signed in to this account
    before) and per address: over a limit, even the right password is refused until
    the window ends. The attempt is counted before the password is checked."""
    address = email.strip().lower()
    device_key = devices.throttle_key(auth.config.secret_key, address, device)
    first = device_key or throttle.account_key(address)
    keys = [first, throttle.address_key(client_address)]
    policy, now = auth.config.throttle, auth.now()
    async with auth.db.reference_session() as session:
        try:
            await throttle.reserve(session, keys, policy, now)
        except RateLimitedError:
            security_event(
                session,
                "login_throttled",
                detail="known device" if device_key else "rate limited",
                client_address=client_address,
            )
            await session.commit()
            raise
        user = (await session.execute(select(User).where(User.email == address))).scalar()
        # Argon2 takes tens of milliseconds of CPU: off the event loop, so one sign-in
        # does not stall every other request of the process.
        ok = await asyncio.to_thread(
            passwords.verify_password, user.password_hash if user else None, password
        )
        if not ok or user is None or user.status != "active":
            security_event(
                session,
                "login_failed",
                user_id=user.id if user else None,
                detail="unknown account" if user is None else f"password ({user.status})",
                client_address=client_address,
            )
            await session.commit()
            raise UnauthenticatedError(WRONG_CREDENTIALS, field="password")
        # A success is not a failure: the account's (or the device's) counter starts
        # again, the address gets its attempt back. From a known device the account's
        # own counter is left alone: strangers' guesses stay throttled.
        await throttle.clear(session, first)
        await throttle.release(session, keys[1])
        if user.password_hash and passwords.needs_rehash(user.password_hash):
            user.password_hash = passwords.hash_password(password)
        signed = await start_session(
            auth,
            session,
            user,
            kind=kind,
            method="password",
            pole=pole,
            client_address=client_address,
            user_agent=user_agent,
        )
        return replace(signed, device=devices.issue(auth.config.secret_key, address))


async def change_password(
    auth: AuthService,
    user_id: uuid.UUID,
    *,
    current: str,
    new: str,
    keep_session: uuid.UUID | None,
    client_address: str | None = None,
) -> None:
    """Check the current password (throttled like a login), set the new one and
    sign out every other session."""
    policy, now = auth.config.throttle, auth.now()
    async with auth.db.reference_session() as session:
        user = await session.get(User, user_id)
        if user is None:
            raise UnauthenticatedError("compte introuvable", field="currentPassword")
        keys = [throttle.account_key(user.email), throttle.address_key(client_address)]
        await throttle.reserve(session, keys, policy, now)
        if not await asyncio.to_thread(passwords.verify_password, user.password_hash, current):
            security_event(session, "password_change_failed", user_id=user.id)
            await session.commit()
            raise ValidationError("mot de passe actuel incorrect", field="currentPassword")
        for key in keys:
            await throttle.release(session, key)
        await session.commit()  # the right password is no failure, whatever follows
        if new == current:
            raise ValidationError("le nouveau mot de passe doit différer", field="newPassword")
        passwords.check_policy(new, email=user.email, field="newPassword")
        user.password_hash = passwords.hash_password(new)
        user.password_changed_at = now
        await sessions.revoke_all(auth, session, user.id, reason="password", keep=keep_session)
        security_event(session, "password_changed", user_id=user.id, client_address=client_address)
        await session.commit()


async def request_reset(auth: AuthService, email: str, *, client_address: str | None) -> None:
    """Mail a reset link when the address has an active account. The answer is the
    same either way (no account enumeration); throttled per address."""
    policy, now = auth.config.throttle, auth.now()
    try:
        address = normalise_email(email)
    except ValidationError:
        return
    keys = [throttle.address_key(client_address)]
    async with auth.db.reference_session() as session:
        # Each request counts (and is not given back): a reset link is a mail sent to
        # someone.
        await throttle.reserve(session, keys, policy, now)
        user = (await session.execute(select(User).where(User.email == address))).scalar()
        if user is not None and user.status == "active":
            token = new_token("mp_")
            session.add(
                OneTimeToken(
                    user_id=user.id,
                    purpose="reset",
                    token_hash=digest(token),
                    created_at=now,
                    expires_at=now + auth.config.reset_ttl,
                )
            )
            minutes = int(auth.config.reset_ttl.total_seconds() // 60)
            mail.queue(
                session,
                to=user.email,
                subject="Réinitialisation de votre mot de passe maillage",
                body=(
                    f"Bonjour {user.display_name},\n\nPour choisir un nouveau mot de passe, "
                    f"suivez ce lien (valable {minutes} minutes, une seule fois) :\n"
                    f"{auth.config.issuer}/auth/password/reset?token={token}\n\n"
                    "Si vous n'avez rien demandé, ignorez ce message : votre mot de passe "
                    "reste inchangé.\n"
                ),
            )
            security_event(
                session, "password_reset_requested", user_id=user.id, client_address=client_address
            )
        await session.commit()
    auth.send_mail_soon()


async def _take_token(
    session: AsyncSession, auth: AuthService, value: str, purpose: str
) -> OneTimeToken:
    row = (
        await session.execute(
            select(OneTimeToken).where(
                OneTimeToken.token_hash == digest(value), OneTimeToken.purpose == purpose
            )
        )
    ).scalar()
    if row is None or row.used_at is not None or as_utc(row.expires_at) <= auth.now():
        raise ValidationError(
            "lien invalide, expiré ou déjà utilisé : demandez-en un nouveau", field="token"
        )
    row.used_at = auth.now()
    return row


async def reset_password(
    auth: AuthService, token: str, new: str, *, client_address: str | None = None
) -> None:
    async with auth.db.reference_session() as session:
        row = await _take_token(session, auth, token, "reset")
        user = await session.get(User, row.user_id)
        assert user is not None
        passwords.check_policy(new, email=user.email, field="password")
        user.password_hash = passwords.hash_password(new)
        user.password_changed_at = auth.now()
        await sessions.revoke_all(auth, session, user.id, reason="password_reset")
        await throttle.clear(session, throttle.account_key(user.email))
        security_event(session, "password_reset", user_id=user.id, client_address=client_address)
        await session.commit()


async def accept_invitation(
    auth: AuthService,
    token: str,
    password: str,
    *,
    display_name: str | None = None,
    client_address: str | None = None,
) -> User:
    async with auth.db.reference_session() as session:
        row = await _take_token(session, auth, token, "invitation")
        user = await session.get(User, row.user_id)
        assert user is not None
        if user.status == "disabled":
            raise ValidationError("ce compte est désactivé", field="token")
        passwords.check_policy(password, email=user.email, field="password")
        user.password_hash = passwords.hash_password(password)
        user.password_changed_at = auth.now()
        user.status = "active"
        if display_name and display_name.strip():
            user.display_name = display_name.strip()
        security_event(
            session,
            "invitation_accepted",
            user_id=user.id,
            tenant_id=row.pole_id,
            client_address=client_address,
        )
        await session.commit()
        return user
