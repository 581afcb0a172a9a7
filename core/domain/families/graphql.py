"""GraphQL: families, guardians, consents, children and their links.

Every field of a person's file is a ``person_field`` (each read audited, one event per
record and request); diagnosis, health notes and family situation need the explicit
grants ``children.health`` / ``families.situation``. A page of families loads its
guardians, consents, children and their structures and partners in a fixed number of
statements, whatever its length.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Annotated, Any

import strawberry
from sqlalchemy import and_, select
from strawberry import relay
from strawberry.types import Info

from core.api.context import Context
from core.api.gates import action_gate
from core.api.ids import caller, parse_id, try_uuid
from core.api.inputs import flat_form
from core.api.limits import chars, chars_field
from core.api.loaders import FIRST, LAST, Bound, bounded, bounded_batch, grouped, many, one, then
from core.api.pagination import UPDATED_SINCE, changed_since, connection, counted_page, in_order
from core.api.payloads import UserError, UserWarning, user_errors, user_warnings
from core.api.reads import ReadAudit, person_field
from core.domain.families import service
from core.domain.families.models import Child as ChildModel
from core.domain.families.models import ChildPartner as ChildPartnerModel
from core.domain.families.models import ChildStructure as ChildStructureModel
from core.domain.families.models import Consent as ConsentModel
from core.domain.families.models import Family as FamilyModel
from core.domain.families.models import Guardian as GuardianModel
from core.domain.families.vocabulary import (
    AGE_BRACKETS,
    CONSENT_PURPOSES,
    GUARDIAN_RELATIONSHIPS,
    NEEDS,
    age_bracket,
    age_in_years,
)
from core.domain.lookups import outside_territory
from core.domain.structures.graphql import (
    PARTNER_COLUMNS,
    STRUCTURE_COLUMNS,
    KindOption,
    Partner,
    Structure,
)
from core.domain.structures.models import Partner as PartnerModel
from core.domain.structures.models import Structure as StructureModel
from core.errors import NotFoundError
from core.tenancy.driver_reads import select_rows
from core.territory.graphql import (
    COMMUNE,
    COMMUNE_INSEE_DEPRECATED,
    Commune,
    required_commune,
)

READ, MANAGE, HEALTH, SITUATION = service.READ, service.MANAGE, service.HEALTH, service.SITUATION


@strawberry.type(description="Un représentant légal (parent, tuteur).")
class Guardian:
    uid: strawberry.Private[str]
    first_name: str = person_field()
    last_name: str = person_field()
    relationship: str = person_field()
    relationship_label: str = person_field()
    phone: str | None = person_field()
    email: str | None = person_field()

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.uid)

    @classmethod
    def from_model(cls, row: GuardianModel) -> Guardian:
        return cls(
            uid=str(row.id),
            first_name=row.first_name,
            last_name=row.last_name,
            relationship=row.relationship_,
            relationship_label=GUARDIAN_RELATIONSHIPS[row.relationship_],
            phone=row.phone,
            email=row.email,
        )


@strawberry.type(description="Un consentement : à quoi, donné par qui et quand, retiré quand.")
class Consent:
    uid: strawberry.Private[str]
    purpose: str
    purpose_label: str
    given_by: str = person_field()
    given_at: dt.datetime
    withdrawn_at: dt.datetime | None
    active: bool

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.uid)

    @classmethod
    def from_model(cls, row: ConsentModel) -> Consent:
        return cls(
            uid=str(row.id),
            purpose=row.purpose,
            purpose_label=CONSENT_PURPOSES[row.purpose],
            given_by=row.given_by,
            given_at=row.given_at,
            withdrawn_at=row.withdrawn_at,
            active=row.withdrawn_at is None,
        )


@strawberry.type(description="Accueil d'un enfant dans une structure, du … au ….")
class ChildStructureLink:
    id: strawberry.ID
    structure: Structure
    starts_on: dt.date
    ends_on: dt.date | None
    notes: str


@strawberry.type(description="Un partenaire qui intervient auprès de l'enfant.")
class ChildPartnerLink:
    id: strawberry.ID
    partner: Partner
    starts_on: dt.date
    ends_on: dt.date | None
    notes: str


@strawberry.type(description="Tranche d'âge des rapports d'activité.")
class AgeBracket:
    code: str
    label: str


async def _links_by_child(
    session: Any,
    ids: Sequence[uuid.UUID],
    link: Any,
    target: Any,
    target_id: Any,
    columns: Sequence[Any],
    make: Callable[[Any], Any],
) -> dict[uuid.UUID, list[Any]]:
    """Each child's links to ``target`` (structures attended, partners working with the
    child), links and targets in one statement, oldest first."""
    rows = await session.execute(
        select(
            link.child_id,
            link.id.label("link_id"),
            link.starts_on,
            link.ends_on,
            link.notes.label("link_notes"),
            *columns,
        )
        .join(target, and_(target.tenant_id == link.tenant_id, target.id == target_id))
        .where(link.child_id.in_(ids))
        .order_by(link.starts_on, link.id)
    )
    found: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for r in rows:
        found[r.child_id].append(make(r))
    return found


# Two batch functions, not one with a parameter: the per-request loaders are found by
# their batch function (decision 96).
async def structure_links_by_child(
    session: Any, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ChildStructureLink]]:
    """The structures each child attends, links and structures in one statement."""
    return await _links_by_child(
        session,
        ids,
        ChildStructureModel,
        StructureModel,
        ChildStructureModel.structure_id,
        STRUCTURE_COLUMNS,
        lambda r: ChildStructureLink(
            id=strawberry.ID(str(r.link_id)),
            structure=Structure.from_model(r),
            starts_on=r.starts_on,
            ends_on=r.ends_on,
            notes=r.link_notes,
        ),
    )


async def partner_links_by_child(
    session: Any, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ChildPartnerLink]]:
    """The partners working with each child, links and partners in one statement."""
    return await _links_by_child(
        session,
        ids,
        ChildPartnerModel,
        PartnerModel,
        ChildPartnerModel.partner_id,
        PARTNER_COLUMNS,
        lambda r: ChildPartnerLink(
            id=strawberry.ID(str(r.link_id)),
            partner=Partner.from_model(r),
            starts_on=r.starts_on,
            ends_on=r.ends_on,
            notes=r.link_notes,
        ),
    )


# Nested fields answer the loader's future itself (decision 96): no coroutine per row.
def _child_structures(self: Child, info: Info[Context, None]) -> list[ChildStructureLink]:
    return many(info.context, structure_links_by_child).load(uuid.UUID(self.uid))


def _child_partners(self: Child, info: Info[Context, None]) -> list[ChildPartnerLink]:
    return many(info.context, partner_links_by_child).load(uuid.UUID(self.uid))


async def _child_family(self: Child, info: Info[Context, None]) -> Family:
    found = await one(info.context, families_by_id).load(uuid.UUID(self.family_id))
    if found is None:
        raise NotFoundError("famille introuvable", field="family")
    return found


# What a Child is built from: its own columns as plain rows; its structures and
# partners are read only when selected, in batches.
CHILD_COLUMNS = (
    ChildModel.id,
    ChildModel.family_id,
    ChildModel.first_name,
    ChildModel.birth_date,
    ChildModel.commune_insee,
    ChildModel.needs,
    ChildModel.needs_profile,
    ChildModel.diagnosis,
    ChildModel.health_notes,
)


@strawberry.type(description="Un enfant accompagné par le pôle.")
class Child(relay.Node):
    uid: relay.NodeID[str]
    family_id: strawberry.ID
    first_name: str = person_field()
    birth_date: dt.date = person_field()
    commune_insee: str = person_field(deprecation_reason=COMMUNE_INSEE_DEPRECATED)
    commune: Commune = person_field(resolver=required_commune, description=COMMUNE)
    needs: str = person_field(description="Besoins, en texte libre.")
    needs_profile: list[KindOption] = person_field(description="Profil des besoins, codé.")
    diagnosis: str | None = person_field(
        sensitive=HEALTH, description="Diagnostic (donnée de santé : accord explicite)."
    )
    health_notes: str | None = person_field(
        sensitive=HEALTH, description="Notes de santé (donnée de santé : accord explicite)."
    )
    structures: list[ChildStructureLink] = person_field(resolver=_child_structures)
    partners: list[ChildPartnerLink] = person_field(resolver=_child_partners)
    family: Family = strawberry.field(
        resolver=_child_family, description="Le dossier de la famille de l'enfant."
    )

    @strawberry.field(
        description="Âge en années révolues à une date (aujourd'hui par défaut).",
        extensions=[ReadAudit()],
    )
    def age(self, on: dt.date | None = None) -> int:
        return age_in_years(self.birth_date, on or dt.date.today())

    @strawberry.field(
        description="Tranche d'âge (0–3, 3–6, 7–13, 14+) à une date.", extensions=[ReadAudit()]
    )
    def age_bracket(self, on: dt.date | None = None) -> AgeBracket:
        code = age_bracket(self.birth_date, on or dt.date.today())
        return AgeBracket(code=code, label=AGE_BRACKETS[code])

    @classmethod
    def from_model(cls, row: Any) -> Child:
        """From a ``CHILD_COLUMNS`` row (or a model row)."""
        return cls(
            uid=str(row.id),
            family_id=strawberry.ID(str(row.family_id)),
            first_name=row.first_name,
            birth_date=row.birth_date,
            commune_insee=row.commune_insee,
            needs=row.needs,
            needs_profile=[KindOption(value=c, label=NEEDS[c]) for c in row.needs_profile],
            diagnosis=row.diagnosis,
            health_notes=row.health_notes,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Child | None]:
        wanted = [try_uuid(raw) for raw in node_ids]
        if not info.context.can(READ):
            return [None for _ in wanted]
        async with info.context.db_session() as session:
            found = await children_by_id(session, [i for i in wanted if i])
        return [found.get(i) if i else None for i in wanted]


async def children_by_id(session: Any, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Child]:
    """Children by id, their own columns only: one statement (a DataLoader batch)."""
    rows = await select_rows(session, select(*CHILD_COLUMNS).where(ChildModel.id.in_(ids)))
    return {r.id: Child.from_model(r) for r in rows}


def _known_child(found: Child | None) -> Child:
    if found is None:
        raise NotFoundError("enfant introuvable dans ce pôle", field="child")
    return found


def child_of(ctx: Context, child_id: uuid.UUID) -> Awaitable[Child]:
    """The child a record names, the children of a page read in one batch (a future,
    not a coroutine: decision 96)."""
    return then(one(ctx, children_by_id).load(child_id), _known_child)


async def guardians_by_family(
    session: Any, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Guardian]]:
    rows = await session.execute(
        select(GuardianModel)
        .where(GuardianModel.family_id.in_(ids))
        .order_by(GuardianModel.last_name, GuardianModel.first_name)
    )
    found = grouped(rows.scalars(), lambda g: g.family_id)
    return {k: [Guardian.from_model(g) for g in v] for k, v in found.items()}


async def consents_by_family(
    session: Any, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Consent]]:
    rows = await session.execute(
        select(ConsentModel).where(ConsentModel.family_id.in_(ids)).order_by(ConsentModel.given_at)
    )
    found = grouped(rows.scalars(), lambda c: c.family_id)
    return {k: [Consent.from_model(c) for c in v] for k, v in found.items()}


async def _children_batch(
    session: Any, ids: Sequence[uuid.UUID], bound: Bound
) -> dict[uuid.UUID, list[Child]]:
    """Each family's children (or the first or last n), eldest first: one statement."""
    statement = select(*CHILD_COLUMNS).where(ChildModel.family_id.in_(ids))
    rows = await session.execute(
        bounded(statement, ChildModel.family_id, [ChildModel.birth_date, ChildModel.id], bound)
    )
    return {k: [Child.from_model(r) for r in v] for k, v in grouped(rows, _family_of).items()}


