"""Outreach figures: sensitisation sessions and their participants."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from core.contributions import Dimension, FigureScope, IndicatorSpec
from core.domain.outreach.models import AwarenessSession, OutreachEvent
from core.domain.outreach.vocabulary import (
    AUDIENCES,
    EVENT_KINDS,
    REMOTE_LABEL,
    SESSION_KINDS,
    duration_label,
)
from core.plugins.dimensions import COMMUNE, EPCI, epci_of


async def _durations(_session: AsyncSession, codes: Sequence[str]) -> Mapping[str, str]:
    # As the reports print a duration counted in half days (« ½ journée », « 1 journée »).
    return {c: duration_label(int(c)) for c in codes}


AUDIENCE = Dimension("audience", "Public", labels=AUDIENCES, coarse=True)
DURATION = Dimension(
    "duration",
    "Durée",
    labels=_durations,
    coarse=True,
    order="code",
    description="Durée de la session (code : le nombre de demi-journées ; libellé : "
    "« ½ journée », « 1 journée », « 1 journée ½ »…).",
)
SESSION_KIND = Dimension("session_kind", "Type de session", labels=SESSION_KINDS, coarse=True)
# A session held by video has no commune: it is a place of its own in the tables,
# « À distance (visio) », rather than a commune « non renseignée ».
REMOTE = "distance"


def _or_remote(dimension: Dimension) -> Dimension:
    names = dimension.labels
    assert callable(names)

    async def labels(session: AsyncSession, codes: Sequence[str]) -> Mapping[str, str]:
        found = dict(await names(session, [c for c in codes if c != REMOTE]))
        return found | ({REMOTE: REMOTE_LABEL} if REMOTE in codes else {})

    return replace(
        dimension,
        labels=labels,
        description=f"{dimension.description} Code « {REMOTE} » : les séances à distance "
        "(en visio), sans commune.",
    )


SESSION_COMMUNE, SESSION_EPCI = _or_remote(COMMUNE), _or_remote(EPCI)
DIMENSIONS = (SESSION_COMMUNE, SESSION_EPCI, AUDIENCE, DURATION, SESSION_KIND)
EVENT_KIND = Dimension("event_kind", "Type d'événement", labels=EVENT_KINDS, coarse=True)


def _sessions(scope: FigureScope) -> Select:
    return select(
        AwarenessSession.id.label("unit"),
        AwarenessSession.participants_count.label("value"),
        func.coalesce(AwarenessSession.commune_insee, REMOTE).label(COMMUNE.code),
        func.coalesce(
            epci_of(AwarenessSession.commune_insee),
            # A commune outside every EPCI stays « non renseigné »; only video is remote.
            case((AwarenessSession.commune_insee.is_(None), REMOTE)),
        ).label(EPCI.code),
        AwarenessSession.audience.label(AUDIENCE.code),
        AwarenessSession.half_days.label(DURATION.code),
        AwarenessSession.kind.label(SESSION_KIND.code),
    ).where(
        AwarenessSession.held_on >= scope.period.start,
        AwarenessSession.held_on < scope.period.end,
    )


def _events(scope: FigureScope) -> Select:
    return select(
        OutreachEvent.id.label("unit"),
        OutreachEvent.people_reached.label("value"),
        OutreachEvent.kind.label(EVENT_KIND.code),
        OutreachEvent.commune_insee.label(COMMUNE.code),
        epci_of(OutreachEvent.commune_insee).label(EPCI.code),
    ).where(
        OutreachEvent.held_on >= scope.period.start,
        OutreachEvent.held_on < scope.period.end,
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
    IndicatorSpec(
        "outreach.events",
        "Événements",
        "événements",
        description="Forums, stands et présentations de la période, par type, commune et EPCI.",
        dimensions=(EVENT_KIND, COMMUNE, EPCI),
        facts=_events,
    ),
    IndicatorSpec(
        "outreach.people_reached",
        "Personnes rencontrées lors des événements",
        "personnes",
        description="Personnes rencontrées (le nombre noté pour chaque événement) de la "
        "période, par type, commune et EPCI.",
        dimensions=(EVENT_KIND, COMMUNE, EPCI),
        facts=_events,
        measure="sum",
        counts_persons=True,
    ),
]
