"""The maillage pytest plugin provides the fixtures; this file says which plugins the
app and the database are built with. The poles get core's demo directory, families and
children (``core_demo=True``): a convention needs a partner, a registration a family —
as on a demo install, where core's seed runs before the plugins'."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

import pytest

from core.tenancy.models import Tenant


@pytest.fixture
def maillage_plugins() -> list[str]:
    return ["udaf_workshops"]


@pytest.fixture
def make_tenant(make_tenant: Callable[..., Awaitable[Tenant]]) -> Callable[..., Awaitable[Tenant]]:
    return functools.partial(make_tenant, core_demo=True)