children_by_family = bounded_batch(_children_batch)


def _family_of(row: Any) -> uuid.UUID:
    return row.family_id  # type: ignore[no-any-return]


async def _guardians(self: Family, info: Info[Context, None]) -> list[Guardian]:
    return await many(info.context, guardians_by_family).load(uuid.UUID(self.uid))


async def _consents(self: Family, info: Info[Context, None]) -> list[Consent]:
    return await many(info.context, consents_by_family).load(uuid.UUID(self.uid))


async def _children(
    self: Family,
    info: Info[Context, None],
    first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
    last: Annotated[int | None, strawberry.argument(description=LAST)] = None,
) -> list[Child]:
    key = (uuid.UUID(self.uid), Bound.of(first, last))
    return await many(info.context, children_by_family).load(key)


async def families_by_id(session: Any, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Family]:
    """Families by id, their own columns only: one statement (a DataLoader batch)."""
    rows = await select_rows(session, select(*FAMILY_COLUMNS).where(FamilyModel.id.in_(ids)))
    return {r.id: Family.from_model(r) for r in rows}


FAMILY_COLUMNS = (
    FamilyModel.id,
    FamilyModel.name,
    FamilyModel.commune_insee,
    FamilyModel.address,
    FamilyModel.situation,
    FamilyModel.notes,
    FamilyModel.anonymised_at,
)


