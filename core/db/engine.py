"""Engine creation for both supported databases.

SQLite is the embedded default: foreign keys ON (SQLite leaves them off), WAL so
readers never wait for the writer, and a busy timeout instead of instant
"database is locked". PostgreSQL goes through asyncpg; libpq's query parameters
(``?sslmode=require``…) are translated by ``core.database_url``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from core import database_url
from core.db import sql
from core.errors import OperationFailed


class DatabaseUnreachable(OperationFailed):
    """The server refused or never answered (down, wrong host, SSL refused…).

    ``url`` is the URL the engine was made with, so the CLI can name the setting that
    holds it; the message never shows the password."""

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(message)
        self.url = url


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
    query = database_url.split_query(url)
    engine = create_async_engine(
        query.url,
        echo=echo,
        json_serializer=_json_dumps,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args=query.connect_args(),
    )
    where = parsed.render_as_string(hide_password=True)

    @event.listens_for(engine.sync_engine, "do_connect")
    def connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        # A refused connection is an operator's matter (server down, SSL refused by
        # the server, unknown host): one sentence, not asyncpg's stack.
        try:
            return dialect.connect(*cargs, **cparams)
        except OSError as exc:
            raise DatabaseUnreachable(
                f"connexion à PostgreSQL impossible ({where}) : {exc}", url=url
            ) from exc

    return engine
