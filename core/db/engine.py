"""Engine creation for both supported databases.

SQLite is the embedded default: foreign keys ON (SQLite leaves them off), WAL so
readers never wait for the writer, and a busy timeout instead of instant
"database is locked". PostgreSQL goes through asyncpg.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from core.db import sql


def _json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def is_sqlite_url(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, *, echo: bool = False, pool_size: int = 10) -> AsyncEngine:
    """Create an AsyncEngine with the per-dialect settings maillage relies on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url,
            echo=echo,
            json_serializer=_json_dumps,
            connect_args={"timeout": 30},
        )
        event.listen(engine.sync_engine, "connect", sql.sqlite_on_connect)
        return engine
    return create_async_engine(
        url,
        echo=echo,
        json_serializer=_json_dumps,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
    )
