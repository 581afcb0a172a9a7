"""GraphQL: requests, follow-ups and interventions.

A page of follow-ups is one statement of plain rows; the child, the structures and
partners involved, the staff names and the interventions are read only when the query
selects them, per request in batches (core/api/loaders.py, decision 95): a fixed number
of statements whatever the page's length.
"""

from __future__ import annotations

import datetime as dt
import operator
import uuid
from collections.abc import Awaitable, Iterable, Sequence
from typing import Annotated, Any

import strawberry
from sqlalchemy import and_, select
from strawberry import relay
from strawberry.types import Info

from core.api.context import Context
from core.api.gates import action_gate
from core.api.ids import caller, maybe_id, parse_id, try_uuid
from core.api.inputs import flat_form
from core.api.limits import chars_field
from core.api.loaders import (
    FIRST,
    LAST,
    Bound,
    bounded,
    bounded_batch,
    grouped,
    many,
    node_fields,
    prefetch,
    preload,
    prime,
    ready,
)
from core.api.pagination import (
    UPDATED_SINCE,
    ToOne,
    asks_total,
    changed_since,
    connection,
    counted_page,
    in_order,
    joined_page,
    kept,
    window,
)
from core.api.payloads import UserError, user_errors
from core.api.reads import person_field
from core.api.staff import StaffMember, staff_of
from core.api.staff import staff_member as _staff
from core.api.staff import staff_names as _names
from core.auth.models import User
from core.domain.casework import service, tasks
from core.domain.casework.models import FollowUp as FollowUpModel
from core.domain.casework.models import FollowUpPartner, FollowUpStructure
from core.domain.casework.models import Intervention as InterventionModel
from core.domain.casework.models import Request as RequestModel
from core.domain.casework.vocabulary import (
    CHANNELS,
    FOLLOW_UP_STATUSES,
    INTERVENTION_KINDS,
    OUTCOMES,
    REQUEST_STATUSES,
    REQUESTER_KINDS,
    SUBJECTS,
)
from core.domain.families.graphql import CHILD_COLUMNS, Child, child_of, children_by_id
from core.domain.families.models import Child as ChildModel
from core.domain.structures.graphql import (
    PARTNER_COLUMNS,
    STRUCTURE_COLUMNS,
    KindOption,
    Partner,
    Structure,
    structure_of,
)
from core.domain.structures.models import Partner as PartnerModel
from core.domain.structures.models import Structure as StructureModel
from core.tenancy.driver_reads import select_rows

READ, MANAGE = service.READ, service.MANAGE


# One option per vocabulary and code, made once: a page of follow-ups with their
# interventions built several hundred equal ones per request. The vocabularies are
# read-only mappings (vocabulary.py) and nothing changes an option once made.
_OPTIONS: dict[tuple[int, str], KindOption] = {}


def _option(value: str, vocabulary: Any) -> KindOption:
    key = (id(vocabulary), value)
    option = _OPTIONS.get(key)
    if option is None:
        option = _OPTIONS[key] = KindOption(value=value, label=vocabulary[value])
    return option


async def _assigned_to(self: Request, info: Info[Context, None]) -> StaffMember | None:
    return await staff_of(info.context, self.assigned_user_id)


REQUEST_COLUMNS = (
    RequestModel.id,
    RequestModel.received_on,
    RequestModel.channel,
    RequestModel.requester_kind,
    RequestModel.requester_name,
    RequestModel.subjects,
    RequestModel.description,
    RequestModel.status,
    RequestModel.answered_on,
    RequestModel.answer,
    RequestModel.family_id,
    RequestModel.child_id,
    RequestModel.structure_id,
    RequestModel.assigned_to,
)


