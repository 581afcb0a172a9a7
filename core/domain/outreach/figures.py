"""Outreach figures: sensitisation sessions and their participants."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from core.contributions import Dimension, FigureScope, IndicatorSpec
from core.domain.outreach.models import AwarenessSession
from core.domain.outreach.vocabulary import AUDIENCES, SESSION_KINDS
from core.plugins.dimensions import COMMUNE, EPCI, epci_of


async def _durations(_session: AsyncSession, codes: Sequence[str]) -> Mapping[str, str]:
    return {c: f"{c} demi-journée" + ("s" if c not in ("0", "1") else "") for c in codes}


AUDIENCE = Dimension("audience", "Public", labels=AUDIENCES, coarse=True)
DURATION = Dimension(
    "duration",
    "Durée",
    labels=_durations,
    coarse=True,
    order="code",
    description="Durée de la session en demi-journées (code : le nombre).",
)
SESSION_KIND = Dimension("session_kind", "Type de session", labels=SESSION_KINDS, coarse=True)
DIMENSIONS = (COMMUNE, EPCI, AUDIENCE, DURATION, SESSION_KIND)


def _sessions(scope: FigureScope) -> Select:
    return select(
        AwarenessSession.id.label("unit"),
        AwarenessSession.participants_count.label("value"),
        AwarenessSession.commune_insee.label(COMMUNE.code),
        epci_of(AwarenessSession.commune_insee).label(EPCI.code),
        AwarenessSession.audience.label(AUDIENCE.code),
        AwarenessSession.half_days.label(DURATION.code),
        AwarenessSession.kind.label(SESSION_KIND.code),
    ).where(
        AwarenessSession.held_on >= scope.period.start,
        AwarenessSession.held_on < scope.period.end,
    )


FIGURES = [
    IndicatorSpec(
        "outreach.sessions",
        "Sessions de sensibilisation",
        "sessions",
        description="Sessions tenues pendant la période, par commune, EPCI, public, durée et type.",
        dimensions=DIMENSIONS,
        facts=_sessions,
    ),
    IndicatorSpec(
        "outreach.participants",
        "Participants aux sessions",
        "personnes",
        description="Participants des sessions de la période (le nombre noté pour chaque "
        "session), par commune, EPCI, public, durée et type.",
        dimensions=DIMENSIONS,
        facts=_sessions,
        measure="sum",
        counts_persons=True,
    ),
]
