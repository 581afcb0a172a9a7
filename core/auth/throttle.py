"""Sign-in and token endpoint throttling: attempts counted per key in a fixed window.

Keys are ``account:<digest of the email>``, ``address:<client address>``,
``client:<client_id>`` on the token endpoint and ``device:<digest>`` for a browser that
already signed in to the account (core.auth.devices). When a key is over its limit
every attempt is refused with RATE_LIMITED and a retry-after — the right password
too, or a brute force would learn it from the different answer — until the window
ends.

An attempt is counted *before* the credential is checked (``reserve``): one
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` per key creates or increments the
counter and reads it back in the same statement, committed before the slow password
hash is verified. Parallel requests therefore each get a distinct count, and exactly
the limit of them are checked (issue 13: a check-then-count let 29–46 of 60
parallel guesses through, and two first failures racing to create the row ended in
an IntegrityError). A success gives its reservation back (``release``) or clears the
account's counter (``clear``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from sqlalchemy import case, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.auth.config import ThrottlePolicy, as_utc
from core.auth.models import ThrottleBucket
from core.auth.secrets import digest
from core.db.upsert import upsert
from core.errors import RateLimitedError


def account_key(email: str) -> str:
    return "account:" + digest(email.strip().lower())


def address_key(address: str | None) -> str:
    return "address:" + (address or "unknown")


def _limit(key: str, policy: ThrottlePolicy) -> int:
    return policy.per_address if key.startswith("address:") else policy.per_account


def _refusal(
    ends: Sequence[dt.datetime], now: dt.datetime, *, account: bool = False
) -> RateLimitedError:
    retry = max(1, math.ceil(max((end - now).total_seconds() for end in ends)))
    message = f"trop de tentatives : réessayez dans {retry} secondes"
    if account:
        # The way out that needs no waiting (decision 82): the reset link lifts the lock.
        message += " ou choisissez un nouveau mot de passe (« Mot de passe oublié ? »)"
    return RateLimitedError(message, retry_after=retry)


async def _count(
    session: AsyncSession, key: str, policy: ThrottlePolicy, now: dt.datetime
) -> tuple[int, dt.datetime]:
    """Add one attempt to ``key`` (a new window when the last one ended) and return the
    count and the window's start, in one statement: PostgreSQL locks the row for the
    update, SQLite holds its single write lock."""
    ended = ThrottleBucket.window_start <= now - policy.window
    statement = (
        upsert(session, ThrottleBucket)
        .values(key=key, window_start=now, failures=1)
        .on_conflict_do_update(
            index_elements=[ThrottleBucket.key],
            set_={
                "window_start": case((ended, now), else_=ThrottleBucket.window_start),
                "failures": case((ended, 1), else_=ThrottleBucket.failures + 1),
            },
        )
        .returning(ThrottleBucket.failures, ThrottleBucket.window_start)
    )
    failures, start = (await session.execute(statement)).one()
    return int(failures), as_utc(start)


async def reserve(
    session: AsyncSession, keys: Sequence[str], policy: ThrottlePolicy, now: dt.datetime
) -> None:
    """Count this attempt on every key and commit, before the credential is checked.

    Over a limit on any key: the attempt is refused (RATE_LIMITED); the keys still
    under their limit get their count back, so a refused attempt uses nobody's budget.
    Keys are always taken in the caller's order (account or client first, address
    last), so two transactions never wait for each other's rows in a cycle."""
    counted = {key: await _count(session, key, policy, now) for key in keys}
    over = [k for k, (failures, _) in counted.items() if failures > _limit(k, policy)]
    if over:
        for key in keys:
            if key not in over:
                await release(session, key, counted[key][1])
        await session.commit()
        raise _refusal(
            [counted[k][1] + policy.window for k in over],
            now,
            account=any(k.startswith("account:") for k in over),
        )
    await session.commit()


async def take(
    session: AsyncSession, key: str, limit: int, window: dt.timedelta, now: dt.datetime
) -> dt.datetime:
    """Take one place on ``key`` (``limit`` a window) and commit; past the limit the
    place is given back and RATE_LIMITED raised. Returns the window's start, for
    :func:`release` when what was counted did not happen after all (a form with a
    mistake is not an application). Counted before the work, like :func:`reserve`, so
    parallel posts each get a distinct count."""
    policy = ThrottlePolicy(window=window, per_account=limit, per_address=limit)
    count, start = await _count(session, key, policy, now)
    if count > limit:
        await release(session, key, start)
        await session.commit()
        raise _refusal([start + window], now)
    await session.commit()
    return start


async def release(session: AsyncSession, key: str, window_start: dt.datetime | None = None) -> None:
    """Give one reserved attempt back (a success is not a failure). With the window's
    start, only in that window: a counter restarted meanwhile keeps its count."""
    statement = update(ThrottleBucket).where(ThrottleBucket.key == key, ThrottleBucket.failures > 0)
    if window_start is not None:
        statement = statement.where(ThrottleBucket.window_start == window_start)
    await session.execute(statement.values(failures=ThrottleBucket.failures - 1))


async def check(
    session: AsyncSession, keys: Sequence[str], policy: ThrottlePolicy, now: dt.datetime
) -> None:
    """Raise RATE_LIMITED when any key is already over its limit (read only). For
    credentials nobody can guess (256-bit refresh tokens), where an exact count
    matters less than not writing on every legitimate request."""
    rows = (
        (await session.execute(select(ThrottleBucket).where(ThrottleBucket.key.in_(keys))))
        .scalars()
        .all()
    )
    ends = [
        as_utc(row.window_start) + policy.window
        for row in rows
        if as_utc(row.window_start) + policy.window > now
        and row.failures >= _limit(row.key, policy)
    ]
    if ends:
        raise _refusal(ends, now)


async def fail(
    session: AsyncSession, keys: Sequence[str], policy: ThrottlePolicy, now: dt.datetime
) -> None:
    """Count one failure on each key after the fact (the caller commits)."""
    for key in keys:
        await _count(session, key, policy, now)


async def clear(session: AsyncSession, key: str) -> None:
    await session.execute(delete(ThrottleBucket).where(ThrottleBucket.key == key))
