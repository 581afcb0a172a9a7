"""Territory look-ups: by INSEE code, by postal code, and by name (accents and case ignored)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from core.errors import ValidationError
from core.territory.models import Commune, CommunePostalCode, Departement, Epci
from core.territory.names import normalize_name

_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$", re.IGNORECASE)
MAX_QUERY_LENGTH = 100


@dataclass(frozen=True)
class CommunePage:
    items: Sequence[Commune]
    total: int


def _with_details(statement: Select[tuple[Commune]]) -> Select[tuple[Commune]]:
    return statement.options(
        selectinload(Commune.departement),
        selectinload(Commune.epci),
        selectinload(Commune.postal_codes),
    )


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def get_communes(session: AsyncSession, insee_codes: Sequence[str]) -> list[Commune]:
    """Communes by INSEE code, in the order asked (unknown codes are left out)."""
    if not insee_codes:
        return []
    rows = await session.execute(
        _with_details(select(Commune).where(Commune.insee_code.in_(set(insee_codes))))
    )
    found = {c.insee_code: c for c in rows.scalars()}
    return [found[code] for code in insee_codes if code in found]


async def communes_by_postal_code(session: AsyncSession, postal_code: str) -> list[Commune]:
    statement = (
        select(Commune)
        .join(CommunePostalCode, CommunePostalCode.insee_code == Commune.insee_code)
        .where(CommunePostalCode.postal_code == postal_code)
        .order_by(Commune.population.desc(), Commune.name)
    )
    return list((await session.execute(_with_details(statement))).scalars())


async def search_communes(
    session: AsyncSession,
    query: str,
    *,
    departement: str | None = None,
    epci: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> CommunePage:
    """Search by name, INSEE code or postal code; best matches first.

    A five-character code matches an INSEE code or a postal code. Otherwise the
    normalised query must appear in the normalised name; exact names come first,
    then names starting with it, then names with a word starting with it, then the
    rest, larger communes first within each group.
    """
    raw = query.strip()
    if len(raw) > MAX_QUERY_LENGTH:
        raise ValidationError(f"la recherche dépasse {MAX_QUERY_LENGTH} caractères", field="search")
    normalized = normalize_name(raw)
    if not normalized and not departement and not epci:
        raise ValidationError("indiquez un nom, un code INSEE ou un code postal", field="search")

    statement = select(Commune)
    if _CODE.match(raw):
        code = raw.upper()
        postal = select(CommunePostalCode.insee_code).where(CommunePostalCode.postal_code == code)
        statement = statement.where(or_(Commune.insee_code == code, Commune.insee_code.in_(postal)))
        rank = case((Commune.insee_code == code, 0), else_=1)
    elif normalized:
        pattern = _escape_like(normalized)
        statement = statement.where(Commune.search_name.like(f"%{pattern}%", escape="\\"))
        rank = case(
            (Commune.search_name == normalized, 0),
            (Commune.search_name.like(f"{pattern}%", escape="\\"), 1),
            (Commune.search_name.like(f"% {pattern}%", escape="\\"), 2),
            else_=3,
        )
    else:
        rank = literal(0)
    if departement:
        statement = statement.where(Commune.departement_code == departement)
    if epci:
        statement = statement.where(Commune.epci_siren == epci)

    total = (
        await session.execute(select(func.count()).select_from(statement.subquery()))
    ).scalar_one()
    page = (
        statement.order_by(rank, Commune.population.desc(), Commune.name, Commune.insee_code)
        .limit(limit)
        .offset(offset)
    )
    items = list((await session.execute(_with_details(page))).scalars())
    return CommunePage(items, int(total))


async def get_departements(session: AsyncSession, codes: Sequence[str]) -> list[Departement]:
    rows = await session.execute(select(Departement).where(Departement.code.in_(set(codes))))
    found = {d.code: d for d in rows.scalars()}
    return [found[c] for c in codes if c in found]


async def get_epcis(session: AsyncSession, sirens: Sequence[str]) -> list[Epci]:
    rows = await session.execute(select(Epci).where(Epci.siren.in_(set(sirens))))
    found = {e.siren: e for e in rows.scalars()}
    return [found[s] for s in sirens if s in found]