@strawberry.type(description="Le dossier d'une famille.")
class Family(relay.Node):
    uid: relay.NodeID[str]
    name: str = person_field()
    commune_insee: str = person_field(deprecation_reason=COMMUNE_INSEE_DEPRECATED)
    commune: Commune = person_field(resolver=required_commune, description=COMMUNE)
    address: str = person_field()
    situation: str | None = person_field(
        sensitive=SITUATION, description="Situation familiale (donnée sociale : accord explicite)."
    )
    notes: str = person_field()
    anonymised_at: dt.datetime | None = strawberry.field(
        description="Anonymisé le (durée de conservation échue ou effacement demandé) : "
        "le dossier ne garde alors que ce que comptent les bilans d'activité."
    )
    guardians: list[Guardian] = strawberry.field(resolver=_guardians)
    consents: list[Consent] = strawberry.field(resolver=_consents)
    children: list[Child] = strawberry.field(
        resolver=_children, description="Les enfants, de l'aîné au plus jeune."
    )

    @strawberry.field(description="Le consentement actif pour cet objet, s'il existe.")
    async def consent(self, info: Info[Context, None], purpose: str) -> Consent | None:
        found = await many(info.context, consents_by_family).load(uuid.UUID(self.uid))
        return next((c for c in found if c.purpose == purpose and c.active), None)

    @classmethod
    def from_model(cls, row: Any) -> Family:
        """From a ``FAMILY_COLUMNS`` row (or a model row)."""
        return cls(
            uid=str(row.id),
            name=row.name,
            commune_insee=row.commune_insee,
            address=row.address,
            situation=row.situation or None,
            anonymised_at=row.anonymised_at,
            notes=row.notes,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Family | None]:
        wanted = [try_uuid(raw) for raw in node_ids]
        if not info.context.can(READ):
            return [None for _ in wanted]
        async with info.context.db_session() as session:
            families = await load_families(
                session, select(FamilyModel).where(FamilyModel.id.in_([i for i in wanted if i]))
            )
        return in_order(wanted, families, lambda f: uuid.UUID(f.uid), lambda f: f)


