"""Per-request GraphQL context: who, for which pole, with which database session."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from strawberry.dataloader import DataLoader

from core.access.actions import Actor
from core.audit.trail import record_reads
from core.auth.principal import ANONYMOUS, Principal
from core.auth.service import AuthService
from core.db.pending import uncommitted_writes
from core.errors import ErrorCode, ForbiddenError, MaillageError, UnauthenticatedError
from core.plugins.host import PluginHost
from core.plugins.state import rows_by_plugin
from core.settings import Settings
from core.tenancy.database import Database
from core.tenancy.models import Tenant


@dataclass(frozen=True)
class PluginState:
    enabled: bool
    settings: dict[str, Any]


class PluginDisabledError(MaillageError):
    code = ErrorCode.PLUGIN_DISABLED


@dataclass
class Context:
    """What every resolver gets as ``info.context`` (and plugin routes as
    ``request.state.context``).

    One session for the whole request, made before authentication (which runs on it)
    and closed when the request ends: scoped to the request's tenant when there is
    one, reference-only otherwise (tenant tables then raise). It holds one connection
    from its first statement to its end, in one transaction unless a mutation commits
    on the way; the audit rows of the records read are committed in it last.

    The pole's enabled plugins are read once per request, from the database, so a
    change made by another process is seen on the next request.
    """

    request: Request
    settings: Settings
    db: Database
    host: PluginHost
    auth: AuthService | None = None
    principal: Principal = ANONYMOUS
    # Cookie-authenticated without the CSRF header: mutations are refused.
    csrf_failed: bool = False
    # Relay node type name -> (owner, type), from the composed schema.
    nodes: Mapping[str, tuple[str, type]] = field(default_factory=dict)
    _session: AsyncSession | None = None
    # The pole's plugin rows as plain values: ORM rows would be expired by the rollback
    # of a failed mutation, and reading them again in the next one needs I/O a gate
    # cannot do (MissingGreenlet).
    _plugin_rows: dict[str, PluginState] | None = None
    # Person records read by this request: (type, id) -> field names (audit_read).
    _reads: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    # Per-request DataLoaders by batch function, made on first use (core/api/loaders.py).
    loaders: dict[Any, DataLoader[Any, Any]] = field(default_factory=dict)

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

    @property
    def tenant(self) -> Tenant | None:
        return self.principal.tenant

    @property
    def actor(self) -> Actor | None:
        return self.principal.actor

    def require_tenant(self) -> Tenant:
        if self.tenant is not None:
            return self.tenant
        if self.principal.refused_tenant:
            raise ForbiddenError(
                f"vous n'êtes pas membre actif du pôle « {self.principal.refused_tenant} »",
                field="tenant",
            )
        if self.actor is None:
            raise UnauthenticatedError("authentification requise", field="tenant")
        raise ForbiddenError(
            "aucun pôle choisi : choisissez-en un (switchTenant ou en-tête X-Maillage-Tenant)",
            field="tenant",
        )

    def audit_read(self, object_type: str, object_id: str, fields: Iterable[str]) -> None:
        """Note that this request read these fields of a person's record. One audit
        event per record and request, with every field read, written when the request
        ends (field names only, never values)."""
        self._reads.setdefault((object_type, object_id), set()).update(fields)

    async def _write_reads(self, session: AsyncSession) -> None:
        """The audit rows of the records read, in the request's own transaction, then
        commit: no second session, so a request never waits on the pool for a
        connection while it holds one (docs/decisions.md, 92).

        What the request left uncommitted (a mutation that failed without rolling
        back) is abandoned first, as closing the session would: the reads are traced,
        the half-change is not. A transaction the database already broke is rolled
        back and the rows written in a fresh one."""
        reads, self._reads = self._reads, {}
        if not reads or self.tenant is None or self.actor is None:
            return
        if uncommitted_writes(session.sync_session):
            await session.rollback()
        for attempt in (1, 2):
            try:
                await record_reads(
                    session,
                    actor=self.actor.subject,
                    reads=[(t, i, f) for (t, i), f in sorted(reads.items())],
                    client_address=self.request.client.host if self.request.client else None,
                )
                await session.commit()
                return
            except SQLAlchemyError:
                await session.rollback()
                if attempt == 2:
                    raise

    def require(self, action: str) -> Actor:
        """The actor, if it holds ``action`` in the current pole (else FORBIDDEN or
        UNAUTHENTICATED). Services that the CLI shares check the same action names."""
        if self.actor is None:
            raise UnauthenticatedError("authentification requise", field=action)
        if self.host.actions.needs_pole(action):
            self.require_tenant()
        self.host.actions.require(self.actor, action)
        assert self.actor is not None
        return self.actor

    def can(self, action: str) -> bool:
        registry = self.host.actions
        pole_ok = self.tenant is not None or not registry.needs_pole(action)
        return pole_ok and registry.allowed(self.actor, action)

    async def _plugin_state(self) -> dict[str, PluginState]:
        """The pole's ``tenant_plugins`` rows, read once per request (none without a pole)."""
        if self._plugin_rows is None:
            if self.tenant is None:
                self._plugin_rows = {}
            else:
                async with self.db_session() as session:
                    rows = await rows_by_plugin(session)
                self._plugin_rows = {
                    name: PluginState(row.enabled, dict(row.settings or {}))
                    for name, row in rows.items()
                }
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

    def require_auth(self) -> AuthService:
        if self.auth is None:
            raise RuntimeError("this context has no auth service")
        return self.auth

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is None:
            self._reads.clear()
            return
        try:
            await self._write_reads(session)
        finally:
            await session.close()
