"""What the casework holds about a family: its requests, its children's follow-ups and
interventions.

Erasure strips every free text (who asked, what was said, notes, recommendations,
places) and keeps the dated, coded skeleton the activity report counts: a request's
channel and subjects, a follow-up's dates and outcome, an intervention's kind,
duration and kilometres.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.contributions import ExportRecord, FamilyScope, PersonalDataSource
from core.domain.casework.models import FollowUp, Intervention, Request
from core.domain.casework.vocabulary import (
    CHANNELS,
    FOLLOW_UP_STATUSES,
    INTERVENTION_KINDS,
    OUTCOMES,
    REQUEST_STATUSES,
    REQUESTER_KINDS,
    SUBJECTS,
)
from core.domain.lookups import iso

ERASED = "(effacé)"


def _requests(scope: FamilyScope):  # type: ignore[no-untyped-def]
    return or_(Request.family_id == scope.family_id, Request.child_id.in_(scope.child_ids))


async def export(session: AsyncSession, scope: FamilyScope) -> Sequence[ExportRecord]:
    records = []
    for r in await session.scalars(select(Request).where(_requests(scope)).order_by(Request.id)):
        records.append(
            ExportRecord(
                "Demande d'intervention",
                str(r.id),
                {
                    "Reçue le": iso(r.received_on),
                    "Canal": CHANNELS.get(r.channel, r.channel),
                    "Demandeur": REQUESTER_KINDS.get(r.requester_kind, r.requester_kind),
                    "Nom du demandeur": r.requester_name,
                    "Objets": [SUBJECTS.get(s, s) for s in r.subjects],
                    "Description": r.description,
                    "Statut": REQUEST_STATUSES.get(r.status, r.status),
                    "Réponse apportée le": iso(r.answered_on),
                    "Réponse": r.answer,
                },
            )
        )
    follow_ups = list(
        await session.scalars(
            select(FollowUp).where(FollowUp.child_id.in_(scope.child_ids)).order_by(FollowUp.id)
        )
    )
    for f in follow_ups:
        records.append(
            ExportRecord(
                "Suivi",
                str(f.id),
                {
                    "Enfant": str(f.child_id),
                    "Ouvert le": iso(f.opened_on),
                    "Statut": FOLLOW_UP_STATUSES.get(f.status, f.status),
                    "Clos le": iso(f.closed_on),
                    "Issue": OUTCOMES.get(f.outcome, f.outcome) if f.outcome else None,
                    "Notes de clôture": f.outcome_notes,
                },
            )
        )
    interventions = await session.scalars(
        select(Intervention)
        .where(Intervention.follow_up_id.in_([f.id for f in follow_ups]))
        .order_by(Intervention.happened_on, Intervention.id)
    )
    for i in interventions:
        records.append(
            ExportRecord(
                "Intervention",
                str(i.id),
                {
                    "Suivi": str(i.follow_up_id),
                    "Nature": INTERVENTION_KINDS.get(i.kind, i.kind),
                    "Date": iso(i.happened_on),
                    "Durée (minutes)": i.duration_minutes,
                    "Lieu": i.place,
                    "Kilomètres": i.travel_km,
                    "Notes": i.notes,
                    "Préconisations": i.recommendations,
                },
            )
        )
    return records


async def erase(session: AsyncSession, scope: FamilyScope) -> Mapping[str, int]:
    requests = await session.execute(
        update(Request)
        .where(_requests(scope))
        .values(
            requester_name=ERASED, description="", answer="", updated_at=dt.datetime.now(dt.UTC)
        )
        .execution_options(synchronize_session=False)
    )
    follow_up_ids = select(FollowUp.id).where(FollowUp.child_id.in_(scope.child_ids))
    interventions = await session.execute(
        update(Intervention)
        .where(Intervention.follow_up_id.in_(follow_up_ids))
        .values(notes="", recommendations="", place="", updated_at=dt.datetime.now(dt.UTC))
        .execution_options(synchronize_session=False)
    )
    follow_ups = await session.execute(
        update(FollowUp)
        .where(FollowUp.child_id.in_(scope.child_ids))
        .values(outcome_notes="", updated_at=dt.datetime.now(dt.UTC))
        .execution_options(synchronize_session=False)
    )
    return {
        "requests": requests.rowcount or 0,  # type: ignore[attr-defined]
        "follow_ups": follow_ups.rowcount or 0,  # type: ignore[attr-defined]
        "interventions": interventions.rowcount or 0,  # type: ignore[attr-defined]
    }


SOURCE = PersonalDataSource(
    name="casework",
    title="Demandes, suivis et interventions",
    export=export,
    erase=erase,
    order=200,
)
