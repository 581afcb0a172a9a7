"""Network tests share the core fixtures of tests/api (the real app on SQLite and
PostgreSQL, two poles)."""

from __future__ import annotations

from tests.api.conftest import client, demo_server, two_poles

__all__ = ["client", "demo_server", "two_poles"]
