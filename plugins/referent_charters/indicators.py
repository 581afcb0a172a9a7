"""The referent network's indicators: numbers only, computed in the pole's scoped session.

Breakdowns use codes (``eje``, ``eaje``…), not labels: the national network compares
poles cell by cell, whatever language a report is printed in.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core import sdk
from plugins.referent_charters.models import Referent, Signature, TrainingSession


async def _new_referents(session: AsyncSession, period: sdk.Period) -> sdk.IndicatorResult:
    # A professional becomes a referent when their training session ends: that date,
    # not the day someone typed them in, places them in a period.
    rows = await session.execute(
        select(Referent.job, func.count())
        .join(Referent.training_session)
        .where(TrainingSession.end_on >= period.start, TrainingSession.end_on < period.end)
        .group_by(Referent.job)
    )
    by_job = {job: int(n) for job, n in rows}
    return {"total": sum(by_job.values()), **by_job}


async def _signatures(session: AsyncSession, period: sdk.Period) -> sdk.IndicatorResult:
    rows = await session.execute(
        select(Referent.structure_kind, func.count())
        .select_from(Signature)
        .join(Signature.referent)
        .where(Signature.signed_on >= period.start, Signature.signed_on < period.end)
        .group_by(Referent.structure_kind)
    )
    by_kind = {kind: int(n) for kind, n in rows}
    return {"total": sum(by_kind.values()), **by_kind}


new_referents = sdk.IndicatorSpec(
    name="referent_charters.new_referents",
    title="Nouveaux référents formés",
    unit="personnes",
    description="Référents dont la session de formation s'est terminée dans la période, "
    "par métier (eje, cap_aepe, nurse, director, childminder, rsai, other).",
    compute=_new_referents,
)

signatures = sdk.IndicatorSpec(
    name="referent_charters.signatures",
    title="Chartes signées",
    unit="signatures",
    description="Chartes signées par un·e référent·e dans la période, par lieu d'exercice "
    "(eaje, domicile).",
    compute=_signatures,
)
