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
from collections.abc import Iterable, Sequence
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry import relay
from strawberry.types import Info

from core.api.context import Context
from core.api.gates import action_gate
from core.api.ids import caller, parse_id, try_uuid
from core.api.limits import chars
from core.api.pagination import UPDATED_SINCE, changed_since, connection, in_order, page_of
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
    KindOption,
    Partner,
    Structure,
    load_partners,
    load_structures,
)
from core.domain.structures.models import Structure as StructureModel

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


@strawberry.type(description="Un enfant accompagné par le pôle.")
class Child(relay.Node):
    uid: relay.NodeID[str]
    family_id: strawberry.ID
    first_name: str = person_field()
    birth_date: dt.date = person_field()
    commune_insee: str = person_field()
    needs: str = person_field(description="Besoins, en texte libre.")
    needs_profile: list[KindOption] = person_field(description="Profil des besoins, codé.")
    diagnosis: str | None = person_field(
        sensitive=HEALTH, description="Diagnostic (donnée de santé : accord explicite)."
    )
    health_notes: str | None = person_field(
        sensitive=HEALTH, description="Notes de santé (donnée de santé : accord explicite)."
    )
    structures: list[ChildStructureLink] = person_field()
    partners: list[ChildPartnerLink] = person_field()

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
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Child | None]:
        wanted = [try_uuid(raw) for raw in node_ids]
        if not info.context.can(READ):
            return [None for _ in wanted]
        async with info.context.db_session() as session:
            rows = list(
                (
                    await session.execute(
                        select(ChildModel).where(ChildModel.id.in_([i for i in wanted if i]))
                    )
                ).scalars()
            )
            children = await _children(session, rows)
        return in_order(wanted, children, lambda c: uuid.UUID(c.uid), lambda c: c)


@strawberry.type(description="Le dossier d'une famille.")
class Family(relay.Node):
    uid: relay.NodeID[str]
    name: str = person_field()
    commune_insee: str = person_field()
    address: str = person_field()
    situation: str | None = person_field(
        sensitive=SITUATION, description="Situation familiale (donnée sociale : accord explicite)."
    )
    notes: str = person_field()
    anonymised_at: dt.datetime | None = strawberry.field(
        description="Anonymisé le (durée de conservation échue ou effacement demandé) : "
        "le dossier ne garde alors que ce que comptent les bilans d'activité."
    )
    guardians: list[Guardian]
    consents: list[Consent]
    children: list[Child]

    @strawberry.field(description="Le consentement actif pour cet objet, s'il existe.")
    def consent(self, purpose: str) -> Consent | None:
        return next((c for c in self.consents if c.purpose == purpose and c.active), None)

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


async def _children(session: Any, rows: Sequence[ChildModel]) -> list[Child]:
    """Children with their structures and partners (with their contacts): a fixed number
    of statements for any number of children."""
    ids = [r.id for r in rows]
    links: dict[uuid.UUID, list[ChildStructureModel]] = defaultdict(list)
    attended: dict[str, Structure] = {}
    if ids:
        for link in (
            await session.execute(
                select(ChildStructureModel)
                .where(ChildStructureModel.child_id.in_(ids))
                .order_by(ChildStructureModel.starts_on)
            )
        ).scalars():
            links[link.child_id].append(link)
        structure_ids = {link.structure_id for group in links.values() for link in group}
        if structure_ids:
            attended = {
                s.uid: s
                for s in await load_structures(
                    session, select(StructureModel).where(StructureModel.id.in_(structure_ids))
                )
            }
    partner_links: dict[uuid.UUID, list[ChildPartnerModel]] = defaultdict(list)
    partners: dict[uuid.UUID, Partner] = {}
    if ids:
        for link in (
            await session.execute(
                select(ChildPartnerModel)
                .where(ChildPartnerModel.child_id.in_(ids))
                .order_by(ChildPartnerModel.starts_on)
            )
        ).scalars():
            partner_links[link.child_id].append(link)
        partners = await load_partners(
            session, {link.partner_id for group in partner_links.values() for link in group}
        )
    return [
        Child(
            uid=str(r.id),
            family_id=strawberry.ID(str(r.family_id)),
            first_name=r.first_name,
            birth_date=r.birth_date,
            commune_insee=r.commune_insee,
            needs=r.needs,
            needs_profile=[KindOption(value=c, label=NEEDS[c]) for c in r.needs_profile],
            diagnosis=r.diagnosis,
            health_notes=r.health_notes,
            structures=[
                ChildStructureLink(
                    id=strawberry.ID(str(link.id)),
                    structure=attended[str(link.structure_id)],
                    starts_on=link.starts_on,
                    ends_on=link.ends_on,
                    notes=link.notes,
                )
                for link in links[r.id]
            ],
            partners=[
                ChildPartnerLink(
                    id=strawberry.ID(str(link.id)),
                    partner=partners[link.partner_id],
                    starts_on=link.starts_on,
                    ends_on=link.ends_on,
                    notes=link.notes,
                )
                for link in partner_links[r.id]
            ],
        )
        for r in rows
    ]


