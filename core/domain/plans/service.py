"""Reception plans: write (a new version each time), share under the family's consent,
revoke, and render the printable document (templates/documents/reception_plan.html, on
the documents' pipeline: HTML, and the PDF made of the same HTML)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Caller
from core.api.documents import DocumentTemplates, Letterhead
from core.audit.trail import record
from core.domain.families.models import Child, Consent, Family
from core.domain.families.service import active_consent
from core.domain.lookups import get_or_not_found as _get
from core.domain.plans.models import ReceptionPlan, ReceptionPlanShare, ReceptionPlanVersion
from core.domain.structures.models import Structure
from core.domain.structures.service import structures_of
from core.errors import ConflictError, NotFoundError, ValidationError

READ = "families.read"
MANAGE = "families.manage"
# A structure's staff: the plans shared with their structure, nothing else.
SHARED_READ = "plans.shared.read"
SHARE_PURPOSE = "share_with_structure"
TEMPLATES = DocumentTemplates(Path(__file__).with_name("templates"))
TEXT_FIELDS = (
    "needs",
    "habits",
    "communication",
    "care_instructions",
    "adaptations",
    "equipment",
    "evaluation",
)


@dataclass(frozen=True)
class Period:
    starts_on: dt.date
    ends_on: dt.date
    description: str


@dataclass(frozen=True)
class PlanContent:
    needs: str = ""
    habits: str = ""
    communication: str = ""
    care_instructions: str = ""
    adaptations: str = ""
    equipment: str = ""
    adaptation_periods: list[Period] = field(default_factory=list)
    review_dates: list[dt.date] = field(default_factory=list)
    evaluation: str = ""
    # The plan's date; None: today.
    written_on: dt.date | None = None


def _check(content: PlanContent, today: dt.date) -> dt.date:
    """The plan's date, once its content is checked."""
    if not any(getattr(content, name).strip() for name in TEXT_FIELDS):
        raise ValidationError("le projet est vide : décrivez au moins les besoins", field="needs")
    for index, period in enumerate(content.adaptation_periods):
        if period.ends_on < period.starts_on:
            raise ValidationError(
                "la fin précède le début", field=f"adaptationPeriods.{index}.endsOn"
            )
        if not period.description.strip():
            raise ValidationError(
                "décrivez la période", field=f"adaptationPeriods.{index}.description"
            )
    written_on = content.written_on or today
    if written_on > today:
        raise ValidationError("la date du projet est dans le futur", field="writtenOn")
    return written_on


async def write_plan(
    session: AsyncSession,
    caller: Caller,
    *,
    content: PlanContent,
    child_id: uuid.UUID | None = None,
    structure_id: uuid.UUID | None = None,
    plan_id: uuid.UUID | None = None,
    today: dt.date | None = None,
) -> ReceptionPlan:
    """Create the plan of a child in a structure, or add a version to ``plan_id``."""
    actor = caller.require(MANAGE)
    written_on = _check(content, today or dt.date.today())
    if plan_id is None:
        if child_id is None or structure_id is None:
            raise ValidationError(
                "un nouveau projet nomme l'enfant et la structure",
                field="childId" if child_id is None else "structureId",
            )
        await _get(session, Child, child_id, "childId")
        structure: Structure = await _get(session, Structure, structure_id, "structureId")
        if structure.merged_into_id is not None:
            raise ConflictError("structure fusionnée dans une autre", field="structureId")
        plan = ReceptionPlan(child_id=child_id, structure_id=structure_id, current_version=0)
        session.add(plan)
        await session.flush()
    else:
        plan = await _get(session, ReceptionPlan, plan_id, "planId")
    plan.current_version += 1
    session.add(
        ReceptionPlanVersion(
            plan_id=plan.id,
            version=plan.current_version,
            written_on=written_on,
            written_at=dt.datetime.now(dt.UTC),
            written_by=actor.subject,
            needs=content.needs.strip(),
            habits=content.habits.strip(),
            communication=content.communication.strip(),
            care_instructions=content.care_instructions.strip(),
            adaptations=content.adaptations.strip(),
            equipment=content.equipment.strip(),
            adaptation_periods=[
                {
                    "starts_on": p.starts_on.isoformat(),
                    "ends_on": p.ends_on.isoformat(),
                    "description": p.description.strip(),
                }
                for p in content.adaptation_periods
            ],
            review_dates=sorted(d.isoformat() for d in content.review_dates),
            evaluation=content.evaluation.strip(),
        )
    )
    await session.flush()
    record(
        session,
        actor=actor.subject,
        action="plans.write",
        object_type="ReceptionPlan",
        object_id=str(plan.id),
        fields=[
            f"version {plan.current_version}",
            "writtenOn",
            *TEXT_FIELDS,
            "adaptationPeriods",
            "reviewDates",
        ],
    )
    return plan


