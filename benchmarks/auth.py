"""Authentication costs, measured through the real code paths (printed by `make bench`):

* Argon2id hash and verification (the price of a password sign-in, on purpose);
* access token verification alone (signature and claims);
* resolving a request's principal (session row, account, membership: read each time);
* an authenticated GraphQL request end to end, with its SQL statement count.
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Awaitable, Callable

import httpx
from sqlalchemy import event

from core.access.actions import Actor
from core.app.app import create_app
from core.auth import passwords, tokens
from core.auth.config import AuthConfig
from core.auth.keys import ensure_key
from core.auth.principal import resolve
from core.settings import Settings
from core.tenancy.database import Database
from core.tenancy.models import Tenant
from core.testing.accounts import sign_in


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)]
    return f"p50 {statistics.median(ordered) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


async def _time(n: int, fn: Callable[[], Awaitable[object]]) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        await fn()
        samples.append(time.perf_counter() - started)
    return samples


async def run(url: str, db: Database, tenant: Tenant) -> None:
    settings = Settings.from_env({"MAILLAGE_DATABASE_URL": url, "MAILLAGE_LOG_LEVEL": "ERROR"})
    async with db.reference_session() as session:
        await ensure_key(session, AuthConfig.from_settings(settings))
        await session.commit()

    hashes = []
    for _ in range(5):
        started = time.perf_counter()
        stored = passwords.hash_password("un mot de passe de banc")
        hashes.append(time.perf_counter() - started)
    checks = []
    for _ in range(5):
        started = time.perf_counter()
        passwords.verify_password(stored, "un mot de passe de banc")
        checks.append(time.perf_counter() - started)
    print(f"Argon2id hash: {_ms(hashes)}; verification: {_ms(checks)}")

    app = create_app(settings, db)
    auth = app.state.auth
    actor = Actor(
        subject=f"bench:{uuid.uuid4().hex[:6]}", display_name="Banc", roles=frozenset({"staff"})
    )
    token, _ = await sign_in(auth, actor, tenant)
    ring = await auth.keys()
    verified = await _time(500, lambda: tokens.verify(token, ring, auth.config))
    print(f"access token verification (ES256 + claims): {_ms(verified)}")
    resolved = await _time(
        200, lambda: resolve(auth, bearer=token, cookie=None, tenant_slug=tenant.slug)
    )
    print(f"principal resolution (token, session, account, membership): {_ms(resolved)}")

    statements: list[str] = []
    event.listen(
        db.engine.sync_engine,
        "before_cursor_execute",
        lambda *args, **_kw: statements.append(args[2]),
    )
    headers = {"authorization": f"Bearer {token}", "x-maillage-tenant": tenant.slug}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

        async def request() -> None:
            response = await client.post(
                "/graphql", json={"query": "{ serviceAreas { name } }"}, headers=headers
            )
            assert response.status_code == 200 and "errors" not in response.json()

        await request()
        statements.clear()
        samples = await _time(200, request)
    per_request = len(statements) / len(samples)
    print(
        f"authenticated GraphQL request (50 areas): {_ms(samples)}, "
        f"{per_request:.0f} SQL statements per request"
    )
