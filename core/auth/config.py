"""Auth settings derived from ``Settings``, and the clock every auth rule reads.

The clock is injectable so tests move time (token expiry, throttle windows) without
sleeping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from core.settings import Settings

Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """A stored time, timezone-aware: SQLite hands back naive datetimes, and every time
    maillage stores is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class ThrottlePolicy:
    """Failed logins allowed per window, per account and per client address."""

    window: dt.timedelta = dt.timedelta(minutes=15)
    per_account: int = 5
    per_address: int = 30


@dataclass(frozen=True)
class AuthConfig:
    issuer: str
    secret_key: str
    production: bool
    access_ttl: dt.timedelta = dt.timedelta(minutes=5)
    refresh_ttl: dt.timedelta = dt.timedelta(days=30)
    session_ttl: dt.timedelta = dt.timedelta(hours=12)
    reset_ttl: dt.timedelta = dt.timedelta(hours=1)
    invitation_ttl: dt.timedelta = dt.timedelta(days=7)
    # Clock skew tolerated on exp / nbf / iat (seconds).
    leeway: int = 30
    throttle: ThrottlePolicy = ThrottlePolicy()

    @property
    def audience(self) -> str:
        """Access tokens are for this API only: ``<issuer>/graphql``."""
        return f"{self.issuer}/graphql"

    @property
    def token_endpoint(self) -> str:
        return f"{self.issuer}/auth/token"

    @classmethod
    def from_settings(cls, settings: Settings) -> AuthConfig:
        return cls(
            issuer=settings.public_url,
            secret_key=settings.secret_key,
            production=settings.is_production,
            access_ttl=dt.timedelta(seconds=settings.access_token_seconds),
            session_ttl=dt.timedelta(hours=settings.session_hours),
            throttle=ThrottlePolicy(
                window=dt.timedelta(seconds=settings.login_window_seconds),
                per_account=settings.login_max_failures,
                per_address=settings.login_max_failures_per_address,
            ),
        )