async def share(session: AsyncSession, caller: Caller, plan_id: uuid.UUID) -> ReceptionPlanShare:
    """Share with the structure's team: only on the family's active consent to it."""
    actor = caller.require(MANAGE)
    plan: ReceptionPlan = await _get(session, ReceptionPlan, plan_id, "planId")
    child: Child = await _get(session, Child, plan.child_id, "planId")
    consent = await active_consent(session, child.family_id, SHARE_PURPOSE)
    if consent is None:
        raise ValidationError(
            "la famille n'a pas donné (ou a retiré) son accord au partage du projet d'accueil "
            "avec la structure : enregistrez d'abord son consentement",
            field="consent",
        )
    if await current_share(session, plan.id) is not None:
        raise ConflictError("le projet est déjà partagé", field="planId")
    row = ReceptionPlanShare(
        plan_id=plan.id,
        consent_id=consent.id,
        shared_at=dt.datetime.now(dt.UTC),
        shared_by=actor.subject,
    )
    session.add(row)
    await session.flush()
    record(
        session,
        actor=actor.subject,
        action="plans.share",
        object_type="ReceptionPlan",
        object_id=str(plan.id),
        fields=["sharedWithStructure", "consent"],
    )
    return row


async def current_shares(
    session: AsyncSession, plan_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ReceptionPlanShare]:
    """The shares in force, by plan (one statement for any number of plans): not
    revoked, and their consent not withdrawn."""
    if not plan_ids:
        return {}
    rows = await session.execute(
        select(ReceptionPlanShare)
        .join(Consent, Consent.id == ReceptionPlanShare.consent_id)
        .where(
            ReceptionPlanShare.plan_id.in_(list(plan_ids)),
            ReceptionPlanShare.revoked_at.is_(None),
            Consent.withdrawn_at.is_(None),
        )
    )
    return {row.plan_id: row for row in rows.scalars()}


async def current_share(session: AsyncSession, plan_id: uuid.UUID) -> ReceptionPlanShare | None:
    return (await current_shares(session, [plan_id])).get(plan_id)


async def _check_shared_with(
    session: AsyncSession, user_id: uuid.UUID | None, plan: ReceptionPlan
) -> None:
    """NOT_FOUND — the same answer as another pole's plan — unless the plan is shared,
    now, with a structure this member is attached to."""
    if plan.structure_id not in await structures_of(session, user_id) or (
        await current_share(session, plan.id) is None
    ):
        raise NotFoundError("introuvable dans ce pôle", field="planId")


async def shared_with_me(
    session: AsyncSession, caller: Caller
) -> list[tuple[ReceptionPlan, ReceptionPlanShare]]:
    """The plans shared, now, with the structures the caller is attached to."""
    actor = caller.require(SHARED_READ)
    structures = await structures_of(session, actor.user_id)
    if not structures:
        return []
    plans = list(
        await session.scalars(
            select(ReceptionPlan)
            .where(ReceptionPlan.structure_id.in_(structures))
            .order_by(ReceptionPlan.created_at, ReceptionPlan.id)
        )
    )
    shares = await current_shares(session, [p.id for p in plans])
    return [(p, shares[p.id]) for p in plans if p.id in shares]


async def revoke(session: AsyncSession, caller: Caller, plan_id: uuid.UUID) -> ReceptionPlan:
    actor = caller.require(MANAGE)
    plan: ReceptionPlan = await _get(session, ReceptionPlan, plan_id, "planId")
    row = await current_share(session, plan.id)
    if row is None:
        raise ConflictError("le projet n'est pas partagé", field="planId")
    row.revoked_at, row.revoked_by = dt.datetime.now(dt.UTC), actor.subject
    await session.flush()
    record(
        session,
        actor=actor.subject,
        action="plans.revoke",
        object_type="ReceptionPlan",
        object_id=str(plan.id),
        fields=["sharedWithStructure"],
    )
    return plan


# --- the printable document ------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    child: str
    birth_date: dt.date
    family: str
    structure: str
    version: ReceptionPlanVersion
    # What the records say about sharing and consent, on the day it is printed.
    sharing: str


def _day(moment: dt.datetime) -> str:
    return moment.strftime("%d/%m/%Y")


