"""The pole's directory: gestionnaires, structures, partners, contact people.

Every function checks the caller's action (the API, the CLI and the demo share these),
validates its input (kinds, communes, ranges) with errors naming the field, and
writes an audit event for every change.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, UniqueConstraint, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Caller
from core.audit.trail import record
from core.auth.models import Membership
from core.db.base import Base
from core.domain.lookups import check_commune, delete_recorded, name_words
from core.domain.lookups import get_or_not_found as _get
from core.domain.structures.models import (
    ContactPerson,
    Organisation,
    Partner,
    Structure,
    StructureStaff,
)
from core.domain.structures.vocabulary import ORGANISATION_KINDS, PARTNER_KINDS, STRUCTURE_KINDS
from core.errors import ConflictError, NotFoundError, ValidationError
from core.territory.models import Commune
from core.territory.names import normalize_name

READ = "structures.read"
MANAGE = "structures.manage"


def _kind(value: str, vocabulary: Mapping[str, str], field: str = "kind") -> str:
    if value not in vocabulary:
        raise ValidationError(
            f"type inconnu « {value} » (attendu : {', '.join(vocabulary)})", field=field
        )
    return value


def _name(value: str, field: str = "name") -> tuple[str, str]:
    name = " ".join(value.split())
    if not name:
        raise ValidationError("le nom est obligatoire", field=field)
    if len(name) > 200:
        raise ValidationError("200 caractères au plus", field=field)
    return name, normalize_name(name)


def _months(low: int | None, high: int | None) -> None:
    for value, field in ((low, "ageMinMonths"), (high, "ageMaxMonths")):
        if value is not None and not 0 <= value <= 18 * 12:
            raise ValidationError("âge en mois entre 0 et 216", field=field)
    if low is not None and high is not None and low > high:
        raise ValidationError("l'âge minimum dépasse l'âge maximum", field="ageMinMonths")


# --- organisations ---------------------------------------------------------------------


async def create_organisation(
    session: AsyncSession,
    caller: Caller,
    *,
    name: str,
    kind: str,
    commune_insee: str | None = None,
    siren: str | None = None,
) -> Organisation:
    actor = caller.require(MANAGE)
    clean, search = _name(name)
    await check_commune(session, commune_insee)
    if siren is not None and not (siren.isdigit() and len(siren) == 9):
        raise ValidationError("SIREN : 9 chiffres", field="siren")
    row = Organisation(
        name=clean,
        search_name=search,
        kind=_kind(kind, ORGANISATION_KINDS),
        commune_insee=commune_insee,
        siren=siren,
    )
    session.add(row)
    await session.flush()
    record(
        session,
        actor=actor.subject,
        action="structures.organisation.create",
        object_type="Organisation",
        object_id=str(row.id),
        fields=["name", "kind", "communeInsee", "siren"],
    )
    return row


# --- structures ------------------------------------------------------------------------


@dataclass(frozen=True)
class StructureInput:
    name: str
    kind: str
    commune_insee: str
    organisation_id: uuid.UUID | None = None
    address: str = ""
    capacity: int | None = None
    age_min_months: int | None = None
    age_max_months: int | None = None
    email: str | None = None
    phone: str | None = None
    notes: str = ""


async def _duplicate_of(
    session: AsyncSession, kind: str, search: str, commune: str, exclude: uuid.UUID | None = None
) -> Structure | None:
    statement = select(Structure).where(
        Structure.kind == kind,
        Structure.search_name == search,
        Structure.commune_insee == commune,
        Structure.merged_into_id.is_(None),
    )
    if exclude is not None:
        statement = statement.where(Structure.id != exclude)
    return (await session.execute(statement.limit(1))).scalar()


async def _check_structure(session: AsyncSession, data: StructureInput) -> tuple[str, str]:
    name, search = _name(data.name)
    _kind(data.kind, STRUCTURE_KINDS)
    await check_commune(session, data.commune_insee)
    if data.capacity is not None and data.capacity < 0:
        raise ValidationError("capacité positive ou nulle", field="capacity")
    _months(data.age_min_months, data.age_max_months)
    if data.organisation_id is not None:
        await _get(session, Organisation, data.organisation_id, "organisationId")
    return name, search


def _apply(row: Structure, data: StructureInput, name: str, search: str) -> list[str]:
    values = {
        "name": name,
        "search_name": search,
        "kind": data.kind,
        "commune_insee": data.commune_insee,
        "organisation_id": data.organisation_id,
        "address": data.address.strip(),
        "capacity": data.capacity,
        "age_min_months": data.age_min_months,
        "age_max_months": data.age_max_months,
        "email": data.email,
        "phone": data.phone,
        "notes": data.notes,
    }
    changed = [k for k, v in values.items() if getattr(row, k, None) != v and k != "search_name"]
    for key, value in values.items():
        setattr(row, key, value)
    return changed


def _camel(names: Iterable[str]) -> list[str]:
    return [n.split("_")[0] + "".join(p.capitalize() for p in n.split("_")[1:]) for n in names]


async def create_structure(
    session: AsyncSession, caller: Caller, data: StructureInput, *, allow_duplicate: bool = False
) -> Structure:
    """Add a structure. The same kind, name (ignoring case, accents and punctuation) and
    commune as an existing one is refused as a probable duplicate (CONFLICT), unless
    ``allow_duplicate`` says the person checked."""
    actor = caller.require(MANAGE)
    name, search = await _check_structure(session, data)
    if not allow_duplicate:
        twin = await _duplicate_of(session, data.kind, search, data.commune_insee)
        if twin is not None:
            raise ConflictError(
                f"« {twin.name} » existe déjà dans cette commune (doublon probable ; "
                "confirmez pour créer quand même)",
                field="name",
            )
    row = Structure()
    changed = _apply(row, data, name, search)
    session.add(row)
    await session.flush()
    record(
        session,
        actor=actor.subject,
        action="structures.create",
        object_type="Structure",
        object_id=str(row.id),
        fields=_camel(changed),
    )
    return row


async def update_structure(
    session: AsyncSession, caller: Caller, id: uuid.UUID, data: StructureInput
) -> Structure:
    actor = caller.require(MANAGE)
    row = await _get(session, Structure, id, "id")
    if row.merged_into_id is not None:
        raise ConflictError("cette fiche a été fusionnée dans une autre", field="id")
    name, search = await _check_structure(session, data)
    changed = _apply(row, data, name, search)
    await session.flush()
    if changed:
        record(
            session,
            actor=actor.subject,
            action="structures.update",
            object_type="Structure",
            object_id=str(row.id),
            fields=_camel(changed),
        )
    return row


def structures_query(
    *,
    search: str | None = None,
    kinds: Sequence[str] | None = None,
    commune_insee: str | None = None,
    epci_siren: str | None = None,
    include_merged: bool = False,
) -> Select[tuple[Structure]]:
    statement = select(Structure)
    if not include_merged:
        statement = statement.where(Structure.merged_into_id.is_(None))
    if search and search.strip():
        statement = statement.where(*name_words(Structure.search_name, search))
    if kinds:
        for kind in kinds:
            _kind(kind, STRUCTURE_KINDS, field="kinds")
        statement = statement.where(Structure.kind.in_(list(kinds)))
    if commune_insee:
        statement = statement.where(Structure.commune_insee == commune_insee)
    if epci_siren:
        statement = statement.where(
            Structure.commune_insee.in_(
                select(Commune.insee_code).where(Commune.epci_siren == epci_siren)
            )
        )
    return statement.order_by(Structure.search_name, Structure.id)


async def duplicate_groups(session: AsyncSession, caller: Caller) -> list[list[Structure]]:
    """Structures sharing kind, normalised name and commune (not yet merged)."""
    caller.require(READ)
    keys = (
        select(Structure.kind, Structure.search_name, Structure.commune_insee)
        .where(Structure.merged_into_id.is_(None))
        .group_by(Structure.kind, Structure.search_name, Structure.commune_insee)
        .having(func.count() > 1)
    )
    duplicated = keys.subquery()
    rows = await session.execute(
        select(Structure)
        .join(
            duplicated,
            (duplicated.c.kind == Structure.kind)
            & (duplicated.c.search_name == Structure.search_name)
            & (duplicated.c.commune_insee == Structure.commune_insee),
        )
        .where(Structure.merged_into_id.is_(None))
        .order_by(Structure.kind, Structure.search_name, Structure.created_at, Structure.id)
    )
    groups: dict[tuple[str, str, str], list[Structure]] = {}
    for row in rows.scalars():
        groups.setdefault((row.kind, row.search_name, row.commune_insee), []).append(row)
    return list(groups.values())


def referencing(target: type[Any]) -> list[tuple[type[Any], str]]:
    """(mapped class, column) of every tenant table with a foreign key to ``target``'s
    id (the composite ``(tenant_id, x) → (tenant_id, id)`` keys), found in the metadata
    so that a table added later is merged too. The self-reference (merged_into) is not
    a reference to move."""
    table = target.__table__
    found = []
    for mapper in Base.registry.mappers:
        other = mapper.local_table
        for constraint in other.foreign_key_constraints:
            # By name: resolving every foreign key would need every table loaded.
            if {e.target_fullname.rsplit(".", 1)[0] for e in constraint.elements} != {table.name}:
                continue
            columns = [c.name for c in constraint.columns if c.name != "tenant_id"]
            if len(columns) == 1 and not (other is table and columns[0] == "merged_into_id"):
                found.append((mapper.class_, columns[0]))
    return sorted(found, key=lambda pair: (pair[0].__tablename__, pair[1]))


def _unique_partners(model: type[Any], column: str) -> list[str]:
    """The other columns of a unique key that includes ``column`` (tenant_id aside)."""
    for constraint in model.__table__.constraints:
        if isinstance(constraint, UniqueConstraint):
            names = [c.name for c in constraint.columns if c.name != "tenant_id"]
            if column in names:
                return [n for n in names if n != column]
    return []


async def _drop_collisions(
    session: AsyncSession, model: type[Any], column: str, keep: uuid.UUID, ids: list[uuid.UUID]
) -> None:
    """Rows that would repeat a unique key once moved to the kept structure (a follow-up
    naming both duplicates, a person attached to both) are the same fact twice: the
    first one stays."""
    others = _unique_partners(model, column)
    if not others:
        return
    rows = list(
        await session.scalars(select(model).where(getattr(model, column).in_([keep, *ids])))
    )
    rows.sort(key=lambda r: getattr(r, column) != keep)  # the kept structure's rows first
    seen: set[tuple[Any, ...]] = set()
    for row in rows:
        key = tuple(getattr(row, name) for name in others)
        if key in seen:
            await session.delete(row)
        seen.add(key)
    await session.flush()


async def merge_structures(
    session: AsyncSession, caller: Caller, keep_id: uuid.UUID, merge_ids: Sequence[uuid.UUID]
) -> Structure:
    """Fold duplicates into ``keep_id``: their contacts move to it, they stay as history
    (``merged_into``) and leave the lists. All or nothing."""
    actor = caller.require(MANAGE)
    if not merge_ids:
        raise ValidationError("au moins une fiche à fusionner", field="mergeIds")
    if keep_id in merge_ids:
        raise ValidationError("une fiche ne se fusionne pas dans elle-même", field="mergeIds")
    keep = await _get(session, Structure, keep_id, "keepId")
    if keep.merged_into_id is not None:
        raise ConflictError("la fiche à garder a déjà été fusionnée", field="keepId")
    merged = []
    for index, id in enumerate(dict.fromkeys(merge_ids)):
        row = await _get(session, Structure, id, f"mergeIds.{index}")
        if row.merged_into_id is not None:
            raise ConflictError("fiche déjà fusionnée", field=f"mergeIds.{index}")
        merged.append(row)
    ids = [row.id for row in merged]
    # Every row pointing at a merged structure now points at the one kept: contacts,
    # children's attendance, and whatever table references structures later.
    for model, column in referencing(Structure):
        await _drop_collisions(session, model, column, keep.id, ids)
        await session.execute(
            update(model)
            .where(getattr(model, column).in_(ids))
            .values({column: keep.id})
            .execution_options(synchronize_session=False)
        )
    for row in merged:
        row.merged_into_id, row.active = keep.id, False
        record(
            session,
            actor=actor.subject,
            action="structures.merge",
            object_type="Structure",
            object_id=str(row.id),
            fields=["mergedInto"],
        )
    await session.flush()
    return keep


# --- partners --------------------------------------------------------------------------


async def create_partner(
    session: AsyncSession,
    caller: Caller,
    *,
    name: str,
    kind: str,
    commune_insee: str | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> Partner:
    actor = caller.require(MANAGE)
    clean, search = _name(name)
    await check_commune(session, commune_insee)
    row = Partner(
        name=clean,
        search_name=search,
        kind=_kind(kind, PARTNER_KINDS),
        commune_insee=commune_insee,
        email=email,
        phone=phone,
    )
    session.add(row)
    await session.flush()
    record(
        session,
        actor=actor.subject,
        action="structures.partner.create",
        object_type="Partner",
        object_id=str(row.id),
        fields=["name", "kind", "communeInsee", "email", "phone"],
    )
    return row


def partners_query(
    *, search: str | None = None, kinds: Sequence[str] | None = None
) -> Select[tuple[Partner]]:
    statement = select(Partner)
    if search and search.strip():
        statement = statement.where(*name_words(Partner.search_name, search))
    if kinds:
        for kind in kinds:
            _kind(kind, PARTNER_KINDS, field="kinds")
        statement = statement.where(Partner.kind.in_(list(kinds)))
    return statement.order_by(Partner.search_name, Partner.id)


# --- contact people --------------------------------------------------------------------


async def add_contact(
    session: AsyncSession,
    caller: Caller,
    *,
    structure_id: uuid.UUID | None = None,
    partner_id: uuid.UUID | None = None,
    first_name: str,
    last_name: str,
    function: str = "",
    email: str | None = None,
    phone: str | None = None,
) -> ContactPerson:
    actor = caller.require(MANAGE)
    if (structure_id is None) == (partner_id is None):
        raise ValidationError("une structure ou un partenaire (un seul)", field="structureId")
    if structure_id is not None:
        owner = await _get(session, Structure, structure_id, "structureId")
        if owner.merged_into_id is not None:
            raise ConflictError("structure fusionnée dans une autre", field="structureId")
    else:
        await _get(session, Partner, partner_id, "partnerId")  # type: ignore[arg-type]
    if not first_name.strip() and not last_name.strip():
        raise ValidationError("un nom ou un prénom", field="lastName")
    if email is not None and "@" not in email:
        raise ValidationError("adresse électronique invalide", field="email")
    row = ContactPerson(
        structure_id=structure_id,
        partner_id=partner_id,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        function=function.strip(),
        email=email,
        phone=phone,
    )
    session.add(row)
    await session.flush()
    record(
        session,
        actor=actor.subject,
        action="structures.contact.create",
        object_type="ContactPerson",
        object_id=str(row.id),
        fields=["firstName", "lastName", "function", "email", "phone"],
    )
    return row


async def update_contact(
    session: AsyncSession,
    caller: Caller,
    id: uuid.UUID,
    *,
    first_name: str,
    last_name: str,
    function: str = "",
    email: str | None = None,
    phone: str | None = None,
) -> ContactPerson:
    """Correct a contact person (same rules as adding one); the audit names the fields
    that changed."""
    actor = caller.require(MANAGE)
    row: ContactPerson = await _get(session, ContactPerson, id, "id")
    if not first_name.strip() and not last_name.strip():
        raise ValidationError("un nom ou un prénom", field="lastName")
    if email is not None and "@" not in email:
        raise ValidationError("adresse électronique invalide", field="email")
    wanted = {
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "function": function.strip(),
        "email": email,
        "phone": phone,
    }
    changed = [name for name, value in wanted.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, wanted[name])
    await session.flush()
    if changed:
        record(
            session,
            actor=actor.subject,
            action="structures.contact.update",
            object_type="ContactPerson",
            object_id=str(row.id),
            fields=_camel(changed),
        )
    return row


async def remove_contact(session: AsyncSession, caller: Caller, id: uuid.UUID) -> ContactPerson:
    """Remove a contact person (who left the structure): the row is deleted, the audit
    trail and the deletions feed keep that it was."""
    actor = caller.require(MANAGE)
    row: ContactPerson = await _get(session, ContactPerson, id, "id")
    await delete_recorded(session, ContactPerson, "ContactPerson", ContactPerson.id == row.id)
    record(
        session,
        actor=actor.subject,
        action="structures.contact.delete",
        object_type="ContactPerson",
        object_id=str(row.id),
        fields=[],
    )
    return row


async def contacts_of(
    session: AsyncSession,
    *,
    structure_ids: Sequence[uuid.UUID] = (),
    partner_ids: Sequence[uuid.UUID] = (),
) -> list[ContactPerson]:
    """Contacts of many structures / partners in one statement (DataLoader batches)."""
    conditions = []
    if structure_ids:
        conditions.append(ContactPerson.structure_id.in_(list(structure_ids)))
    if partner_ids:
        conditions.append(ContactPerson.partner_id.in_(list(partner_ids)))
    if not conditions:
        return []
    rows = await session.execute(
        select(ContactPerson)
        .where(or_(*conditions))
        .order_by(ContactPerson.last_name, ContactPerson.first_name, ContactPerson.id)
    )
    return list(rows.scalars())


# --- structure staff ---------------------------------------------------------------------

STAFF_MANAGE = "structures.staff.manage"
STAFF_ROLE = "partner_structure"


async def add_staff(
    session: AsyncSession, caller: Caller, structure_id: uuid.UUID, user_id: uuid.UUID
) -> StructureStaff:
    """Attach a member with the « Structure partenaire » role to their structure."""
    actor = caller.require(STAFF_MANAGE)
    structure: Structure = await _get(session, Structure, structure_id, "structureId")
    if structure.merged_into_id is not None:
        raise ConflictError("fiche fusionnée : rattachez à la fiche gardée", field="structureId")
    membership = await session.scalar(
        select(Membership).where(Membership.user_id == user_id, Membership.active.is_(True))
    )
    if membership is None:
        raise NotFoundError("membre introuvable dans ce pôle", field="userId")
    if STAFF_ROLE not in membership.roles:
        raise ValidationError(
            "seul un membre au rôle « Structure partenaire » se rattache à une structure",
            field="userId",
        )
    exists = await session.scalar(
        select(StructureStaff.id).where(
            StructureStaff.user_id == user_id, StructureStaff.structure_id == structure.id
        )
    )
    if exists is not None:
        raise ConflictError("ce membre est déjà rattaché à cette structure", field="userId")
    row = StructureStaff(user_id=user_id, structure_id=structure.id, added_by=actor.subject)
    session.add(row)
    await session.flush()
    record(
        session,
        actor=actor.subject,
        action="structures.staff.add",
        object_type="Structure",
        object_id=str(structure.id),
        fields=["staff"],
    )
    return row


async def remove_staff(
    session: AsyncSession, caller: Caller, structure_id: uuid.UUID, user_id: uuid.UUID
) -> None:
    actor = caller.require(STAFF_MANAGE)
    result = await session.execute(
        delete(StructureStaff)
        .where(StructureStaff.structure_id == structure_id, StructureStaff.user_id == user_id)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFoundError("ce membre n'est pas rattaché à cette structure", field="userId")
    record(
        session,
        actor=actor.subject,
        action="structures.staff.remove",
        object_type="Structure",
        object_id=str(structure_id),
        fields=["staff"],
    )


async def structures_of(session: AsyncSession, user_id: uuid.UUID | None) -> list[uuid.UUID]:
    """The structures a member works at (none for anyone not attached)."""
    if user_id is None:
        return []
    return list(
        await session.scalars(
            select(StructureStaff.structure_id).where(StructureStaff.user_id == user_id)
        )
    )
