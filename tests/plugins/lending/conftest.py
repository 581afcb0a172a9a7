"""The sample plugin of docs/plugins.md's tutorial, loaded as an object (not installed).

Its rows point at core's families: the poles the contract makes get core's demo files
first (the families feature's ``maillage_seed``: directory, families, children), so
the plugin's seed has families to lend to — as on a demo install, where core's seed
runs before the plugins'."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from core.domain.families import feature as families
from core.plugins.host import PluginHost, call_async
from core.tenancy.database import Database
from core.tenancy.models import Tenant
from tests.plugins.lending import plugin


@pytest.fixture
def maillage_plugins() -> list[object]:
    return [plugin]


@pytest.fixture
def make_tenant(
    make_tenant: Callable[..., Awaitable[Tenant]], maillage_db: Database, maillage_host: PluginHost
) -> Callable[..., Awaitable[Tenant]]:
    async def with_core_files(*args: Any, **kw: Any) -> Tenant:
        tenant = await make_tenant(*args, **kw)
        async with maillage_db.session(tenant.id) as session:
            seed = maillage_host.only("maillage_seed", families)
            await call_async(seed, tenant=tenant, session=session, settings={})
            await session.commit()
        return tenant

    return with_core_files
