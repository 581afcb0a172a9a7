"""What every domain service shares: the not-found lookup, the commune check, the
name search, the audit line, the recorded deletion."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.trail import record, record_deletions
from core.domain.areas.models import ServiceAreaCommune
from core.errors import DataWarning, NotFoundError, ValidationError
from core.tenancy.guard import session_tenant
from core.tenancy.models import Tenant
from core.territory.models import Commune
from core.territory.names import normalize_name


async def get_or_not_found(
    session: AsyncSession, model: type[Any], id: uuid.UUID, field: str
) -> Any:
    """The pole's row of ``model`` (the tenant filter applies), or NOT_FOUND naming
    ``field`` — the same answer for a missing row and another pole's."""
    row = (await session.execute(select(model).where(model.id == id))).scalar()
    if row is None:
        raise NotFoundError("introuvable dans ce pôle", field=field)
    return row


async def check_commune(
    session: AsyncSession, insee: str | None, field: str = "communeInsee"
) -> None:
    """VALIDATION naming ``field`` for an INSEE code the territory reference lacks (None
    passes: the caller decides whether a commune is required)."""
    if insee is not None and await session.get(Commune, insee) is None:
        raise ValidationError(f"commune inconnue : {insee}", field=field)


async def outside_territory(
    session: AsyncSession, insee: str, field: str = "communeInsee"
) -> DataWarning | None:
    """OUTSIDE_TERRITORY when the commune is neither in the pole's département nor in
    one of its service areas: a family may live across the border (kept), but a typo
    in an INSEE code is caught while the person is still at the form."""
    tenant_id = session_tenant(session.sync_session)
    commune = await session.get(Commune, insee)
    tenant = await session.get(Tenant, tenant_id) if tenant_id is not None else None
    if commune is None or tenant is None or commune.departement_code == tenant.departement_code:
        return None
    served = await session.scalar(
        select(ServiceAreaCommune.id).where(ServiceAreaCommune.commune_insee == insee).limit(1)
    )
    if served is not None:
        return None
    return DataWarning(
        "OUTSIDE_TERRITORY",
        field,
        f"{commune.name} ({commune.departement_code}) est hors du territoire du pôle "
        f"(département {tenant.departement_code} et ses zones d'intervention) : "
        "vérifiez le code INSEE",
    )


def name_words(column: Any, search: str) -> list[Any]:
    """Every word typed must appear in the normalised name ("creche lucioles" finds
    « Crèche Les Lucioles »); LIKE wildcards typed by the person are matched literally."""
    conditions = []
    for word in normalize_name(search).split():
        pattern = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(column.like(f"%{pattern}%", escape="\\"))
    return conditions


def audit(
    session: AsyncSession, who: str, action: str, kind: str, id: Any, fields: list[str]
) -> None:
    """One audit event for a write of the domain (field names, never values)."""
    record(session, actor=who, action=action, object_type=kind, object_id=str(id), fields=fields)


async def touch(session: AsyncSession, model: type[Any], id: Any) -> None:
    """Mark a record changed when something nested in it changed (a guardian added to a
    family, an intervention logged on a follow-up): ``updatedSince`` then finds it, so an
    integrator's copy of the node stays whole. ``id`` may be a scalar subquery."""
    await session.execute(
        update(model)
        .where(model.id == id)
        .values(updated_at=func.now())
        .execution_options(synchronize_session=False)
    )


async def delete_recorded(
    session: AsyncSession, model: type[Any], type_name: str, *where: Any
) -> list[Any]:
    """Delete the pole's rows of ``model`` matching ``where`` and note them in the
    deletions feed as ``type_name`` (their GraphQL type), in the same transaction."""
    ids = list(await session.scalars(select(model.id).where(*where)))
    if ids:
        # Default synchronisation: the deleted objects leave the session too.
        await session.execute(delete(model).where(model.id.in_(ids)))
        record_deletions(session, type_name, ids)
    return ids


def iso(value: dt.date | None) -> str | None:
    """A date (or time) as the family's export prints it."""
    return None if value is None else value.isoformat()
