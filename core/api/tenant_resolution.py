"""Which pole a request serves, and who makes it.

Until the authentication layer lands, the only resolver is the demo one: in demo
mode a ``X-Maillage-Tenant: <slug>`` header selects a pole and the request acts as a
demo member of that pole, with the roles of ``X-Maillage-Roles`` (comma-separated,
default ``pole_admin``), so the demo and the tests can exercise permissions. In
production mode both headers are ignored and requests have no tenant and no actor:
tenant data stays out of reach until membership-based resolution (the tenant and
roles from the caller's membership, re-read each request) replaces this module.
See docs/decisions.md.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection

from core.access.actions import Actor
from core.access.roles import ROLES
from core.settings import Settings
from core.tenancy.database import Database
from core.tenancy.models import Tenant

DEMO_TENANT_HEADER = "x-maillage-tenant"
DEMO_ROLES_HEADER = "x-maillage-roles"
DEMO_DEFAULT_ROLES = frozenset({"pole_admin"})


async def resolve_tenant(
    request: HTTPConnection, settings: Settings, db: Database
) -> Tenant | None:
    if settings.is_production:
        return None
    slug = request.headers.get(DEMO_TENANT_HEADER, "").strip()
    if not slug:
        return None
    tenant = await db.tenant_by_slug(slug)
    return tenant if tenant is not None and tenant.active else None


def resolve_actor(
    request: HTTPConnection, settings: Settings, tenant: Tenant | None
) -> Actor | None:
    if settings.is_production or tenant is None:
        return None
    raw = request.headers.get(DEMO_ROLES_HEADER)
    roles = (
        frozenset(r.strip() for r in raw.split(",") if r.strip() in ROLES)
        if raw is not None
        else DEMO_DEFAULT_ROLES
    )
    return Actor(subject=f"demo:{tenant.slug}", display_name="Compte de démonstration", roles=roles)
