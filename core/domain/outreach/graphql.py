"""GraphQL: awareness sessions, events, and the tables of the activity report.

A page of sessions loads its communes, speakers, named participants and structures in a
fixed number of statements, whatever its length. The tables are typed (columns, rows
with their cells and totals, column totals, grand total) so that a client prints them
without adding anything up itself.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry import relay
from strawberry.types import Info

from core.api.context import Context
from core.api.gates import action_gate
from core.api.ids import caller, maybe_id, parse_id, try_uuid
from core.api.limits import chars_field
from core.api.pagination import connection, in_order, page_of
from core.api.payloads import UserError, user_errors
from core.api.reads import person_field
from core.api.staff import StaffMember, staff_member, staff_names
from core.auth.graphql import OkPayload
from core.domain.outreach import service
from core.domain.outreach.models import AwarenessSession as SessionModel
from core.domain.outreach.models import OutreachEvent as EventModel
from core.domain.outreach.models import SessionParticipant, SessionSpeaker
from core.domain.outreach.models import SessionParticipant as ParticipantModel
from core.domain.outreach.vocabulary import (
    AUDIENCES,
    EVENT_KINDS,
    SESSION_KINDS,
    duration_label,
)
from core.domain.structures.graphql import KindOption, Structure, load_structures
from core.domain.structures.models import Structure as StructureModel
from core.territory.graphql import Commune
from core.territory.search import get_communes

READ, MANAGE = service.READ, service.MANAGE


def _option(value: str, vocabulary: Any) -> KindOption:
    return KindOption(value=value, label=vocabulary[value])


def _options(vocabulary: Any) -> list[KindOption]:
    return [KindOption(value=k, label=v) for k, v in vocabulary.items()]


async def _communes(session: Any, codes: Iterable[str | None]) -> dict[str, Commune]:
    rows = await get_communes(session, sorted({c for c in codes if c is not None}))
    return {c.insee_code: Commune.from_model(c) for c in rows}


@strawberry.type(description="Un participant nommé d'une sensibilisation.")
class OutreachParticipant:
    uid: strawberry.Private[str]
    name: str = person_field()
    structure: Structure | None

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.uid)


@strawberry.type(description="Une sensibilisation ou une formation animée par le pôle.")
class AwarenessSession(relay.Node):
    uid: relay.NodeID[str]
    kind: KindOption
    audience: KindOption
    commune: Commune | None = strawberry.field(
        description="La commune où la séance a eu lieu ; aucune pour une séance à distance."
    )
    remote: bool = strawberry.field(description="Séance à distance (en visio), sans commune.")
    held_on: dt.date
    half_days: int = strawberry.field(description="Durée en demi-journées.")
    duration_label: str = strawberry.field(description="« ½ journée », « 1 journée »…")
    participants_count: int
    participants: list[OutreachParticipant] = strawberry.field(
        description="Les participants nommés (facultatif ; jamais plus que le nombre)."
    )
    speakers: list[StaffMember]
    materials: list[str] = strawberry.field(description="Supports et outils utilisés.")
    host_structure: Structure | None
    title: str
    notes: str

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[AwarenessSession | None]:
        ids = [try_uuid(i) for i in node_ids]
        if not info.context.can(READ):
            return [None for _ in ids]
        async with info.context.db_session() as session:
            found = await load_sessions(
                session, select(SessionModel).where(SessionModel.id.in_([i for i in ids if i]))
            )
        return in_order(ids, found, lambda s: uuid.UUID(s.uid), lambda s: s)


@strawberry.type(description="Un événement : forum, stand, présentation aux partenaires.")
class OutreachEvent(relay.Node):
    uid: relay.NodeID[str]
    kind: KindOption
    commune: Commune
    held_on: dt.date
    people_reached: int
    title: str
    notes: str

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[OutreachEvent | None]:
        ids = [try_uuid(i) for i in node_ids]
        if not info.context.can(READ):
            return [None for _ in ids]
        async with info.context.db_session() as session:
            found = await load_events(
                session, select(EventModel).where(EventModel.id.in_([i for i in ids if i]))
            )
        return in_order(ids, found, lambda e: uuid.UUID(e.uid), lambda e: e)


async def load_sessions(session: Any, statement: Any) -> list[AwarenessSession]:
    rows: list[SessionModel] = list((await session.execute(statement)).scalars())
    ids = [r.id for r in rows]
    speakers: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    participants: dict[uuid.UUID, list[SessionParticipant]] = defaultdict(list)
    if ids:
        for link in (
            await session.execute(
                select(SessionSpeaker)
                .where(SessionSpeaker.session_id.in_(ids))
                .order_by(SessionSpeaker.id)
            )
        ).scalars():
            speakers[link.session_id].append(link.user_id)
        for person in (
            await session.execute(
                select(SessionParticipant)
                .where(SessionParticipant.session_id.in_(ids))
                .order_by(SessionParticipant.position)
            )
        ).scalars():
            participants[person.session_id].append(person)
    structure_ids = {r.host_structure_id for r in rows if r.host_structure_id} | {
        p.structure_id for group in participants.values() for p in group if p.structure_id
    }
    structures = (
        {
            uuid.UUID(s.uid): s
            for s in await load_structures(
                session, select(StructureModel).where(StructureModel.id.in_(structure_ids))
            )
        }
        if structure_ids
        else {}
    )
    names = await staff_names(session, [u for group in speakers.values() for u in group])
    communes = await _communes(session, [r.commune_insee for r in rows])
    return [
        AwarenessSession(
            uid=str(r.id),
            kind=_option(r.kind, SESSION_KINDS),
            audience=_option(r.audience, AUDIENCES),
            commune=communes[r.commune_insee] if r.commune_insee else None,
            remote=r.commune_insee is None,
            held_on=r.held_on,
            half_days=r.half_days,
            duration_label=duration_label(r.half_days),
            participants_count=r.participants_count,
            participants=[
                OutreachParticipant(
                    uid=str(p.id),
                    name=p.name,
                    structure=structures.get(p.structure_id) if p.structure_id else None,
                )
                for p in participants[r.id]
            ],
            speakers=[s for s in (staff_member(u, names) for u in speakers[r.id]) if s],
            materials=list(r.materials),
            host_structure=structures.get(r.host_structure_id) if r.host_structure_id else None,
            title=r.title,
            notes=r.notes,
        )
        for r in rows
    ]


async def load_events(session: Any, statement: Any) -> list[OutreachEvent]:
    rows: list[EventModel] = list((await session.execute(statement)).scalars())
    communes = await _communes(session, [r.commune_insee for r in rows])
    return [
        OutreachEvent(
            uid=str(r.id),
            kind=_option(r.kind, EVENT_KINDS),
            commune=communes[r.commune_insee],
            held_on=r.held_on,
            people_reached=r.people_reached,
            title=r.title,
            notes=r.notes,
        )
        for r in rows
    ]


@strawberry.type
class AwarenessSessionConnection(relay.ListConnection[AwarenessSession]):
    total_count: int


@strawberry.type
class OutreachEventConnection(relay.ListConnection[OutreachEvent]):
    total_count: int


# --- tables ----------------------------------------------------------------------------


@strawberry.type(description="Une case du tableau des sensibilisations.")
class SessionCell:
    sessions: int
    participants: int


@strawberry.type(description="Une colonne de durée du tableau des sensibilisations.")
class SessionTableColumn:
    half_days: int
    label: str


@strawberry.type(
    description="Une ligne : une commune (ou les séances à distance) et un public, une case "
    "par durée."
)
class SessionTableRow:
    commune: Commune | None = strawberry.field(
        description="Aucune : la ligne des séances à distance (en visio)."
    )
    place: str = strawberry.field(description="Le nom de la commune, ou « À distance (visio) ».")
    audience: KindOption
    cells: list[SessionCell] = strawberry.field(description="Dans l'ordre des colonnes.")
    total: SessionCell


@strawberry.type(description="Séances et participants d'un type de sensibilisation.")
class SessionKindTotal:
    kind: KindOption
    sessions: int
    participants: int


@strawberry.type(
    description="Les sensibilisations d'une période par commune × public × durée, avec les "
    "totaux de lignes, de colonnes et le total général."
)
class SessionTable:
    start: dt.date
    end: dt.date = strawberry.field(description="Exclue.")
    columns: list[SessionTableColumn]
    rows: list[SessionTableRow]
    column_totals: list[SessionCell]
    total: SessionCell
    by_kind: list[SessionKindTotal]


@strawberry.type(description="Une case du tableau des événements.")
class EventCell:
    events: int
    people_reached: int


@strawberry.type(description="Une ligne : une commune, une case par type d'événement.")
class EventTableRow:
    commune: Commune
    cells: list[EventCell] = strawberry.field(description="Dans l'ordre des colonnes.")
    total: EventCell


@strawberry.type(
    description="Les événements d'une période par commune × type, personnes touchées, avec "
    "les totaux."
)
class OutreachEventTable:
    start: dt.date
    end: dt.date = strawberry.field(description="Exclue.")
    columns: list[KindOption]
    rows: list[EventTableRow]
    column_totals: list[EventCell]
    total: EventCell


def _session_cell(cell: service.Cell) -> SessionCell:
    return SessionCell(sessions=cell.count, participants=cell.people)


def _event_cell(cell: service.Cell) -> EventCell:
    return EventCell(events=cell.count, people_reached=cell.people)


# --- inputs and payloads ---------------------------------------------------------------


@strawberry.input(description="Un participant nommé (une personne : lecture tracée).")
class OutreachParticipantInput:
    name: str = chars_field(ParticipantModel.name)
    structure_id: strawberry.ID | None = None


@strawberry.input(description="Une sensibilisation ou une formation.")
class AwarenessSessionInput:
    kind: str = strawberry.field(description="Voir awarenessSessionKinds.")
    audience: str = strawberry.field(description="Voir awarenessAudiences.")
    commune_insee: str = chars_field(
        SessionModel.commune_insee,
        "Commune où la séance a lieu (code INSEE) ; vide pour une séance à distance",
        default="",
    )
    remote: bool = strawberry.field(
        default=False,
        description="Séance à distance (en visio) : elle n'a pas de commune.",
    )
    held_on: dt.date
    half_days: int = strawberry.field(description="Durée en demi-journées (1, 2, 4…).")
    speaker_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Membres du pôle qui ont animé."
    )
    participants_count: int | None = strawberry.field(
        default=None, description="Absent : le nombre de participants nommés."
    )
    participants: list[OutreachParticipantInput] = strawberry.field(default_factory=list)
    materials: list[str] = strawberry.field(default_factory=list)
    host_structure_id: strawberry.ID | None = None
    title: str = chars_field(SessionModel.title, default="")
    notes: str = chars_field(SessionModel.notes, default="")


@strawberry.input(description="Un événement : forum, stand, présentation aux partenaires.")
class OutreachEventInput:
    kind: str = strawberry.field(description="Voir outreachEventKinds.")
    commune_insee: str = chars_field(EventModel.commune_insee)
    held_on: dt.date
    people_reached: int = 0
    title: str = chars_field(EventModel.title, default="")
    notes: str = chars_field(EventModel.notes, default="")


@strawberry.type
class AwarenessSessionPayload:
    awareness_session: AwarenessSession | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OutreachEventPayload:
    outreach_event: OutreachEvent | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _session_input(value: AwarenessSessionInput) -> service.SessionInput:
    return service.SessionInput(
        kind=value.kind,
        audience=value.audience,
        commune_insee=value.commune_insee,
        remote=value.remote,
        held_on=value.held_on,
        half_days=value.half_days,
        speaker_ids=[parse_id(s, f"speakerIds.{i}") for i, s in enumerate(value.speaker_ids)],
        participants_count=value.participants_count,
        participants=[
            service.ParticipantInput(
                name=p.name, structure_id=maybe_id(p.structure_id, f"participants.{i}.structureId")
            )
            for i, p in enumerate(value.participants)
        ],
        materials=value.materials,
        host_structure_id=maybe_id(value.host_structure_id, "hostStructureId"),
        title=value.title,
        notes=value.notes,
    )


def _event_input(value: OutreachEventInput) -> service.EventInput:
    return service.EventInput(
        kind=value.kind,
        commune_insee=value.commune_insee,
        held_on=value.held_on,
        people_reached=value.people_reached,
        title=value.title,
        notes=value.notes,
    )


async def _session_payload(ctx: Context, apply: Any) -> AwarenessSessionPayload:
    result = None
    async with user_errors(ctx) as errors, ctx.db_session() as session:
        row_id = await apply(session)
        await session.commit()
        (result,) = await load_sessions(
            session, select(SessionModel).where(SessionModel.id == row_id)
        )
    if errors:
        return AwarenessSessionPayload(errors=errors)
    return AwarenessSessionPayload(awareness_session=result)


async def _event_payload(ctx: Context, apply: Any) -> OutreachEventPayload:
    result = None
    async with user_errors(ctx) as errors, ctx.db_session() as session:
        row_id = await apply(session)
        await session.commit()
        (result,) = await load_events(session, select(EventModel).where(EventModel.id == row_id))
    return (
        OutreachEventPayload(errors=errors)
        if errors
        else OutreachEventPayload(outreach_event=result)
    )


async def _ok(ctx: Context, apply: Any) -> OkPayload:
    async with user_errors(ctx) as errors, ctx.db_session() as session:
        await apply(session)
        await session.commit()
    return OkPayload(errors=errors) if errors else OkPayload(ok=True)


def _ids(values: Sequence[str] | None) -> list[str]:
    return list(values or [])


# --- root fields -----------------------------------------------------------------------


@strawberry.type
class OutreachQuery:
    @strawberry.field(description="Types de sensibilisation (libellés des rapports).")
    def awareness_session_kinds(self) -> list[KindOption]:
        return _options(SESSION_KINDS)

    @strawberry.field(description="Publics des sensibilisations.")
    def awareness_audiences(self) -> list[KindOption]:
        return _options(AUDIENCES)

    @strawberry.field(description="Types d'événements.")
    def outreach_event_kinds(self) -> list[KindOption]:
        return _options(EVENT_KINDS)

    @strawberry.field(
        description="Sensibilisations du pôle, des plus récentes aux plus anciennes ; "
        "filtres : période [début, fin[, types, publics, commune, EPCI, intervenant.",
        extensions=[action_gate(READ)],
    )
    async def awareness_sessions(
        self,
        info: Info[Context, None],
        start: dt.date | None = None,
        end: dt.date | None = None,
        kinds: list[str] | None = None,
        audiences: list[str] | None = None,
        commune_insee: str | None = None,
        epci_siren: str | None = None,
        speaker_user_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> AwarenessSessionConnection:
        statement = service.sessions_query(
            service.SessionFilter(
                start=start,
                end=end,
                kinds=_ids(kinds),
                audiences=_ids(audiences),
                commune_insee=commune_insee,
                epci_siren=epci_siren,
                speaker_id=maybe_id(speaker_user_id, "speakerUserId"),
            )
        )
        async with info.context.db_session() as session:
            win, total, page = await page_of(session, statement, first, after)
            nodes = await load_sessions(session, page)
        return connection(AwarenessSessionConnection, nodes, win, total)

    @strawberry.field(
        description="Événements du pôle, des plus récents aux plus anciens ; filtres : "
        "période [début, fin[, types, commune, EPCI.",
        extensions=[action_gate(READ)],
    )
    async def outreach_events(
        self,
        info: Info[Context, None],
        start: dt.date | None = None,
        end: dt.date | None = None,
        kinds: list[str] | None = None,
        commune_insee: str | None = None,
        epci_siren: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> OutreachEventConnection:
        statement = service.events_query(
            service.EventFilter(
                start=start,
                end=end,
                kinds=_ids(kinds),
                commune_insee=commune_insee,
                epci_siren=epci_siren,
            )
        )
        async with info.context.db_session() as session:
            win, total, page = await page_of(session, statement, first, after)
            nodes = await load_events(session, page)
        return connection(OutreachEventConnection, nodes, win, total)

    @strawberry.field(
        description="Tableau des sensibilisations d'une année civile, ou d'une période "
        "[début, fin[ : par commune × public × durée, séances et participants, totaux.",
        extensions=[action_gate(READ)],
    )
    async def awareness_session_table(
        self,
        info: Info[Context, None],
        year: int | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> SessionTable:
        begin, stop = service.period(year, start, end)
        async with info.context.db_session() as session:
            table = await service.session_table(
                session, caller(info.context), start=begin, end=stop
            )
            communes = await _communes(session, [r.commune_insee for r in table.rows])
        return SessionTable(
            start=table.start,
            end=table.end,
            columns=[
                SessionTableColumn(half_days=int(c), label=duration_label(int(c)))
                for c in table.columns
            ],
            rows=[
                SessionTableRow(
                    commune=communes[r.commune_insee] if r.commune_insee else None,
                    place=r.commune_name,
                    audience=_option(r.key, AUDIENCES),
                    cells=[_session_cell(c) for c in r.cells],
                    total=_session_cell(r.total),
                )
                for r in table.rows
            ],
            column_totals=[_session_cell(c) for c in table.column_totals],
            total=_session_cell(table.total),
            by_kind=[
                SessionKindTotal(
                    kind=_option(kind, SESSION_KINDS),
                    sessions=table.by_kind[kind].count,
                    participants=table.by_kind[kind].people,
                )
                for kind in SESSION_KINDS
                if kind in table.by_kind
            ],
        )

    @strawberry.field(
        description="Tableau des événements d'une année civile, ou d'une période [début, "
        "fin[ : par commune × type, événements et personnes touchées, totaux.",
        extensions=[action_gate(READ)],
    )
    async def outreach_event_table(
        self,
        info: Info[Context, None],
        year: int | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> OutreachEventTable:
        begin, stop = service.period(year, start, end)
        async with info.context.db_session() as session:
            table = await service.event_table(session, caller(info.context), start=begin, end=stop)
            communes = await _communes(session, [r.commune_insee for r in table.rows])
        return OutreachEventTable(
            start=table.start,
            end=table.end,
            columns=[_option(str(c), EVENT_KINDS) for c in table.columns],
            rows=[
                EventTableRow(
                    commune=communes[r.commune_insee],
                    cells=[_event_cell(c) for c in r.cells],
                    total=_event_cell(r.total),
                )
                for r in table.rows
            ],
            column_totals=[_event_cell(c) for c in table.column_totals],
            total=_event_cell(table.total),
        )


@strawberry.type
class OutreachMutation:
    @strawberry.mutation(
        description="Enregistrer une sensibilisation ou une formation.",
        extensions=[action_gate(MANAGE)],
    )
    async def record_awareness_session(
        self, info: Info[Context, None], input: AwarenessSessionInput
    ) -> AwarenessSessionPayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            row = await service.record_session(session, caller(ctx), _session_input(input))
            return row.id

        return await _session_payload(ctx, apply)

    @strawberry.mutation(
        description="Corriger une sensibilisation (tout est remplacé, intervenants et "
        "participants compris).",
        extensions=[action_gate(MANAGE)],
    )
    async def update_awareness_session(
        self, info: Info[Context, None], id: strawberry.ID, input: AwarenessSessionInput
    ) -> AwarenessSessionPayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            row = await service.update_session(
                session, caller(ctx), parse_id(id, "id"), _session_input(input)
            )
            return row.id

        return await _session_payload(ctx, apply)

    @strawberry.mutation(
        description="Supprimer une sensibilisation saisie par erreur.",
        extensions=[action_gate(MANAGE)],
    )
    async def delete_awareness_session(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> OkPayload:
        ctx = info.context
        return await _ok(
            ctx, lambda session: service.delete_session(session, caller(ctx), parse_id(id, "id"))
        )

    @strawberry.mutation(
        description="Enregistrer un événement (forum, stand, présentation aux partenaires).",
        extensions=[action_gate(MANAGE)],
    )
    async def record_outreach_event(
        self, info: Info[Context, None], input: OutreachEventInput
    ) -> OutreachEventPayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            row = await service.record_event(session, caller(ctx), _event_input(input))
            return row.id

        return await _event_payload(ctx, apply)

    @strawberry.mutation(description="Corriger un événement.", extensions=[action_gate(MANAGE)])
    async def update_outreach_event(
        self, info: Info[Context, None], id: strawberry.ID, input: OutreachEventInput
    ) -> OutreachEventPayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            row = await service.update_event(
                session, caller(ctx), parse_id(id, "id"), _event_input(input)
            )
            return row.id

        return await _event_payload(ctx, apply)

    @strawberry.mutation(
        description="Supprimer un événement saisi par erreur.", extensions=[action_gate(MANAGE)]
    )
    async def delete_outreach_event(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> OkPayload:
        ctx = info.context
        return await _ok(
            ctx, lambda session: service.delete_event(session, caller(ctx), parse_id(id, "id"))
        )


TYPES = (AwarenessSession, OutreachEvent)
