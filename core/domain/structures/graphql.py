"""GraphQL: the pole's directory — gestionnaires, structures d'accueil, partenaires and
their contacts. Lists are cursor connections of plain rows; a commune, a gestionnaire
or contacts are read only when the query selects them, per request in batches
(core/api/loaders.py): a fixed number of statements whatever the page's length."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Iterable, Mapping, Sequence
from types import SimpleNamespace
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry import relay
from strawberry.types import Info

from core.api.context import Context
from core.api.gates import action_gate
from core.api.ids import caller, parse_id, try_uuid
from core.api.inputs import flat_form
from core.api.limits import chars_field
from core.api.loaders import grouped, many, one, resolved
from core.api.pagination import UPDATED_SINCE, changed_since, connection, counted_page, in_order
from core.api.payloads import UserError, user_errors
from core.api.reads import person_field
from core.domain.structures import service
from core.domain.structures.models import ContactPerson as ContactModel
from core.domain.structures.models import Organisation as OrganisationModel
from core.domain.structures.models import Partner as PartnerModel
from core.domain.structures.models import Structure as StructureModel
from core.domain.structures.vocabulary import ORGANISATION_KINDS, PARTNER_KINDS, STRUCTURE_KINDS
from core.errors import NotFoundError
from core.tenancy.driver_reads import select_rows
from core.territory.graphql import (
    COMMUNE,
    COMMUNE_INSEE_DEPRECATED,
    Commune,
    commune_of,
    optional_commune,
    required_commune,
)

READ = service.READ
MANAGE = service.MANAGE


@strawberry.type(description="Une valeur possible et son libellé français.")
class KindOption:
    value: str
    label: str


def _options(vocabulary: Mapping[str, str]) -> list[KindOption]:
    return [KindOption(value=k, label=v) for k, v in vocabulary.items()]


@strawberry.type(description="Une personne contact d'une structure ou d'un partenaire.")
class ContactPerson:
    uid: strawberry.Private[str]
    first_name: str = person_field()
    last_name: str = person_field()
    function: str = person_field(description="Fonction (direction, RSAI, médecin…).")
    email: str | None = person_field()
    phone: str | None = person_field()

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.uid)

    @classmethod
    def from_model(cls, row: ContactModel) -> ContactPerson:
        return cls(
            uid=str(row.id),
            first_name=row.first_name,
            last_name=row.last_name,
            function=row.function,
            email=row.email,
            phone=row.phone,
        )


@strawberry.type(description="Un gestionnaire : commune, EPCI, CCAS, association, entreprise.")
class Organisation(relay.Node):
    uid: relay.NodeID[str]
    name: str
    kind: str
    kind_label: str
    siren: str | None
    commune_insee: str | None = strawberry.field(deprecation_reason=COMMUNE_INSEE_DEPRECATED)
    commune: Commune | None = strawberry.field(resolver=optional_commune, description=COMMUNE)

    @classmethod
    def from_model(cls, row: OrganisationModel) -> Organisation:
        return cls(
            uid=str(row.id),
            name=row.name,
            kind=row.kind,
            kind_label=ORGANISATION_KINDS[row.kind],
            siren=row.siren,
            commune_insee=row.commune_insee,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Organisation | None]:
        ids = [try_uuid(i) for i in node_ids]
        if not info.context.can(READ):
            return [None for _ in ids]
        async with info.context.db_session() as session:
            rows = await session.execute(
                select(OrganisationModel).where(OrganisationModel.id.in_([i for i in ids if i]))
            )
        return in_order(ids, rows.scalars(), lambda r: r.id, cls.from_model)


async def organisations_by_id(
    session: Any, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Organisation]:
    rows = await session.execute(select(OrganisationModel).where(OrganisationModel.id.in_(ids)))
    return {r.id: Organisation.from_model(r) for r in rows.scalars()}


async def contacts_by_structure(
    session: Any, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ContactPerson]]:
    found = await service.contacts_of(session, structure_ids=ids)
    return {k: [ContactPerson.from_model(c) for c in v] for k, v in _by(found, "structure_id")}


async def contacts_by_partner(
    session: Any, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ContactPerson]]:
    found = await service.contacts_of(session, partner_ids=ids)
    return {k: [ContactPerson.from_model(c) for c in v] for k, v in _by(found, "partner_id")}


def _by(rows: Iterable[ContactModel], column: str) -> Iterable[tuple[Any, list[ContactModel]]]:
    return grouped(rows, lambda c: getattr(c, column)).items()


# Nested fields answer the loader's future itself (decision 96): no coroutine per row.
def _commune(self: Structure, info: Info[Context, None]) -> Commune:
    return required_commune(self, info)


def _organisation(self: Structure, info: Info[Context, None]) -> Organisation | None:
    if self.organisation_id is None:
        return None
    return one(info.context, organisations_by_id).load(self.organisation_id)


def _structure_contacts(self: Structure, info: Info[Context, None]) -> list[ContactPerson]:
    return many(info.context, contacts_by_structure).load(uuid.UUID(self.uid))


# What a Structure is built from: its own columns, read as plain rows (no ORM object);
# commune, gestionnaire and contacts are loaded only when selected, in batches.
STRUCTURE_COLUMNS = (
    StructureModel.id,
    StructureModel.name,
    StructureModel.kind,
    StructureModel.commune_insee,
    StructureModel.organisation_id,
    StructureModel.address,
    StructureModel.capacity,
    StructureModel.age_min_months,
    StructureModel.age_max_months,
    StructureModel.email,
    StructureModel.phone,
    StructureModel.notes,
    StructureModel.active,
    StructureModel.merged_into_id,
)


@strawberry.type(description="Une structure d'accueil (EAJE, MAM, assistant·e maternel·le…).")
class Structure(relay.Node):
    uid: relay.NodeID[str]
    name: str
    kind: str
    kind_label: str
    commune_insee: strawberry.Private[str]
    organisation_id: strawberry.Private[uuid.UUID | None]
    commune: Commune = strawberry.field(resolver=_commune)
    organisation: Organisation | None = strawberry.field(resolver=_organisation)
    address: str
    capacity: int | None
    age_min_months: int | None
    age_max_months: int | None
    email: str | None
    phone: str | None
    notes: str
    active: bool
    merged_into_id: strawberry.ID | None
    contacts: list[ContactPerson] = strawberry.field(resolver=_structure_contacts)

    @classmethod
    def from_model(cls, row: Any) -> Structure:
        """From a ``STRUCTURE_COLUMNS`` row (or a model row: the same names)."""
        return cls(
            uid=str(row.id),
            name=row.name,
            kind=row.kind,
            kind_label=STRUCTURE_KINDS[row.kind],
            commune_insee=row.commune_insee,
            organisation_id=row.organisation_id,
            address=row.address,
            capacity=row.capacity,
            age_min_months=row.age_min_months,
            age_max_months=row.age_max_months,
            email=row.email,
            phone=row.phone,
            notes=row.notes,
            active=row.active,
            merged_into_id=strawberry.ID(str(row.merged_into_id)) if row.merged_into_id else None,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Structure | None]:
        ids = [try_uuid(i) for i in node_ids]
        if not info.context.can(READ):
            return [None for _ in ids]
        async with info.context.db_session() as session:
            found = await structures_by_id(session, [i for i in ids if i])
        return [found.get(i) if i else None for i in ids]


def _partner_commune(self: Partner, info: Info[Context, None]) -> Commune | None:
    if self.commune_insee is None:
        return None
    return commune_of(info, self.commune_insee)


def _partner_contacts(self: Partner, info: Info[Context, None]) -> list[ContactPerson]:
    return many(info.context, contacts_by_partner).load(uuid.UUID(self.uid))


PARTNER_COLUMNS = (
    PartnerModel.id,
    PartnerModel.name,
    PartnerModel.kind,
    PartnerModel.commune_insee,
    PartnerModel.email,
    PartnerModel.phone,
)


@strawberry.type(description="Un partenaire (MDPH, CAMSP, PMI, SESSAD…).")
class Partner(relay.Node):
    uid: relay.NodeID[str]
    name: str
    kind: str
    kind_label: str
    commune_insee: strawberry.Private[str | None]
    commune: Commune | None = strawberry.field(resolver=_partner_commune)
    email: str | None
    phone: str | None
    contacts: list[ContactPerson] = strawberry.field(resolver=_partner_contacts)

    @classmethod
    def from_model(cls, row: Any) -> Partner:
        """From a ``PARTNER_COLUMNS`` row (or a model row)."""
        return cls(
            uid=str(row.id),
            name=row.name,
            kind=row.kind,
            kind_label=PARTNER_KINDS[row.kind],
            commune_insee=row.commune_insee,
            email=row.email,
            phone=row.phone,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Partner | None]:
        ids = [try_uuid(i) for i in node_ids]
        if not info.context.can(READ):
            return [None for _ in ids]
        async with info.context.db_session() as session:
            found = await partners_by_id(session, [i for i in ids if i])
        return [found.get(i) if i else None for i in ids]


async def structures_by_id(session: Any, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Structure]:
    """Structures by id, their own columns only: one statement (a DataLoader batch)."""
    rows = await select_rows(session, select(*STRUCTURE_COLUMNS).where(StructureModel.id.in_(ids)))
    return {r.id: Structure.from_model(r) for r in rows}


async def partners_by_id(session: Any, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Partner]:
    rows = await select_rows(session, select(*PARTNER_COLUMNS).where(PartnerModel.id.in_(ids)))
    return {r.id: Partner.from_model(r) for r in rows}


def structure_of(ctx: Context, structure_id: uuid.UUID | None) -> Awaitable[Structure | None]:
    """The structure a record names, the structures of a page read in one batch (a
    future, not a coroutine: decision 96)."""
    if structure_id is None:
        return resolved(None)
    return one(ctx, structures_by_id).load(structure_id)


@strawberry.type
class StructureConnection(relay.ListConnection[Structure]):
    total_count: int


@strawberry.type
class PartnerConnection(relay.ListConnection[Partner]):
    total_count: int


@strawberry.type(description="Fiches probablement en double (même type, nom et commune).")
class DuplicateGroup:
    structures: list[Structure]


async def load_structures(session: Any, statement: Any) -> list[Structure]:
    """The structures a ``select(Structure)`` finds, as plain rows: one statement (their
    commune, gestionnaire and contacts load when selected)."""
    rows = await session.execute(statement.with_only_columns(*STRUCTURE_COLUMNS))
    return [Structure.from_model(r) for r in rows]


@strawberry.input(description="Une structure d'accueil.")
class StructureInput:
    name: str = chars_field(StructureModel.name)
    kind: str = strawberry.field(description="Voir structureKinds.")
    commune_insee: str = chars_field(StructureModel.commune_insee)
    organisation_id: strawberry.ID | None = None
    address: str = chars_field(StructureModel.address, default="")
    capacity: int | None = None
    age_min_months: int | None = None
    age_max_months: int | None = None
    email: str | None = chars_field(StructureModel.email, default=None)
    phone: str | None = chars_field(StructureModel.phone, default=None)
    notes: str = chars_field(StructureModel.notes, default="")

    def to_service(self) -> service.StructureInput:
        organisation = None
        if self.organisation_id is not None:
            organisation = try_uuid(self.organisation_id)
            if organisation is None:
                raise NotFoundError("gestionnaire introuvable", field="organisationId")
        return service.StructureInput(
            name=self.name,
            kind=self.kind,
            commune_insee=self.commune_insee,
            organisation_id=organisation,
            address=self.address,
            capacity=self.capacity,
            age_min_months=self.age_min_months,
            age_max_months=self.age_max_months,
            email=self.email,
            phone=self.phone,
            notes=self.notes,
        )


@strawberry.type
class StructurePayload:
    structure: Structure | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PartnerPayload:
    partner: Partner | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OrganisationPayload:
    organisation: Organisation | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="Une personne contact, tous ses champs.")
class ContactInput:
    first_name: str = chars_field(ContactModel.first_name)
    last_name: str = chars_field(ContactModel.last_name)
    function: str = chars_field(ContactModel.function, default="")
    email: str | None = chars_field(ContactModel.email, default=None)
    phone: str | None = chars_field(ContactModel.phone, default=None)


@strawberry.input(description="Un partenaire ajouté à l'annuaire du pôle.")
class CreatePartnerInput:
    name: str = chars_field(PartnerModel.name)
    kind: str = chars_field(PartnerModel.kind)
    commune_insee: str | None = chars_field(PartnerModel.commune_insee, default=None)
    email: str | None = chars_field(PartnerModel.email, default=None)
    phone: str | None = chars_field(PartnerModel.phone, default=None)


@strawberry.input(description="Un gestionnaire ajouté à l'annuaire du pôle.")
class CreateOrganisationInput:
    name: str = chars_field(OrganisationModel.name)
    kind: str = chars_field(OrganisationModel.kind)
    commune_insee: str | None = chars_field(OrganisationModel.commune_insee, default=None)
    siren: str | None = chars_field(OrganisationModel.siren, default=None)


@strawberry.input(
    description="Une personne contact ajoutée à une structure (structureId) ou à un "
    "partenaire (partnerId)."
)
class AddContactInput:
    first_name: str = chars_field(ContactModel.first_name)
    last_name: str = chars_field(ContactModel.last_name)
    structure_id: strawberry.ID | None = None
    partner_id: strawberry.ID | None = None
    function: str = chars_field(ContactModel.function, default="")
    email: str | None = chars_field(ContactModel.email, default=None)
    phone: str | None = chars_field(ContactModel.phone, default=None)


@strawberry.type
class ContactPayload:
    contact: ContactPerson | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class StructuresQuery:
    @strawberry.field(description="Types de structures d'accueil et leurs libellés.")
    def structure_kinds(self) -> list[KindOption]:
        return _options(STRUCTURE_KINDS)

    @strawberry.field(description="Types de partenaires et leurs libellés.")
    def partner_kinds(self) -> list[KindOption]:
        return _options(PARTNER_KINDS)

    @strawberry.field(description="Types de gestionnaires et leurs libellés.")
    def organisation_kinds(self) -> list[KindOption]:
        return _options(ORGANISATION_KINDS)

    @strawberry.field(
        description="Structures d'accueil du pôle : recherche par nom (sans accents), type, "
        "commune (code INSEE) ou EPCI (SIREN).",
        extensions=[action_gate(READ)],
    )
    async def structures(
        self,
        info: Info[Context, None],
        search: str | None = None,
        kinds: list[str] | None = None,
        commune_insee: str | None = None,
        epci_siren: str | None = None,
        updated_since: Annotated[
            dt.datetime | None, strawberry.argument(description=UPDATED_SINCE)
        ] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> StructureConnection:
        statement = service.structures_query(
            search=search, kinds=kinds, commune_insee=commune_insee, epci_siren=epci_siren
        )
        statement = changed_since(statement, StructureModel, updated_since)
        async with info.context.db_session() as session:
            win, total, rows = await counted_page(
                session, statement, first, after, *STRUCTURE_COLUMNS
            )
        nodes = [Structure.from_model(r) for r in rows]
        return connection(StructureConnection, nodes, win, total)

    @strawberry.field(
        description="Fiches probablement en double, à fusionner (mergeStructures).",
        extensions=[action_gate(READ)],
    )
    async def structure_duplicates(self, info: Info[Context, None]) -> list[DuplicateGroup]:
        async with info.context.db_session() as session:
            groups = await service.duplicate_groups(session, caller(info.context))
            ids = [s.id for group in groups for s in group]
            loaded = {
                s.uid: s
                for s in await load_structures(
                    session, select(StructureModel).where(StructureModel.id.in_(ids))
                )
            }
        return [DuplicateGroup(structures=[loaded[str(s.id)] for s in g]) for g in groups]

    @strawberry.field(
        description="Partenaires du pôle (recherche par nom, type).",
        extensions=[action_gate(READ)],
    )
    async def partners(
        self,
        info: Info[Context, None],
        search: str | None = None,
        kinds: list[str] | None = None,
        updated_since: Annotated[
            dt.datetime | None, strawberry.argument(description=UPDATED_SINCE)
        ] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> PartnerConnection:
        statement = service.partners_query(search=search, kinds=kinds)
        statement = changed_since(statement, PartnerModel, updated_since)
        async with info.context.db_session() as session:
            win, total, rows = await counted_page(
                session, statement, first, after, *PARTNER_COLUMNS
            )
        nodes = [Partner.from_model(r) for r in rows]
        return connection(PartnerConnection, nodes, win, total)

    @strawberry.field(description="Gestionnaires du pôle.", extensions=[action_gate(READ)])
    async def organisations(self, info: Info[Context, None]) -> list[Organisation]:
        async with info.context.db_session() as session:
            rows = await session.execute(
                select(OrganisationModel).order_by(OrganisationModel.search_name)
            )
        return [Organisation.from_model(r) for r in rows.scalars()]


async def _structure_payload(ctx: Context, apply: Any) -> StructurePayload:
    result = None
    async with user_errors(ctx) as errors, ctx.db_session() as session:
        row = await apply(session)
        await session.commit()
        (result,) = await load_structures(
            session, select(StructureModel).where(StructureModel.id == row.id)
        )
    return StructurePayload(errors=errors) if errors else StructurePayload(structure=result)


@strawberry.type
class StructuresMutation:
    @strawberry.mutation(
        description="Ajouter une structure d'accueil. Un doublon probable (même type, nom et "
        "commune) est refusé (CONFLICT) sauf allowDuplicate.",
        extensions=[action_gate(MANAGE)],
    )
    async def create_structure(
        self, info: Info[Context, None], input: StructureInput, allow_duplicate: bool = False
    ) -> StructurePayload:
        ctx = info.context
        return await _structure_payload(
            ctx,
            lambda session: service.create_structure(
                session, caller(ctx), input.to_service(), allow_duplicate=allow_duplicate
            ),
        )

    @strawberry.mutation(
        description="Rattacher un membre « Structure partenaire » à sa structure : il lit "
        "alors les projets d'accueil partagés avec elle (sharedReceptionPlans).",
        extensions=[action_gate(service.STAFF_MANAGE)],
    )
    async def add_structure_staff(
        self, info: Info[Context, None], structure_id: strawberry.ID, user_id: strawberry.ID
    ) -> StructurePayload:
        ctx = info.context

        async def apply(session: Any) -> Any:
            row = await service.add_staff(
                session,
                caller(ctx),
                parse_id(structure_id, "structureId"),
                parse_id(user_id, "userId"),
            )
            return SimpleNamespace(id=row.structure_id)

        return await _structure_payload(ctx, apply)

    @strawberry.mutation(
        description="Détacher un membre de la structure.",
        extensions=[action_gate(service.STAFF_MANAGE)],
    )
    async def remove_structure_staff(
        self, info: Info[Context, None], structure_id: strawberry.ID, user_id: strawberry.ID
    ) -> StructurePayload:
        ctx = info.context

        async def apply(session: Any) -> Any:
            structure = parse_id(structure_id, "structureId")
            await service.remove_staff(session, caller(ctx), structure, parse_id(user_id, "userId"))
            return SimpleNamespace(id=structure)

        return await _structure_payload(ctx, apply)

    @strawberry.mutation(
        description="Corriger une structure d'accueil.", extensions=[action_gate(MANAGE)]
    )
    async def update_structure(
        self, info: Info[Context, None], id: strawberry.ID, input: StructureInput
    ) -> StructurePayload:
        ctx = info.context

        async def apply(session: Any) -> StructureModel:
            wanted = try_uuid(id)
            if wanted is None:
                raise NotFoundError("introuvable dans ce pôle", field="id")
            return await service.update_structure(session, caller(ctx), wanted, input.to_service())

        return await _structure_payload(ctx, apply)

    @strawberry.mutation(
        description="Fusionner des doublons dans une fiche : leurs contacts la rejoignent, "
        "elles restent dans l'historique.",
        extensions=[action_gate(MANAGE)],
    )
    async def merge_structures(
        self, info: Info[Context, None], keep_id: strawberry.ID, merge_ids: list[strawberry.ID]
    ) -> StructurePayload:
        ctx = info.context

        async def apply(session: Any) -> StructureModel:
            keep = try_uuid(keep_id)
            if keep is None:
                raise NotFoundError("introuvable dans ce pôle", field="keepId")
            merged = []
            for index, raw in enumerate(merge_ids):
                value = try_uuid(raw)
                if value is None:
                    raise NotFoundError("introuvable", field=f"mergeIds.{index}")
                merged.append(value)
            return await service.merge_structures(session, caller(ctx), keep, merged)

        return await _structure_payload(ctx, apply)

    @strawberry.mutation(description="Ajouter un partenaire.", extensions=[action_gate(MANAGE)])
    @flat_form(CreatePartnerInput)
    async def create_partner(
        self,
        info: Info[Context, None],
        input: CreatePartnerInput,
    ) -> PartnerPayload:
        ctx = info.context
        result = None
        async with user_errors(ctx) as errors, ctx.db_session() as session:
            row = await service.create_partner(
                session,
                caller(ctx),
                name=input.name,
                kind=input.kind,
                commune_insee=input.commune_insee,
                email=input.email,
                phone=input.phone,
            )
            await session.commit()
            result = Partner.from_model(row)
        return PartnerPayload(errors=errors) if errors else PartnerPayload(partner=result)

    @strawberry.mutation(description="Ajouter un gestionnaire.", extensions=[action_gate(MANAGE)])
    @flat_form(CreateOrganisationInput)
    async def create_organisation(
        self,
        info: Info[Context, None],
        input: CreateOrganisationInput,
    ) -> OrganisationPayload:
        ctx = info.context
        result = None
        async with user_errors(ctx) as errors, ctx.db_session() as session:
            row = await service.create_organisation(
                session,
                caller(ctx),
                name=input.name,
                kind=input.kind,
                commune_insee=input.commune_insee,
                siren=input.siren,
            )
            await session.commit()
            result = Organisation.from_model(row)
        if errors:
            return OrganisationPayload(errors=errors)
        return OrganisationPayload(organisation=result)

    @strawberry.mutation(
        description="Ajouter une personne contact à une structure ou à un partenaire.",
        extensions=[action_gate(MANAGE)],
    )
    @flat_form(AddContactInput)
    async def add_contact(
        self,
        info: Info[Context, None],
        input: AddContactInput,
    ) -> ContactPayload:
        ctx = info.context
        result = None
        async with user_errors(ctx) as errors, ctx.db_session() as session:
            structure = try_uuid(input.structure_id) if input.structure_id is not None else None
            partner = try_uuid(input.partner_id) if input.partner_id is not None else None
            if input.structure_id is not None and structure is None:
                raise NotFoundError("structure introuvable", field="structureId")
            if input.partner_id is not None and partner is None:
                raise NotFoundError("partenaire introuvable", field="partnerId")
            row = await service.add_contact(
                session,
                caller(ctx),
                structure_id=structure,
                partner_id=partner,
                first_name=input.first_name,
                last_name=input.last_name,
                function=input.function,
                email=input.email,
                phone=input.phone,
            )
            await session.commit()
            result = ContactPerson.from_model(row)
        return ContactPayload(errors=errors) if errors else ContactPayload(contact=result)

    @strawberry.mutation(
        description="Corriger une personne contact (ses champs tous renvoyés).",
        extensions=[action_gate(MANAGE)],
    )
    async def update_contact(
        self, info: Info[Context, None], id: strawberry.ID, input: ContactInput
    ) -> ContactPayload:
        ctx = info.context
        result = None
        async with user_errors(ctx) as errors, ctx.db_session() as session:
            wanted = try_uuid(id)
            if wanted is None:
                raise NotFoundError("contact introuvable dans ce pôle", field="id")
            row = await service.update_contact(
                session,
                caller(ctx),
                wanted,
                first_name=input.first_name,
                last_name=input.last_name,
                function=input.function,
                email=input.email,
                phone=input.phone,
            )
            await session.commit()
            result = ContactPerson.from_model(row)
        return ContactPayload(errors=errors) if errors else ContactPayload(contact=result)

    @strawberry.mutation(
        description="Retirer une personne contact (partie de la structure) ; elle reste dans "
        "le journal d'audit et dans deletions.",
        extensions=[action_gate(MANAGE)],
    )
    async def remove_contact(self, info: Info[Context, None], id: strawberry.ID) -> ContactPayload:
        ctx = info.context
        async with user_errors(ctx) as errors, ctx.db_session() as session:
            wanted = try_uuid(id)
            if wanted is None:
                raise NotFoundError("contact introuvable dans ce pôle", field="id")
            await service.remove_contact(session, caller(ctx), wanted)
            await session.commit()
        return ContactPayload(errors=errors)


TYPES = (Structure, Partner, Organisation)
