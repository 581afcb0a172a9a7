"""Per-request GraphQL context: who, for which pole, with which database session."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from core.access.actions import Actor
from core.errors import ErrorCode, MaillageError, UnauthenticatedError
from core.plugins.host import PluginHost
from core.plugins.models import TenantPlugin
from core.plugins.state import rows_by_plugin
from core.settings import Settings
from core.tenancy.database import Database
from core.tenancy.models import Tenant


class PluginDisabledError(MaillageError):
    code = ErrorCode.PLUGIN_DISABLED


@dataclass
class Context:
    """What every resolver gets as ``info.context`` (and plugin routes as
    ``request.state.context``).

    The session is opened on first use and closed when the request ends: scoped to
    the request's tenant when there is one, reference-only otherwise (tenant tables
    then raise). The pole's enabled plugins are read once per request, from the
    database, so a change made by another process is seen on the next request.
    """

    request: Request
    settings: Settings
    db: Database
    host: PluginHost
    tenant: Tenant | None = None
    actor: Actor | None = None
    # Relay node type name -> (owner, type), from the composed schema.
    nodes: Mapping[str, tuple[str, type]] = field(default_factory=dict)
    _session: AsyncSession | None = None
    _plugin_rows: dict[str, TenantPlugin] | None = None

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

    def require(self, action: str) -> Actor:
        """The actor, if it holds ``action`` in the current pole (else FORBIDDEN or
        UNAUTHENTICATED). Services that the CLI shares check the same action names."""
        self.require_tenant()
        self.host.actions.require(self.actor, action)
        assert self.actor is not None
        return self.actor

    def can(self, action: str) -> bool:
        return self.tenant is not None and self.host.actions.allowed(self.actor, action)

    async def _plugin_state(self) -> dict[str, TenantPlugin]:
        """The pole's ``tenant_plugins`` rows, read once per request (none without a pole)."""
        if self._plugin_rows is None:
            if self.tenant is None:
                self._plugin_rows = {}
            else:
                async with self.db_session() as session:
                    self._plugin_rows = await rows_by_plugin(session)
        return self._plugin_rows

    async def enabled_plugins(self) -> frozenset[str]:
        """Plugins enabled for the request's pole (none without a pole)."""
        rows = await self._plugin_state()
        return self.host.effective_enabled({name: row.enabled for name, row in rows.items()})

    async def plugin_settings(self, name: str) -> dict[str, Any]:
        """The pole's settings for plugin ``name``, defaults included."""
        manifest = self.host.manifest(name)
        if manifest is None:
            raise KeyError(name)
        row = (await self._plugin_state()).get(name)
        return manifest.with_defaults(row.settings if row is not None else {})

    def forget_plugin_state(self) -> None:
        """After a mutation changed the pole's plugins, read them again."""
        self._plugin_rows = None

    async def require_plugin(self, name: str) -> None:
        if name not in await self.enabled_plugins():
            raise PluginDisabledError(
                f"le module « {name} » n'est pas activé pour ce pôle", field=name
            )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
