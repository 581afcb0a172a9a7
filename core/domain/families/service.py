"""Families, guardians, consents, children and their links: the rules.

Each function checks the caller's action, validates its input (errors name the field),
and records an audit event naming the fields written — never their values. Writing a
diagnosis, health notes or a family situation needs the same explicit grant as reading
them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Caller
from core.db.sql import fold, folded
from core.domain.families.models import (
    Child,
    ChildPartner,
    ChildStructure,
    Consent,
    Family,
    Guardian,
)
from core.domain.families.vocabulary import CONSENT_PURPOSES, GUARDIAN_RELATIONSHIPS, NEEDS
from core.domain.lookups import audit, check_commune, name_words, touch
from core.domain.lookups import get_or_not_found as _get
from core.domain.structures.models import Partner, Structure
from core.errors import ConflictError, ValidationError
from core.territory.names import normalize_name

READ = "families.read"
MANAGE = "families.manage"
HEALTH = "children.health"
SITUATION = "families.situation"
# The pole follows children under this age on the day their follow-up opens (the rule is
# the follow-up's, checked in casework): a child's file itself may be of any past child.
OLDEST_YEARS = 18


def _text(value: str, field: str, limit: int = 200, required: bool = True) -> str:
    clean = " ".join(value.split())
    if required and not clean:
        raise ValidationError("champ obligatoire", field=field)
    if len(clean) > limit:
        raise ValidationError(f"{limit} caractères au plus", field=field)
    return clean


def _family_of(child_id: uuid.UUID) -> Any:
    return select(Child.family_id).where(Child.id == child_id).scalar_subquery()


# --- families --------------------------------------------------------------------------


async def create_family(
    session: AsyncSession,
    caller: Caller,
    *,
    name: str,
    commune_insee: str,
    address: str = "",
    situation: str = "",
    notes: str = "",
) -> Family:
    actor = caller.require(MANAGE)
    if situation.strip():
        caller.require(SITUATION)
    clean = _text(name, "name")
    await check_commune(session, commune_insee)
    row = Family(
        name=clean,
        search_name=normalize_name(clean),
        commune_insee=commune_insee,
        address=_text(address, "address", 300, required=False),
        situation=situation.strip(),
        notes=notes.strip(),
    )
    session.add(row)
    await session.flush()
    fields = ["name", "communeInsee", "address", "notes"] + (["situation"] if situation else [])
    audit(session, actor.subject, "families.create", "Family", row.id, fields)
    return row


async def update_family(
    session: AsyncSession,
    caller: Caller,
    family_id: uuid.UUID,
    *,
    name: str | None = None,
    commune_insee: str | None = None,
    address: str | None = None,
    situation: str | None = None,
    notes: str | None = None,
) -> Family:
    actor = caller.require(MANAGE)
    if situation is not None:
        caller.require(SITUATION)  # before anything is looked up: no probing without it
    row: Family = await _get(session, Family, family_id, "id")
    changed = []
    if name is not None:
        row.name = _text(name, "name")
        row.search_name = normalize_name(row.name)
        changed.append("name")
    if commune_insee is not None:
        await check_commune(session, commune_insee)
        row.commune_insee = commune_insee
        changed.append("communeInsee")
    if address is not None:
        row.address = _text(address, "address", 300, required=False)
        changed.append("address")
    if situation is not None:
        row.situation = situation.strip()
        changed.append("situation")
    if notes is not None:
        row.notes = notes.strip()
        changed.append("notes")
    await session.flush()
    if changed:
        audit(session, actor.subject, "families.update", "Family", row.id, changed)
    return row


def families_query(
    *,
    search: str | None = None,
    commune_insee: str | None = None,
    include_anonymised: bool = False,
) -> Select[tuple[Family]]:
    statement = select(Family)
    if not include_anonymised:
        # Anonymised files are skeletons kept for the activity counts: out of the lists.
        statement = statement.where(Family.anonymised_at.is_(None))
    if search and search.strip():
        statement = statement.where(*_family_words(search))
    if commune_insee:
        statement = statement.where(Family.commune_insee == commune_insee)
    return statement.order_by(Family.search_name, Family.id)


def _family_words(search: str) -> list[Any]:
    """Every word typed names the family: in its name, or in one of its children's first
    names (« mael dupont », « Maël » or « dupont » find the Dupont family whose child is
    Maël: people remember a child's first name as often as the family's)."""
    conditions = []
    for word in search.split():
        in_family = name_words(Family.search_name, word)
        if not in_family:  # punctuation alone names nobody
            continue
        child = select(Child.id).where(Child.family_id == Family.id, first_name_like(word))
        conditions.append(or_(and_(*in_family), child.exists()))
    return conditions


def first_name_like(word: str) -> Any:
    """A child's first name holds ``word``, accents and case aside (« mael », « Maël » and
    « MAËL » find Maël; decision 215); LIKE's wildcards typed are matched literally."""
    literal = fold(word).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return folded(Child.first_name).like(f"%{literal}%", escape="\\")


