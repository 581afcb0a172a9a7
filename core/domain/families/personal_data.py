"""What the family file holds about a family, for subject access and erasure.

Erasure keeps an anonymous skeleton: the family row (commune, marked anonymised) and
each child's row with its commune, needs profile and month of birth — what the activity
counts and age brackets of past years need — and deletes everything else that names
or describes a person: guardians, consents, free text, diagnosis, health notes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.contributions import ExportRecord, FamilyScope, PersonalDataSource
from core.domain.families.models import (
    Child,
    ChildPartner,
    ChildStructure,
    Consent,
    Family,
    Guardian,
)
from core.domain.families.vocabulary import CONSENT_PURPOSES, GUARDIAN_RELATIONSHIPS, NEEDS
from core.domain.lookups import delete_recorded, iso
from core.domain.structures.models import Partner, Structure

ANONYMOUS_FAMILY = "Dossier anonymisé"
ANONYMOUS_CHILD = "Enfant (anonymisé)"


async def export(session: AsyncSession, scope: FamilyScope) -> Sequence[ExportRecord]:
    family = await session.scalar(select(Family).where(Family.id == scope.family_id))
    if family is None:
        return []
    records = [
        ExportRecord(
            "Famille",
            str(family.id),
            {
                "Nom du dossier": family.name,
                "Commune (code INSEE)": family.commune_insee,
                "Adresse": family.address,
                "Situation familiale": family.situation,
                "Notes": family.notes,
                "Dossier ouvert le": iso(family.created_at),
                "Anonymisé le": iso(family.anonymised_at),
            },
        )
    ]
    guardians = await session.scalars(
        select(Guardian).where(Guardian.family_id == family.id).order_by(Guardian.last_name)
    )
    for g in guardians:
        records.append(
            ExportRecord(
                "Représentant légal",
                str(g.id),
                {
                    "Prénom": g.first_name,
                    "Nom": g.last_name,
                    "Lien": GUARDIAN_RELATIONSHIPS.get(g.relationship_, g.relationship_),
                    "Téléphone": g.phone,
                    "Courriel": g.email,
                },
            )
        )
    consents = await session.scalars(
        select(Consent).where(Consent.family_id == family.id).order_by(Consent.given_at)
    )
    for c in consents:
        records.append(
            ExportRecord(
                "Consentement",
                str(c.id),
                {
                    "Objet": CONSENT_PURPOSES.get(c.purpose, c.purpose),
                    "Donné par": c.given_by,
                    "Donné le": iso(c.given_at),
                    "Enregistré par": c.recorded_by,
                    "Retiré le": iso(c.withdrawn_at),
                    "Retiré par": c.withdrawn_by,
                },
            )
        )
    children = await session.scalars(
        select(Child).where(Child.family_id == family.id).order_by(Child.birth_date)
    )
    for child in children:
        records.append(
            ExportRecord(
                "Enfant",
                str(child.id),
                {
                    "Prénom": child.first_name,
                    "Date de naissance": iso(child.birth_date),
                    "Commune (code INSEE)": child.commune_insee,
                    "Besoins": child.needs,
                    "Profil des besoins": [NEEDS.get(c, c) for c in child.needs_profile],
                    "Diagnostic": child.diagnosis,
                    "Notes de santé": child.health_notes,
                },
            )
        )
    links = await session.execute(
        select(ChildStructure, Structure.name)
        .join(Structure, Structure.id == ChildStructure.structure_id)
        .where(ChildStructure.child_id.in_(scope.child_ids))
        .order_by(ChildStructure.starts_on)
    )
    for link, name in links:
        records.append(
            ExportRecord(
                "Accueil dans une structure",
                str(link.id),
                {
                    "Enfant": str(link.child_id),
                    "Structure": name,
                    "Depuis le": iso(link.starts_on),
                    "Jusqu'au": iso(link.ends_on),
                    "Notes": link.notes,
                },
            )
        )
    partners = await session.execute(
        select(ChildPartner, Partner.name)
        .join(Partner, Partner.id == ChildPartner.partner_id)
        .where(ChildPartner.child_id.in_(scope.child_ids))
        .order_by(ChildPartner.starts_on)
    )
    for link, name in partners:
        records.append(
            ExportRecord(
                "Partenaire de l'enfant",
                str(link.id),
                {
                    "Enfant": str(link.child_id),
                    "Partenaire": name,
                    "Depuis le": iso(link.starts_on),
                    "Jusqu'au": iso(link.ends_on),
                    "Notes": link.notes,
                },
            )
        )
    return records


async def erase(session: AsyncSession, scope: FamilyScope) -> Mapping[str, int]:
    counts = {
        "guardians": len(
            await delete_recorded(
                session, Guardian, "Guardian", Guardian.family_id == scope.family_id
            )
        ),
        "consents": len(
            await delete_recorded(session, Consent, "Consent", Consent.family_id == scope.family_id)
        ),
    }
    children = list(await session.scalars(select(Child).where(Child.id.in_(scope.child_ids))))
    for child in children:
        child.first_name = ANONYMOUS_CHILD
        # The month of birth keeps the age brackets of past reports right; the day goes.
        child.birth_date = child.birth_date.replace(day=1)
        child.needs = ""
        child.diagnosis = None
        child.health_notes = None
    counts["children"] = len(children)
    for model in (ChildStructure, ChildPartner):
        result = await session.execute(
            update(model).where(model.child_id.in_(scope.child_ids)).values(notes="")
        )
        counts[model.__tablename__] = result.rowcount or 0  # type: ignore[attr-defined]
    family = await session.scalar(select(Family).where(Family.id == scope.family_id))
    if family is not None:
        family.name = ANONYMOUS_FAMILY
        family.search_name = ""
        family.address = ""
        family.situation = ""
        family.notes = ""
        family.anonymised_at = dt.datetime.now(dt.UTC)
        counts["families"] = 1
    await session.flush()
    return counts


SOURCE = PersonalDataSource(
    name="families",
    title="Dossier de la famille et des enfants",
    export=export,
    erase=erase,
    # Last: the other sources' rows point at the family, its children and its consents.
    order=1000,
)
