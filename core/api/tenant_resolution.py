"""Which pole a request serves.

Until the authentication layer lands, the only resolver is the demo one: in demo
mode a ``X-Maillage-Tenant: <slug>`` header selects a pole, so the demo and the
tests can exercise tenant-scoped fields. In production mode the header is ignored
and requests have no tenant: tenant data stays out of reach until membership-based
resolution (the tenant from the caller's membership, re-read each request) replaces
this module. See docs/decisions.md.
"""

from __future__ import annotations

from starlette.requests import Request

from core.settings import Settings
from core.tenancy.database import Database
from core.tenancy.models import Tenant

DEMO_TENANT_HEADER = "x-maillage-tenant"


async def resolve_tenant(request: Request, settings: Settings, db: Database) -> Tenant | None:
    if settings.is_production:
        return None
    slug = request.headers.get(DEMO_TENANT_HEADER, "").strip()
    if not slug:
        return None
    tenant = await db.tenant_by_slug(slug)
    return tenant if tenant is not None and tenant.active else None
