"""The sample plugin of docs/plugins.md's tutorial, loaded as an object (not installed).

Its rows point at core's families: the poles the tests and the contract make get core's
demo directory, families and children (``make_tenant(core_demo=True)``), so the plugin's
seed has families to lend to — as on a demo install, where core's seed runs before the
plugins'."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

import pytest

from core.tenancy.models import Tenant
from tests.plugins.lending import plugin


@pytest.fixture
def maillage_plugins() -> list[object]:
    return [plugin]


@pytest.fixture
def make_tenant(make_tenant: Callable[..., Awaitable[Tenant]]) -> Callable[..., Awaitable[Tenant]]:
    return functools.partial(make_tenant, core_demo=True)
