"""Sessions, refresh tokens and the request's identity.

A browser session is a random cookie (HttpOnly, SameSite=Lax, Secure) whose digest is
stored; API sessions get an access token and a refresh token. Refresh tokens rotate
on every use and form a chain: presenting a used one again means a copy leaked, so
the whole session is revoked (RFC 9700 §4.14.2).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.auth import throttle, tokens
from core.auth.config import as_utc
from core.auth.models import (
    AuthSession,
    OneTimeToken,
    RefreshToken,
    ThrottleBucket,
    UsedAssertion,
    User,
)
from core.auth.secrets import digest, hmac_token, new_token
from core.auth.security import security_event
from core.auth.service import AuthService
from core.errors import UnauthenticatedError

COOKIE_PREFIX = "ms_"
REFRESH_PREFIX = "mr_"


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    expires_in: int
    refresh_token: str | None

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
        }
        if self.refresh_token:
            body["refresh_token"] = self.refresh_token
        return body


def csrf_token(auth: AuthService, session_id: uuid.UUID) -> str:
    """The CSRF token of a browser session: derived from it, never stored."""
    return hmac_token(auth.config.secret_key, "csrf", str(session_id))


def live(row: AuthSession | None, now: dt.datetime) -> bool:
    return row is not None and row.revoked_at is None and as_utc(row.expires_at) > now


async def open_session(
    auth: AuthService,
    session: AsyncSession,
    *,
    user: User | None = None,
    client_id: uuid.UUID | None = None,
    kind: str,
    method: str,
    tenant_id: uuid.UUID | None = None,
    client_address: str | None = None,
    user_agent: str | None = None,
) -> tuple[AuthSession, str | None]:
    """A new session; returns it and the cookie value (browser sessions)."""
    now = auth.now()
    cookie = new_token(COOKIE_PREFIX) if kind == "browser" else None
    ttl = auth.config.session_ttl if kind == "browser" else auth.config.refresh_ttl
    if kind == "client":
        ttl = auth.config.access_ttl
    row = AuthSession(
        id=uuid.uuid4(),
        user_id=user.id if user else None,
        client_id=client_id,
        kind=kind,
        method=method,
        cookie_hash=digest(cookie) if cookie else None,
        current_tenant_id=tenant_id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + ttl,
        client_address=client_address,
        user_agent=(user_agent or "")[:200] or None,
    )
    session.add(row)
    return row, cookie


async def issue_tokens(
    auth: AuthService, session: AsyncSession, row: AuthSession, *, refresh: bool = True
) -> TokenPair:
    ring = await auth.keys()
    if row.user_id is not None:
        subject = tokens.USER_PREFIX + str(row.user_id)
    else:
        raise ValueError("client sessions get their tokens from clients.issue")
    access, lifetime = tokens.issue(
        ring, auth.config, subject=subject, session_id=row.id, now=auth.now()
    )
    refresh_value = None
    if refresh:
        refresh_value = new_token(REFRESH_PREFIX)
        session.add(
            RefreshToken(
                session_id=row.id,
                token_hash=digest(refresh_value),
                issued_at=auth.now(),
                expires_at=as_utc(row.expires_at),
            )
        )
    return TokenPair(access, lifetime, refresh_value)


async def refresh(auth: AuthService, value: str, *, client_address: str | None = None) -> TokenPair:
    """Rotate a refresh token. A used token revokes its session (reuse detection)."""
    now = auth.now()
    keys = [throttle.address_key(client_address)]
    async with auth.db.reference_session() as session:
        # Guessing refresh tokens is hopeless (256 bits), but the token endpoint is
        # throttled like the login: unknown tokens count against the address.
        await throttle.check(session, keys, auth.config.throttle, now)
        found = (
            await session.execute(
                select(RefreshToken, AuthSession)
                .join(AuthSession, AuthSession.id == RefreshToken.session_id)
                .where(RefreshToken.token_hash == digest(value))
            )
        ).first()
        if found is None:
            await throttle.fail(session, keys, auth.config.throttle, now)
            await session.commit()
            raise UnauthenticatedError("jeton de rafraîchissement inconnu", field="refresh_token")
        token, row = found
        if token.used_at is not None:
            if row.revoked_at is None:
                row.revoked_at, row.revoked_reason = now, "refresh_reuse"
            security_event(
                session,
                "refresh_reuse",
                user_id=row.user_id,
                detail=f"session {row.id}",
                client_address=client_address,
            )
            await session.commit()
            raise UnauthenticatedError(
                "jeton de rafraîchissement déjà utilisé : la session est révoquée",
                field="refresh_token",
            )
        if not live(row, now) or as_utc(token.expires_at) <= now:
            raise UnauthenticatedError("session expirée ou révoquée", field="refresh_token")
        user = await session.get(User, row.user_id) if row.user_id else None
        if user is None or user.status != "active":
            raise UnauthenticatedError("compte inactif", field="refresh_token")
        token.used_at = now
        row.last_seen_at = now
        pair = await issue_tokens(auth, session, row)
        security_event(
            session, "token_refreshed", user_id=row.user_id, client_address=client_address
        )
        await session.commit()
        return pair


async def revoke(
    auth: AuthService,
    session_id: uuid.UUID,
    *,
    reason: str = "logout",
    client_address: str | None = None,
) -> None:
    async with auth.db.reference_session() as session:
        row = await session.get(AuthSession, session_id)
        if row is None or row.revoked_at is not None:
            return
        row.revoked_at, row.revoked_reason = auth.now(), reason
        security_event(
            session,
            "logout" if reason == "logout" else "session_revoked",
            user_id=row.user_id,
            tenant_id=row.current_tenant_id,
            detail=reason,
            client_address=client_address,
        )
        await session.commit()


async def revoke_all(
    auth: AuthService,
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    reason: str,
    keep: uuid.UUID | None = None,
) -> None:
    """Revoke every live session of a user (password changed or reset, account
    disabled), except ``keep`` (the session that made the change)."""
    statement = (
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=auth.now(), revoked_reason=reason)
    )
    if keep is not None:
        statement = statement.where(AuthSession.id != keep)
    await session.execute(statement)


async def purge_expired(
    auth: AuthService, *, keep: dt.timedelta = dt.timedelta(days=30)
) -> dict[str, int]:
    """Delete what can no longer be used: sessions expired or revoked more than ``keep``
    ago (their refresh tokens go with them), used or expired one-time links, expired
    assertion ids and throttle windows. The security log keeps the history."""
    now = auth.now()
    horizon = now - keep
    counts: dict[str, int] = {}
    async with auth.db.reference_session() as session:
        statements = {
            "auth_sessions": delete(AuthSession).where(
                (AuthSession.expires_at < horizon) | (AuthSession.revoked_at < horizon)
            ),
            "one_time_tokens": delete(OneTimeToken).where(OneTimeToken.expires_at < horizon),
            "used_assertions": delete(UsedAssertion).where(UsedAssertion.expires_at < now),
            "auth_throttle": delete(ThrottleBucket).where(
                ThrottleBucket.window_start < now - auth.config.throttle.window
            ),
        }
        for name, statement in statements.items():
            if name == "auth_sessions":
                # SQLite does not cascade without the pragma on every path: be explicit.
                expired = select(AuthSession.id).where(
                    (AuthSession.expires_at < horizon) | (AuthSession.revoked_at < horizon)
                )
                await session.execute(
                    delete(RefreshToken).where(RefreshToken.session_id.in_(expired))
                )
            result = await session.execute(statement)
            counts[name] = int(result.rowcount or 0)  # type: ignore[attr-defined]
        await session.commit()
    return counts
