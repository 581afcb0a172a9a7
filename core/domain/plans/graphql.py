"""GraphQL: personalised reception plans — write (versioned), share under the family's
consent, revoke; the printable document is at /reports/reception-plans/<id>.html|.pdf."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry import relay
from strawberry.types import Info

from core.api.context import Context
from core.api.gates import action_gate
from core.api.ids import caller, maybe_id, parse_id, try_uuid
from core.api.inputs import flat, flat_form
from core.api.limits import chars_field
from core.api.payloads import UserError, user_errors
from core.api.reads import person_field
from core.domain.families.models import Child as ChildModel
from core.domain.plans import service
from core.domain.plans.models import ReceptionPlan as PlanModel
from core.domain.plans.models import ReceptionPlanShare
from core.domain.plans.models import ReceptionPlanVersion as VersionModel
from core.domain.structures.graphql import Structure, load_structures
from core.domain.structures.models import Structure as StructureModel
from core.errors import ValidationError


@strawberry.type(description="Une période d'adaptation.")
class AdaptationPeriod:
    starts_on: dt.date
    ends_on: dt.date
    description: str


@strawberry.type(description="Une version du projet d'accueil (jamais modifiée).")
class ReceptionPlanVersion:
    uid: strawberry.Private[str]
    version: int
    written_on: dt.date = strawberry.field(
        description="Date du projet (établi le) ; writtenAt est le moment de la saisie."
    )
    written_at: dt.datetime = strawberry.field(description="Moment où la version a été saisie.")
    needs: str = person_field()
    habits: str = person_field()
    communication: str = person_field()
    care_instructions: str = person_field()
    adaptations: str = person_field()
    equipment: str = person_field()
    adaptation_periods: list[AdaptationPeriod] = person_field()
    review_dates: list[dt.date] = person_field()
    evaluation: str = person_field()

    @classmethod
    def from_model(cls, row: VersionModel) -> ReceptionPlanVersion:
        return cls(
            uid=f"{row.plan_id}:{row.version}",
            version=row.version,
            written_on=row.written_on,
            written_at=row.written_at,
            needs=row.needs,
            habits=row.habits,
            communication=row.communication,
            care_instructions=row.care_instructions,
            adaptations=row.adaptations,
            equipment=row.equipment,
            adaptation_periods=[
                AdaptationPeriod(
                    starts_on=dt.date.fromisoformat(p["starts_on"]),
                    ends_on=dt.date.fromisoformat(p["ends_on"]),
                    description=p["description"],
                )
                for p in row.adaptation_periods
            ],
            review_dates=[dt.date.fromisoformat(d) for d in row.review_dates],
            evaluation=row.evaluation,
        )


@strawberry.type(description="Le projet d'accueil personnalisé d'un enfant dans une structure.")
class ReceptionPlan(relay.Node):
    uid: relay.NodeID[str]
    child_id: strawberry.ID
    structure: Structure
    current_version: int
    versions: list[ReceptionPlanVersion] = strawberry.field(
        description="De la plus récente à la plus ancienne."
    )
    shared_with_structure: bool = strawberry.field(
        description="Partagé avec l'équipe, sous le consentement actif de la famille."
    )
    shared_at: dt.datetime | None
    html_url: str
    pdf_url: str

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Any, required: bool = False
    ) -> list[ReceptionPlan | None]:
        wanted = [try_uuid(raw) for raw in node_ids]
        if not info.context.can(service.READ):
            return [None for _ in wanted]
        async with info.context.db_session() as session:
            found = {
                uuid.UUID(p.uid): p
                for p in await load_plans(
                    session, select(PlanModel).where(PlanModel.id.in_([w for w in wanted if w]))
                )
            }
        return [found.get(w) if w else None for w in wanted]


async def load_plans(session: Any, statement: Any) -> list[ReceptionPlan]:
    rows = list((await session.execute(statement)).scalars())
    ids = [r.id for r in rows]
    versions: dict[uuid.UUID, list[VersionModel]] = defaultdict(list)
    shares: dict[uuid.UUID, ReceptionPlanShare] = {}
    structures: dict[str, Structure] = {}
    if ids:
        for v in (
            await session.execute(
                select(VersionModel)
                .where(VersionModel.plan_id.in_(ids))
                .order_by(VersionModel.version.desc())
            )
        ).scalars():
            versions[v.plan_id].append(v)
        shares = await service.current_shares(session, ids)
        structures = {
            s.uid: s
            for s in await load_structures(
                session,
                select(StructureModel).where(StructureModel.id.in_({r.structure_id for r in rows})),
            )
        }
    return [
        ReceptionPlan(
            uid=str(r.id),
            child_id=strawberry.ID(str(r.child_id)),
            structure=structures[str(r.structure_id)],
            current_version=r.current_version,
            versions=[ReceptionPlanVersion.from_model(v) for v in versions[r.id]],
            shared_with_structure=r.id in shares,
            shared_at=shares[r.id].shared_at if r.id in shares else None,
            html_url=f"/reports/reception-plans/{r.id}.html",
            pdf_url=f"/reports/reception-plans/{r.id}.pdf",
        )
        for r in rows
    ]


@strawberry.type(
    description="Un projet d'accueil partagé avec votre structure (sa version en cours)."
)
class SharedReceptionPlan:
    id: strawberry.ID
    child_first_name: str = person_field()
    structure_name: str
    shared_at: dt.datetime
    current: ReceptionPlanVersion
    html_url: str
    pdf_url: str


@strawberry.input(description="Une période d'adaptation : du … au …, et ce qui est adapté.")
class AdaptationPeriodInput:
    starts_on: dt.date
    ends_on: dt.date
    # Stored in the version's JSON list of periods: the adaptations' limit applies.
    description: str = chars_field(VersionModel.adaptations)


@strawberry.input(description="Le contenu d'une version du projet d'accueil.")
class ReceptionPlanInput:
    needs: str = chars_field(VersionModel.needs, default="")
    habits: str = chars_field(VersionModel.habits, default="")
    communication: str = chars_field(VersionModel.communication, default="")
    care_instructions: str = chars_field(VersionModel.care_instructions, default="")
    adaptations: str = chars_field(VersionModel.adaptations, default="")
    equipment: str = chars_field(VersionModel.equipment, default="")
    adaptation_periods: list[AdaptationPeriodInput] = strawberry.field(default_factory=list)
    review_dates: list[dt.date] = strawberry.field(default_factory=list)
    evaluation: str = chars_field(VersionModel.evaluation, default="")
    written_on: dt.date | None = strawberry.field(
        default=None,
        description="Date du projet (établi le), pas dans le futur ; aujourd'hui par défaut. "
        "Une date passée pour un projet repris d'avant la plateforme.",
    )

    def to_service(self) -> service.PlanContent:
        return service.PlanContent(
            needs=self.needs,
            habits=self.habits,
            communication=self.communication,
            care_instructions=self.care_instructions,
            adaptations=self.adaptations,
            equipment=self.equipment,
            adaptation_periods=[
                service.Period(p.starts_on, p.ends_on, p.description)
                for p in self.adaptation_periods
            ],
            review_dates=list(self.review_dates),
            evaluation=self.evaluation,
            written_on=self.written_on,
        )


@strawberry.input(
    description="Le projet d'accueil d'un enfant dans une structure : son contenu, et pour "
    "qui il est écrit (à la création)."
)
class WriteReceptionPlanInput:
    content: ReceptionPlanInput
    child_id: strawberry.ID | None = None
    structure_id: strawberry.ID | None = None


@strawberry.type
class ReceptionPlanPayload:
    plan: ReceptionPlan | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PlansQuery:
    @strawberry.field(
        description="Projets d'accueil d'un enfant.", extensions=[action_gate(service.READ)]
    )
    async def reception_plans(
        self, info: Info[Context, None], child_id: strawberry.ID
    ) -> list[ReceptionPlan]:
        child = parse_id(child_id, "childId")
        async with info.context.db_session() as session:
            return await load_plans(
                session,
                select(PlanModel).where(PlanModel.child_id == child).order_by(PlanModel.created_at),
            )

    @strawberry.field(
        description="Pour l'équipe d'une structure : les projets d'accueil que le pôle a "
        "partagés avec elle, tant que la famille y consent (lecture tracée).",
        extensions=[action_gate(service.SHARED_READ)],
    )
    async def shared_reception_plans(self, info: Info[Context, None]) -> list[SharedReceptionPlan]:
        async with info.context.db_session() as session:
            found = await service.shared_with_me(session, caller(info.context))
            ids = [plan.id for plan, _share in found]
            versions = {
                v.plan_id: v
                for v in await session.scalars(
                    select(VersionModel)
                    .join(PlanModel, PlanModel.id == VersionModel.plan_id)
                    .where(
                        VersionModel.plan_id.in_(ids),
                        VersionModel.version == PlanModel.current_version,
                    )
                )
            }
            children = await session.execute(
                select(ChildModel.id, ChildModel.first_name).where(
                    ChildModel.id.in_([p.child_id for p, _s in found])
                )
            )
            names = {child_id: first_name for child_id, first_name in children}
            rows = await session.execute(
                select(StructureModel.id, StructureModel.name).where(
                    StructureModel.id.in_([p.structure_id for p, _s in found])
                )
            )
            structures = {structure_id: name for structure_id, name in rows}
        return [
            SharedReceptionPlan(
                id=strawberry.ID(str(plan.id)),
                child_first_name=names[plan.child_id],
                structure_name=structures[plan.structure_id],
                shared_at=share.shared_at,
                current=ReceptionPlanVersion.from_model(versions[plan.id]),
                html_url=f"/reports/reception-plans/{plan.id}.html",
                pdf_url=f"/reports/reception-plans/{plan.id}.pdf",
            )
            for plan, share in found
        ]


async def _payload(ctx: Context, apply: Any) -> ReceptionPlanPayload:
    result = None
    async with user_errors(ctx) as errors, ctx.db_session() as session:
        plan_id = await apply(session)
        await session.commit()
        (result,) = await load_plans(session, select(PlanModel).where(PlanModel.id == plan_id))
    return ReceptionPlanPayload(errors=errors) if errors else ReceptionPlanPayload(plan=result)


@strawberry.type
class PlansMutation:
    @strawberry.mutation(
        description="Écrire le projet d'accueil (sans planId : le créer ; avec : nouvelle "
        "version).",
        extensions=[action_gate(service.MANAGE)],
    )
    @flat_form(WriteReceptionPlanInput, others=("plan_id",))
    async def write_reception_plan(
        self,
        info: Info[Context, None],
        input: WriteReceptionPlanInput,
        id: strawberry.ID | None = None,
        plan_id: Annotated[strawberry.ID | None, flat()] = None,
    ) -> ReceptionPlanPayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            if plan_id is not None and id is not None:
                raise ValidationError("id ou planId (déprécié), pas les deux", field="planId")
            row = await service.write_plan(
                session,
                caller(ctx),
                content=input.content.to_service(),
                child_id=maybe_id(input.child_id, "childId"),
                structure_id=maybe_id(input.structure_id, "structureId"),
                plan_id=maybe_id(id, "id") if plan_id is None else maybe_id(plan_id, "planId"),
            )
            return row.id

        return await _payload(ctx, apply)

    @strawberry.mutation(
        description="Partager le projet avec l'équipe de la structure (consentement requis).",
        extensions=[action_gate(service.MANAGE)],
    )
    async def share_reception_plan(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> ReceptionPlanPayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            row = await service.share(session, caller(ctx), parse_id(id, "planId"))
            return row.plan_id

        return await _payload(ctx, apply)

    @strawberry.mutation(
        description="Retirer le partage avec la structure.",
        extensions=[action_gate(service.MANAGE)],
    )
    async def revoke_reception_plan_share(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> ReceptionPlanPayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            row = await service.revoke(session, caller(ctx), parse_id(id, "planId"))
            return row.id

        return await _payload(ctx, apply)


TYPES = (ReceptionPlan,)
