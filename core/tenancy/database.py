"""``Database``: the engines and the only ways to get a session.

* ``session(tenant_id)`` — a session bound to one pole; both walls apply.
* ``reference_session()`` — no tenant: reference tables only (communes, tenants);
  touching a tenant table raises.
* ``unscoped(reason=…, actor=…)`` — a platform job crossing tenants. Audited in
  ``platform_audit_events`` before it starts. On PostgreSQL it connects through the
  platform URL (a role with BYPASSRLS that the runtime role is not a member of), so
  the runtime connection can never switch the database wall off.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db import sql
from core.db.engine import is_sqlite_url, make_engine
from core.settings import Settings
from core.tenancy import guard
from core.tenancy.events import SINK_KEY, EventSink
from core.tenancy.models import PlatformAuditEvent, Tenant

log = logging.getLogger("maillage.tenancy")


class Database:
    def __init__(
        self,
        url: str,
        *,
        platform_url: str | None = None,
        orm_tenant_filter: bool = True,
        echo: bool = False,
    ) -> None:
        self.url = url
        self.engine: AsyncEngine = make_engine(url, echo=echo)
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

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(settings.database_url, platform_url=settings.platform_database_url)

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite_url(self.url)

    def session(self, tenant_id: uuid.UUID) -> AsyncSession:
        if not isinstance(tenant_id, uuid.UUID):
            raise TypeError("Database.session() needs the tenant's UUID")
        return self._sessions(
            info={
                guard.TENANT_KEY: tenant_id,
                guard.ORM_FILTER_KEY: self.orm_tenant_filter,
                SINK_KEY: self.event_sink,
            }
        )

    def reference_session(self) -> AsyncSession:
        return self._sessions(info={})

    def identity_session(self, user_id: uuid.UUID) -> AsyncSession:
        """Reference tables, plus the user's own rows of self-readable tenant tables
        (their memberships in every pole). Read-only for tenant tables."""
        if not isinstance(user_id, uuid.UUID):
            raise TypeError("Database.identity_session() needs the user's UUID")
        return self._sessions(info={guard.IDENTITY_KEY: user_id})

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
            info={guard.UNSCOPED_KEY: reason, SINK_KEY: self.event_sink}
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
        if self.platform_engine is not self.engine:
            await self.platform_engine.dispose()
