"""Identity tables: accounts, pole memberships, sessions, tokens, machine clients.

Accounts, sessions and keys are *platform* tables (classified ``reference``: not
distributed by pole, never pointing at a tenant table's rows): a person has one
account and may work for several poles. What a person may do in a pole lives in
``memberships``, a tenant table behind both walls; the one exception to the tenant
wall is that an identity session may read *its own user's* memberships in every
pole (``memberships_self`` policy), which is how a person lists the poles they can
switch to. Secrets are never stored: passwords as Argon2id hashes, tokens and client
secrets as SHA-256 digests of high-entropy random values, signing keys encrypted
with the install's secret key.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, String, Text, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import (
    APPEND_ONLY_KEY,
    RUNTIME_WRITABLE_KEY,
    SELF_READ_KEY,
    Base,
    Reference,
    Timestamped,
)
from core.db.limits import max_chars
from core.ids import uuid7
from core.tenancy.scoped import TenantScoped, tenant_unique

_WRITABLE = {"info": {RUNTIME_WRITABLE_KEY: True}}


def _at() -> Mapped[dt.datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now())


class User(Reference, Timestamped, Base):
    """A person's account on the install (a professional, a family member)."""

    __tablename__ = "users"
    __table_args__ = (_WRITABLE,)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    # Stored lower-cased: one account per address, whatever the caller typed.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    # active | invited (no password yet) | disabled
    status: Mapped[str] = mapped_column(String(12), default="active")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The person's role in the national network (network_coordinator, network_analyst),
    # held outside any pole: it gives the network's actions only (decision 151).
    network_role: Mapped[str | None] = mapped_column(String(30))


class Membership(TenantScoped, Timestamped, Base):
    """A person's place in one pole: roles, explicit grants, active or not.

    Re-read on every request: removing a role or deactivating a member takes effect
    on the very next request, whatever tokens the person still holds.
    """

    __tablename__ = "memberships"
    # No index led by user_id: tenant tables index by pole first (Citus); listing a
    # person's poles scans their memberships across poles, a rare and small read.
    __table_args__ = (tenant_unique("user_id"), {"info": {SELF_READ_KEY: "user_id"}})

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Sensitive actions (health, family situation) need a grant on top of a role.
    grants: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    invited_by: Mapped[str | None] = mapped_column(String(200))


class AuthSession(Reference, Base):
    """A signed-in session: a browser (cookie) or an API login (tokens).

    Every access token names its session (``sid``); revoking the session refuses its
    tokens at once, not when they expire.
    """

    __tablename__ = "auth_sessions"
    __table_args__ = (Index("ix_auth_sessions_user", "user_id"), _WRITABLE)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("api_clients.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(10))  # browser | api | client
    method: Mapped[str] = mapped_column(String(20))  # password | oidc | client_secret | …
    # SHA-256 of the cookie value (browser sessions only).
    cookie_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The pole the session works in (switchTenant); always re-checked against memberships.
    current_tenant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id"))
    created_at: Mapped[dt.datetime] = _at()
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(String(40))
    client_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))


class RefreshToken(Reference, Base):
    """One link of a session's refresh chain. Used once: presenting a used token again
    (a stolen copy) revokes the whole session."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (Index("ix_refresh_tokens_session", "session_id"), _WRITABLE)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("auth_sessions.id", ondelete="CASCADE")
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[dt.datetime] = _at()
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class OneTimeToken(Reference, Base):
    """A single-use, expiring link sent by mail: password reset or invitation."""

    __tablename__ = "one_time_tokens"
    __table_args__ = (_WRITABLE,)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(12))  # reset | invitation
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Platform tables never name a column tenant_id (that is a tenant table's key).
    pole_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id"))
    created_at: Mapped[dt.datetime] = _at()
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class MailMessage(Reference, Base):
    """The outbox: mails are written in the transaction that decides them, and sent
    after commit by the configured sender (the console in the demo)."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_pending", "sent_at"), _WRITABLE)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, info=max_chars(100_000))
    created_at: Mapped[dt.datetime] = _at()
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(default=0)


class SigningKey(Reference, Base):
    """An asymmetric key that signs access tokens. Written by ``maillage keys rotate``
    (the runtime role only reads); the private half is encrypted with the secret key."""

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    algorithm: Mapped[str] = mapped_column(String(10))
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    # AES-GCM ciphertext, base64.
    private_key: Mapped[str] = mapped_column(Text, info=max_chars(20_000))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # No longer signs from this time; still verifies until its last token expired.
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ApiClient(Reference, Timestamped, Base):
    """A machine client (OAuth 2 client credentials): an integrator bound to one pole,
    or the national network (``pole_id`` null, scope ``network:read``)."""

    __tablename__ = "api_clients"
    __table_args__ = (Index("ix_api_clients_pole", "pole_id"), _WRITABLE)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    pole_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id"))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # client_secret_basic / client_secret_post share one stored digest; private_key_jwt
    # keeps the client's public keys instead.
    auth_method: Mapped[str] = mapped_column(String(24))
    secret_hash: Mapped[str | None] = mapped_column(String(64))
    public_jwks: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class UsedAssertion(Reference, Base):
    """``jti`` of the private_key_jwt assertions already accepted (replay refused)."""

    __tablename__ = "used_assertions"
    __table_args__ = (_WRITABLE,)

    jti: Mapped[str] = mapped_column(String(200), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ThrottleBucket(Reference, Base):
    """Failed attempts per key (an account, an address) in the current window. In the
    database so every app process behind the load balancer counts together."""

    __tablename__ = "auth_throttle"
    __table_args__ = (_WRITABLE,)

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    failures: Mapped[int] = mapped_column(default=0)


class SecurityEvent(Reference, Base):
    """Security events of the install (logins, failures, refreshes, revocations…):
    append-only like the audit trail. Names who and what, never a password or token;
    the email of an unknown account is kept as its digest only."""

    __tablename__ = "security_events"
    __table_args__ = (
        Index("ix_security_events_at", "at"),
        Index("ix_security_events_user", "user_id", "at"),
        {"info": {APPEND_ONLY_KEY: True}},
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    at: Mapped[dt.datetime] = _at()
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    client_id: Mapped[str | None] = mapped_column(String(64))
    pole_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    detail: Mapped[str] = mapped_column(String(200), default="")
    request_id: Mapped[str | None] = mapped_column(String(64))
    client_address: Mapped[str | None] = mapped_column(String(64))


__all__ = [
    "ApiClient",
    "AuthSession",
    "MailMessage",
    "Membership",
    "OneTimeToken",
    "RefreshToken",
    "SecurityEvent",
    "SigningKey",
    "ThrottleBucket",
    "UsedAssertion",
    "User",
]