async def add_guardian(
    session: AsyncSession,
    caller: Caller,
    family_id: uuid.UUID,
    *,
    first_name: str,
    last_name: str,
    relationship: str,
    phone: str | None = None,
    email: str | None = None,
) -> Guardian:
    actor = caller.require(MANAGE)
    await _get(session, Family, family_id, "familyId")
    if relationship not in GUARDIAN_RELATIONSHIPS:
        raise ValidationError(
            f"lien inconnu (attendu : {', '.join(GUARDIAN_RELATIONSHIPS)})", field="relationship"
        )
    if email is not None and "@" not in email:
        raise ValidationError("adresse électronique invalide", field="email")
    row = Guardian(
        family_id=family_id,
        first_name=_text(first_name, "firstName", 100),
        last_name=_text(last_name, "lastName", 100),
        relationship_=relationship,
        phone=phone,
        email=email,
    )
    session.add(row)
    await session.flush()
    audit(
        session,
        actor.subject,
        "families.guardian.create",
        "Guardian",
        row.id,
        ["firstName", "lastName", "relationship", "phone", "email"],
    )
    await touch(session, Family, family_id)
    return row


# --- consents --------------------------------------------------------------------------


async def active_consent(
    session: AsyncSession, family_id: uuid.UUID, purpose: str
) -> Consent | None:
    return (
        await session.execute(
            select(Consent).where(
                Consent.family_id == family_id,
                Consent.purpose == purpose,
                Consent.withdrawn_at.is_(None),
            )
        )
    ).scalar()


async def record_consent(
    session: AsyncSession,
    caller: Caller,
    family_id: uuid.UUID,
    *,
    purpose: str,
    given_by: str,
    given_at: dt.datetime,
) -> Consent:
    """Record what the family agreed to, who said so and when (one active consent per
    purpose; a new one after a withdrawal is a new record)."""
    actor = caller.require(MANAGE)
    await _get(session, Family, family_id, "familyId")
    if purpose not in CONSENT_PURPOSES:
        raise ValidationError(
            f"objet inconnu (attendu : {', '.join(CONSENT_PURPOSES)})", field="purpose"
        )
    if given_at.tzinfo is None:
        raise ValidationError("date et heure avec fuseau attendues", field="givenAt")
    if given_at > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5):
        raise ValidationError("un consentement ne se donne pas dans le futur", field="givenAt")
    if await active_consent(session, family_id, purpose) is not None:
        raise ConflictError("ce consentement est déjà enregistré et actif", field="purpose")
    row = Consent(
        family_id=family_id,
        purpose=purpose,
        given_by=_text(given_by, "givenBy"),
        given_at=given_at,
        recorded_by=actor.subject,
    )
    session.add(row)
    await session.flush()
    audit(
        session,
        actor.subject,
        "families.consent.record",
        "Consent",
        row.id,
        ["purpose", "givenBy", "givenAt"],
    )
    await touch(session, Family, row.family_id)
    return row


async def withdraw_consent(
    session: AsyncSession, caller: Caller, consent_id: uuid.UUID, *, by: str
) -> Consent:
    actor = caller.require(MANAGE)
    row: Consent = await _get(session, Consent, consent_id, "id")
    if row.withdrawn_at is not None:
        raise ConflictError("ce consentement est déjà retiré", field="id")
    row.withdrawn_at = dt.datetime.now(dt.UTC)
    row.withdrawn_by = _text(by, "by")
    await session.flush()
    audit(session, actor.subject, "families.consent.withdraw", "Consent", row.id, ["withdrawnAt"])
    await touch(session, Family, row.family_id)
    return row


# --- children --------------------------------------------------------------------------


def _birth(value: dt.date, today: dt.date) -> dt.date:
    # No age limit against today: a pole bringing its past in records a child followed in
    # 2021 at 15, who is 20 now. The age limit is checked on the follow-up's dates.
    if value > today:
        raise ValidationError("la date de naissance est dans le futur", field="birthDate")
    return value


def _profile(codes: Sequence[str]) -> list[str]:
    unknown = [c for c in codes if c not in NEEDS]
    if unknown:
        raise ValidationError(f"besoins inconnus : {', '.join(unknown)}", field="needsProfile")
    return sorted(set(codes))


