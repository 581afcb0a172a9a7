"""Per-request GraphQL context: who, for which pole, with which database session."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from core.errors import UnauthenticatedError
from core.settings import Settings
from core.tenancy.database import Database
from core.tenancy.models import Tenant


@dataclass
class Context:
    """What every resolver gets as ``info.context``.

    The session is opened on first use and closed when the request ends: scoped to
    the request's tenant when there is one, reference-only otherwise (tenant tables
    then raise).
    """

    request: Request
    settings: Settings
    db: Database
    tenant: Tenant | None = None
    _session: AsyncSession | None = None

    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @asynccontextmanager
    async def db_session(self) -> AsyncIterator[AsyncSession]:
        """The request's session, one user at a time.

        GraphQL resolves sibling fields concurrently; an AsyncSession allows one
        operation at a time, so resolvers take turns (DataLoaders batch within a turn).
        """
        async with self._lock:
            yield self._get_session()

    def _get_session(self) -> AsyncSession:
        if self._session is None:
            self._session = (
                self.db.session(self.tenant.id)
                if self.tenant is not None
                else self.db.reference_session()
            )
        return self._session

    def require_tenant(self) -> Tenant:
        if self.tenant is None:
            raise UnauthenticatedError("aucun pôle sélectionné pour cette requête", field="tenant")
        return self.tenant

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
