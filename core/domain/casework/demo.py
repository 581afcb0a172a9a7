"""Demo casework: two years of requests, follow-ups and interventions for the demo
families, made by a seeded generator (the same pole always gets the same history).
Staff members are the pole's demo accounts."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.auth.demo import seed_accounts
from core.auth.models import Membership
from core.domain.casework.models import (
    FollowUp,
    FollowUpPartner,
    FollowUpStructure,
    Intervention,
    Request,
)
from core.domain.families.demo import seed_families
from core.domain.families.models import Child, ChildPartner, ChildStructure, Family, Guardian
from core.tenancy.models import Tenant

START = dt.date(2024, 11, 4)
END = dt.date(2026, 10, 30)
NOTES = {
    "phone_guidance": "(fictif) Échange avec la directrice sur les temps de repas.",
    "observation": "(fictif) Observation en section des moyens, temps d'accueil et de jeu.",
    "home_visit": "(fictif) Rencontre avec les parents à domicile.",
    "team_meeting": "(fictif) Réunion avec l'équipe et l'infirmière de la crèche.",
    "recommendations": "(fictif) Restitution des observations à l'équipe.",
    "mdph_help": "(fictif) Aide à compléter le certificat et le projet de vie.",
    "school_bridge": "(fictif) Rencontre avec l'enseignante de petite section.",
    "partner_liaison": "(fictif) Point téléphonique avec le CAMSP.",
}
RECOMMENDATIONS = (
    "Pictogrammes pour les moments clés ; un coin calme ; prévenir des transitions ; "
    "casque anti-bruit pendant les temps collectifs."
)


def _day(rng: random.Random, after: dt.date, before: dt.date = END) -> dt.date:
    span = max((before - after).days, 1)
    return after + dt.timedelta(days=rng.randint(0, span - 1))


async def seed_casework(tenant: Tenant, session: AsyncSession) -> None:
    if (await session.execute(select(Request.id).limit(1))).first():
        return
    await seed_families(tenant, session)
    await seed_accounts(tenant, session)  # the staff in charge are the demo accounts
    rng = random.Random(f"maillage-demo-casework-{tenant.slug}")
    staff = [
        m.user_id
        for m in (
            await session.execute(
                select(Membership)
                .where(Membership.active.is_(True))
                .order_by(Membership.created_at, Membership.id)
            )
        ).scalars()
        if set(m.roles) & {"coordinator", "staff", "psychologist"}
    ]
    children = list((await session.execute(select(Child).order_by(Child.birth_date))).scalars())
    if not children:
        return
    families = {f.id: f for f in (await session.execute(select(Family))).scalars()}
    guardians = {g.family_id: g for g in (await session.execute(select(Guardian))).scalars()}
    attends = {
        link.child_id: link.structure_id
        for link in (await session.execute(select(ChildStructure))).scalars()
    }
    partners = {
        link.child_id: link.partner_id
        for link in (await session.execute(select(ChildPartner))).scalars()
    }
    for index, child in enumerate(children):
        received = _day(rng, START, END - dt.timedelta(days=60))
        from_family = index % 3 != 0
        guardian = guardians.get(child.family_id)
        request = Request(
            received_on=received,
            channel=rng.choice(["phone", "email", "web_form", "in_person"]),
            requester_kind="family" if from_family else rng.choice(["eaje", "childminder"]),
            requester_name=(
                f"{guardian.first_name} {guardian.last_name}"
                if from_family and guardian
                else "Directrice de la structure (fictive)"
            ),
            family_id=child.family_id,
            child_id=child.id,
            structure_id=None if from_family else attends.get(child.id),
            subjects=sorted(
                {rng.choice(["place_search", "professional_question", "equipment", "mdph"])}
            ),
            description=f"(fictif) Demande au sujet de {child.first_name}, "
            f"{families[child.family_id].name}.",
            status="new",
        )
        session.add(request)
        await session.flush()
        if index % 5 == 4:
            request.status, request.answered_on = "answered", received + dt.timedelta(days=3)
            request.answer = "(fictif) Conseils par téléphone et envoi de ressources."
            continue
        if index % 7 == 6:
            continue  # still waiting: the tasks list shows it
        opened = received + dt.timedelta(days=rng.randint(2, 20))
        follow_up = FollowUp(
            child_id=child.id,
            request_id=request.id,
            opened_on=opened,
            referent_user_id=rng.choice(staff) if staff else None,
            status="open",
        )
        request.status = "follow_up"
        session.add(follow_up)
        await session.flush()
        if child.id in attends:
            session.add(
                FollowUpStructure(follow_up_id=follow_up.id, structure_id=attends[child.id])
            )
        if child.id in partners:
            session.add(FollowUpPartner(follow_up_id=follow_up.id, partner_id=partners[child.id]))
        day = opened
        for step in range(rng.randint(2, 7)):
            day = day + dt.timedelta(days=rng.randint(7, 45))
            if day >= END:
                break
            kind = (
                ["phone_guidance", "observation", "recommendations"][step]
                if step < 3
                else (rng.choice(list(NOTES)))
            )
            on_site = kind in {"observation", "recommendations", "team_meeting"}
            session.add(
                Intervention(
                    follow_up_id=follow_up.id,
                    kind=kind,
                    happened_on=day,
                    duration_minutes=rng.choice([30, 45, 60, 90, 120]),
                    staff_user_id=follow_up.referent_user_id,
                    structure_id=attends.get(child.id) if on_site else None,
                    travel_km=round(rng.uniform(5, 60), 1) if on_site else 0.0,
                    notes=NOTES[kind],
                    recommendations=RECOMMENDATIONS if kind == "recommendations" else "",
                )
            )
        if index % 2 == 0 and day < END - dt.timedelta(days=30):
            follow_up.status = "closed"
            follow_up.closed_on = day + dt.timedelta(days=10)
            follow_up.outcome = rng.choice(["reception_adapted", "place_found", "oriented"])
    await session.flush()