@strawberry.type
class FamilyConnection(relay.ListConnection[Family]):
    total_count: int


async def load_families(session: Any, statement: Any) -> list[Family]:
    """The families a ``select(Family)`` finds, as plain rows: one statement (guardians,
    consents and children load when selected)."""
    rows = await session.execute(statement.with_only_columns(*FAMILY_COLUMNS))
    return [Family.from_model(r) for r in rows]


@strawberry.type
class FamilyPayload:
    family: Family | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
    warnings: list[UserWarning] = strawberry.field(
        default_factory=list,
        description="Enregistré, mais à vérifier (OUTSIDE_TERRITORY : commune hors du "
        "territoire du pôle).",
    )


@strawberry.type
class ChildPayload:
    child: Child | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class FamiliesQuery:
    @strawberry.field(description="Profils de besoins et leurs libellés.")
    def needs_kinds(self) -> list[KindOption]:
        return [KindOption(value=k, label=v) for k, v in NEEDS.items()]

    @strawberry.field(description="Objets de consentement et leurs libellés.")
    def consent_purposes(self) -> list[KindOption]:
        return [KindOption(value=k, label=v) for k, v in CONSENT_PURPOSES.items()]

    @strawberry.field(description="Liens d'un représentant légal avec l'enfant, et leurs libellés.")
    def guardian_relationships(self) -> list[KindOption]:
        return [KindOption(value=k, label=v) for k, v in GUARDIAN_RELATIONSHIPS.items()]

    @strawberry.field(
        description=(
            "Dossiers des familles (recherche par le nom de la famille ou le prénom d'un "
            "enfant, commune)."
        ),
        extensions=[action_gate(READ)],
    )
    async def families(
        self,
        info: Info[Context, None],
        search: str | None = None,
        commune_insee: str | None = None,
        updated_since: Annotated[
            dt.datetime | None, strawberry.argument(description=UPDATED_SINCE)
        ] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> FamilyConnection:
        # A sync (updatedSince) must see anonymised files too: they replace the copy.
        statement = service.families_query(
            search=search,
            commune_insee=commune_insee,
            include_anonymised=updated_since is not None,
        )
        statement = changed_since(statement, FamilyModel, updated_since)
        async with info.context.db_session() as session:
            win, total, rows = await counted_page(session, statement, first, after, *FAMILY_COLUMNS)
        nodes = [Family.from_model(r) for r in rows]
        return connection(FamilyConnection, nodes, win, total)


async def _family_payload(
    ctx: Context, apply: Any, warnings: list[UserWarning] | None = None
) -> FamilyPayload:
    result = None
    async with user_errors(ctx) as errors, ctx.db_session() as session:
        family_id = await apply(session)
        await session.commit()
        (result,) = await load_families(
            session, select(FamilyModel).where(FamilyModel.id == family_id)
        )
    if errors:
        return FamilyPayload(errors=errors)
    return FamilyPayload(family=result, warnings=warnings or [])


async def _child_payload(ctx: Context, apply: Any) -> ChildPayload:
    result = None
    async with user_errors(ctx) as errors, ctx.db_session() as session:
        child_id = await apply(session)
        await session.commit()
        result = (await children_by_id(session, [child_id]))[child_id]
    return ChildPayload(errors=errors) if errors else ChildPayload(child=result)


@strawberry.input(description="Ouvrir le dossier d'une famille.")
class CreateFamilyInput:
    name: str = chars_field(FamilyModel.name)
    commune_insee: str = chars_field(FamilyModel.commune_insee)
    address: str = chars_field(FamilyModel.address, default="")
    situation: str = chars_field(FamilyModel.situation, default="")
    notes: str = chars_field(FamilyModel.notes, default="")


@strawberry.input(description="Corriger le dossier d'une famille : un champ absent ne change pas.")
class UpdateFamilyInput:
    name: str | None = chars_field(FamilyModel.name, default=None)
    commune_insee: str | None = chars_field(FamilyModel.commune_insee, default=None)
    address: str | None = chars_field(FamilyModel.address, default=None)
    situation: str | None = chars_field(FamilyModel.situation, default=None)
    notes: str | None = chars_field(FamilyModel.notes, default=None)


@strawberry.input(description="Un représentant légal ajouté au dossier d'une famille.")
class AddGuardianInput:
    family_id: strawberry.ID
    first_name: str = chars_field(GuardianModel.first_name)
    last_name: str = chars_field(GuardianModel.last_name)
    relationship: str
    phone: str | None = chars_field(GuardianModel.phone, default=None)
    email: str | None = chars_field(GuardianModel.email, default=None)


@strawberry.input(description="Un consentement de la famille : objet, qui, quand.")
class RecordConsentInput:
    family_id: strawberry.ID
    purpose: str = chars_field(ConsentModel.purpose)
    given_by: str = chars_field(ConsentModel.given_by)
    given_at: dt.datetime


@strawberry.input(description="Un enfant ajouté au dossier d'une famille.")
class AddChildInput:
    family_id: strawberry.ID
    first_name: str = chars_field(ChildModel.first_name)
    birth_date: dt.date
    commune_insee: str | None = chars_field(ChildModel.commune_insee, default=None)
    needs: str = chars_field(ChildModel.needs, default="")
    needs_profile: list[str] | None = None
    diagnosis: str | None = chars_field(ChildModel.diagnosis, default=None)
    health_notes: str | None = chars_field(ChildModel.health_notes, default=None)


@strawberry.input(description="Corriger le dossier d'un enfant : un champ absent ne change pas.")
class UpdateChildInput:
    first_name: str | None = chars_field(ChildModel.first_name, default=None)
    birth_date: dt.date | None = None
    commune_insee: str | None = chars_field(ChildModel.commune_insee, default=None)
    needs: str | None = chars_field(ChildModel.needs, default=None)
    needs_profile: list[str] | None = None
    diagnosis: str | None = chars_field(ChildModel.diagnosis, default=None)
    health_notes: str | None = chars_field(ChildModel.health_notes, default=None)


@strawberry.input(description="L'enfant accueilli dans une structure à partir d'une date.")
class LinkChildStructureInput:
    child_id: strawberry.ID
    structure_id: strawberry.ID
    starts_on: dt.date
    ends_on: dt.date | None = None
    notes: str = chars_field(ChildStructureModel.notes, default="")


@strawberry.input(description="Un partenaire qui intervient auprès de l'enfant.")
class LinkChildPartnerInput:
    child_id: strawberry.ID
    partner_id: strawberry.ID
    starts_on: dt.date
    ends_on: dt.date | None = None
    notes: str = chars_field(ChildPartnerModel.notes, default="")


@strawberry.type
class FamiliesMutation:
    @strawberry.mutation(
        description="Ouvrir le dossier d'une famille.", extensions=[action_gate(MANAGE)]
    )
    @flat_form(CreateFamilyInput)
    async def create_family(
        self,
        info: Info[Context, None],
        input: CreateFamilyInput,
    ) -> FamilyPayload:
        ctx = info.context
        warnings: list[UserWarning] = []

        async def apply(session: Any) -> uuid.UUID:
            row = await service.create_family(
                session,
                caller(ctx),
                name=input.name,
                commune_insee=input.commune_insee,
                address=input.address,
                situation=input.situation,
                notes=input.notes,
            )
            warnings.extend(user_warnings([await outside_territory(session, input.commune_insee)]))
            return row.id

        return await _family_payload(ctx, apply, warnings)

    @strawberry.mutation(
        description="Corriger le dossier d'une famille.", extensions=[action_gate(MANAGE)]
    )
    @flat_form(UpdateFamilyInput)
    async def update_family(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        input: UpdateFamilyInput,
    ) -> FamilyPayload:
        ctx = info.context
        warnings: list[UserWarning] = []

        async def apply(session: Any) -> uuid.UUID:
            row = await service.update_family(
                session,
                caller(ctx),
                parse_id(id, "id"),
                name=input.name,
                commune_insee=input.commune_insee,
                address=input.address,
                situation=input.situation,
                notes=input.notes,
            )
            if input.commune_insee is not None:
                found = await outside_territory(session, input.commune_insee)
                warnings.extend(user_warnings([found]))
            return row.id

        return await _family_payload(ctx, apply, warnings)

    @strawberry.mutation(
        description="Ajouter un représentant légal.", extensions=[action_gate(MANAGE)]
    )
    @flat_form(AddGuardianInput)
    async def add_guardian(
        self,
        info: Info[Context, None],
        input: AddGuardianInput,
    ) -> FamilyPayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            family = parse_id(input.family_id, "familyId")
            await service.add_guardian(
                session,
                caller(ctx),
                family,
                first_name=input.first_name,
                last_name=input.last_name,
                relationship=input.relationship,
                phone=input.phone,
                email=input.email,
            )
            return family

        return await _family_payload(ctx, apply)

    @strawberry.mutation(
        description="Enregistrer un consentement de la famille (objet, qui, quand).",
        extensions=[action_gate(MANAGE)],
    )
    @flat_form(RecordConsentInput)
    async def record_consent(
        self,
        info: Info[Context, None],
        input: RecordConsentInput,
    ) -> FamilyPayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            family = parse_id(input.family_id, "familyId")
            await service.record_consent(
                session,
                caller(ctx),
                family,
                purpose=input.purpose,
                given_by=input.given_by,
                given_at=input.given_at,
            )
            return family

        return await _family_payload(ctx, apply)

    @strawberry.mutation(
        description="Retirer un consentement (il reste dans l'historique).",
        extensions=[action_gate(MANAGE)],
    )
    async def withdraw_consent(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        by: Annotated[str, chars(ConsentModel.withdrawn_by)],
    ) -> FamilyPayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            row = await service.withdraw_consent(session, caller(ctx), parse_id(id, "id"), by=by)
            return row.family_id

        return await _family_payload(ctx, apply)

    @strawberry.mutation(
        description="Ajouter un enfant au dossier.", extensions=[action_gate(MANAGE)]
    )
    @flat_form(AddChildInput)
    async def add_child(
        self,
        info: Info[Context, None],
        input: AddChildInput,
    ) -> ChildPayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            row = await service.add_child(
                session,
                caller(ctx),
                parse_id(input.family_id, "familyId"),
                first_name=input.first_name,
                birth_date=input.birth_date,
                commune_insee=input.commune_insee,
                needs=input.needs,
                needs_profile=input.needs_profile or [],
                diagnosis=input.diagnosis,
                health_notes=input.health_notes,
            )
            return row.id

        return await _child_payload(ctx, apply)

    @strawberry.mutation(
        description="Corriger le dossier d'un enfant.", extensions=[action_gate(MANAGE)]
    )
    @flat_form(UpdateChildInput)
    async def update_child(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        input: UpdateChildInput,
    ) -> ChildPayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            row = await service.update_child(
                session,
                caller(ctx),
                parse_id(id, "id"),
                first_name=input.first_name,
                birth_date=input.birth_date,
                commune_insee=input.commune_insee,
                needs=input.needs,
                needs_profile=input.needs_profile,
                diagnosis=input.diagnosis,
                health_notes=input.health_notes,
            )
            return row.id

        return await _child_payload(ctx, apply)

    @strawberry.mutation(
        description="L'enfant est accueilli dans une structure à partir d'une date.",
        extensions=[action_gate(MANAGE)],
    )
    @flat_form(LinkChildStructureInput)
    async def link_child_structure(
        self,
        info: Info[Context, None],
        input: LinkChildStructureInput,
    ) -> ChildPayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            child = parse_id(input.child_id, "childId")
            await service.link_structure(
                session,
                caller(ctx),
                child,
                parse_id(input.structure_id, "structureId"),
                starts_on=input.starts_on,
                ends_on=input.ends_on,
                notes=input.notes,
            )
            return child

        return await _child_payload(ctx, apply)

    @strawberry.mutation(
        description="Fin d'un accueil dans une structure.", extensions=[action_gate(MANAGE)]
    )
    async def end_child_structure(
        self, info: Info[Context, None], id: strawberry.ID, ends_on: dt.date
    ) -> ChildPayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            row = await service.end_structure(
                session, caller(ctx), parse_id(id, "id"), ends_on=ends_on
            )
            return row.child_id

        return await _child_payload(ctx, apply)

    @strawberry.mutation(
        description="Un partenaire intervient auprès de l'enfant.", extensions=[action_gate(MANAGE)]
    )
    @flat_form(LinkChildPartnerInput)
    async def link_child_partner(
        self,
        info: Info[Context, None],
        input: LinkChildPartnerInput,
    ) -> ChildPayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            child = parse_id(input.child_id, "childId")
            await service.link_partner(
                session,
                caller(ctx),
                child,
                parse_id(input.partner_id, "partnerId"),
                starts_on=input.starts_on,
                ends_on=input.ends_on,
                notes=input.notes,
            )
            return child

        return await _child_payload(ctx, apply)


TYPES = (Family, Child)