@strawberry.type(description="Une demande d'intervention (fiche de demande).")
class Request(relay.Node):
    uid: relay.NodeID[str]
    received_on: dt.date
    channel: KindOption
    requester_kind: KindOption
    requester_name: str = person_field()
    subjects: list[KindOption]
    description: str = person_field()
    status: KindOption
    answered_on: dt.date | None
    answer: str = person_field()
    family_id: strawberry.ID | None
    child_id: strawberry.ID | None
    structure_id: strawberry.ID | None
    assigned_user_id: strawberry.Private[uuid.UUID | None]
    assigned_to: StaffMember | None = strawberry.field(resolver=_assigned_to)

    @classmethod
    def from_model(cls, row: Any) -> Request:
        """From a ``REQUEST_COLUMNS`` row (or a model row)."""

        def sid(value: uuid.UUID | None) -> strawberry.ID | None:
            return strawberry.ID(str(value)) if value else None

        return cls(
            uid=str(row.id),
            received_on=row.received_on,
            channel=_option(row.channel, CHANNELS),
            requester_kind=_option(row.requester_kind, REQUESTER_KINDS),
            requester_name=row.requester_name,
            subjects=[_option(s, SUBJECTS) for s in row.subjects],
            description=row.description,
            status=_option(row.status, REQUEST_STATUSES),
            answered_on=row.answered_on,
            answer=row.answer,
            family_id=sid(row.family_id),
            child_id=sid(row.child_id),
            structure_id=sid(row.structure_id),
            assigned_user_id=row.assigned_to,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Request | None]:
        ids = [try_uuid(i) for i in node_ids]
        if not info.context.can(READ):
            return [None for _ in ids]
        async with info.context.db_session() as session:
            rows = await session.execute(
                select(*REQUEST_COLUMNS).where(RequestModel.id.in_([i for i in ids if i]))
            )
        return in_order(ids, rows, lambda r: r.id, cls.from_model)


# Nested fields answer the loader's future itself (decision 96): no coroutine per row;
# its value when the page already read it (``ready``: a prefetched or joined record, no
# awaitable for graphql-core to wrap in a coroutine, decision 217).
def _intervention_staff(self: Intervention, info: Info[Context, None]) -> StaffMember | None:
    if self.staff_user_id is None:
        return None
    return ready(staff_of(info.context, self.staff_user_id))


def _structure(self: Intervention, info: Info[Context, None]) -> Structure | None:
    if self.structure_id is None:
        return None
    return ready(structure_of(info.context, self.structure_id))


INTERVENTION_COLUMNS = (
    InterventionModel.id,
    InterventionModel.follow_up_id,
    InterventionModel.kind,
    InterventionModel.happened_on,
    InterventionModel.duration_minutes,
    InterventionModel.staff_user_id,
    InterventionModel.structure_id,
    InterventionModel.place,
    InterventionModel.travel_km,
    InterventionModel.notes,
    InterventionModel.recommendations,
)


@strawberry.type(description="Une intervention sur la ligne de temps d'un suivi.")
class Intervention:
    uid: strawberry.Private[str]
    staff_user_id: strawberry.Private[uuid.UUID | None]
    structure_id: strawberry.Private[uuid.UUID | None]
    kind: KindOption
    happened_on: dt.date
    duration_minutes: int
    staff: StaffMember | None = strawberry.field(resolver=_intervention_staff)
    structure: Structure | None = strawberry.field(resolver=_structure)
    place: str
    travel_km: float
    notes: str = person_field()
    recommendations: str = person_field(description="Préconisations données.")

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.uid)

    @classmethod
    def from_model(cls, row: Any) -> Intervention:
        """From an ``INTERVENTION_COLUMNS`` row (or a model row)."""
        return cls(
            uid=str(row.id),
            staff_user_id=row.staff_user_id,
            structure_id=row.structure_id,
            kind=_option(row.kind, INTERVENTION_KINDS),
            happened_on=row.happened_on,
            duration_minutes=row.duration_minutes,
            place=row.place,
            travel_km=row.travel_km,
            notes=row.notes,
            recommendations=row.recommendations,
        )


async def _interventions_batch(
    session: Any, ids: Sequence[uuid.UUID], bound: Bound
) -> dict[uuid.UUID, list[Intervention]]:
    """Each follow-up's time line (or its first or last n), oldest first: one statement
    for a page."""
    statement = select(*INTERVENTION_COLUMNS).where(InterventionModel.follow_up_id.in_(ids))
    rows = await select_rows(
        session,
        bounded(
            statement,
            InterventionModel.follow_up_id,
            [InterventionModel.happened_on, InterventionModel.id],
            bound,
        ),
    )
    return {
        k: [Intervention.from_model(r) for r in v]
        for k, v in grouped(rows, lambda r: r.follow_up_id).items()
    }


interventions_by_follow_up = bounded_batch(_interventions_batch)


