"""The database wall of the network: its reads run as the network's PostgreSQL role.

A network request authenticates as any other (the runtime role reads the session and
the account), then reads the releases under ``SET LOCAL ROLE maillage_network``: a
role with SELECT on the release tables only, so a bug that reached for a pole's table
would meet ``permission denied`` rather than a row (decision 151). SQLite has no roles:
there the application's checks stand alone, as for the tenant wall's ORM filter.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from core.db import sql


@asynccontextmanager
async def network_reader(session: AsyncSession, role: str) -> AsyncIterator[AsyncSession]:
    if session.get_bind().dialect.name != "postgresql" or not role:
        yield session
        return
    connection = await session.connection()
    await connection.run_sync(sql.enter_role, role)
    try:
        yield session
    finally:
        # Back to the runtime role for what the request does after (its audit rows);
        # a transaction already broken is rolled back whole, role included.
        if session.in_transaction() and connection.in_transaction():
            try:
                await connection.run_sync(sql.leave_role)
            except Exception:
                await session.rollback()
