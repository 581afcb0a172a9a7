"""Demo adhesions and billing (filled below)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from core.tenancy.models import Tenant


async def seed_adhesions(tenant: Tenant, session: AsyncSession) -> None:
    return None
