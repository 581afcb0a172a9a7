"""GraphQL: a family's data — subject access export, erasure on request, legal holds —
and the deletions feed that lets an integrator keep an exact copy in sync.

The export document itself is at /reports/families/<id>/export.json|.html.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from core.api.context import Context
from core.api.gates import action_gate
from core.api.ids import caller, parse_id
from core.api.inputs import flat_form
from core.api.limits import chars_field
from core.api.pagination import connection, page_of
from core.api.payloads import UserError, user_errors
from core.audit.models import DeletedRecord as DeletedModel
from core.contributions import PersonalDataSource
from core.domain.gdpr import service
from core.domain.gdpr.models import ErasureRequest as ErasureModel
from core.domain.gdpr.models import LegalHold as HoldModel
from core.domain.gdpr.vocabulary import ERASURE_REQUESTERS, ERASURE_STATUSES, HOLD_REASONS
from core.domain.structures.graphql import KindOption

DELETIONS = "records.deletions.read"


def sources(ctx: Context) -> list[PersonalDataSource]:
    return [source for _owner, source in ctx.host.contributions.personal_data]


@strawberry.type(
    description="Une obligation de conservation : le dossier ne peut être ni "
    "purgé ni effacé tant qu'elle court."
)
class LegalHold:
    id: strawberry.ID
    family_id: strawberry.ID
    reason: str
    reason_label: str
    note: str
    until: dt.date | None
    placed_at: dt.datetime
    placed_by: str
    lifted_at: dt.datetime | None
    active: bool

    @classmethod
    def from_model(cls, row: HoldModel, today: dt.date) -> LegalHold:
        return cls(
            id=strawberry.ID(str(row.id)),
            family_id=strawberry.ID(str(row.family_id)),
            reason=row.reason,
            reason_label=HOLD_REASONS.get(row.reason, row.reason),
            note=row.note,
            until=row.until,
            placed_at=row.placed_at,
            placed_by=row.placed_by,
            lifted_at=row.lifted_at,
            active=row.active_on(today),
        )


@strawberry.type(description="Une exception à l'effacement : l'obligation qui l'a différé.")
class ErasureException:
    reason: str
    reason_label: str
    until: dt.date | None


@strawberry.type(description="Une demande d'effacement reçue d'une famille.")
class ErasureRequest:
    id: strawberry.ID
    family_id: strawberry.ID
    received_on: dt.date
    requester: str
    requester_label: str
    status: str
    status_label: str
    exceptions: list[ErasureException]
    recorded_at: dt.datetime
    done_at: dt.datetime | None
    counts: JSON = strawberry.field(description="Lignes effacées ou anonymisées, par table.")

    @classmethod
    def from_model(cls, row: ErasureModel) -> ErasureRequest:
        return cls(
            id=strawberry.ID(str(row.id)),
            family_id=strawberry.ID(str(row.family_id)),
            received_on=row.received_on,
            requester=row.requester,
            requester_label=ERASURE_REQUESTERS.get(row.requester, row.requester),
            status=row.status,
            status_label=ERASURE_STATUSES.get(row.status, row.status),
            exceptions=[
                ErasureException(
                    reason=e["reason"],
                    reason_label=HOLD_REASONS.get(e["reason"], e["reason"]),
                    until=dt.date.fromisoformat(e["until"]) if e.get("until") else None,
                )
                for e in row.exceptions
            ],
            recorded_at=row.recorded_at,
            done_at=row.done_at,
            counts=dict(row.counts),
        )


@strawberry.type
class ErasureRequestConnection(relay.ListConnection[ErasureRequest]):
    total_count: int


@strawberry.type(description="Tout ce que le pôle détient sur une famille (droit d'accès).")
class FamilyDataExport:
    family_id: strawberry.ID
    generated_at: dt.datetime
    data: JSON = strawberry.field(
        description="Le document complet (format maillage.family-export/1), par rubrique."
    )
    html_url: str = strawberry.field(description="La version lisible à remettre à la famille.")
    pdf_url: str = strawberry.field(
        description="La même version lisible en PDF (à l'en-tête du pôle), à envoyer."
    )
    json_url: str


@strawberry.type(description="Un enregistrement supprimé (fil de synchronisation).")
class DeletedRecord:
    type: str = strawberry.field(description="Le type GraphQL de l'enregistrement.")
    object_id: strawberry.ID = strawberry.field(description="Son identifiant (UUID).")
    global_id: strawberry.ID = strawberry.field(
        description="Son identifiant global (celui du champ id des nœuds)."
    )
    deleted_at: dt.datetime


@strawberry.type
class DeletedRecordConnection(relay.ListConnection[DeletedRecord]):
    total_count: int


@strawberry.input(description="Une obligation de conservation sur le dossier d'une famille.")
class PlaceLegalHoldInput:
    family_id: strawberry.ID
    reason: str = chars_field(HoldModel.reason)
    note: str = chars_field(HoldModel.note, default="")
    until: dt.date | None = None


@strawberry.input(
    description="La demande d'effacement d'une famille (art. 17 RGPD) : reçue quand, de qui."
)
class EraseFamilyDataInput:
    family_id: strawberry.ID
    received_on: dt.date
    requester: str = chars_field(ErasureModel.requester)


@strawberry.type
class LegalHoldPayload:
    hold: LegalHold | None = None
    erasure: ErasureRequest | None = strawberry.field(
        default=None,
        description="L'effacement différé réalisé parce que cette obligation était la dernière.",
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ErasureRequestPayload:
    request: ErasureRequest | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def export_urls(family_id: uuid.UUID) -> tuple[str, str, str]:
    base = f"/reports/families/{family_id}/export"
    return f"{base}.html", f"{base}.pdf", f"{base}.json"


@strawberry.type
class GdprQuery:
    @strawberry.field(description="Motifs d'obligation de conservation et leurs libellés.")
    def legal_hold_reasons(self) -> list[KindOption]:
        return [KindOption(value=k, label=v) for k, v in HOLD_REASONS.items()]

    @strawberry.field(description="Qui peut demander un effacement, et les libellés.")
    def erasure_requesters(self) -> list[KindOption]:
        return [KindOption(value=k, label=v) for k, v in ERASURE_REQUESTERS.items()]

    @strawberry.field(
        description="Exporter tout ce que le pôle détient sur une famille (accès, art. 15 "
        "RGPD) : données de santé comprises, lecture tracée.",
        extensions=[action_gate(service.MANAGE)],
    )
    async def family_data_export(
        self, info: Info[Context, None], family_id: strawberry.ID
    ) -> FamilyDataExport:
        ctx = info.context
        tenant = ctx.require_tenant()
        async with ctx.db_session() as session:
            export = await service.export_family(
                session,
                caller(ctx),
                sources(ctx),
                parse_id(family_id, "familyId"),
                pole=tenant.name,
            )
            await session.commit()
        html, pdf, json_url = export_urls(export.family_id)
        return FamilyDataExport(
            family_id=strawberry.ID(str(export.family_id)),
            generated_at=export.generated_at,
            data=export.as_json(),
            html_url=html,
            pdf_url=pdf,
            json_url=json_url,
        )

    @strawberry.field(
        description="Obligations de conservation d'une famille (en cours et levées).",
        extensions=[action_gate(service.MANAGE)],
    )
    async def legal_holds(
        self, info: Info[Context, None], family_id: strawberry.ID
    ) -> list[LegalHold]:
        family = parse_id(family_id, "familyId")
        today = dt.date.today()
        async with info.context.db_session() as session:
            rows = await session.scalars(
                select(HoldModel).where(HoldModel.family_id == family).order_by(HoldModel.placed_at)
            )
            return [LegalHold.from_model(r, today) for r in rows]

    @strawberry.field(
        description="Demandes d'effacement reçues (registre), les plus récentes d'abord.",
        extensions=[action_gate(service.MANAGE)],
    )
    async def erasure_requests(
        self,
        info: Info[Context, None],
        status: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> ErasureRequestConnection:
        statement = select(ErasureModel).order_by(
            ErasureModel.recorded_at.desc(), ErasureModel.id.desc()
        )
        if status:
            statement = statement.where(ErasureModel.status == status)
        async with info.context.db_session() as session:
            win, total, page = await page_of(session, statement, first, after)
            rows = (await session.scalars(page)).all()
        nodes = [ErasureRequest.from_model(r) for r in rows]
        return connection(ErasureRequestConnection, nodes, win, total)

    @strawberry.field(
        description="Enregistrements supprimés depuis une date, dans l'ordre : avec les "
        "listes filtrées par updatedSince, de quoi tenir une copie exacte.",
        extensions=[action_gate(DELETIONS)],
    )
    async def deletions(
        self,
        info: Info[Context, None],
        since: dt.datetime,
        first: int | None = None,
        after: str | None = None,
    ) -> DeletedRecordConnection:
        statement = (
            select(DeletedModel)
            .where(DeletedModel.deleted_at >= since)
            .order_by(DeletedModel.deleted_at, DeletedModel.id)
        )
        async with info.context.db_session() as session:
            win, total, page = await page_of(session, statement, first, after)
            rows = (await session.scalars(page)).all()
        nodes = [
            DeletedRecord(
                type=r.object_type,
                object_id=strawberry.ID(str(r.object_id)),
                global_id=strawberry.ID(relay.to_base64(r.object_type, str(r.object_id))),
                deleted_at=r.deleted_at,
            )
            for r in rows
        ]
        return connection(DeletedRecordConnection, nodes, win, total)


@strawberry.type
class GdprMutation:
    @strawberry.mutation(
        description="Poser une obligation de conservation sur le dossier d'une famille.",
        extensions=[action_gate(service.MANAGE)],
    )
    @flat_form(PlaceLegalHoldInput)
    async def place_legal_hold(
        self,
        info: Info[Context, None],
        input: PlaceLegalHoldInput,
    ) -> LegalHoldPayload:
        ctx = info.context
        today = dt.date.today()
        async with user_errors(ctx) as errors, ctx.db_session() as session:
            hold = await service.place_hold(
                session,
                caller(ctx),
                parse_id(input.family_id, "familyId"),
                reason=input.reason,
                note=input.note,
                until=input.until,
                today=today,
            )
            await session.commit()
            return LegalHoldPayload(hold=LegalHold.from_model(hold, today))
        return LegalHoldPayload(errors=errors)

    @strawberry.mutation(
        description="Lever une obligation de conservation. Si c'était la dernière et qu'un "
        "effacement attendait, il est réalisé aussitôt.",
        extensions=[action_gate(service.MANAGE)],
    )
    async def lift_legal_hold(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> LegalHoldPayload:
        ctx = info.context
        today = dt.date.today()
        async with user_errors(ctx) as errors, ctx.db_session() as session:
            hold, erasure = await service.lift_hold(
                session, caller(ctx), sources(ctx), parse_id(id, "holdId"), today
            )
            await session.commit()
            return LegalHoldPayload(
                hold=LegalHold.from_model(hold, today),
                erasure=ErasureRequest.from_model(erasure) if erasure else None,
            )
        return LegalHoldPayload(errors=errors)

    @strawberry.mutation(
        description="Enregistrer et réaliser la demande d'effacement d'une famille (art. 17 "
        "RGPD) : le dossier est anonymisé, ou l'effacement est différé tant qu'une "
        "obligation de conservation court.",
        extensions=[action_gate(service.MANAGE)],
    )
    @flat_form(EraseFamilyDataInput)
    async def erase_family_data(
        self,
        info: Info[Context, None],
        input: EraseFamilyDataInput,
    ) -> ErasureRequestPayload:
        ctx = info.context
        async with user_errors(ctx) as errors, ctx.db_session() as session:
            row = await service.request_erasure(
                session,
                caller(ctx),
                sources(ctx),
                parse_id(input.family_id, "familyId"),
                received_on=input.received_on,
                requester=input.requester,
            )
            await session.commit()
            return ErasureRequestPayload(request=ErasureRequest.from_model(row))
        return ErasureRequestPayload(errors=errors)


TYPES: tuple[Any, ...] = ()
