"""Subject access, erasure on request, legal holds and the retention purge.

Every feature that holds data about a family declares a ``PersonalDataSource``
(``maillage_personal_data`` hook); this module asks them all, in their erasure order,
so that a plugin's records are exported and erased with core's. Export and erasure
read and write health data: ``gdpr.manage`` is a sensitive action (an explicit
grant on top of the role). The retention purge is ``gdpr.purge``: it reads no name,
only dates, and prints ids.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Caller
from core.api.documents import DocumentTemplates, Letterhead
from core.contributions import ExportRecord, FamilyScope, PersonalDataSource
from core.domain.casework.models import FollowUp, Intervention, Request
from core.domain.families.models import Child, Family
from core.domain.gdpr.models import ErasureRequest, LegalHold
from core.domain.gdpr.vocabulary import ERASURE_REQUESTERS, ERASURE_STATUSES, HOLD_REASONS
from core.domain.lookups import audit
from core.domain.lookups import get_or_not_found as _get
from core.errors import ConflictError, ValidationError

MANAGE = "gdpr.manage"
PURGE = "gdpr.purge"
OPEN_REQUEST_STATUSES = ("new", "qualified")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def family_scope(session: AsyncSession, family_id: uuid.UUID) -> FamilyScope:
    family: Family = await _get(session, Family, family_id, "familyId")
    children = await session.scalars(select(Child.id).where(Child.family_id == family.id))
    return FamilyScope(family.id, tuple(children))


# --- subject access --------------------------------------------------------------------


@dataclass(frozen=True)
class ExportSection:
    source: str
    title: str
    records: Sequence[ExportRecord]


@dataclass(frozen=True)
class FamilyExport:
    family_id: uuid.UUID
    pole: str
    generated_at: dt.datetime
    sections: Sequence[ExportSection]
    holds: Sequence[LegalHold] = ()
    erasures: Sequence[ErasureRequest] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "format": "maillage.family-export/1",
            "pole": self.pole,
            "familyId": str(self.family_id),
            "generatedAt": self.generated_at.isoformat(),
            "sections": [
                {
                    "source": s.source,
                    "title": s.title,
                    "records": [
                        {"type": r.kind, "id": r.id, "fields": dict(r.fields)} for r in s.records
                    ],
                }
                for s in self.sections
            ],
            "legalHolds": [
                {
                    "reason": HOLD_REASONS.get(h.reason, h.reason),
                    "until": h.until.isoformat() if h.until else None,
                    "placedAt": h.placed_at.isoformat(),
                    "liftedAt": h.lifted_at.isoformat() if h.lifted_at else None,
                }
                for h in self.holds
            ],
            "erasureRequests": [
                {
                    "receivedOn": e.received_on.isoformat(),
                    "status": e.status,
                    "doneAt": e.done_at.isoformat() if e.done_at else None,
                }
                for e in self.erasures
            ],
        }


async def export_family(
    session: AsyncSession,
    caller: Caller,
    sources: Sequence[PersonalDataSource],
    family_id: uuid.UUID,
    *,
    pole: str,
) -> FamilyExport:
    """Everything held about the family, source by source (the family file first, the
    way a person reads it). One audit event names the sources read."""
    actor = caller.require(MANAGE)
    scope = await family_scope(session, family_id)
    sections = []
    for source in sorted(sources, key=lambda s: -s.order):
        records = await source.export(session, scope)
        sections.append(ExportSection(source.name, source.title, list(records)))
    holds = await session.scalars(
        select(LegalHold)
        .where(LegalHold.family_id == scope.family_id)
        .order_by(LegalHold.placed_at)
    )
    erasures = await session.scalars(
        select(ErasureRequest)
        .where(ErasureRequest.family_id == scope.family_id)
        .order_by(ErasureRequest.recorded_at)
    )
    audit(
        session, actor.subject, "gdpr.export", "Family", scope.family_id, [s.name for s in sources]
    )
    return FamilyExport(scope.family_id, pole, _now(), sections, list(holds), list(erasures))


# --- legal holds -----------------------------------------------------------------------


async def active_holds(
    session: AsyncSession, family_ids: Sequence[uuid.UUID], day: dt.date
) -> dict[uuid.UUID, list[LegalHold]]:
    rows = await session.scalars(
        select(LegalHold).where(
            LegalHold.family_id.in_(family_ids),
            LegalHold.lifted_at.is_(None),
            or_(LegalHold.until.is_(None), LegalHold.until >= day),
        )
    )
    found: dict[uuid.UUID, list[LegalHold]] = {}
    for hold in rows:
        found.setdefault(hold.family_id, []).append(hold)
    return found


def _check_live(family: Family) -> None:
    if family.anonymised_at is not None:
        raise ConflictError("ce dossier a déjà été anonymisé", field="familyId")


async def place_hold(
    session: AsyncSession,
    caller: Caller,
    family_id: uuid.UUID,
    *,
    reason: str,
    note: str = "",
    until: dt.date | None = None,
    today: dt.date | None = None,
) -> LegalHold:
    actor = caller.require(MANAGE)
    today = today or dt.date.today()
    family: Family = await _get(session, Family, family_id, "familyId")
    _check_live(family)
    if reason not in HOLD_REASONS:
        raise ValidationError(f"motif inconnu : {reason}", field="reason")
    clean = " ".join(note.split())
    if reason == "other" and not clean:
        raise ValidationError("précisez l'obligation légale", field="note")
    if len(clean) > 500:
        raise ValidationError("500 caractères au plus", field="note")
    if until is not None and until < today:
        raise ValidationError("la date de fin est passée", field="until")
    hold = LegalHold(
        family_id=family.id,
        reason=reason,
        note=clean,
        until=until,
        placed_at=_now(),
        placed_by=actor.display_name or actor.subject,
    )
    session.add(hold)
    await session.flush()
    audit(session, actor.subject, "gdpr.hold.place", "Family", family.id, ["reason", "until"])
    return hold


async def lift_hold(
    session: AsyncSession,
    caller: Caller,
    sources: Sequence[PersonalDataSource],
    hold_id: uuid.UUID,
    today: dt.date | None = None,
) -> tuple[LegalHold, ErasureRequest | None]:
    """Lift a hold. If it was the last one and an erasure was deferred by it, the
    erasure is carried out now, in the same transaction."""
    actor = caller.require(MANAGE)
    today = today or dt.date.today()
    hold: LegalHold = await _get(session, LegalHold, hold_id, "holdId")
    if hold.lifted_at is not None:
        raise ConflictError("cette obligation a déjà été levée", field="holdId")
    hold.lifted_at = _now()
    hold.lifted_by = actor.display_name or actor.subject
    await session.flush()
    audit(session, actor.subject, "gdpr.hold.lift", "Family", hold.family_id, ["liftedAt"])
    done = await _carry_out_deferred(session, sources, actor.subject, [hold.family_id], today)
    return hold, (done[0] if done else None)


# --- erasure ---------------------------------------------------------------------------


async def _erase(
    session: AsyncSession, sources: Sequence[PersonalDataSource], family_id: uuid.UUID
) -> dict[str, int]:
    scope = await family_scope(session, family_id)
    counts: dict[str, int] = {}
    for source in sorted(sources, key=lambda s: s.order):
        for table, n in (await source.erase(session, scope)).items():
            counts[table] = counts.get(table, 0) + int(n)
    return counts


async def request_erasure(
    session: AsyncSession,
    caller: Caller,
    sources: Sequence[PersonalDataSource],
    family_id: uuid.UUID,
    *,
    received_on: dt.date,
    requester: str,
    today: dt.date | None = None,
) -> ErasureRequest:
    """Record a family's erasure request and carry it out — or, while a legal hold
    stands, record it as deferred with the holds as its exceptions (it is carried out
    when the last one is lifted or ends)."""
    actor = caller.require(MANAGE)
    today = today or dt.date.today()
    family: Family = await _get(session, Family, family_id, "familyId")
    _check_live(family)
    if requester not in ERASURE_REQUESTERS:
        raise ValidationError(
            f"demandeur inconnu « {requester} » (attendu : {', '.join(ERASURE_REQUESTERS)} ; "
            "libellés : requête erasureRequesters)",
            field="requester",
        )
    if received_on > today:
        raise ValidationError("la date de réception est dans le futur", field="receivedOn")
    pending = await session.scalar(
        select(ErasureRequest.id).where(
            ErasureRequest.family_id == family.id, ErasureRequest.status == "deferred"
        )
    )
    if pending is not None:
        raise ConflictError("une demande d'effacement est déjà en attente", field="familyId")
    holds = (await active_holds(session, [family.id], today)).get(family.id, [])
    request = ErasureRequest(
        family_id=family.id,
        received_on=received_on,
        requester=requester,
        recorded_at=_now(),
        recorded_by=actor.subject,
        status="deferred" if holds else "done",
        exceptions=[
            {
                "holdId": str(h.id),
                "reason": h.reason,
                "until": h.until.isoformat() if h.until else None,
            }
            for h in holds
        ],
    )
    session.add(request)
    await session.flush()
    if not holds:
        request.counts = await _erase(session, sources, family.id)
        request.done_at = _now()
        audit(session, actor.subject, "gdpr.erase", "Family", family.id, sorted(request.counts))
    else:
        audit(session, actor.subject, "gdpr.erase.deferred", "Family", family.id, ["exceptions"])
    await session.flush()
    return request


async def _carry_out_deferred(
    session: AsyncSession,
    sources: Sequence[PersonalDataSource],
    who: str,
    family_ids: Sequence[uuid.UUID],
    today: dt.date,
) -> list[ErasureRequest]:
    """Deferred erasures of these families whose holds no longer stand, carried out."""
    waiting = list(
        await session.scalars(
            select(ErasureRequest).where(
                ErasureRequest.family_id.in_(family_ids), ErasureRequest.status == "deferred"
            )
        )
    )
    held = await active_holds(session, [r.family_id for r in waiting], today)
    done = []
    for request in waiting:
        if request.family_id in held:
            continue
        request.counts = await _erase(session, sources, request.family_id)
        request.status = "done"
        request.done_at = _now()
        audit(session, who, "gdpr.erase", "Family", request.family_id, sorted(request.counts))
        done.append(request)
    await session.flush()
    return done


# --- retention -------------------------------------------------------------------------


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class FileStatus:
    family_id: uuid.UUID
    last_activity: dt.date
    expires_on: dt.date


@dataclass
class PurgeReport:
    """What the purge found in one pole: files past retention, those a legal hold
    keeps, deferred erasures now due; ``applied`` once carried out."""

    today: dt.date
    years: int
    expired: list[FileStatus] = field(default_factory=list)
    held: list[FileStatus] = field(default_factory=list)
    erasures_due: list[uuid.UUID] = field(default_factory=list)
    applied: bool = False
    counts: dict[str, int] = field(default_factory=dict)


def _day(value: dt.date | dt.datetime | str | None) -> dt.date | None:
    if isinstance(value, str):  # an aggregate SQLite returns untyped
        return dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        return value.date()
    return value


async def file_statuses(
    session: AsyncSession, years: int
) -> tuple[list[FileStatus], set[uuid.UUID]]:
    """Every live file with its last activity (opening, requests, follow-ups,
    interventions) and the date its retention ends; and the files still open (an open
    follow-up or an unanswered request), which never expire. Four statements."""
    last: dict[uuid.UUID, dt.date] = {}
    open_files: set[uuid.UUID] = set()

    def seen(family_id: uuid.UUID | None, *days: Any) -> None:
        for value in days:
            day = _day(value)
            if family_id is not None and day is not None and day > last.get(family_id, day.min):
                last[family_id] = day

    families_rows = list(
        await session.execute(
            select(Family.id, Family.created_at).where(Family.anonymised_at.is_(None))
        )
    )
    for family_id, created_at in families_rows:
        seen(family_id, created_at)
    follow_ups = await session.execute(
        select(
            Child.family_id,
            func.max(FollowUp.opened_on),
            func.max(FollowUp.closed_on),
            func.sum(case((FollowUp.status == "open", 1), else_=0)),
        )
        .join(FollowUp, FollowUp.child_id == Child.id)
        .group_by(Child.family_id)
    )
    for family_id, opened, closed, still_open in follow_ups:
        seen(family_id, opened, closed)
        if still_open:
            open_files.add(family_id)
    interventions = await session.execute(
        select(Child.family_id, func.max(Intervention.happened_on))
        .join(FollowUp, FollowUp.child_id == Child.id)
        .join(Intervention, Intervention.follow_up_id == FollowUp.id)
        .group_by(Child.family_id)
    )
    for family_id, happened in interventions:
        seen(family_id, happened)
    requests = await session.execute(
        select(
            func.coalesce(Request.family_id, Child.family_id),
            Request.received_on,
            Request.answered_on,
            Request.status,
        ).outerjoin(Child, Child.id == Request.child_id)
    )
    for family_id, received, answered, status in requests:
        seen(family_id, received, answered)
        if status in OPEN_REQUEST_STATUSES and family_id is not None:
            open_files.add(family_id)
    live = {family_id for family_id, _ in families_rows}
    statuses = [
        FileStatus(family_id, day, add_years(day, years))
        for family_id, day in last.items()
        if family_id in live
    ]
    return statuses, open_files


async def purge(
    session: AsyncSession,
    caller: Caller,
    sources: Sequence[PersonalDataSource],
    *,
    years: int,
    today: dt.date | None = None,
    apply: bool = False,
) -> PurgeReport:
    """The retention purge of one pole: a dry run unless ``apply``. Files whose last
    activity is more than ``years`` old, with nothing open and no legal hold, are
    anonymised; deferred erasures whose holds ended are carried out."""
    actor = caller.require(PURGE)
    today = today or dt.date.today()
    report = PurgeReport(today=today, years=years)
    statuses, open_files = await file_statuses(session, years)
    due = [s for s in statuses if s.expires_on <= today and s.family_id not in open_files]
    held = await active_holds(session, [s.family_id for s in due], today)
    report.expired = sorted(
        (s for s in due if s.family_id not in held), key=lambda s: s.last_activity
    )
    report.held = sorted((s for s in due if s.family_id in held), key=lambda s: s.last_activity)
    deferred = await session.scalars(
        select(ErasureRequest.family_id).where(ErasureRequest.status == "deferred")
    )
    deferred_ids = list(deferred)
    still_held = await active_holds(session, deferred_ids, today)
    report.erasures_due = [f for f in deferred_ids if f not in still_held]
    if not apply:
        return report
    for status in report.expired:
        for table, n in (await _erase(session, sources, status.family_id)).items():
            report.counts[table] = report.counts.get(table, 0) + n
        audit(session, actor.subject, "gdpr.purge", "Family", status.family_id, ["retention"])
    await _carry_out_deferred(session, sources, actor.subject, report.erasures_due, today)
    report.applied = True
    return report


# --- the readable export ---------------------------------------------------------------

TEMPLATES = DocumentTemplates(Path(__file__).with_name("templates"))


def render_html(export: FamilyExport, letterhead: Letterhead) -> str:
    """The export as a French document a family can read and keep (the PDF is this
    HTML, core.api.documents.pdf)."""
    return TEMPLATES.render(
        "documents/family_export.html",
        letterhead=letterhead,
        export=export,
        hold_reasons=HOLD_REASONS,
        erasure_statuses=ERASURE_STATUSES,
    )
