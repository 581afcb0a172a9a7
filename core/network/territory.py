"""The territory a pole declares to the network (decision 182): communes and EPCI from
the territory data shipped with the project (core/territory), whose populations give
the « per 10,000 inhabitants » of its releases. Without a declaration, the pole's
département. Read and written in the pole's scoped session; the release keeps the
population and a sentence saying where it comes from, never the list of communes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Caller
from core.audit.trail import record
from core.errors import ValidationError
from core.network.actions import PREPARE
from core.network.models import NetworkTerritory
from core.tenancy.models import Tenant
from core.territory.models import Commune, Departement, Epci

MAX_COMMUNES = 2000
MAX_EPCIS = 100
_SEPARATORS = re.compile(r"[\s,;]+")
_INSEE = re.compile(r"^[0-9][0-9AB][0-9]{3}$")
_SIREN = re.compile(r"^[0-9]{9}$")


@dataclass(frozen=True)
class Place:
    code: str
    name: str


@dataclass(frozen=True)
class PoleTerritory:
    declared: bool
    """False: the département, by default."""
    communes: tuple[Place, ...]
    epcis: tuple[Place, ...]
    population: int
    source: str
    """Where the population comes from, in words (stored on each release)."""


def codes(text: str) -> list[str]:
    """Codes typed in a form: separated by spaces, commas, semicolons or new lines."""
    return [c.upper() for c in _SEPARATORS.split(text.strip()) if c]


def _clean(values: Sequence[str], pattern: re.Pattern[str], field: str, limit: int) -> list[str]:
    cleaned = sorted({v.strip().upper() for v in values if v.strip()})
    if len(cleaned) > limit:
        raise ValidationError(f"{limit} au plus", field=field)
    malformed = [v for v in cleaned if not pattern.match(v)]
    if malformed:
        what = "code INSEE à 5 caractères" if field == "communes" else "SIREN à 9 chiffres"
        raise ValidationError(f"{what} attendu : {', '.join(malformed[:10])}", field=field)
    return cleaned


async def _population(session: AsyncSession, communes: list[str], epcis: list[str]) -> int:
    """The communes listed and those of the EPCI listed, each counted once."""
    conditions = []
    if communes:
        conditions.append(Commune.insee_code.in_(communes))
    if epcis:
        conditions.append(Commune.epci_siren.in_(epcis))
    if not conditions:
        return 0
    total = await session.execute(
        select(func.coalesce(func.sum(Commune.population), 0)).where(or_(*conditions))
    )
    return int(total.scalar() or 0)


async def departement_population(session: AsyncSession, code: str) -> int:
    return int(
        (
            await session.execute(
                select(func.coalesce(func.sum(Commune.population), 0)).where(
                    Commune.departement_code == code
                )
            )
        ).scalar()
        or 0
    )


def _source(communes: int, epcis: int) -> str:
    parts = []
    if communes:
        parts.append(f"{communes} commune{'s' if communes > 1 else ''}")
    if epcis:
        parts.append(f"{epcis} EPCI")
    return "territoire déclaré : " + " et ".join(parts)


async def pole_territory(session: AsyncSession, tenant: Tenant) -> PoleTerritory:
    row = (await session.execute(select(NetworkTerritory))).scalar()
    if row is None or not (row.communes or row.epcis):
        name = (
            await session.execute(
                select(Departement.name).where(Departement.code == tenant.departement_code)
            )
        ).scalar()
        return PoleTerritory(
            declared=False,
            communes=(),
            epcis=(),
            population=await departement_population(session, tenant.departement_code),
            source=f"département {tenant.departement_code}" + (f" ({name})" if name else ""),
        )
    communes = (
        await session.execute(
            select(Commune.insee_code, Commune.name)
            .where(Commune.insee_code.in_(row.communes))
            .order_by(Commune.insee_code)
        )
    ).all()
    epcis = (
        await session.execute(
            select(Epci.siren, Epci.name).where(Epci.siren.in_(row.epcis)).order_by(Epci.siren)
        )
    ).all()
    return PoleTerritory(
        declared=True,
        communes=tuple(Place(c, n) for c, n in communes),
        epcis=tuple(Place(c, n) for c, n in epcis),
        population=await _population(session, list(row.communes), list(row.epcis)),
        source=_source(len(row.communes), len(row.epcis)),
    )


async def declare_territory(
    session: AsyncSession,
    caller: Caller,
    tenant: Tenant,
    communes: Sequence[str],
    epcis: Sequence[str],
    *,
    now: dt.datetime,
) -> PoleTerritory:
    """Declare (or, with both lists empty, withdraw) the pole's territory. Every code
    must be a commune or an EPCI of the territory data: VALIDATION naming the field and
    the unknown codes otherwise, and nothing is written."""
    actor = caller.require(PREPARE)
    wanted_communes = _clean(communes, _INSEE, "communes", MAX_COMMUNES)
    wanted_epcis = _clean(epcis, _SIREN, "epcis", MAX_EPCIS)
    if wanted_communes:
        known = set(
            (
                await session.execute(
                    select(Commune.insee_code).where(Commune.insee_code.in_(wanted_communes))
                )
            ).scalars()
        )
        unknown = [c for c in wanted_communes if c not in known]
        if unknown:
            raise ValidationError(
                f"commune{'s' if len(unknown) > 1 else ''} inconnue"
                f"{'s' if len(unknown) > 1 else ''} : {', '.join(unknown[:10])}",
                field="communes",
            )
    if wanted_epcis:
        known = set(
            (
                await session.execute(select(Epci.siren).where(Epci.siren.in_(wanted_epcis)))
            ).scalars()
        )
        unknown = [e for e in wanted_epcis if e not in known]
        if unknown:
            raise ValidationError(f"EPCI inconnu : {', '.join(unknown[:10])}", field="epcis")
    row = (await session.execute(select(NetworkTerritory))).scalar()
    if row is None:
        row = NetworkTerritory(kind="declared", updated_by=actor.subject, updated_at=now)
        session.add(row)
    row.communes, row.epcis = wanted_communes, wanted_epcis
    row.updated_by, row.updated_at = actor.subject, now
    await session.flush()
    record(
        session,
        actor=actor.subject,
        action="network.territory.declare",
        object_type="NetworkTerritory",
        object_id=str(row.id),
        fields=["communes", "epcis"],
    )
    return await pole_territory(session, tenant)
