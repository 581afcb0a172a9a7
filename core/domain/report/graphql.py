"""GraphQL: the report's narrative sections and the year's funding."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import strawberry
from strawberry.types import Info

from core.api.context import Context
from core.api.gates import action_gate
from core.api.ids import caller, parse_id
from core.api.limits import chars_field
from core.api.payloads import UserError, user_errors
from core.api.staff import StaffMember, staff_of
from core.domain.report import service
from core.domain.report.markdown import to_html
from core.domain.report.models import Funding as FundingModel
from core.domain.report.models import ReportNarrative as NarrativeModel
from core.domain.report.vocabulary import FUNDING_KINDS, NARRATIVE_KINDS
from core.domain.structures.graphql import KindOption


def _options(vocabulary: Any) -> list[KindOption]:
    return [KindOption(value=k, label=v) for k, v in vocabulary.items()]


@strawberry.type(
    description="Section rédigée par l'équipe pour le rapport d'activité d'une année "
    "(Nouveautés, Exemples d'accompagnement, Perspectives, sections libres)."
)
class ReportNarrative:
    id: strawberry.ID
    year: int
    kind: KindOption
    title: str
    body: str = strawberry.field(description="Le texte tel que saisi, en Markdown.")
    body_html: str = strawberry.field(
        description="Le texte mis en forme, nettoyé (sans script ni image), prêt à afficher."
    )
    position: int
    updated_at: dt.datetime
    author_user_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="Qui l'a écrite en dernier (absent : données de démonstration).")
    def author(self, info: Info[Context, None]) -> StaffMember | None:
        # The loader's future itself, as the other nested fields (decision 96).
        return staff_of(info.context, self.author_user_id)  # type: ignore[return-value]

    @classmethod
    def from_model(cls, row: NarrativeModel) -> ReportNarrative:
        return cls(
            id=strawberry.ID(str(row.id)),
            year=row.year,
            kind=KindOption(value=row.kind, label=NARRATIVE_KINDS[row.kind]),
            title=row.title,
            body=row.body,
            body_html=to_html(row.body),
            position=row.position,
            updated_at=row.updated_at,
            author_user_id=row.author_user_id,
        )


@strawberry.type(description="Contribution d'un financeur à l'activité d'une année.")
class Funding:
    id: strawberry.ID
    year: int
    funder: str
    kind: KindOption
    amount_cents: int = strawberry.field(description="Montant en centimes d'euro.")
    notes: str

    @classmethod
    def from_model(cls, row: FundingModel) -> Funding:
        return cls(
            id=strawberry.ID(str(row.id)),
            year=row.year,
            funder=row.funder,
            kind=KindOption(value=row.kind, label=FUNDING_KINDS[row.kind]),
            amount_cents=row.amount_cents,
            notes=row.notes,
        )


@strawberry.type(description="Les financements d'une année, ligne par ligne, et leur total.")
class YearFunding:
    year: int
    lines: list[Funding]

    @strawberry.field(description="Total de l'année, en centimes d'euro.")
    def total_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)


@strawberry.input(description="Une section du rapport d'activité.")
class ReportNarrativeInput:
    year: int
    kind: str = strawberry.field(description="Voir reportNarrativeKinds.")
    body: str = chars_field(
        NarrativeModel.body, "Le texte, en Markdown (titres, listes, gras, liens)."
    )
    title: str = chars_field(
        NarrativeModel.title,
        "Obligatoire pour une section libre ; sinon le nom du type de section.",
        default="",
    )
    position: int | None = strawberry.field(
        default=None, description="Ordre parmi les sections libres (absent : à la fin)."
    )


@strawberry.input(description="Une ligne de financement d'une année.")
class FundingInput:
    year: int
    funder: str = chars_field(FundingModel.funder, "Le financeur (« Conseil départemental »…).")
    kind: str = strawberry.field(description="Voir fundingKinds.")
    amount_cents: int = strawberry.field(description="Montant en centimes d'euro.")
    notes: str = chars_field(FundingModel.notes, "Remarque (convention, période…).", default="")


@strawberry.type
class ReportNarrativePayload:
    narrative: ReportNarrative | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class FundingPayload:
    funding: Funding | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ReportDeletePayload:
    deleted_id: strawberry.ID | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ReportQuery:
    @strawberry.field(description="Types de sections du rapport d'activité (code et libellé).")
    def report_narrative_kinds(self) -> list[KindOption]:
        return _options(NARRATIVE_KINDS)

    @strawberry.field(description="Types de financement (code et libellé).")
    def funding_kinds(self) -> list[KindOption]:
        return _options(FUNDING_KINDS)

    @strawberry.field(
        description="Les sections rédigées du rapport d'une année, dans l'ordre d'impression.",
        extensions=[action_gate(service.READ)],
    )
    async def report_narratives(
        self, info: Info[Context, None], year: int
    ) -> list[ReportNarrative]:
        ctx = info.context
        async with ctx.db_session() as session:
            rows = await service.list_narratives(session, caller(ctx), year)
        return [ReportNarrative.from_model(r) for r in rows]

    @strawberry.field(
        description="Les financements d'une année (financeur, type, montant) et leur total.",
        extensions=[action_gate(service.READ)],
    )
    async def year_funding(self, info: Info[Context, None], year: int) -> YearFunding:
        ctx = info.context
        async with ctx.db_session() as session:
            rows = await service.list_fundings(session, caller(ctx), year)
        return YearFunding(year=year, lines=[Funding.from_model(r) for r in rows])


def _narrative_input(data: ReportNarrativeInput) -> service.NarrativeInput:
    return service.NarrativeInput(
        year=data.year, kind=data.kind, body=data.body, title=data.title, position=data.position
    )


def _funding_input(data: FundingInput) -> service.FundingInput:
    return service.FundingInput(
        year=data.year,
        funder=data.funder,
        kind=data.kind,
        amount_cents=data.amount_cents,
        notes=data.notes,
    )


async def _deleted(ctx: Context, id: strawberry.ID, delete: Any) -> ReportDeletePayload:
    async with user_errors(ctx) as errors, ctx.db_session() as session:
        await delete(session, caller(ctx), parse_id(id, "id"))
        await session.commit()
    return ReportDeletePayload(errors=errors) if errors else ReportDeletePayload(deleted_id=id)


@strawberry.type
class ReportMutation:
    @strawberry.mutation(
        description="Écrire une section du rapport d'activité, ou la réécrire (avec `id`). "
        "Une section Nouveautés, Exemples ou Perspectives existe une fois par année : "
        "l'écrire de nouveau la remplace.",
        extensions=[action_gate(service.WRITE)],
    )
    async def write_report_narrative(
        self,
        info: Info[Context, None],
        input: ReportNarrativeInput,
        id: strawberry.ID | None = None,
    ) -> ReportNarrativePayload:
        ctx = info.context
        result = None
        async with user_errors(ctx) as errors, ctx.db_session() as session:
            row = await service.write_narrative(
                session, caller(ctx), _narrative_input(input), parse_id(id, "id") if id else None
            )
            await session.commit()
            await session.refresh(row)
            result = ReportNarrative.from_model(row)
        return (
            ReportNarrativePayload(errors=errors)
            if errors
            else ReportNarrativePayload(narrative=result)
        )

    @strawberry.mutation(
        description="Supprimer une section du rapport d'activité.",
        extensions=[action_gate(service.WRITE)],
    )
    async def delete_report_narrative(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> ReportDeletePayload:
        return await _deleted(info.context, id, service.delete_narrative)

    @strawberry.mutation(
        description="Enregistrer la contribution d'un financeur pour une année, ou la "
        "corriger (avec `id`).",
        extensions=[action_gate(service.WRITE)],
    )
    async def record_funding(
        self, info: Info[Context, None], input: FundingInput, id: strawberry.ID | None = None
    ) -> FundingPayload:
        ctx = info.context
        result = None
        async with user_errors(ctx) as errors, ctx.db_session() as session:
            row = await service.record_funding(
                session, caller(ctx), _funding_input(input), parse_id(id, "id") if id else None
            )
            await session.commit()
            result = Funding.from_model(row)
        return FundingPayload(errors=errors) if errors else FundingPayload(funding=result)

    @strawberry.mutation(
        description="Supprimer une ligne de financement.",
        extensions=[action_gate(service.WRITE)],
    )
    async def delete_funding(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> ReportDeletePayload:
        return await _deleted(info.context, id, service.delete_funding)
