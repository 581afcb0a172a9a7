"""Login and token endpoint throttling: failures counted per key in a fixed window.

Keys are ``account:<digest of the email>`` and ``address:<client address>`` (and
``client:<client_id>`` on the token endpoint). When a key is over its limit every
attempt is refused with RATE_LIMITED and a retry-after — the right password too,
or a brute force would learn it from the different answer — until the window ends.
A success clears the account's counter, not the address's.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.auth.config import ThrottlePolicy, as_utc
from core.auth.models import ThrottleBucket
from core.auth.secrets import digest
from core.errors import RateLimitedError


def account_key(email: str) -> str:
    return "account:" + digest(email.strip().lower())


def address_key(address: str | None) -> str:
    return "address:" + (address or "unknown")


def _limit(key: str, policy: ThrottlePolicy) -> int:
    return policy.per_address if key.startswith("address:") else policy.per_account


async def check(
    session: AsyncSession, keys: Sequence[str], policy: ThrottlePolicy, now: dt.datetime
) -> None:
    """Raise RATE_LIMITED when any key is over its limit in the current window."""
    rows = (
        (await session.execute(select(ThrottleBucket).where(ThrottleBucket.key.in_(keys))))
        .scalars()
        .all()
    )
    wait = 0.0
    for row in rows:
        ends = as_utc(row.window_start) + policy.window
        if ends > now and row.failures >= _limit(row.key, policy):
            wait = max(wait, (ends - now).total_seconds())
    if wait:
        retry = math.ceil(wait)
        raise RateLimitedError(
            f"trop de tentatives : réessayez dans {retry} secondes", retry_after=retry
        )


async def fail(
    session: AsyncSession, keys: Sequence[str], policy: ThrottlePolicy, now: dt.datetime
) -> None:
    """Count one failure on each key (the caller commits, even when refusing)."""
    rows = {
        row.key: row
        for row in (
            await session.execute(select(ThrottleBucket).where(ThrottleBucket.key.in_(keys)))
        ).scalars()
    }
    for key in keys:
        row = rows.get(key)
        if row is None:
            session.add(ThrottleBucket(key=key, window_start=now, failures=1))
        elif as_utc(row.window_start) + policy.window <= now:
            row.window_start, row.failures = now, 1
        else:
            row.failures += 1


async def clear(session: AsyncSession, key: str) -> None:
    await session.execute(delete(ThrottleBucket).where(ThrottleBucket.key == key))