async def structures_by_follow_up(
    session: Any, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Structure]]:
    """The structures involved in each follow-up, links and structures in one statement."""
    rows = await select_rows(
        session,
        select(FollowUpStructure.follow_up_id, *STRUCTURE_COLUMNS)
        .join(
            StructureModel,
            and_(
                StructureModel.tenant_id == FollowUpStructure.tenant_id,
                StructureModel.id == FollowUpStructure.structure_id,
            ),
        )
        .where(FollowUpStructure.follow_up_id.in_(ids))
        .order_by(StructureModel.name, StructureModel.id),
    )
    return {
        k: [Structure.from_model(r) for r in v]
        for k, v in grouped(rows, lambda r: r.follow_up_id).items()
    }


async def partners_by_follow_up(
    session: Any, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Partner]]:
    """The partners involved in each follow-up, links and partners in one statement."""
    rows = await session.execute(
        select(FollowUpPartner.follow_up_id, *PARTNER_COLUMNS)
        .join(
            PartnerModel,
            and_(
                PartnerModel.tenant_id == FollowUpPartner.tenant_id,
                PartnerModel.id == FollowUpPartner.partner_id,
            ),
        )
        .where(FollowUpPartner.follow_up_id.in_(ids))
        .order_by(PartnerModel.name, PartnerModel.id)
    )
    return {
        k: [Partner.from_model(r) for r in v]
        for k, v in grouped(rows, lambda r: r.follow_up_id).items()
    }


def _child(self: FollowUp, info: Info[Context, None]) -> Child:
    return ready(child_of(info.context, self.child_id))


def _referent(self: FollowUp, info: Info[Context, None]) -> StaffMember | None:
    if self.referent_user_id is None:
        return None
    return ready(staff_of(info.context, self.referent_user_id))


def _follow_up_structures(self: FollowUp, info: Info[Context, None]) -> list[Structure]:
    return many(info.context, structures_by_follow_up).load(self.row_id)


def _follow_up_partners(self: FollowUp, info: Info[Context, None]) -> list[Partner]:
    return many(info.context, partners_by_follow_up).load(self.row_id)


def _interventions(
    self: FollowUp,
    info: Info[Context, None],
    first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
    last: Annotated[int | None, strawberry.argument(description=LAST)] = None,
) -> list[Intervention]:
    key = (self.row_id, Bound.of(first, last))
    return ready(many(info.context, interventions_by_follow_up).load(key))


def _prefetch(
    info: Info[Context, None], page: Sequence[FollowUp], wanted: dict[str, Any]
) -> list[Awaitable[Any]]:
    """The page's selected nested fields read now, one batch each (``preload``), so that
    they answer values rather than a future per row (decisions 117 and 195).
    Interventions only without ``first``/``last`` (the field then asks its own bound).
    The child and the referent come with the page's own statement (``FOLLOW_UP_TO_ONE``):
    their loads here find them loaded and read nothing, unless the join missed one."""
    ctx = info.context
    loads: list[Awaitable[Any]] = []
    if "child" in wanted:
        loads.append(preload(ctx, children_by_id, [f.child_id for f in page]))
    if "referent" in wanted:
        loads.append(preload(ctx, _names, [f.referent_user_id for f in page]))
    if "structures" in wanted:
        loads.append(preload(ctx, structures_by_follow_up, [f.row_id for f in page], lists=True))
    if "partners" in wanted:
        loads.append(preload(ctx, partners_by_follow_up, [f.row_id for f in page], lists=True))
    if wanted.get("interventions") and not any(any(a.values()) for a in wanted["interventions"]):
        keys = [(f.row_id, Bound()) for f in page]
        loads.append(preload(ctx, interventions_by_follow_up, keys, lists=True))
    return loads


# What a FollowUp is built from: its own columns, read as plain rows in the page's one
# statement; everything it reaches is a resolver over a per-request DataLoader, so a
# field the query does not select costs nothing (decision 95).
FOLLOW_UP_COLUMNS = (
    FollowUpModel.id,
    FollowUpModel.child_id,
    FollowUpModel.request_id,
    FollowUpModel.opened_on,
    FollowUpModel.referent_user_id,
    FollowUpModel.status,
    FollowUpModel.closed_on,
    FollowUpModel.outcome,
    FollowUpModel.outcome_notes,
)


