"""Sign-in throttling under real parallel requests, over HTTP, on both databases.

A burst of 100 attempts at once must have exactly the limit checked against the
password hash, never the right password after it, and no HTTP 500 (issue 13).
"""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections import Counter

import httpx
import pytest
from sqlalchemy import func, select

from core.auth.models import ApiClient, SecurityEvent, User
from core.auth.passwords import hash_password
from core.auth.secrets import digest
from tests.concurrency.conftest import LiveDatabase, unique_address

pytestmark = pytest.mark.concurrency

PASSWORD = "un mot de passe solide"
WRONG = "pas le bon mot de passe"
BURST = 100
PER_ACCOUNT, PER_ADDRESS = 5, 30  # the defaults (README, MAILLAGE_LOGIN_*)


@functools.cache
def _hash() -> str:
    return hash_password(PASSWORD)  # Argon2id is slow on purpose: hash once


async def account(live: LiveDatabase) -> tuple[str, uuid.UUID]:
    email = f"rafale-{uuid.uuid4().hex[:10]}@exemple.fr"
    async with live.db.reference_session() as session:
        user = User(email=email, display_name="Agnès Rafale", password_hash=_hash())
        session.add(user)
        await session.commit()
    return email, user.id


def http(live: LiveDatabase) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=BURST, max_keepalive_connections=BURST)
    return httpx.AsyncClient(base_url=live.url, limits=limits, timeout=60)


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str, address: str
) -> httpx.Response:
    return await client.post(
        "/auth/login",
        json={"email": email, "password": password},
        headers={"x-forwarded-for": address},
    )


async def failures_logged(live: LiveDatabase, **where: object) -> int:
    async with live.db.reference_session() as session:
        query = select(func.count()).select_from(SecurityEvent)
        query = query.where(SecurityEvent.kind == "login_failed")
        for name, value in where.items():
            query = query.where(getattr(SecurityEvent, name) == value)
        return int(await session.scalar(query) or 0)


async def test_a_burst_on_one_account_checks_exactly_the_limit(live: LiveDatabase) -> None:
    email, user_id = await account(live)
    async with http(live) as owner, http(live) as client:
        # The owner signed in once from this browser: it holds a device cookie.
        assert (await sign_in(owner, email, PASSWORD, unique_address())).status_code == 200
        # Each attempt from an address of its own: only the account's limit applies.
        answers = await asyncio.gather(
            *(sign_in(client, email, WRONG, unique_address()) for _ in range(BURST))
        )
        statuses = Counter(a.status_code for a in answers)
        # Exactly the limit checked against the hash, the rest RATE_LIMITED, never a 500.
        assert statuses == {401: PER_ACCOUNT, 429: BURST - PER_ACCOUNT}, statuses
        assert await failures_logged(live, user_id=user_id) == PER_ACCOUNT
        # The right password after the burst, from elsewhere: refused while it holds…
        after = await sign_in(client, email, PASSWORD, unique_address())
        assert after.status_code == 429, after.text
        assert after.json()["error"]["code"] == "RATE_LIMITED"
        # …but the owner's known browser still signs in (decision 82).
        assert (await sign_in(owner, email, PASSWORD, unique_address())).status_code == 200
    print(f"\n[{live.urls.kind}] account burst: {dict(statuses)}")


async def test_a_burst_from_one_address_checks_exactly_its_limit(live: LiveDatabase) -> None:
    address = unique_address()
    async with http(live) as client:
        answers = await asyncio.gather(
            *(
                sign_in(client, f"x-{uuid.uuid4().hex}@exemple.fr", WRONG, address)
                for _ in range(BURST)
            )
        )
    statuses = Counter(a.status_code for a in answers)
    assert statuses == {401: PER_ADDRESS, 429: BURST - PER_ADDRESS}, statuses
    assert await failures_logged(live, client_address=address) == PER_ADDRESS
    print(f"\n[{live.urls.kind}] address burst: {dict(statuses)}")


async def test_a_burst_on_the_token_endpoint_checks_exactly_the_limit(live: LiveDatabase) -> None:
    client_id = "mc_" + uuid.uuid4().hex[:24]
    async with live.db.reference_session() as session:
        session.add(
            ApiClient(
                client_id=client_id,
                name="Intégrateur (test)",
                scopes=[],
                auth_method="client_secret_post",
                secret_hash=digest("mcs_le-bon-secret"),
                created_by="tests",
            )
        )
        await session.commit()

    async def attempt(client: httpx.AsyncClient) -> httpx.Response:
        return await client.post(
            "/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": "mcs_un-mauvais-secret",
            },
            headers={"x-forwarded-for": unique_address()},
        )

    async with http(live) as client:
        answers = await asyncio.gather(*(attempt(client) for _ in range(BURST)))
    statuses = Counter(a.status_code for a in answers)
    assert statuses == {401: PER_ACCOUNT, 429: BURST - PER_ACCOUNT}, statuses
    print(f"\n[{live.urls.kind}] token burst: {dict(statuses)}")
