"""Core's entities as a plugin references them: a column and its foreign key for the
plugin's model, a look-up that checks an id a client sent, and the core GraphQL type
with a batched loader for the plugin's own types.

The foreign key of a tenant entity is composite, ``(tenant_id, x_id) → x(tenant_id,
id)``: the database itself refuses a row of one pole pointing at another pole's family.
Communes and EPCI are shared reference data (one copy for every pole), keyed by their
official code; a staff member is a person's account (``users.id``), checked against the
pole's team by the look-up.

A look-up answers exactly as core's own mutations do for an id they cannot use: NOT_FOUND
"introuvable dans ce pôle" naming the field — for a malformed id, a missing row and
another pole's row alike, so nothing tells them apart (decision 104).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import strawberry
from sqlalchemy import ForeignKeyConstraint, String, Uuid, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import mapped_column
from strawberry.types import Info

from core.api.context import Context
from core.api.gates import action_gate
from core.api.ids import try_uuid
from core.api.loaders import one, resolved
from core.api.staff import StaffMember
from core.auth.models import Membership, User
from core.domain.entities import views
from core.domain.families import service as families
from core.domain.families.graphql import Child, Family, children_by_id, families_by_id
from core.domain.families.models import Child as ChildModel
from core.domain.families.models import Family as FamilyModel
from core.domain.families.vocabulary import CONSENT_PURPOSES
from core.domain.kits import service as kits
from core.domain.kits.graphql import Kit, kits_by_id
from core.domain.kits.models import Kit as KitModel
from core.domain.structures import service as structures
from core.domain.structures.graphql import (
    Organisation,
    Partner,
    Structure,
    organisations_by_id,
    partners_by_id,
    structures_by_id,
)
from core.domain.structures.models import Organisation as OrganisationModel
from core.domain.structures.models import Partner as PartnerModel
from core.domain.structures.models import Structure as StructureModel
from core.errors import ForbiddenError, NotFoundError, ValidationError
from core.tenancy.scoped import tenant_fk
from core.territory import search
from core.territory.graphql import Commune, Epci, communes_by_insee
from core.territory.models import Commune as CommuneModel
from core.territory.models import Epci as EpciModel

NOT_IN_POLE = "introuvable dans ce pôle"


async def epcis_by_siren(session: AsyncSession, sirens: Sequence[str]) -> dict[str, Epci]:
    """EPCI by SIREN: one statement (a DataLoader batch)."""
    return {e.siren: Epci.from_model(e) for e in await search.get_epcis(session, sirens)}


@dataclass(frozen=True)
class CoreEntity:
    """One of core's entities a plugin may point to (``sdk.FAMILY``, ``sdk.COMMUNE``…).

    ``column()`` declares the plugin's column, ``key(column)`` its foreign key (put it in
    ``__table_args__``), ``type`` is core's GraphQL type (annotate a field with it),
    ``field(attribute)`` resolves such a field from the id the plugin's object holds,
    through the request's loader: a page of 100 rows reads its families in one
    statement, and only when the query selects them."""

    name: str
    table: str
    target: str
    tenant: bool
    type: type
    read_action: str | None
    _sql_type: Callable[[], Any]
    _load: Callable[[Context, Any], Awaitable[Any]]

    def column(self, *, nullable: bool = False, **kw: Any) -> Any:
        """The plugin's column holding this entity's id (its type is core's)."""
        return mapped_column(self._sql_type(), nullable=nullable, **kw)

    def key(
        self, column: str, *, ondelete: str | None = None, name: str | None = None
    ) -> ForeignKeyConstraint:
        """The foreign key of ``column`` to this entity: ``(tenant_id, column)`` for a
        pole's entity (never another pole's row), ``column`` alone for reference data."""
        if self.tenant:
            return tenant_fk([column], self.table, ondelete=ondelete, name=name)
        return ForeignKeyConstraint(
            [column], [f"{self.table}.{self.target}"], ondelete=ondelete, name=name
        )

    def load(self, info: Info[Context, None], key: Any) -> Awaitable[Any]:
        """Core's GraphQL object for ``key`` (None for None or a row not found), batched
        over the request. Refused (FORBIDDEN) to a person without core's read action
        for it: a plugin never shows more than core would."""
        ctx: Context = info.context
        if self.read_action is not None and not ctx.can(self.read_action):
            raise ForbiddenError(f"action requise : {self.read_action}")
        if key is None:
            return resolved(None)
        return self._load(ctx, key)

    def field(self, attribute: str, *, description: str | None = None) -> Any:
        """A field of the plugin's type answering core's object for the id held in
        ``attribute``: ``family: sdk.Family = sdk.FAMILY.field("family_id")``. Person
        fields read through it are audited as core audits them."""
        entity = self

        def resolve(root: Any, info: Info[Context, None]):  # type: ignore[no-untyped-def]
            return entity.load(info, getattr(root, attribute))

        extensions = [] if self.read_action is None else [action_gate(self.read_action)]
        return strawberry.field(resolver=resolve, description=description, extensions=extensions)


def _loader(
    batch: Callable[..., Any], convert: Callable[[Any], Any] = uuid.UUID
) -> Callable[[Context, Any], Awaitable[Any]]:
    def load(ctx: Context, key: Any) -> Awaitable[Any]:
        return one(ctx, batch).load(key if isinstance(key, uuid.UUID) else convert(key))

    return load


async def pole_staff(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """Members of the pole (past ones too: a record keeps who made it) by account id, one
    statement: an account id of another pole names nobody here."""
    rows = await session.execute(
        select(User.id, User.display_name)
        .join(Membership, Membership.user_id == User.id)
        .where(User.id.in_(ids))
    )
    return {
        r.id: StaffMember(user_id=strawberry.ID(str(r.id)), display_name=r.display_name)
        for r in rows
    }


def _uuid() -> Any:
    return Uuid()


def _pole_entity(
    name: str, table: str, type_: type, read_action: str, batch: Callable[..., Any]
) -> CoreEntity:
    """One of the pole's records: a UUID, the composite key, core's read action."""
    return CoreEntity(name, table, "id", True, type_, read_action, _uuid, _loader(batch))


FAMILY = _pole_entity("family", "families", Family, families.READ, families_by_id)
CHILD = _pole_entity("child", "children", Child, families.READ, children_by_id)
STRUCTURE = _pole_entity("structure", "structures", Structure, structures.READ, structures_by_id)
ORGANISATION = _pole_entity(
    "organisation", "organisations", Organisation, structures.READ, organisations_by_id
)
PARTNER = _pole_entity("partner", "partners", Partner, structures.READ, partners_by_id)
# A pedagogical kit of the pole's catalogue (API 1.1, issue 19: materials of an activity).
KIT = _pole_entity("kit", "kits", Kit, kits.READ, kits_by_id)
# An account (shared table), named only when it is (or was) a member of the pole.
STAFF_MEMBER = CoreEntity(
    "staff_member", "users", "id", False, StaffMember, None, _uuid, _loader(pole_staff)
)
# Shared reference data, keyed by official codes; no read action (as in core's schema).
COMMUNE = CoreEntity(
    "commune",
    "communes",
    "insee_code",
    False,
    Commune,
    None,
    lambda: String(5),
    _loader(communes_by_insee, str),
)
EPCI = CoreEntity(
    "epci", "epci", "siren", False, Epci, None, lambda: String(9), _loader(epcis_by_siren, str)
)
ENTITIES = (FAMILY, CHILD, STRUCTURE, ORGANISATION, PARTNER, KIT, STAFF_MEMBER, COMMUNE, EPCI)


# --- look-ups ------------------------------------------------------------------------


def _id(value: Any, field: str) -> uuid.UUID:
    """A raw UUID or a Relay global id; anything else is NOT_FOUND, as in core."""
    found = value if isinstance(value, uuid.UUID) else try_uuid(value)
    if found is None:
        raise NotFoundError(NOT_IN_POLE, field=field)
    return found


async def _row(session: AsyncSession, statement: Any, field: str) -> Any:
    row = (await session.execute(statement)).first()
    if row is None:
        raise NotFoundError(NOT_IN_POLE, field=field)
    return row


async def find_family(
    session: AsyncSession, id: Any, *, field: str, anonymised: bool = False
) -> views.FamilyView:
    """The pole's family ``id`` (raw or global id) or NOT_FOUND naming ``field``. An
    anonymised file takes no new data: VALIDATION, unless ``anonymised=True``."""
    r = await _row(
        session,
        select(
            FamilyModel.id, FamilyModel.name, FamilyModel.commune_insee, FamilyModel.anonymised_at
        ).where(FamilyModel.id == _id(id, field)),
        field,
    )
    if r.anonymised_at is not None and not anonymised:
        raise ValidationError(
            "ce dossier est anonymisé : il ne reçoit plus de données", field=field
        )
    return views.FamilyView(r.id, r.name, r.commune_insee, r.anonymised_at is not None)


async def find_child(
    session: AsyncSession, id: Any, *, field: str, family_id: uuid.UUID | None = None
) -> views.ChildView:
    """The pole's child ``id`` or NOT_FOUND naming ``field``; with ``family_id``, a
    child of another family of the pole is VALIDATION on ``field``."""
    r = await _row(
        session,
        select(
            ChildModel.id,
            ChildModel.family_id,
            ChildModel.first_name,
            ChildModel.birth_date,
            ChildModel.commune_insee,
        ).where(ChildModel.id == _id(id, field)),
        field,
    )
    if family_id is not None and r.family_id != family_id:
        raise ValidationError("cet enfant n'est pas de cette famille", field=field)
    return views.ChildView(r.id, r.family_id, r.first_name, r.birth_date, r.commune_insee)


async def list_families(session: AsyncSession, *, limit: int = 100) -> list[views.FamilyView]:
    """The pole's live families (not anonymised), by name: at most ``limit``."""
    rows = await session.execute(
        select(
            FamilyModel.id, FamilyModel.name, FamilyModel.commune_insee, FamilyModel.anonymised_at
        )
        .where(FamilyModel.anonymised_at.is_(None))
        .order_by(FamilyModel.search_name, FamilyModel.id)
        .limit(limit)
    )
    return [views.FamilyView(r.id, r.name, r.commune_insee, False) for r in rows]


async def list_children(session: AsyncSession, family_id: uuid.UUID) -> list[views.ChildView]:
    """A family's children, eldest first (none for another pole's family)."""
    rows = await session.execute(
        select(
            ChildModel.id,
            ChildModel.family_id,
            ChildModel.first_name,
            ChildModel.birth_date,
            ChildModel.commune_insee,
        )
        .where(ChildModel.family_id == family_id)
        .order_by(ChildModel.birth_date, ChildModel.id)
    )
    return [views.ChildView(*r) for r in rows]


async def find_structure(session: AsyncSession, id: Any, *, field: str) -> views.StructureView:
    """The pole's structure ``id`` or NOT_FOUND naming ``field``."""
    m = StructureModel
    r = await _row(
        session,
        select(m.id, m.name, m.kind, m.commune_insee).where(m.id == _id(id, field)),
        field,
    )
    return views.StructureView(r.id, r.name, r.kind, r.commune_insee)


async def find_organisation(
    session: AsyncSession, id: Any, *, field: str
) -> views.OrganisationView:
    """The pole's organisation (gestionnaire) ``id`` or NOT_FOUND naming ``field``."""
    m = OrganisationModel
    r = await _row(session, select(m.id, m.name, m.kind).where(m.id == _id(id, field)), field)
    return views.OrganisationView(r.id, r.name, r.kind)


async def find_partner(session: AsyncSession, id: Any, *, field: str) -> views.PartnerView:
    """The pole's partner ``id`` or NOT_FOUND naming ``field``."""
    m = PartnerModel
    r = await _row(session, select(m.id, m.name, m.kind).where(m.id == _id(id, field)), field)
    return views.PartnerView(r.id, r.name, r.kind)


async def find_kit(session: AsyncSession, id: Any, *, field: str) -> views.KitView:
    """The pole's kit ``id`` (raw or global id) or NOT_FOUND naming ``field``."""
    m = KitModel
    r = await _row(
        session, select(m.id, m.name, m.theme, m.status).where(m.id == _id(id, field)), field
    )
    return views.KitView(r.id, r.name, r.theme, r.status)


async def list_partners(
    session: AsyncSession, *, kind: str | None = None, limit: int = 100
) -> list[views.PartnerView]:
    """The pole's partners (of one kind: ``family_association``, ``camsp``…), by name:
    at most ``limit``."""
    m = PartnerModel
    statement = select(m.id, m.name, m.kind).order_by(m.search_name, m.id).limit(limit)
    if kind is not None:
        statement = statement.where(m.kind == kind)
    return [views.PartnerView(r.id, r.name, r.kind) for r in await session.execute(statement)]


async def list_kits(session: AsyncSession, *, limit: int = 100) -> list[views.KitView]:
    """The pole's kits by name (retired ones too: ``status`` says so): at most ``limit``."""
    m = KitModel
    statement = select(m.id, m.name, m.theme, m.status).order_by(m.search_name, m.id).limit(limit)
    return [
        views.KitView(r.id, r.name, r.theme, r.status) for r in await session.execute(statement)
    ]


async def list_staff_members(
    session: AsyncSession, *, roles: Collection[str] | None = None, limit: int = 100
) -> list[views.StaffMemberView]:
    """The pole's active members by name, those holding one of ``roles`` if given
    (``sdk.POLE_ROLES``: the team, not the families or partners who have an account):
    at most ``limit``."""
    rows = await session.execute(
        select(User.id, User.display_name, Membership.roles)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.active.is_(True))
        .order_by(User.display_name, User.id)
    )
    # Roles are a JSON list: filtered here, a pole's team being a few dozen rows at most.
    wanted = None if roles is None else set(roles)
    found = [
        views.StaffMemberView(r.id, r.display_name)
        for r in rows
        if wanted is None or wanted & set(r.roles or ())
    ]
    return found[:limit]


async def find_staff_member(session: AsyncSession, id: Any, *, field: str) -> views.StaffMemberView:
    """A member of the pole's team (an active membership of this pole) by account id,
    or NOT_FOUND naming ``field``: a person of another pole is not found here."""
    r = await _row(
        session,
        select(User.id, User.display_name)
        .join(Membership, Membership.user_id == User.id)
        .where(User.id == _id(id, field), Membership.active.is_(True)),
        field,
    )
    return views.StaffMemberView(r.id, r.display_name)


async def find_commune(session: AsyncSession, insee: str, *, field: str) -> views.CommuneView:
    """The commune of this INSEE code or VALIDATION naming ``field`` (as core's own
    commune fields answer)."""
    m = CommuneModel
    row = (
        await session.execute(
            select(m.insee_code, m.name, m.departement_code, m.epci_siren).where(
                m.insee_code == str(insee).strip()
            )
        )
    ).first()
    if row is None:
        raise ValidationError(f"commune inconnue : {insee}", field=field)
    return views.CommuneView(row.insee_code, row.name, row.departement_code, row.epci_siren)


async def find_epci(session: AsyncSession, siren: str, *, field: str) -> views.EpciView:
    """The EPCI of this SIREN or VALIDATION naming ``field``."""
    row = (
        await session.execute(
            select(EpciModel.siren, EpciModel.name).where(EpciModel.siren == str(siren).strip())
        )
    ).first()
    if row is None:
        raise ValidationError(f"EPCI inconnu : {siren}", field=field)
    return views.EpciView(row.siren, row.name)


async def consent_active(session: AsyncSession, family_id: uuid.UUID, purpose: str) -> bool:
    """Whether the pole's family ``family_id`` holds an active (not withdrawn) consent for
    ``purpose`` (a code of core's consent purposes). Asked at each use: a withdrawal
    recorded on the family's file closes what the consent opened at once."""
    if purpose not in CONSENT_PURPOSES:
        raise ValueError(f"unknown consent purpose {purpose!r}")
    return await families.active_consent(session, family_id, purpose) is not None


LOOKUPS: Mapping[str, Callable[..., Awaitable[Any]]] = {
    "family": find_family,
    "child": find_child,
    "structure": find_structure,
    "organisation": find_organisation,
    "partner": find_partner,
    "kit": find_kit,
    "staff_member": find_staff_member,
    "commune": find_commune,
    "epci": find_epci,
}
