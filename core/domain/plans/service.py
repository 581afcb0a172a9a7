"""Reception plans: write (a new version each time), share under the family's consent,
revoke, and render the printable document (HTML and PDF, in French)."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Caller
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


def _check(content: PlanContent) -> None:
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


async def write_plan(
    session: AsyncSession,
    caller: Caller,
    *,
    content: PlanContent,
    child_id: uuid.UUID | None = None,
    structure_id: uuid.UUID | None = None,
    plan_id: uuid.UUID | None = None,
) -> ReceptionPlan:
    """Create the plan of a child in a structure, or add a version to ``plan_id``."""
    actor = caller.require(MANAGE)
    _check(content)
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


def _date(value: str | dt.date) -> str:
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
    return day.strftime("%d/%m/%Y")


def render_html(doc: Document) -> str:
    v = doc.version
    parts = [
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">',
        f"<title>Projet d'accueil personnalisé — {escape(doc.child)}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;"
        "color:#1b1b1b}h1{font-size:1.5rem}h2{font-size:1.1rem;border-bottom:1px solid #ccc}"
        "p{white-space:pre-wrap}.meta{color:#555}@media print{body{margin:0}}</style>",
        "</head><body>",
        "<h1>Projet d'accueil personnalisé</h1>",
        f'<p class="meta">{escape(doc.child)}, né·e le {_date(doc.birth_date)} '
        f"({escape(doc.family)}) — accueil : {escape(doc.structure)}<br>"
        f"Version {v.version} du {v.written_at:%d/%m/%Y}</p>",
    ]
    for name, title in SECTIONS:
        text = getattr(v, name)
        if text:
            parts.append(f"<h2>{escape(title)}</h2><p>{escape(text)}</p>")
    if v.adaptation_periods:
        parts.append("<h2>Périodes d'adaptation</h2><ul>")
        for p in v.adaptation_periods:
            parts.append(
                f"<li>du {_date(p['starts_on'])} au {_date(p['ends_on'])} : "
                f"{escape(p['description'])}</li>"
            )
        parts.append("</ul>")
    if v.review_dates:
        dates = ", ".join(_date(d) for d in v.review_dates)
        parts.append(f"<h2>Dates de bilan</h2><p>{dates}</p>")
    parts.append(f'<p class="meta">{escape(doc.sharing)}</p></body></html>')
    return "".join(parts)


def render_pdf(doc: Document) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    v = doc.version

    def para(text: str, style: str = "BodyText") -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), styles[style])

    story: list[Any] = [
        para("Projet d'accueil personnalisé", "Title"),
        para(
            f"{doc.child}, né·e le {_date(doc.birth_date)} ({doc.family}) — accueil : "
            f"{doc.structure} — version {v.version} du {v.written_at:%d/%m/%Y}",
            "Italic",
        ),
        Spacer(1, 12),
    ]
    for name, title in SECTIONS:
        text = getattr(v, name)
        if text:
            story += [para(title, "Heading2"), para(text)]
    if v.adaptation_periods:
        story.append(para("Périodes d'adaptation", "Heading2"))
        for p in v.adaptation_periods:
            story.append(
                para(f"du {_date(p['starts_on'])} au {_date(p['ends_on'])} : {p['description']}")
            )
    if v.review_dates:
        story += [
            para("Dates de bilan", "Heading2"),
            para(", ".join(_date(d) for d in v.review_dates)),
        ]
    story += [
        Spacer(1, 18),
        para(doc.sharing, "Italic"),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=A4, title=f"Projet d'accueil — {doc.child}", author="maillage"
    ).build(story)
    return buffer.getvalue()
