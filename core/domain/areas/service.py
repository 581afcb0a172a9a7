"""Reading and writing a pole's service areas (shared by the API, the CLI and the demo)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from core.access.actions import Caller
from core.domain.areas.models import ServiceArea, ServiceAreaCommune
from core.errors import ValidationError
from core.territory.models import Commune


def _loaded():  # type: ignore[no-untyped-def]
    commune = selectinload(ServiceArea.communes).selectinload(ServiceAreaCommune.commune)
    return (
        commune.selectinload(Commune.departement),
        commune.selectinload(Commune.epci),
        commune.selectinload(Commune.postal_codes),
    )


async def list_areas(session: AsyncSession) -> list[ServiceArea]:
    """The current pole's areas with their communes, in a constant number of queries."""
    rows = await session.execute(select(ServiceArea).options(*_loaded()).order_by(ServiceArea.name))
    return list(rows.scalars())


async def get_areas(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[ServiceArea]:
    rows = await session.execute(
        select(ServiceArea).where(ServiceArea.id.in_(set(ids))).options(*_loaded())
    )
    found = {a.id: a for a in rows.scalars()}
    return [found[i] for i in ids if i in found]


async def upsert_area(
    session: AsyncSession,
    *,
    name: str,
    insee_codes: Sequence[str],
    description: str = "",
    caller: Caller | None = None,
) -> ServiceArea:
    """Create or replace the area named ``name`` with exactly these communes. A person or
    client (``caller``) needs ``areas.manage``; the demo seed, run by the platform,
    passes none."""
    if caller is not None:
        caller.require("areas.manage")
    name = name.strip()
    if not name:
        raise ValidationError("le nom du territoire est obligatoire", field="name")
    codes = sorted(set(insee_codes))
    known = set(
        (await session.execute(select(Commune.insee_code).where(Commune.insee_code.in_(codes))))
        .scalars()
        .all()
    )
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValidationError(f"communes inconnues : {', '.join(unknown)}", field="communes")
    area = (
        await session.execute(
            select(ServiceArea)
            .where(ServiceArea.name == name)
            .options(selectinload(ServiceArea.communes))
        )
    ).scalar()
    if area is None:
        area = ServiceArea(name=name, description=description)
        session.add(area)
    area.description = description
    current = {link.commune_insee: link for link in area.communes}
    for code in codes:
        if code not in current:
            area.communes.append(ServiceAreaCommune(commune_insee=code))
    for code, link in current.items():
        if code not in known:
            area.communes.remove(link)
    await session.flush()
    return area
