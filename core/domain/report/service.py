"""Writing and reading the report's narrative sections and the year's funding (shared by
the API, the web app, the report builder and the demo seed)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Caller
from core.db.limits import clean_text
from core.domain.lookups import audit
from core.domain.lookups import get_or_not_found as _get
from core.domain.report.models import Funding, ReportNarrative
from core.domain.report.vocabulary import FUNDING_KINDS, NARRATIVE_KINDS, ONCE_A_YEAR
from core.errors import ConflictError, ValidationError

READ = "report.read"
WRITE = "report.write"
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True, slots=True)
class NarrativeInput:
    year: int
    kind: str
    body: str
    # Required for a free section; the fixed ones take their kind's label when empty.
    title: str = ""
    position: int | None = None


@dataclass(frozen=True, slots=True)
class FundingInput:
    year: int
    funder: str
    kind: str
    amount_cents: int
    notes: str = ""


def check_year(year: int, field: str = "year") -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(f"année entre {FIRST_YEAR} et {LAST_YEAR}", field=field)
    return year


def _check_code(value: str, vocabulary: object, field: str, what: str) -> str:
    if value not in vocabulary:  # type: ignore[operator]
        codes = ", ".join(vocabulary)  # type: ignore[call-overload]
        raise ValidationError(f"{what} inconnu « {value} » (codes : {codes})", field=field)
    return value


async def list_narratives(
    session: AsyncSession, caller: Caller, year: int
) -> list[ReportNarrative]:
    """The year's sections in print order: the fixed ones in their order, then the free
    ones by position."""
    caller.require(READ)
    check_year(year)
    rows = (
        await session.execute(select(ReportNarrative).where(ReportNarrative.year == year))
    ).scalars()
    order = list(NARRATIVE_KINDS)
    return sorted(rows, key=lambda r: (order.index(r.kind), r.position, r.title))


async def write_narrative(
    session: AsyncSession, caller: Caller, data: NarrativeInput, narrative_id: uuid.UUID | None
) -> ReportNarrative:
    """Create a section (``narrative_id`` None) or rewrite one. A fixed section exists
    once a year: writing « Perspectives » again for the same year rewrites it."""
    actor = caller.require(WRITE)
    year = check_year(data.year)
    kind = _check_code(data.kind, NARRATIVE_KINDS, "kind", "type de section")
    body = clean_text(data.body, ReportNarrative.body, "body", required=False)
    title = clean_text(data.title, ReportNarrative.title, "title", required=False, one_line=True)
    if kind == "free" and not title:
        raise ValidationError("une section libre a besoin d'un titre", field="title")
    title = title or NARRATIVE_KINDS[kind]
    row: ReportNarrative | None
    if narrative_id is not None:
        row = await _get(session, ReportNarrative, narrative_id, "id")
    elif kind in ONCE_A_YEAR:
        row = (
            await session.execute(
                select(ReportNarrative).where(
                    ReportNarrative.year == year, ReportNarrative.kind == kind
                )
            )
        ).scalar()
    else:
        row = None
    clash = (
        await session.execute(
            select(ReportNarrative.id).where(
                ReportNarrative.year == year, ReportNarrative.title == title
            )
        )
    ).scalar()
    if clash is not None and (row is None or clash != row.id):
        raise ConflictError(f"une section « {title} » existe déjà pour {year}", field="title")
    created = row is None
    if row is None:
        position = data.position
        if position is None:
            last = (
                await session.execute(
                    select(func.max(ReportNarrative.position)).where(ReportNarrative.year == year)
                )
            ).scalar()
            position = (last or 0) + 1
        row = ReportNarrative(year=year, kind=kind, title=title, body=body, position=position)
        session.add(row)
    else:
        row.year, row.kind, row.title, row.body = year, kind, title, body
        if data.position is not None:
            row.position = data.position
    row.author_user_id = actor.user_id
    await session.flush()
    audit(
        session,
        actor.subject,
        "report.narrative.create" if created else "report.narrative.update",
        "ReportNarrative",
        row.id,
        ["year", "kind", "title", "body", "position"],
    )
    return row


async def _delete(
    session: AsyncSession, caller: Caller, model: type[Any], row_id: uuid.UUID, action: str
) -> uuid.UUID:
    actor = caller.require(WRITE)
    row = await _get(session, model, row_id, "id")
    await session.delete(row)
    await session.flush()
    audit(session, actor.subject, action, model.__name__, row_id, [])
    return row_id


async def delete_narrative(
    session: AsyncSession, caller: Caller, narrative_id: uuid.UUID
) -> uuid.UUID:
    return await _delete(session, caller, ReportNarrative, narrative_id, "report.narrative.delete")


async def list_fundings(session: AsyncSession, caller: Caller, year: int) -> list[Funding]:
    caller.require(READ)
    check_year(year)
    rows = await session.execute(
        select(Funding)
        .where(Funding.year == year)
        .order_by(Funding.amount_cents.desc(), Funding.funder)
    )
    return list(rows.scalars())


async def record_funding(
    session: AsyncSession, caller: Caller, data: FundingInput, funding_id: uuid.UUID | None
) -> Funding:
    """Add a funder's line for a year, or correct one."""
    actor = caller.require(WRITE)
    year = check_year(data.year)
    kind = _check_code(data.kind, FUNDING_KINDS, "kind", "type de financement")
    funder = clean_text(data.funder, Funding.funder, "funder", one_line=True)
    notes = clean_text(data.notes, Funding.notes, "notes", required=False)
    if data.amount_cents < 0:
        raise ValidationError("un montant ne peut pas être négatif", field="amountCents")
    if data.amount_cents > 10**12:
        raise ValidationError(
            "montant invraisemblable (plus de 10 milliards €)", field="amountCents"
        )
    clash = (
        await session.execute(
            select(Funding.id).where(
                Funding.year == year, Funding.funder == funder, Funding.kind == kind
            )
        )
    ).scalar()
    if clash is not None and clash != funding_id:
        raise ConflictError(
            f"« {funder} » a déjà une ligne de ce type pour {year} : corrigez-la", field="funder"
        )
    created = funding_id is None
    if funding_id is None:
        row = Funding(year=year)
        session.add(row)
    else:
        row = await _get(session, Funding, funding_id, "id")
        row.year = year
    row.funder, row.kind, row.amount_cents, row.notes = funder, kind, data.amount_cents, notes
    await session.flush()
    audit(
        session,
        actor.subject,
        "report.funding.create" if created else "report.funding.update",
        "Funding",
        row.id,
        ["year", "funder", "kind", "amountCents", "notes"],
    )
    return row


async def delete_funding(session: AsyncSession, caller: Caller, funding_id: uuid.UUID) -> uuid.UUID:
    return await _delete(session, caller, Funding, funding_id, "report.funding.delete")
