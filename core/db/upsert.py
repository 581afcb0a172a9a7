"""``INSERT … ON CONFLICT`` for the session's database.

PostgreSQL and SQLite (≥ 3.35, for ``RETURNING``) share the syntax, but SQLAlchemy
builds it from each dialect's own ``insert()``; both take the same arguments
(``on_conflict_do_nothing`` / ``on_conflict_do_update(index_elements=…, set_=…)``).
One statement that creates or updates a row and reads it back is how counters stay
exact under concurrent requests (invoice numbers, sign-in throttling).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


def upsert(session: AsyncSession, entity: Any) -> Any:
    """``insert(entity)`` of the session's dialect, with ``on_conflict_*`` available."""
    if session.get_bind().dialect.name == "postgresql":
        return pg_insert(entity)
    return sqlite_insert(entity)
