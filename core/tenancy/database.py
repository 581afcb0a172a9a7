"""``Database``: the engines and the only ways to get a session.

* ``session(tenant_id)`` — a session bound to one pole; both walls apply.
* ``reference_session()`` — no tenant: reference tables only (communes, tenants);
  touching a tenant table raises. ``scope(session, tenant_id)`` binds such a session
  to a pole once it is known: how a request authenticates and then works in its pole
  on one connection and in one transaction (docs/decisions.md, 92).
* ``unscoped(reason=…, actor=…)`` — a platform job crossing tenants. Audited in
  ``platform_audit_events`` before it starts. On PostgreSQL it connects through the
  platform URL (a role with BYPASSRLS that the runtime role is not a member of), so
  the runtime connection can never switch the database wall off.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db import sql
from core.db.engine import MAX_OVERFLOW, POOL_RECYCLE, POOL_SIZE, is_sqlite_url, make_engine
from core.settings import Settings
from core.tenancy import guard
from core.tenancy.events import MAIL_SINK_KEY, SINK_KEY, EventSink
from core.tenancy.models import PlatformAuditEvent, Tenant

log = logging.getLogger("maillage.tenancy")
# The side pool (see Database.__init__): small, its connections held one statement.
SIDE_POOL_SIZE = 2
SIDE_MAX_OVERFLOW = 3

T = TypeVar("T")


class Database:
    def __init__(
        self,
        url: str,
        *,
        platform_url: str | None = None,
        orm_tenant_filter: bool = True,
        echo: bool = False,
        pool_size: int = POOL_SIZE,
        max_overflow: int = MAX_OVERFLOW,
        pool_recycle: int = POOL_RECYCLE,
    ) -> None:
        self.url = url
        self.engine: AsyncEngine = make_engine(
            url,
            echo=echo,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_recycle=pool_recycle,
        )
        # Side reads a request makes while it holds its own connection (a person's
        # memberships in every pole, for `viewer` and `switchTenant`) take a connection
        # from this second, small pool. Its connections are held for one statement and
        # never while waiting for another, so a request waiting on it always gets one:
        # with a single pool, requests holding every connection would each wait for a
        # second one that none can give back (the stall of decision 92).
        self.side_engine: AsyncEngine = make_engine(
            url, echo=echo, pool_size=SIDE_POOL_SIZE, max_overflow=SIDE_MAX_OVERFLOW
        )
        self._side_sessions = async_sessionmaker(self.side_engine, expire_on_commit=False)
        if platform_url is None or platform_url == url:
            self.platform_engine = self.engine
        else:
            self.platform_engine = make_engine(platform_url, echo=echo, pool_size=2)
        # Turning the ORM filter off exists for one purpose: proving that PostgreSQL
        # RLS holds on its own (tests). No setting exposes it.
        self.orm_tenant_filter = orm_tenant_filter
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._platform_sessions = async_sessionmaker(self.platform_engine, expire_on_commit=False)
        # Where committed sessions hand their queued events (set by the plugin host).
        self.event_sink: EventSink | None = None
        # What a commit that queued mail calls (set by the app: send it now).
        self.mail_sink: Callable[[], None] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(
            settings.database_url,
            platform_url=settings.platform_database_url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_recycle=settings.db_pool_recycle,
        )

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite_url(self.url)

    def session(self, tenant_id: uuid.UUID) -> AsyncSession:
        return self._sessions(info=self._tenant_info(tenant_id))

    def _tenant_info(self, tenant_id: uuid.UUID) -> dict[str, object]:
        if not isinstance(tenant_id, uuid.UUID):
            raise TypeError("Database.session() needs the tenant's UUID")
        return {
            guard.TENANT_KEY: tenant_id,
            guard.ORM_FILTER_KEY: self.orm_tenant_filter,
            SINK_KEY: self.event_sink,
            MAIL_SINK_KEY: self.mail_sink,
        }

    def reference_session(self) -> AsyncSession:
        return self._sessions(info={})

    async def scope(
        self, session: AsyncSession, tenant_id: uuid.UUID, *, entered: bool = False
    ) -> None:
        """Bind a reference session to the pole ``tenant_id`` from now on: the ORM
        filter at once, and on PostgreSQL ``app.tenant_id`` in the transaction already
        open (the ``after_begin`` listener sets it in later ones). One ``set_config``
        on the connection the session already holds: no second checkout. ``entered``:
        the transaction's first statement already set it (the caller's, decision 116)."""
        if session.info.get(guard.TENANT_KEY) is not None or guard.is_unscoped(session):
            raise guard.TenantScopeError("scope() takes a reference session only")
        session.info.update(self._tenant_info(tenant_id))
        if session.in_transaction() and not self.is_sqlite and not entered:
            connection = await session.connection()
            await connection.run_sync(sql.set_transaction_tenant, tenant_id)

    async def unscope(self, session: AsyncSession) -> None:
        """Back to reference only: end the transaction (the pole's ``set_config`` goes
        with it) and drop the pole from the session. Loaded objects stay readable."""
        await session.close()
        session.info.clear()

    async def first_statement(
        self, session: AsyncSession, run: Callable[[AsyncSession], Awaitable[T]]
    ) -> T:
        """Run a request's first statement; if the pooled connection turns out dead
        (server restarted, dropped by a firewall), once more on a fresh one.

        The pool sends no ping at checkout (decision 93). SQLAlchemy recognises the
        disconnect, invalidates the connection and every older one in the pool, so the
        retry gets a new connection. Only the first statement is retried: nothing was
        read or written before it in this transaction."""
        try:
            return await run(session)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            log.warning(
                "database connection lost, retried on a new one", extra={"event": "db_reconnect"}
            )
            await session.rollback()
            return await run(session)

    def identity_session(self, user_id: uuid.UUID) -> AsyncSession:
        """Reference tables, plus the user's own rows of self-readable tenant tables
        (their memberships in every pole). Read-only for tenant tables."""
        if not isinstance(user_id, uuid.UUID):
            raise TypeError("Database.identity_session() needs the user's UUID")
        return self._side_sessions(info={guard.IDENTITY_KEY: user_id})

    @asynccontextmanager
    async def unscoped(
        self, *, reason: str, actor: str, request_id: str | None = None
    ) -> AsyncIterator[AsyncSession]:
        if not reason.strip() or not actor.strip():
            raise ValueError("unscoped() needs a reason and an actor: it is audited")
        async with self._platform_sessions(info={guard.UNSCOPED_KEY: reason}) as audit:
            audit.add(
                PlatformAuditEvent(
                    kind="unscoped", actor=actor, reason=reason, request_id=request_id
                )
            )
            await audit.commit()
        log.warning(
            "unscoped block opened", extra={"actor": actor, "reason": reason, "event": "unscoped"}
        )
        async with self._platform_sessions(
            info={
                guard.UNSCOPED_KEY: reason,
                SINK_KEY: self.event_sink,
                MAIL_SINK_KEY: self.mail_sink,
            }
        ) as session:
            yield session

    async def tenant_by_slug(self, slug: str) -> Tenant | None:
        async with self.reference_session() as session:
            return (await session.execute(select(Tenant).where(Tenant.slug == slug))).scalar()

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.run_sync(sql.ping)

    async def dispose(self) -> None:
        await self.engine.dispose()
        await self.side_engine.dispose()
        if self.platform_engine is not self.engine:
            await self.platform_engine.dispose()