async def sharing_statement(
    session: AsyncSession, plan: ReceptionPlan, family_id: uuid.UUID
) -> str:
    """The footer's legal statement, read from the shares and consents (never assumed):
    shared under a consent, revoked, consent withdrawn, consent given but not shared, or
    neither. A printed plan is shown to a structure or a family as proof of what was
    agreed, so it must say the state of the records, dated."""
    last_share = (
        await session.execute(
            select(ReceptionPlanShare)
            .where(ReceptionPlanShare.plan_id == plan.id)
            .order_by(ReceptionPlanShare.shared_at.desc())
            .limit(1)
        )
    ).scalar()
    if last_share is not None:
        consent: Consent = await _get(session, Consent, last_share.consent_id, "planId")
        revoked, withdrawn = last_share.revoked_at, consent.withdrawn_at
        if revoked is None and withdrawn is None:
            fact = (
                f"Partagé avec l'équipe de la structure le {_day(last_share.shared_at)}, avec "
                f"l'accord de la famille donné le {_day(consent.given_at)}."
            )
        elif withdrawn is None or (revoked is not None and revoked <= withdrawn):
            assert revoked is not None
            fact = f"Non partagé avec la structure : le partage a été retiré le {_day(revoked)}."
        else:
            fact = (
                "Non partagé avec la structure : la famille a retiré son accord au partage "
                f"le {_day(withdrawn)}."
            )
    else:
        consents = list(
            await session.scalars(
                select(Consent)
                .where(Consent.family_id == family_id, Consent.purpose == SHARE_PURPOSE)
                .order_by(Consent.given_at.desc())
            )
        )
        active = next((c for c in consents if c.withdrawn_at is None), None)
        if active is not None:
            fact = (
                "Non partagé avec la structure : la famille a donné son accord au partage le "
                f"{_day(active.given_at)}, le projet n'a pas été partagé."
            )
        elif consents and consents[0].withdrawn_at is not None:
            fact = (
                "Non partagé avec la structure : la famille a retiré son accord au partage "
                f"le {_day(consents[0].withdrawn_at)}."
            )
        else:
            fact = "Non partagé avec la structure : la famille n'a pas donné son accord au partage."
    today = dt.datetime.now(dt.UTC)
    return f"Document confidentiel. {fact} Situation au {_day(today)}."


async def document(
    session: AsyncSession, caller: Caller, plan_id: uuid.UUID, version: int | None = None
) -> Document:
    """What the printed plan shows (the current version unless one is asked for). The
    read is audited like any read of the file. Staff of the structure it is shared with
    read its current version, while the share holds."""
    if caller.registry.allowed(caller.actor, READ) or not caller.registry.allowed(
        caller.actor, SHARED_READ
    ):
        actor = caller.require(READ)
        plan: ReceptionPlan = await _get(session, ReceptionPlan, plan_id, "planId")
    else:
        actor = caller.require(SHARED_READ)
        plan = await _get(session, ReceptionPlan, plan_id, "planId")
        await _check_shared_with(session, actor.user_id, plan)
        if version not in (None, plan.current_version):
            raise NotFoundError("version introuvable", field="version")
    number = version or plan.current_version
    row = (
        await session.execute(
            select(ReceptionPlanVersion).where(
                ReceptionPlanVersion.plan_id == plan.id, ReceptionPlanVersion.version == number
            )
        )
    ).scalar()
    if row is None:
        raise NotFoundError("version introuvable", field="version")
    child: Child = await _get(session, Child, plan.child_id, "planId")
    family: Family = await _get(session, Family, child.family_id, "planId")
    structure: Structure = await _get(session, Structure, plan.structure_id, "planId")
    record(
        session,
        actor=actor.subject,
        action="read",
        object_type="ReceptionPlan",
        object_id=str(plan.id),
        fields=["document", f"version {number}"],
    )
    sharing = await sharing_statement(session, plan, family.id)
    return Document(child.first_name, child.birth_date, family.name, structure.name, row, sharing)


SECTIONS = (
    ("needs", "Besoins de l'enfant"),
    ("habits", "Habitudes et rythmes"),
    ("communication", "Communication"),
    ("care_instructions", "Soins et consignes"),
    ("adaptations", "Adaptations prévues"),
    ("equipment", "Matériel"),
    ("evaluation", "Évaluation"),
)


def render_html(doc: Document, letterhead: Letterhead) -> str:
    """The printed plan (the PDF is this HTML, core.api.documents.pdf)."""
    return TEMPLATES.render(
        "documents/reception_plan.html", letterhead=letterhead, doc=doc, sections=SECTIONS
    )