# The records a follow-up names that its page reads in its own statement when the query
# selects them (decision 217): the child (as ``children_by_id`` reads her) and the
# referent's name (as ``staff_names`` reads it).
FOLLOW_UP_TO_ONE = (
    ToOne("child", FollowUpModel.child_id, ChildModel.id, CHILD_COLUMNS, Child.from_model),
    ToOne(
        "referent",
        FollowUpModel.referent_user_id,
        User.id,
        (User.id, User.display_name),
        operator.attrgetter("display_name"),
    ),
)
_TO_ONE_BATCH: dict[str, Any] = {"child": children_by_id, "referent": _names}


@strawberry.type(description="Le suivi d'un enfant.")
class FollowUp(relay.Node):
    uid: relay.NodeID[str]
    # The id as the row has it: the nested fields' loaders take it as their key, and a
    # page parsed ``uid`` back four hundred times (docs/decisions.md, 195).
    row_id: strawberry.Private[uuid.UUID]
    child_id: strawberry.Private[uuid.UUID]
    referent_user_id: strawberry.Private[uuid.UUID | None]
    child: Child = strawberry.field(resolver=_child)
    status: KindOption
    opened_on: dt.date
    closed_on: dt.date | None
    outcome: KindOption | None
    outcome_notes: str = person_field()
    referent: StaffMember | None = strawberry.field(resolver=_referent)
    request_id: strawberry.ID | None
    structures: list[Structure] = strawberry.field(resolver=_follow_up_structures)
    partners: list[Partner] = strawberry.field(resolver=_follow_up_partners)
    interventions: list[Intervention] = strawberry.field(
        resolver=_interventions,
        description="Ligne de temps, de la plus ancienne à la plus récente ; last: 5 pour "
        "les cinq dernières.",
    )

    @classmethod
    def from_model(cls, row: Any) -> FollowUp:
        """From a ``FOLLOW_UP_COLUMNS`` row (or a model row)."""
        return cls(
            uid=str(row.id),
            row_id=row.id,
            child_id=row.child_id,
            referent_user_id=row.referent_user_id,
            status=_option(row.status, FOLLOW_UP_STATUSES),
            opened_on=row.opened_on,
            closed_on=row.closed_on,
            outcome=_option(row.outcome, OUTCOMES) if row.outcome else None,
            outcome_notes=row.outcome_notes,
            request_id=strawberry.ID(str(row.request_id)) if row.request_id else None,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[FollowUp | None]:
        ids = [try_uuid(i) for i in node_ids]
        if not info.context.can(READ):
            return [None for _ in ids]
        async with info.context.db_session() as session:
            found = await load_follow_ups(
                session, select(FollowUpModel).where(FollowUpModel.id.in_([i for i in ids if i]))
            )
        return in_order(ids, found, lambda f: f.row_id, lambda f: f)


async def load_follow_ups(session: Any, statement: Any) -> list[FollowUp]:
    """The follow-ups a ``select(FollowUp)`` finds, as plain rows: one statement."""
    rows = await session.execute(statement.with_only_columns(*FOLLOW_UP_COLUMNS))
    return [FollowUp.from_model(r) for r in rows]


@strawberry.type
class RequestConnection(relay.ListConnection[Request]):
    total_count: int


@strawberry.type
class FollowUpConnection(relay.ListConnection[FollowUp]):
    total_count: int


@strawberry.type(description="Activité d'un membre de l'équipe sur une période.")
class StaffActivity:
    staff: StaffMember | None
    interventions: int
    minutes: int
    travel_km: float
    follow_ups: int


@strawberry.input(description="Une demande d'intervention, telle qu'elle arrive.")
class RequestInput:
    received_on: dt.date
    channel: str = strawberry.field(description="Voir requestChannels.")
    requester_kind: str = chars_field(RequestModel.requester_kind)
    requester_name: str = chars_field(RequestModel.requester_name)
    subjects: list[str]
    description: str = chars_field(RequestModel.description, default="")
    family_id: strawberry.ID | None = None
    child_id: strawberry.ID | None = None
    structure_id: strawberry.ID | None = None
    partner_id: strawberry.ID | None = None
    assigned_to: strawberry.ID | None = None


@strawberry.input(description="Une intervention dans un suivi.")
class InterventionInput:
    follow_up_id: strawberry.ID
    kind: str = strawberry.field(description="Voir interventionKinds.")
    happened_on: dt.date
    duration_minutes: int = 0
    staff_user_id: strawberry.ID | None = None
    structure_id: strawberry.ID | None = None
    place: str = chars_field(InterventionModel.place, default="")
    travel_km: float = 0.0
    notes: str = chars_field(InterventionModel.notes, default="")
    recommendations: str = chars_field(InterventionModel.recommendations, default="")


@strawberry.input(
    description="Faire avancer une demande : qualified, answered (avec la réponse), closed."
)
class SetRequestStatusInput:
    status: str = chars_field(RequestModel.status)
    answer: str = chars_field(RequestModel.answer, default="")
    on: dt.date | None = None


@strawberry.input(
    description="Le suivi d'un enfant qui s'ouvre (éventuellement depuis une demande)."
)
class OpenFollowUpInput:
    child_id: strawberry.ID
    opened_on: dt.date
    referent_user_id: strawberry.ID | None = None
    request_id: strawberry.ID | None = None
    structure_ids: list[strawberry.ID] | None = None
    partner_ids: list[strawberry.ID] | None = None


@strawberry.input(description="La clôture d'un suivi et son issue.")
class CloseFollowUpInput:
    closed_on: dt.date
    outcome: str = chars_field(FollowUpModel.outcome)
    notes: str = chars_field(FollowUpModel.outcome_notes, default="")


@strawberry.type
class RequestPayload:
    request: Request | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class FollowUpPayload:
    follow_up: FollowUp | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _options(vocabulary: Any) -> list[KindOption]:
    return [KindOption(value=k, label=v) for k, v in vocabulary.items()]


@strawberry.type
class CaseworkQuery:
    @strawberry.field(description="Canaux, demandeurs, objets et statuts des demandes.")
    def request_channels(self) -> list[KindOption]:
        return _options(CHANNELS)

    @strawberry.field(description="Types de demandeurs (code et libellé).")
    def requester_kinds(self) -> list[KindOption]:
        return _options(REQUESTER_KINDS)

    @strawberry.field(description="Objets des demandes (code et libellé).")
    def request_subjects(self) -> list[KindOption]:
        return _options(SUBJECTS)

    @strawberry.field(description="Statuts des demandes et leurs libellés.")
    def request_statuses(self) -> list[KindOption]:
        return _options(REQUEST_STATUSES)

    @strawberry.field(description="Types d'interventions (code et libellé).")
    def intervention_kinds(self) -> list[KindOption]:
        return _options(INTERVENTION_KINDS)

    @strawberry.field(description="Issues d'un suivi (code et libellé).")
    def follow_up_outcomes(self) -> list[KindOption]:
        return _options(OUTCOMES)

    @strawberry.field(
        description="Demandes du pôle, des plus récentes aux plus anciennes ; filtre par "
        "statut et période de réception [début, fin[.",
        extensions=[action_gate(READ)],
    )
    async def requests(
        self,
        info: Info[Context, None],
        statuses: list[str] | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
        updated_since: Annotated[
            dt.datetime | None, strawberry.argument(description=UPDATED_SINCE)
        ] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> RequestConnection:
        statement = kept(
            ("requests", tuple(statuses or ()), start, end, updated_since),
            lambda: changed_since(
                service.requests_query(statuses=statuses, start=start, end=end),
                RequestModel,
                updated_since,
            ),
        )
        async with info.context.db_session() as session:
            win, total, rows = await counted_page(
                session, statement, first, after, *REQUEST_COLUMNS
            )
        return connection(RequestConnection, [Request.from_model(r) for r in rows], win, total)

    @strawberry.field(
        description="Suivis du pôle ; filtres : statut, référent, structure, commune ou EPCI "
        "de l'enfant, période d'activité [début, fin[, search (le prénom de l'enfant ou le "
        "nom de sa famille), familyId (les suivis des enfants d'une famille).",
        extensions=[action_gate(READ)],
    )
    async def follow_ups(
        self,
        info: Info[Context, None],
        statuses: list[str] | None = None,
        referent_user_id: strawberry.ID | None = None,
        structure_id: strawberry.ID | None = None,
        commune_insee: str | None = None,
        epci_siren: str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
        updated_since: Annotated[
            dt.datetime | None, strawberry.argument(description=UPDATED_SINCE)
        ] = None,
        first: int | None = None,
        after: str | None = None,
        search: str | None = None,
        family_id: strawberry.ID | None = None,
    ) -> FollowUpConnection:
        wanted_filter = service.FollowUpFilter(
            statuses=tuple(statuses or ()),
            referent_user_id=maybe_id(referent_user_id, "referentUserId"),
            structure_id=maybe_id(structure_id, "structureId"),
            commune_insee=commune_insee,
            epci_siren=epci_siren,
            start=start,
            end=end,
            search=search,
            family_id=maybe_id(family_id, "familyId"),
        )
        statement = kept(
            ("followUps", wanted_filter, updated_since),
            lambda: changed_since(
                service.follow_ups_query(wanted_filter), FollowUpModel, updated_since
            ),
        )
        wanted = node_fields(info)
        joins = [spec for spec in FOLLOW_UP_TO_ONE if spec.name in wanted]
        async with info.context.db_session() as session:
            win, total, rows, joined = await joined_page(
                session,
                statement,
                first,
                after,
                FOLLOW_UP_COLUMNS,
                joins,
                counted=asks_total(info),
            )
        for spec, records in zip(joins, joined, strict=True):
            prime(info.context, _TO_ONE_BATCH[spec.name], records)
        nodes = [FollowUp.from_model(r) for r in rows]
        await prefetch(_prefetch(info, nodes, wanted))
        return connection(FollowUpConnection, nodes, win, total)

    @strawberry.field(
        description="Les membres actifs du pôle, qu'on peut nommer référent d'un suivi ou "
        "auteur d'une intervention (par nom).",
        extensions=[action_gate(READ)],
    )
    async def follow_up_referents(self, info: Info[Context, None]) -> list[StaffMember]:
        async with info.context.db_session() as session:
            rows = await service.active_staff(session)
        return [
            StaffMember(user_id=strawberry.ID(str(user_id)), display_name=name)
            for user_id, name in rows
        ]

    @strawberry.field(
        description="Activité par membre de l'équipe sur [début, fin[ : interventions, "
        "minutes, kilomètres, suivis concernés.",
        extensions=[action_gate(READ)],
    )
    async def activity_by_staff(
        self, info: Info[Context, None], start: dt.date, end: dt.date
    ) -> list[StaffActivity]:
        async with info.context.db_session() as session:
            rows = await service.activity_by_staff(
                session, caller(info.context), start=start, end=end
            )
            names = await _names(session, [r.user_id for r in rows])
        return [
            StaffActivity(
                staff=_staff(r.user_id, names),
                interventions=r.interventions,
                minutes=r.minutes,
                travel_km=r.travel_km,
                follow_ups=r.follow_ups,
            )
            for r in rows
        ]


async def _request_payload(ctx: Context, apply: Any) -> RequestPayload:
    result = None
    async with user_errors(ctx) as errors, ctx.db_session() as session:
        row = await apply(session)
        await session.commit()
        result = Request.from_model(row)
    return RequestPayload(errors=errors) if errors else RequestPayload(request=result)


async def _follow_up_payload(ctx: Context, apply: Any) -> FollowUpPayload:
    result = None
    async with user_errors(ctx) as errors, ctx.db_session() as session:
        follow_up_id = await apply(session)
        await session.commit()
        (result,) = await load_follow_ups(
            session, select(FollowUpModel).where(FollowUpModel.id == follow_up_id)
        )
    return FollowUpPayload(errors=errors) if errors else FollowUpPayload(follow_up=result)


@strawberry.type
class CaseworkMutation:
    @strawberry.mutation(
        description="Enregistrer une demande d'intervention.", extensions=[action_gate(MANAGE)]
    )
    async def record_request(
        self, info: Info[Context, None], input: RequestInput
    ) -> RequestPayload:
        ctx = info.context

        async def apply(session: Any) -> Any:
            return await service.record_request(
                session,
                caller(ctx),
                service.RequestInput(
                    received_on=input.received_on,
                    channel=input.channel,
                    requester_kind=input.requester_kind,
                    requester_name=input.requester_name,
                    subjects=input.subjects,
                    description=input.description,
                    family_id=maybe_id(input.family_id, "familyId"),
                    child_id=maybe_id(input.child_id, "childId"),
                    structure_id=maybe_id(input.structure_id, "structureId"),
                    partner_id=maybe_id(input.partner_id, "partnerId"),
                    assigned_to=maybe_id(input.assigned_to, "assignedTo"),
                ),
            )

        return await _request_payload(ctx, apply)

    @strawberry.mutation(
        description="Faire avancer une demande : qualified, answered (avec la réponse), closed.",
        extensions=[action_gate(MANAGE)],
    )
    @flat_form(SetRequestStatusInput)
    async def set_request_status(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        input: SetRequestStatusInput,
    ) -> RequestPayload:
        ctx = info.context

        async def apply(session: Any) -> Any:
            return await service.set_request_status(
                session,
                caller(ctx),
                parse_id(id, "id"),
                input.status,
                answer=input.answer,
                on=input.on,
            )

        return await _request_payload(ctx, apply)

    @strawberry.mutation(
        description="Ouvrir le suivi d'un enfant (éventuellement depuis une demande).",
        extensions=[action_gate(MANAGE)],
    )
    @flat_form(OpenFollowUpInput)
    async def open_follow_up(
        self,
        info: Info[Context, None],
        input: OpenFollowUpInput,
    ) -> FollowUpPayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            row = await service.open_follow_up(
                session,
                caller(ctx),
                child_id=parse_id(input.child_id, "childId"),
                opened_on=input.opened_on,
                referent_user_id=maybe_id(input.referent_user_id, "referentUserId"),
                request_id=maybe_id(input.request_id, "requestId"),
                structure_ids=[
                    parse_id(s, f"structureIds.{i}")
                    for i, s in enumerate(input.structure_ids or [])
                ],
                partner_ids=[
                    parse_id(p, f"partnerIds.{i}") for i, p in enumerate(input.partner_ids or [])
                ],
            )
            return row.id

        return await _follow_up_payload(ctx, apply)

    @strawberry.mutation(
        description="Clore un suivi avec son issue.", extensions=[action_gate(MANAGE)]
    )
    @flat_form(CloseFollowUpInput)
    async def close_follow_up(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        input: CloseFollowUpInput,
    ) -> FollowUpPayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            row = await service.close_follow_up(
                session,
                caller(ctx),
                parse_id(id, "id"),
                closed_on=input.closed_on,
                outcome=input.outcome,
                notes=input.notes,
            )
            return row.id

        return await _follow_up_payload(ctx, apply)

    @strawberry.mutation(
        description="Noter une intervention (observation, préconisations, visite…).",
        extensions=[action_gate(MANAGE)],
    )
    async def log_intervention(
        self, info: Info[Context, None], input: InterventionInput
    ) -> FollowUpPayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            row = await service.log_intervention(
                session,
                caller(ctx),
                service.InterventionInput(
                    follow_up_id=parse_id(input.follow_up_id, "followUpId"),
                    kind=input.kind,
                    happened_on=input.happened_on,
                    duration_minutes=input.duration_minutes,
                    staff_user_id=maybe_id(input.staff_user_id, "staffUserId"),
                    structure_id=maybe_id(input.structure_id, "structureId"),
                    place=input.place,
                    travel_km=input.travel_km,
                    notes=input.notes,
                    recommendations=input.recommendations,
                ),
            )
            return row.follow_up_id

        return await _follow_up_payload(ctx, apply)


@strawberry.type(
    description="Un rappel : une demande sans réponse, un suivi sans intervention, le bilan "
    "d'un projet d'accueil."
)
class Task:
    key: str = strawberry.field(
        description="Identifie cette occurrence (completeTask, snoozeTask)."
    )
    kind: KindOption
    due_on: dt.date
    overdue_days: int
    title: str = person_field()
    assignee: StaffMember | None
    request_id: strawberry.ID | None
    follow_up_id: strawberry.ID | None
    reception_plan_id: strawberry.ID | None
    snoozed_until: dt.date | None


@strawberry.type
class TaskPayload:
    ok: bool = False
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="Des rappels dus, les plus anciens d'abord, et leur nombre.")
class TaskConnection(relay.ListConnection[Task]):
    total_count: int


def _tasks_of(found: Sequence[tasks.Task], day: dt.date, names: Any) -> list[Task]:
    def object_id(t: tasks.Task, kind: str) -> strawberry.ID | None:
        return strawberry.ID(str(t.object_id)) if t.kind == kind else None

    return [
        Task(
            key=t.key,
            kind=_option(t.kind, tasks.TASK_KINDS),
            due_on=t.due_on,
            overdue_days=(day - t.due_on).days,
            title=t.title,
            assignee=_staff(t.assignee, names),
            request_id=object_id(t, "request_unanswered"),
            follow_up_id=object_id(t, "follow_up_idle"),
            reception_plan_id=object_id(t, "plan_review"),
            snoozed_until=t.snoozed_until,
        )
        for t in found
    ]


def _assignee(ctx: Context, assignee: strawberry.ID | None, mine: bool) -> uuid.UUID | None:
    if mine:
        return ctx.actor.user_id if ctx.actor else None
    return maybe_id(assignee, "assignee")


@strawberry.type
class TasksQuery:
    @strawberry.field(
        description="Rappels dus à une date (aujourd'hui par défaut), du plus ancien au plus "
        "récent ; mine: seulement les miens ; assignee: ceux d'un membre de l'équipe. Tous à "
        "la fois : dueTasks les donne par pages, avec leur nombre.",
        extensions=[action_gate(READ)],
    )
    async def tasks(
        self,
        info: Info[Context, None],
        on: dt.date | None = None,
        mine: bool = False,
        assignee: strawberry.ID | None = None,
        include_snoozed: bool = False,
    ) -> list[Task]:
        ctx = info.context
        day = on or dt.date.today()
        async with ctx.db_session() as session:
            page = await tasks.due_task_page(
                session,
                caller(ctx),
                ctx.require_tenant(),
                on=day,
                assignee=_assignee(ctx, assignee, mine),
                include_snoozed=include_snoozed,
            )
            found = page.tasks
            names = await _names(session, [t.assignee for t in found])
        return _tasks_of(found, day, names)

    @strawberry.field(
        description="Les rappels dus à une date (aujourd'hui par défaut), les plus anciens "
        "d'abord, par pages, avec leur nombre (totalCount) : kinds request_unanswered, "
        "follow_up_idle, plan_review (tous par défaut) ; mine, assignee et includeSnoozed "
        "comme pour tasks.",
        extensions=[action_gate(READ)],
    )
    async def due_tasks(
        self,
        info: Info[Context, None],
        kinds: list[str] | None = None,
        on: dt.date | None = None,
        mine: bool = False,
        assignee: strawberry.ID | None = None,
        include_snoozed: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> TaskConnection:
        ctx = info.context
        day = on or dt.date.today()
        win = window(first, after)
        async with ctx.db_session() as session:
            page = await tasks.due_task_page(
                session,
                caller(ctx),
                ctx.require_tenant(),
                on=day,
                assignee=_assignee(ctx, assignee, mine),
                include_snoozed=include_snoozed,
                kinds=kinds or (),
                limit=win.limit,
                offset=win.offset,
            )
            # The assignees' names when the query asks for them (« Aujourd'hui » does not:
            # one statement less per list, decision 194).
            names = (
                await _names(session, [t.assignee for t in page.tasks])
                if "assignee" in node_fields(info)
                else {}
            )
        return connection(TaskConnection, _tasks_of(page.tasks, day, names), win, page.total)


@strawberry.type
class TasksMutation:
    @strawberry.mutation(
        description="Marquer un rappel comme traité.", extensions=[action_gate(MANAGE)]
    )
    async def complete_task(self, info: Info[Context, None], key: str) -> TaskPayload:
        ctx = info.context
        async with user_errors(ctx) as errors, ctx.db_session() as session:
            await tasks.complete(session, caller(ctx), key)
            await session.commit()
        return TaskPayload(errors=errors) if errors else TaskPayload(ok=True)

    @strawberry.mutation(
        description="Reporter un rappel à une date (six mois au plus).",
        extensions=[action_gate(MANAGE)],
    )
    async def snooze_task(self, info: Info[Context, None], key: str, until: dt.date) -> TaskPayload:
        ctx = info.context
        async with user_errors(ctx) as errors, ctx.db_session() as session:
            await tasks.snooze(session, caller(ctx), key, until=until, today=dt.date.today())
            await session.commit()
        return TaskPayload(errors=errors) if errors else TaskPayload(ok=True)


TYPES = (Request, FollowUp)