async def load_families(session: Any, statement: Any) -> list[Family]:
    rows = list((await session.execute(statement)).scalars())
    ids = [r.id for r in rows]
    guardians: dict[uuid.UUID, list[Guardian]] = defaultdict(list)
    consents: dict[uuid.UUID, list[Consent]] = defaultdict(list)
    children: dict[str, list[Child]] = defaultdict(list)
    if ids:
        for g in (
            await session.execute(
                select(GuardianModel)
                .where(GuardianModel.family_id.in_(ids))
                .order_by(GuardianModel.last_name, GuardianModel.first_name)
            )
        ).scalars():
            guardians[g.family_id].append(Guardian.from_model(g))
        for c in (
            await session.execute(
                select(ConsentModel)
                .where(ConsentModel.family_id.in_(ids))
                .order_by(ConsentModel.given_at)
            )
        ).scalars():
            consents[c.family_id].append(Consent.from_model(c))
        child_rows = list(
            (
                await session.execute(
                    select(ChildModel)
                    .where(ChildModel.family_id.in_(ids))
                    .order_by(ChildModel.birth_date)
                )
            ).scalars()
        )
        for child in await _children(session, child_rows):
            children[str(child.family_id)].append(child)
    return [
        Family(
            uid=str(r.id),
            name=r.name,
            commune_insee=r.commune_insee,
            address=r.address,
            situation=r.situation or None,
            anonymised_at=r.anonymised_at,
            notes=r.notes,
            guardians=guardians[r.id],
            consents=consents[r.id],
            children=children[str(r.id)],
        )
        for r in rows
    ]


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

    @strawberry.field(
        description="Dossiers des familles (recherche par nom, commune).",
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
            win, total, page = await page_of(session, statement, first, after)
            nodes = await load_families(session, page)
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
        rows = list(
            (await session.execute(select(ChildModel).where(ChildModel.id == child_id))).scalars()
        )
        (result,) = await _children(session, rows)
    return ChildPayload(errors=errors) if errors else ChildPayload(child=result)


@strawberry.type
class FamiliesMutation:
    @strawberry.mutation(
        description="Ouvrir le dossier d'une famille.", extensions=[action_gate(MANAGE)]
    )
    async def create_family(
        self,
        info: Info[Context, None],
        name: Annotated[str, chars(FamilyModel.name)],
        commune_insee: Annotated[str, chars(FamilyModel.commune_insee)],
        address: Annotated[str, chars(FamilyModel.address)] = "",
        situation: Annotated[str, chars(FamilyModel.situation)] = "",
        notes: Annotated[str, chars(FamilyModel.notes)] = "",
    ) -> FamilyPayload:
        ctx = info.context
        warnings: list[UserWarning] = []

        async def apply(session: Any) -> uuid.UUID:
            row = await service.create_family(
                session,
                caller(ctx),
                name=name,
                commune_insee=commune_insee,
                address=address,
                situation=situation,
                notes=notes,
            )
            warnings.extend(user_warnings([await outside_territory(session, commune_insee)]))
            return row.id

        return await _family_payload(ctx, apply, warnings)

    @strawberry.mutation(
        description="Corriger le dossier d'une famille.", extensions=[action_gate(MANAGE)]
    )
    async def update_family(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        name: Annotated[str | None, chars(FamilyModel.name)] = None,
        commune_insee: Annotated[str | None, chars(FamilyModel.commune_insee)] = None,
        address: Annotated[str | None, chars(FamilyModel.address)] = None,
        situation: Annotated[str | None, chars(FamilyModel.situation)] = None,
        notes: Annotated[str | None, chars(FamilyModel.notes)] = None,
    ) -> FamilyPayload:
        ctx = info.context
        warnings: list[UserWarning] = []

        async def apply(session: Any) -> uuid.UUID:
            row = await service.update_family(
                session,
                caller(ctx),
                parse_id(id, "id"),
                name=name,
                commune_insee=commune_insee,
                address=address,
                situation=situation,
                notes=notes,
            )
            if commune_insee is not None:
                found = await outside_territory(session, commune_insee)
                warnings.extend(user_warnings([found]))
            return row.id

        return await _family_payload(ctx, apply, warnings)

    @strawberry.mutation(
        description="Ajouter un représentant légal.", extensions=[action_gate(MANAGE)]
    )
    async def add_guardian(
        self,
        info: Info[Context, None],
        family_id: strawberry.ID,
        first_name: Annotated[str, chars(GuardianModel.first_name)],
        last_name: Annotated[str, chars(GuardianModel.last_name)],
        relationship: str,
        phone: Annotated[str | None, chars(GuardianModel.phone)] = None,
        email: Annotated[str | None, chars(GuardianModel.email)] = None,
    ) -> FamilyPayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            family = parse_id(family_id, "familyId")
            await service.add_guardian(
                session,
                caller(ctx),
                family,
                first_name=first_name,
                last_name=last_name,
                relationship=relationship,
                phone=phone,
                email=email,
            )
            return family

        return await _family_payload(ctx, apply)

    @strawberry.mutation(
        description="Enregistrer un consentement de la famille (objet, qui, quand).",
        extensions=[action_gate(MANAGE)],
    )
    async def record_consent(
        self,
        info: Info[Context, None],
        family_id: strawberry.ID,
        purpose: Annotated[str, chars(ConsentModel.purpose)],
        given_by: Annotated[str, chars(ConsentModel.given_by)],
        given_at: dt.datetime,
    ) -> FamilyPayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            family = parse_id(family_id, "familyId")
            await service.record_consent(
                session, caller(ctx), family, purpose=purpose, given_by=given_by, given_at=given_at
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
    async def add_child(
        self,
        info: Info[Context, None],
        family_id: strawberry.ID,
        first_name: Annotated[str, chars(ChildModel.first_name)],
        birth_date: dt.date,
        commune_insee: Annotated[str | None, chars(ChildModel.commune_insee)] = None,
        needs: Annotated[str, chars(ChildModel.needs)] = "",
        needs_profile: list[str] | None = None,
        diagnosis: Annotated[str | None, chars(ChildModel.diagnosis)] = None,
        health_notes: Annotated[str | None, chars(ChildModel.health_notes)] = None,
    ) -> ChildPayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            row = await service.add_child(
                session,
                caller(ctx),
                parse_id(family_id, "familyId"),
                first_name=first_name,
                birth_date=birth_date,
                commune_insee=commune_insee,
                needs=needs,
                needs_profile=needs_profile or [],
                diagnosis=diagnosis,
                health_notes=health_notes,
            )
            return row.id

        return await _child_payload(ctx, apply)

    @strawberry.mutation(
        description="Corriger le dossier d'un enfant.", extensions=[action_gate(MANAGE)]
    )
    async def update_child(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        first_name: Annotated[str | None, chars(ChildModel.first_name)] = None,
        birth_date: dt.date | None = None,
        commune_insee: Annotated[str | None, chars(ChildModel.commune_insee)] = None,
        needs: Annotated[str | None, chars(ChildModel.needs)] = None,
        needs_profile: list[str] | None = None,
        diagnosis: Annotated[str | None, chars(ChildModel.diagnosis)] = None,
        health_notes: Annotated[str | None, chars(ChildModel.health_notes)] = None,
    ) -> ChildPayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            row = await service.update_child(
                session,
                caller(ctx),
                parse_id(id, "id"),
                first_name=first_name,
                birth_date=birth_date,
                commune_insee=commune_insee,
                needs=needs,
                needs_profile=needs_profile,
                diagnosis=diagnosis,
                health_notes=health_notes,
            )
            return row.id

        return await _child_payload(ctx, apply)

    @strawberry.mutation(
        description="L'enfant est accueilli dans une structure à partir d'une date.",
        extensions=[action_gate(MANAGE)],
    )
    async def link_child_structure(
        self,
        info: Info[Context, None],
        child_id: strawberry.ID,
        structure_id: strawberry.ID,
        starts_on: dt.date,
        ends_on: dt.date | None = None,
        notes: Annotated[str, chars(ChildStructureModel.notes)] = "",
    ) -> ChildPayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            child = parse_id(child_id, "childId")
            await service.link_structure(
                session,
                caller(ctx),
                child,
                parse_id(structure_id, "structureId"),
                starts_on=starts_on,
                ends_on=ends_on,
                notes=notes,
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
    async def link_child_partner(
        self,
        info: Info[Context, None],
        child_id: strawberry.ID,
        partner_id: strawberry.ID,
        starts_on: dt.date,
        ends_on: dt.date | None = None,
        notes: Annotated[str, chars(ChildPartnerModel.notes)] = "",
    ) -> ChildPayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            child = parse_id(child_id, "childId")
            await service.link_partner(
                session,
                caller(ctx),
                child,
                parse_id(partner_id, "partnerId"),
                starts_on=starts_on,
                ends_on=ends_on,
                notes=notes,
            )
            return child

        return await _child_payload(ctx, apply)


TYPES = (Family, Child)
