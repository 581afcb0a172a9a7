"""``maillage serve`` behind a reverse proxy: the real server, one start.

The declared proxy (127.0.0.2 here; loopback holds all of 127/8) names the client
in X-Forwarded-For, so one person's failed sign-ins lock out that address only; a
peer that is not the proxy cannot choose its address by sending the header."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.cli.run import environment
from tests.conftest import DbUrls
from tests.live import start_server

PROXY = "127.0.0.2"


@pytest.fixture
def server(sqlite_urls: DbUrls, tmp_path: Path) -> Iterator[str]:
    env = environment(
        {
            "MAILLAGE_DATABASE_URL": sqlite_urls.runtime,
            "MAILLAGE_FORWARDED_ALLOW_IPS": PROXY,
            "MAILLAGE_LOGIN_MAX_FAILURES": "1000",
            "MAILLAGE_LOGIN_MAX_FAILURES_PER_ADDRESS": "3",
        }
    )
    live = start_server(env, tmp_path, timeout=60)
    try:
        yield live.base_url
    finally:
        live.stop()


def _sign_in(client: httpx.Client, base: str, number: int, forwarded_for: str) -> int:
    response = client.post(
        f"{base}/auth/login",
        json={"email": f"inconnu{number}@pole.test", "password": "pas le bon", "session": "token"},
        headers={"X-Forwarded-For": forwarded_for},
    )
    return response.status_code


def test_the_proxy_names_the_client_and_nobody_else_can(server: str, sqlite_urls: DbUrls) -> None:
    through_proxy = httpx.Client(transport=httpx.HTTPTransport(local_address=PROXY))
    direct = httpx.Client()  # from 127.0.0.1: not the proxy
    with through_proxy, direct:
        # One client behind the proxy fails three times and is held back…
        assert [_sign_in(through_proxy, server, n, "203.0.113.7") for n in range(4)] == [
            401, 401, 401, 429,
        ]  # fmt: skip
        # …the next person behind the same proxy is not.
        assert _sign_in(through_proxy, server, 10, "198.51.100.8") == 401
        # A direct peer cannot pick its address: the header is ignored, its own counts.
        spoofed = [_sign_in(direct, server, 20 + n, f"192.0.2.{n}") for n in range(4)]
        assert spoofed == [401, 401, 401, 429]
        # And it could not lock out the address it named either.
        assert _sign_in(through_proxy, server, 30, "192.0.2.1") == 401

    path = Path(sqlite_urls.runtime.removeprefix("sqlite+aiosqlite:///"))
    with sqlite3.connect(path) as connection:
        seen = {
            row[0]
            for row in connection.execute(
                "select client_address from security_events where kind like 'login_%'"
            )
        }
    assert seen == {"203.0.113.7", "198.51.100.8", "127.0.0.1", "192.0.2.1"}
