"""Engine creation for both supported databases.

SQLite is the embedded default: foreign keys ON (SQLite leaves them off), WAL so
readers never wait for the writer, and a busy timeout instead of instant
"database is locked". PostgreSQL goes through asyncpg; libpq's query parameters
(``?sslmode=require``…) are translated by ``core.database_url``.

No pre-ping (docs/decisions.md, 93): it cost every checkout a round trip (asyncpg
pings with BEGIN; ROLLBACK). Connections are recycled after ``pool_recycle`` seconds
instead, and a connection found dead when used invalidates the whole pool
(SQLAlchemy's disconnect handling); the request's first statement is retried once
on a fresh connection (``core.tenancy.database.Database.first_statement``).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from core import database_url
from core.db import sql
from core.errors import ConfigurationError, ErrorCode


class DatabaseUnreachable(ConnectionError):
    """The server refused or never answered (down, wrong host, SSL refused, no
    connection accepted now…).

    ``url`` is the URL the engine was made with, so the CLI can name the setting that
    holds it; the message never shows the password. Deliberately not a MaillageError:
    those are answered to clients with their message, and this one names a host. The
    web answers ``UNAVAILABLE`` without the details (core.app.failures), the CLI prints
    them (core.cli.main)."""

    code = ErrorCode.UNAVAILABLE
    field: str | None = None

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(message)
        self.message = message
        self.url = url


def _refusing_connections(sqlstate: str | None) -> bool:
    """SQLSTATEs of a server that refuses connections for now: class 08 (connection
    exception), 57P0x (shutting down, cannot connect now), 53300 (too many
    connections), 55000 at connect time (database not accepting connections)."""
    if not sqlstate:
        return False
    return sqlstate.startswith(("08", "57P")) or sqlstate in {"53300", "55000"}


class DatabaseMissing(ConfigurationError):
    """An SQLite file that does not exist, opened by anything but a migration.

    SQLite creates a missing file on first connection: a command run with the wrong
    settings (from another folder, a mistyped path) would work on a new empty
    database. Only ``db upgrade`` (and ``demo setup``, which runs it) create one."""

    def __init__(self, path: str) -> None:
        super().__init__(
            f"aucune base de données à {path} : « maillage db upgrade » la crée "
            "(« maillage demo setup » pour la démonstration) ; pour la base d'une "
            "installation existante, réglez MAILLAGE_HOME, MAILLAGE_VAR_DIR ou "
            "MAILLAGE_DATABASE_URL (« maillage db where » dit laquelle est utilisée)"
        )
        self.path = path


def require_database(url: str) -> None:
    """Raise ``DatabaseMissing`` when ``url`` is an SQLite file that does not exist."""
    parsed = make_url(url)
    database = parsed.database
    if (
        parsed.get_backend_name() == "sqlite"
        and database
        and database != ":memory:"
        and not Path(database).exists()
    ):
        raise DatabaseMissing(database)


def _json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _json_loads(text: str | bytes) -> Any:
    """A JSON column's value: orjson's parser, a fifth of the standard one's CPU (a
    dashboard request decodes two dozen values: decision 217); the standard one for
    what orjson refuses and Python accepts (an integer past 64 bits, a lone surrogate)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


@functools.lru_cache(maxsize=64)
def is_sqlite_url(url: str) -> bool:
    # Asked on every request (``Database.is_sqlite``): the URL parsed once.
    return make_url(url).get_backend_name() == "sqlite"


# Defaults of MAILLAGE_DB_POOL_SIZE, MAILLAGE_DB_MAX_OVERFLOW, MAILLAGE_DB_POOL_RECYCLE.
POOL_SIZE = 20
MAX_OVERFLOW = 10
POOL_RECYCLE = 1800


def make_engine(
    url: str,
    *,
    echo: bool = False,
    pool_size: int = POOL_SIZE,
    max_overflow: int | None = None,
    pool_recycle: int = POOL_RECYCLE,
    create: bool = False,
) -> AsyncEngine:
    """Create an AsyncEngine with the per-dialect settings maillage relies on.

    ``max_overflow`` defaults to ``pool_size``. The same pool settings apply to SQLite
    (a file database is pooled by SQLAlchemy too). A missing SQLite file raises
    ``DatabaseMissing`` unless ``create`` (migrations)."""
    parsed = make_url(url)
    pooling = {
        "pool_size": pool_size,
        "max_overflow": pool_size if max_overflow is None else max_overflow,
        "pool_recycle": pool_recycle,
        "pool_pre_ping": False,
    }
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            if not create:
                require_database(url)
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url,
            echo=echo,
            json_serializer=_json_dumps,
            json_deserializer=_json_loads,
            connect_args={"timeout": 30},
            **(pooling if database and database != ":memory:" else {}),
        )
        event.listen(engine.sync_engine, "connect", sql.sqlite_on_connect)
        return engine
    query = database_url.split_query(url)
    engine = create_async_engine(
        query.url,
        echo=echo,
        json_serializer=_json_dumps,
        json_deserializer=_json_loads,
        connect_args=query.connect_args(),
        **pooling,
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
        except dialect.loaded_dbapi.Error as exc:
            # The server answered but takes no connection now (starting or stopping,
            # database closed to connections, no slot left): the same operator's matter,
            # and for a client a reason to retry later (core.app.failures).
            if not _refusing_connections(getattr(exc, "sqlstate", None)):
                raise
            raise DatabaseUnreachable(
                f"PostgreSQL refuse les connexions ({where}) : {exc}", url=url
            ) from exc

    return engine