async def add_child(
    session: AsyncSession,
    caller: Caller,
    family_id: uuid.UUID,
    *,
    first_name: str,
    birth_date: dt.date,
    commune_insee: str | None = None,
    needs: str = "",
    needs_profile: Sequence[str] = (),
    diagnosis: str | None = None,
    health_notes: str | None = None,
    today: dt.date | None = None,
) -> Child:
    actor = caller.require(MANAGE)
    if diagnosis or health_notes:
        caller.require(HEALTH)
    family: Family = await _get(session, Family, family_id, "familyId")
    commune = commune_insee or family.commune_insee
    await check_commune(session, commune)
    row = Child(
        family_id=family_id,
        first_name=_text(first_name, "firstName", 100),
        birth_date=_birth(birth_date, today or dt.date.today()),
        commune_insee=commune,
        needs=needs.strip(),
        needs_profile=_profile(needs_profile),
        diagnosis=diagnosis.strip() if diagnosis else None,
        health_notes=health_notes.strip() if health_notes else None,
    )
    session.add(row)
    await session.flush()
    fields = ["firstName", "birthDate", "communeInsee", "needs", "needsProfile"]
    fields += [f for f, v in (("diagnosis", diagnosis), ("healthNotes", health_notes)) if v]
    audit(session, actor.subject, "children.create", "Child", row.id, fields)
    await touch(session, Family, row.family_id)
    return row


async def update_child(
    session: AsyncSession,
    caller: Caller,
    child_id: uuid.UUID,
    *,
    first_name: str | None = None,
    birth_date: dt.date | None = None,
    commune_insee: str | None = None,
    needs: str | None = None,
    needs_profile: Sequence[str] | None = None,
    diagnosis: str | None = None,
    health_notes: str | None = None,
    today: dt.date | None = None,
) -> Child:
    actor = caller.require(MANAGE)
    if diagnosis is not None or health_notes is not None:
        caller.require(HEALTH)
    row: Child = await _get(session, Child, child_id, "id")
    changed = []
    if first_name is not None:
        row.first_name, changed = _text(first_name, "firstName", 100), [*changed, "firstName"]
    if birth_date is not None:
        row.birth_date = _birth(birth_date, today or dt.date.today())
        changed.append("birthDate")
    if commune_insee is not None:
        await check_commune(session, commune_insee)
        row.commune_insee, changed = commune_insee, [*changed, "communeInsee"]
    if needs is not None:
        row.needs, changed = needs.strip(), [*changed, "needs"]
    if needs_profile is not None:
        row.needs_profile, changed = _profile(needs_profile), [*changed, "needsProfile"]
    if diagnosis is not None:
        row.diagnosis, changed = diagnosis.strip() or None, [*changed, "diagnosis"]
    if health_notes is not None:
        row.health_notes, changed = health_notes.strip() or None, [*changed, "healthNotes"]
    await session.flush()
    if changed:
        audit(session, actor.subject, "children.update", "Child", row.id, changed)
        await touch(session, Family, row.family_id)
    return row


def _period(starts_on: dt.date, ends_on: dt.date | None) -> None:
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError("la fin précède le début", field="endsOn")


async def link_structure(
    session: AsyncSession,
    caller: Caller,
    child_id: uuid.UUID,
    structure_id: uuid.UUID,
    *,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    notes: str = "",
) -> ChildStructure:
    actor = caller.require(MANAGE)
    await _get(session, Child, child_id, "childId")
    structure: Structure = await _get(session, Structure, structure_id, "structureId")
    if structure.merged_into_id is not None:
        raise ConflictError("structure fusionnée dans une autre", field="structureId")
    _period(starts_on, ends_on)
    row = ChildStructure(
        child_id=child_id,
        structure_id=structure_id,
        starts_on=starts_on,
        ends_on=ends_on,
        notes=_text(notes, "notes", 300, required=False),
    )
    session.add(row)
    await session.flush()
    audit(
        session,
        actor.subject,
        "children.structure.link",
        "Child",
        child_id,
        ["structures"],
    )
    await touch(session, Family, _family_of(child_id))
    return row


async def end_structure(
    session: AsyncSession, caller: Caller, link_id: uuid.UUID, *, ends_on: dt.date
) -> ChildStructure:
    actor = caller.require(MANAGE)
    row: ChildStructure = await _get(session, ChildStructure, link_id, "id")
    if row.ends_on is not None:
        raise ConflictError("cet accueil est déjà terminé", field="id")
    _period(row.starts_on, ends_on)
    row.ends_on = ends_on
    await session.flush()
    audit(session, actor.subject, "children.structure.end", "Child", row.child_id, ["structures"])
    await touch(session, Family, _family_of(row.child_id))
    return row


async def link_partner(
    session: AsyncSession,
    caller: Caller,
    child_id: uuid.UUID,
    partner_id: uuid.UUID,
    *,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    notes: str = "",
) -> ChildPartner:
    actor = caller.require(MANAGE)
    await _get(session, Child, child_id, "childId")
    await _get(session, Partner, partner_id, "partnerId")
    _period(starts_on, ends_on)
    row = ChildPartner(
        child_id=child_id,
        partner_id=partner_id,
        starts_on=starts_on,
        ends_on=ends_on,
        notes=_text(notes, "notes", 300, required=False),
    )
    session.add(row)
    await session.flush()
    audit(session, actor.subject, "children.partner.link", "Child", child_id, ["partners"])
    await touch(session, Family, _family_of(child_id))
    return row
