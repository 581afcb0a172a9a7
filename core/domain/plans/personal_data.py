"""What reception plans hold about a family: every version of each child's plan and
its sharing. A plan describes one child from end to end, so erasure deletes it whole
(versions and shares with it) rather than keeping a skeleton."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.contributions import ExportRecord, FamilyScope, PersonalDataSource
from core.domain.lookups import delete_recorded
from core.domain.plans.models import ReceptionPlan, ReceptionPlanShare, ReceptionPlanVersion
from core.domain.plans.service import SECTIONS
from core.domain.structures.models import Structure


async def _plans(session: AsyncSession, scope: FamilyScope) -> list[tuple[ReceptionPlan, str]]:
    rows = await session.execute(
        select(ReceptionPlan, Structure.name)
        .join(Structure, Structure.id == ReceptionPlan.structure_id)
        .where(ReceptionPlan.child_id.in_(scope.child_ids))
        .order_by(ReceptionPlan.id)
    )
    return [(plan, name) for plan, name in rows]


async def export(session: AsyncSession, scope: FamilyScope) -> Sequence[ExportRecord]:
    plans = await _plans(session, scope)
    ids = [plan.id for plan, _ in plans]
    versions = await session.scalars(
        select(ReceptionPlanVersion)
        .where(ReceptionPlanVersion.plan_id.in_(ids))
        .order_by(ReceptionPlanVersion.plan_id, ReceptionPlanVersion.version)
    )
    shares = await session.scalars(
        select(ReceptionPlanShare)
        .where(ReceptionPlanShare.plan_id.in_(ids))
        .order_by(ReceptionPlanShare.shared_at)
    )
    structure = {plan.id: name for plan, name in plans}
    records = []
    for v in versions:
        fields: dict[str, object] = {
            "Enfant": str(next(p.child_id for p, _ in plans if p.id == v.plan_id)),
            "Structure": structure[v.plan_id],
            "Version": v.version,
            "Établie le": v.written_on.isoformat(),
            "Rédigée le": v.written_at.isoformat(),
            "Rédigée par": v.written_by,
        }
        for attribute, label in SECTIONS:
            fields[label] = getattr(v, attribute)
        fields["Périodes d'adaptation"] = [
            f"{p.get('starts_on')} → {p.get('ends_on') or '…'} : {p.get('description', '')}"
            for p in v.adaptation_periods
        ]
        fields["Dates de bilan"] = list(v.review_dates)
        records.append(ExportRecord("Projet d'accueil personnalisé", str(v.id), fields))
    for s in shares:
        records.append(
            ExportRecord(
                "Partage du projet d'accueil",
                str(s.id),
                {
                    "Structure": structure[s.plan_id],
                    "Partagé le": s.shared_at.isoformat(),
                    "Partagé par": s.shared_by,
                    "Révoqué le": s.revoked_at.isoformat() if s.revoked_at else None,
                    "Révoqué par": s.revoked_by,
                },
            )
        )
    return records


async def erase(session: AsyncSession, scope: FamilyScope) -> Mapping[str, int]:
    ids = [plan.id for plan, _ in await _plans(session, scope)]
    return {
        # Shares first: they point at the family's consents, which the family file
        # deletes after this source.
        "reception_plan_shares": len(
            await delete_recorded(
                session,
                ReceptionPlanShare,
                "ReceptionPlanShare",
                ReceptionPlanShare.plan_id.in_(ids),
            )
        ),
        "reception_plan_versions": len(
            await delete_recorded(
                session,
                ReceptionPlanVersion,
                "ReceptionPlanVersion",
                ReceptionPlanVersion.plan_id.in_(ids),
            )
        ),
        "reception_plans": len(
            await delete_recorded(
                session, ReceptionPlan, "ReceptionPlan", ReceptionPlan.id.in_(ids)
            )
        ),
    }


SOURCE = PersonalDataSource(
    name="plans",
    title="Projets d'accueil personnalisés",
    export=export,
    erase=erase,
    order=100,
)
