"""The referent network's figures, defined once with their dimensions (plugin API 1.1):
core computes totals and breakdowns from these facts in the pole's scoped session.

Cells carry codes (``eje``, ``eaje``…) and their French labels: the national network
compares poles by code, whatever language a report is printed in.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from core import sdk
from plugins.referent_charters.models import Referent, Signature, TrainingSession
from plugins.referent_charters.vocabulary import JOB_LABELS, STRUCTURE_KIND_LABELS


def session_dates(start: dt.date, end: dt.date, days: Sequence[str]) -> str:
    """« du 12 janvier 2026 au 9 février 2026 », or the days one by one when they are not
    consecutive: « les 12 janvier, 26 janvier et 9 février 2026 » (the year once when
    they share it)."""
    if not days:
        return f"du {sdk.date_fr(start)} au {sdk.date_fr(end)}"
    dates = [dt.date.fromisoformat(d) for d in days]
    if len(dates) == 1:
        return f"le {sdk.date_fr(dates[0])}"
    one_year = len({d.year for d in dates}) == 1
    shown = [
        sdk.date_fr(d).rsplit(" ", 1)[0] if one_year and d != dates[-1] else sdk.date_fr(d)
        for d in dates
    ]
    return f"les {', '.join(shown[:-1])} et {shown[-1]}"


async def _session_titles(session: AsyncSession, codes: Sequence[str]) -> Mapping[str, str]:
    ids = {uuid.UUID(code): code for code in codes}
    rows = await session.execute(
        select(
            TrainingSession.id,
            TrainingSession.title,
            TrainingSession.start_on,
            TrainingSession.end_on,
            TrainingSession.days,
        ).where(TrainingSession.id.in_(list(ids)))
    )
    return {
        ids[id_]: f"{title} ({session_dates(start, end, days)})"
        for id_, title, start, end, days in rows
    }


JOB = sdk.Dimension(
    "job", "Métier", labels={k.value: v for k, v in JOB_LABELS.items()}, coarse=True
)
STRUCTURE_KIND = sdk.Dimension(
    "structure_kind",
    "Lieu d'exercice",
    labels={k.value: v for k, v in STRUCTURE_KIND_LABELS.items()},
    coarse=True,
)
TRAINING_SESSION = sdk.Dimension(
    "training_session",
    "Session de formation",
    labels=_session_titles,
    description="La session où le référent a été formé, avec ses dates.",
)


def _new_referents(scope: sdk.FigureScope) -> Select:
    # A professional becomes a referent when their training session ends: that date,
    # not the day someone typed them in, places them in a period.
    return (
        select(
            Referent.id.label("unit"),
            Referent.job.label(JOB.code),
            Referent.structure_kind.label(STRUCTURE_KIND.code),
            Referent.training_session_id.label(TRAINING_SESSION.code),
            Referent.commune_insee.label(sdk.COMMUNE_DIMENSION.code),
            sdk.epci_of(Referent.commune_insee).label(sdk.EPCI_DIMENSION.code),
        )
        .join(Referent.training_session)
        .where(
            TrainingSession.end_on >= scope.period.start,
            TrainingSession.end_on < scope.period.end,
        )
    )


def _signatures(scope: sdk.FigureScope) -> Select:
    return (
        select(
            Signature.id.label("unit"),
            Referent.structure_kind.label(STRUCTURE_KIND.code),
            Referent.job.label(JOB.code),
        )
        .join(Signature.referent)
        .where(Signature.signed_on >= scope.period.start, Signature.signed_on < scope.period.end)
    )


new_referents = sdk.IndicatorSpec(
    name="referent_charters.new_referents",
    title="Nouveaux référents formés",
    unit="personnes",
    description="Référents dont la session de formation s'est terminée dans la période, "
    "par métier, lieu d'exercice, session, commune et EPCI.",
    dimensions=(
        JOB,
        STRUCTURE_KIND,
        TRAINING_SESSION,
        sdk.COMMUNE_DIMENSION,
        sdk.EPCI_DIMENSION,
    ),
    facts=_new_referents,
    counts_persons=True,
)


def _referents(scope: sdk.FigureScope) -> Select:
    # The network as it stands at the end of the period: every referent trained by then.
    return (
        select(
            Referent.id.label("unit"),
            Referent.job.label(JOB.code),
            Referent.structure_kind.label(STRUCTURE_KIND.code),
            Referent.commune_insee.label(sdk.COMMUNE_DIMENSION.code),
            sdk.epci_of(Referent.commune_insee).label(sdk.EPCI_DIMENSION.code),
        )
        .join(Referent.training_session)
        .where(TrainingSession.end_on < scope.period.end)
    )


referents = sdk.IndicatorSpec(
    name="referent_charters.referents",
    title="Référents du réseau",
    unit="personnes",
    description="Référents formés à la fin de la période (toutes sessions confondues), par "
    "métier, lieu d'exercice, commune et EPCI.",
    dimensions=(JOB, STRUCTURE_KIND, sdk.COMMUNE_DIMENSION, sdk.EPCI_DIMENSION),
    facts=_referents,
    counts_persons=True,
)

signatures = sdk.IndicatorSpec(
    name="referent_charters.signatures",
    title="Chartes signées",
    unit="signatures",
    description="Chartes signées par un·e référent·e dans la période, par lieu d'exercice "
    "et par métier.",
    dimensions=(STRUCTURE_KIND, JOB),
    facts=_signatures,
)
