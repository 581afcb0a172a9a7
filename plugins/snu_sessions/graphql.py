"""SNU awareness days in the GraphQL schema.

Queries sit under ``snuSessions { … }`` (null with PLUGIN_DISABLED for a pole that did
not enable the plugin); mutations are top-level, prefixed and gated. The quiz's
answers never pass here: they come from phones through the public pages (``public``);
staff read their counts and results.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import strawberry

from core import sdk
from plugins.snu_sessions import models, quiz, results, service, statistics
from plugins.snu_sessions.vocabulary import (
    CANCEL_REASON_LABELS,
    METHOD_LABELS,
    OBJECTIVE_LABELS,
    CancelReason,
    ItemKind,
    Phase,
    Status,
)

PLUGIN = "snu_sessions"
READ = "snu_sessions.read"
MANAGE = "snu_sessions.manage"


def _options(labels: dict[Any, str]) -> list[sdk.KindOption]:
    return [sdk.KindOption(value=k.value, label=v) for k, v in labels.items()]


def _chosen(labels: dict[Any, str], codes: Iterable[str]) -> list[sdk.KindOption]:
    wanted = set(codes)
    return [o for o in _options(labels) if o.value in wanted]


def own_id(value: strawberry.ID | None, type_name: str, field: str) -> uuid.UUID:
    """The UUID inside a global ID of one of this plugin's types; anything else is
    NOT_FOUND naming ``field``, as core answers an id it cannot use."""
    try:
        decoded = sdk.relay.GlobalID.from_id(str(value))
        assert decoded.type_name == type_name
        return uuid.UUID(decoded.node_id)
    except Exception:
        raise sdk.NotFoundError("introuvable dans ce pôle", field=field) from None


# --- types -----------------------------------------------------------------------------


@strawberry.type(
    description="Un animateur ou une animatrice d'un groupe : un membre de "
    "l'équipe du pôle ou un partenaire."
)
class SnuSessionsFacilitator:
    staff_user_id: strawberry.Private[uuid.UUID | None]
    partner_id: strawberry.Private[uuid.UUID | None]
    staff_member: sdk.StaffMember | None = sdk.STAFF_MEMBER.field(
        "staff_user_id", description="Le membre de l'équipe (nul pour un partenaire)."
    )
    partner: sdk.Partner | None = sdk.PARTNER.field(
        "partner_id", description="Le partenaire (nul pour un membre de l'équipe)."
    )


@strawberry.type(description="Un groupe de volontaires d'une session.")
class SnuSessionsGroup(sdk.relay.Node):
    uid: sdk.relay.NodeID[str]
    name: str
    size: int = strawberry.field(description="Volontaires inscrits dans le groupe.")
    present: int | None = strawberry.field(
        description="Volontaires présents (comptés, jamais nommés) ; nul tant que non noté."
    )
    facilitators: list[SnuSessionsFacilitator]

    @classmethod
    def from_row(cls, row: models.Group) -> SnuSessionsGroup:
        return cls(
            uid=str(row.id),
            name=row.name,
            size=row.size,
            present=row.present,
            facilitators=[
                SnuSessionsFacilitator(staff_user_id=f.staff_user_id, partner_id=f.partner_id)
                for f in row.facilitators
            ],
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: sdk.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[SnuSessionsGroup | None]:
        ctx: sdk.Context = info.context
        ids = [_try(i) for i in node_ids]
        if not ctx.can(READ):
            return [None for _ in ids]
        async with ctx.db_session() as session:
            rows = await service.groups_by_id(session, [i for i in ids if i])
        return sdk.in_order(ids, rows, lambda r: r.id, cls.from_row)


@strawberry.type(
    description="Une fenêtre du questionnaire : quand il est ouvert, combien "
    "de réponses il prend au plus, combien il en a prises et refusées."
)
class SnuSessionsQuizWindow:
    phase: sdk.KindOption
    opens_at: dt.datetime
    closes_at: dt.datetime
    cap: int = strawberry.field(description="Réponses acceptées au plus dans cette fenêtre.")
    accepted: int = strawberry.field(description="Réponses enregistrées.")
    refused_closed: int = strawberry.field(description="Refusées : hors de la fenêtre.")
    refused_full: int = strawberry.field(description="Refusées : plafond atteint.")
    refused_duplicate: int = strawberry.field(
        description="Refusées : code d'appariement déjà utilisé pour cette phase."
    )
    open_now: bool = strawberry.field(description="Ouverte en ce moment.")

    @classmethod
    def from_row(cls, row: models.QuizWindow, now: dt.datetime) -> SnuSessionsQuizWindow:
        phase = Phase(row.phase)
        opens, closes = quiz.as_utc(row.opens_at), quiz.as_utc(row.closes_at)
        return cls(
            phase=sdk.KindOption(value=phase.value, label=phase.label),
            opens_at=opens,
            closes_at=closes,
            cap=row.cap,
            accepted=row.accepted,
            refused_closed=row.refused_closed,
            refused_full=row.refused_full,
            refused_duplicate=row.refused_duplicate,
            open_now=opens <= now < closes,
        )


@strawberry.type(description="Le questionnaire avant/après d'une session et son lien court.")
class SnuSessionsQuiz:
    link_code: str = strawberry.field(description="Code court du lien (6 caractères).")
    path: str = strawberry.field(
        description="Chemin de la page publique du questionnaire, à ouvrir sur un téléphone "
        "(le QR code y mène)."
    )
    windows: list[SnuSessionsQuizWindow]


@strawberry.type(description="Journée de sensibilisation des volontaires du SNU dans un centre.")
class SnuSessionsSession(sdk.relay.Node):
    uid: sdk.relay.NodeID[str]
    centre: str = strawberry.field(description="Centre SNU (le site).")
    commune_insee: strawberry.Private[str]
    commune: sdk.CommuneNode = strawberry.field(
        resolver=sdk.required_commune, description="La commune du centre."
    )
    starts_on: dt.date
    ends_on: dt.date
    methods: list[sdk.KindOption] = strawberry.field(description="Méthodes employées.")
    objectives: list[sdk.KindOption] = strawberry.field(description="Objectifs de la journée.")
    notes: str
    groups: list[SnuSessionsGroup]
    kit_ids: strawberry.Private[list[uuid.UUID]]
    young_people: int = strawberry.field(description="Volontaires inscrits (tous groupes).")
    present: int | None = strawberry.field(
        description="Volontaires présents (tous groupes), nul tant qu'aucun groupe n'est noté."
    )
    quiz: SnuSessionsQuiz | None = strawberry.field(
        description="Le questionnaire, une fois programmé."
    )
    status: sdk.KindOption = strawberry.field(
        description="« planned » (prévue, ou tenue une fois sa date passée) ou « cancelled » "
        "(annulée)."
    )
    cancel_reason: sdk.KindOption | None = strawberry.field(
        description="Pourquoi la journée est annulée ; nul si elle ne l'est pas."
    )
    cancel_note: str = strawberry.field(description="Précisions sur l'annulation.")

    @strawberry.field(
        description="Malles et matériel du pôle emportés (catalogue des malles), par nom."
    )
    async def materials(self, info: sdk.Info) -> list[sdk.Kit]:
        # Loaded together: the request's loader reads every kit of a page in one batch.
        found = await asyncio.gather(*(sdk.KIT.load(info, k) for k in self.kit_ids))
        return sorted((k for k in found if k is not None), key=lambda k: (k.name, k.uid))

    @classmethod
    def from_row(
        cls, row: models.Session, pole_slug: str, now: dt.datetime | None = None
    ) -> SnuSessionsSession:
        now = now or quiz.utcnow()
        noted = [g.present for g in row.groups if g.present is not None]
        status = Status(row.status)
        reason = None if row.cancel_reason is None else CancelReason(row.cancel_reason)
        return cls(
            uid=str(row.id),
            centre=row.centre,
            commune_insee=row.commune_insee,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            methods=_chosen(METHOD_LABELS, row.methods),
            objectives=_chosen(OBJECTIVE_LABELS, row.objectives),
            notes=row.notes,
            groups=[SnuSessionsGroup.from_row(g) for g in row.groups],
            kit_ids=[m.kit_id for m in row.materials],
            young_people=sum(g.size for g in row.groups),
            present=sum(noted) if noted else None,
            status=sdk.KindOption(value=status.value, label=status.label),
            cancel_reason=None
            if reason is None
            else sdk.KindOption(value=reason.value, label=reason.label),
            cancel_note=row.cancel_note,
            quiz=None
            if row.link_code is None
            else SnuSessionsQuiz(
                link_code=row.link_code,
                path=f"/p/{pole_slug}/{PLUGIN}/{row.link_code}",
                windows=[SnuSessionsQuizWindow.from_row(w, now) for w in row.windows],
            ),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: sdk.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[SnuSessionsSession | None]:
        ctx: sdk.Context = info.context
        ids = [_try(i) for i in node_ids]
        if not ctx.can(READ):
            return [None for _ in ids]
        slug = ctx.require_tenant().slug
        async with ctx.db_session() as session:
            rows = await service.sessions_by_id(session, [i for i in ids if i])
        return sdk.in_order(ids, rows, lambda r: r.id, lambda r: cls.from_row(r, slug))


def _try(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@strawberry.type(description="Page de sessions.")
class SnuSessionsSessionConnection(sdk.CountedConnection[SnuSessionsSession]):
    pass


@strawberry.type(
    description="Évolution après − avant, avec son intervalle de confiance à 95 % et la "
    "méthode : « paired » (réponses appariées par leur code) ou « unpaired »."
)
class SnuSessionsChange:
    method: str
    n: int = strawberry.field(description="Paires (apparié) ou plus petit des deux effectifs.")
    estimate: float
    low: float
    high: float

    @classmethod
    def of(cls, change: statistics.Change | None) -> SnuSessionsChange | None:
        if change is None:
            return None
        return cls(
            method=change.method,
            n=change.n,
            estimate=change.estimate,
            low=change.low,
            high=change.high,
        )


@strawberry.type(description="Résultat d'une question, avant et après.")
class SnuSessionsItemResult:
    key: str
    kind: sdk.KindOption
    text: str
    choices: list[str]
    right_choice: int | None
    n_before: int
    n_after: int
    before: float | None = strawberry.field(
        description="Part de bonnes réponses (connaissance, 0 à 1) ou score moyen de 1 à 4, "
        "le plus haut étant le regard le plus inclusif (regard)."
    )
    after: float | None
    change: SnuSessionsChange | None = strawberry.field(
        description="Nul sous le seuil de réponses (réglage min_answers)."
    )


@strawberry.type(description="Résultats du questionnaire avant/après.")
class SnuSessionsResults:
    n_before: int
    n_after: int
    pairs: int = strawberry.field(description="Réponses appariées par leur code.")
    threshold: int = strawberry.field(
        description="Seuil sous lequel aucune évolution n'est montrée."
    )
    items: list[SnuSessionsItemResult]
    knowledge_before: float | None
    knowledge_after: float | None
    knowledge: SnuSessionsChange | None = strawberry.field(
        description="Évolution de la part de bonnes réponses par volontaire."
    )
    attitude_before: float | None
    attitude_after: float | None
    attitude: SnuSessionsChange | None = strawberry.field(
        description="Évolution du score moyen de regard (1 à 4) par volontaire."
    )

    @classmethod
    def of(cls, found: results.Results) -> SnuSessionsResults:
        return cls(
            n_before=found.n_before,
            n_after=found.n_after,
            pairs=found.pairs,
            threshold=found.threshold,
            items=[
                SnuSessionsItemResult(
                    key=i.key,
                    kind=sdk.KindOption(value=i.kind, label=ItemKind(i.kind).label),
                    text=i.text,
                    choices=list(i.choices),
                    right_choice=i.right_choice,
                    n_before=i.n_before,
                    n_after=i.n_after,
                    before=i.before,
                    after=i.after,
                    change=SnuSessionsChange.of(i.change),
                )
                for i in found.items
            ],
            knowledge_before=found.knowledge_before,
            knowledge_after=found.knowledge_after,
            knowledge=SnuSessionsChange.of(found.knowledge),
            attitude_before=found.attitude_before,
            attitude_after=found.attitude_after,
            attitude=SnuSessionsChange.of(found.attitude),
        )


# --- inputs and payloads ---------------------------------------------------------------


@strawberry.input(description="Une journée de sensibilisation dans un centre SNU.")
class SnuSessionsSessionInput:
    centre: str = sdk.chars_field(models.Session.centre, "Centre SNU (le site)")
    commune_insee: str = strawberry.field(
        description="Code INSEE de la commune du centre (5 caractères au plus). Voir communes."
    )
    starts_on: dt.date = strawberry.field(description="Premier jour.")
    ends_on: dt.date = strawberry.field(description="Dernier jour (le même pour une journée).")
    methods: list[str] = strawberry.field(
        default_factory=list, description="Codes des méthodes. Voir snuSessions { methods }."
    )
    objectives: list[str] = strawberry.field(
        default_factory=list, description="Codes des objectifs. Voir snuSessions { objectives }."
    )
    notes: str = sdk.chars_field(models.Session.notes, "Remarques", default="")
    kit_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Malles du pôle emportées (identifiants de Kit)."
    )


@strawberry.type(description="Résultat de l'enregistrement d'une session.")
class SnuSessionsSessionPayload:
    session: SnuSessionsSession | None = None
    errors: list[sdk.UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="Un groupe d'une session, sa taille et ses animateurs.")
class SnuSessionsGroupInput:
    session_id: strawberry.ID
    name: str = sdk.chars_field(models.Group.name, "Nom du groupe (« Groupe 1 », « Maisonnée B »…)")
    size: int = strawberry.field(description="Volontaires inscrits dans le groupe.")
    staff_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Membres de l'équipe qui animent (StaffMember.userId)."
    )
    partner_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Partenaires qui animent (identifiants de Partner)."
    )


@strawberry.type(description="Résultat de l'enregistrement d'un groupe.")
class SnuSessionsGroupPayload:
    group: SnuSessionsGroup | None = None
    session: SnuSessionsSession | None = None
    errors: list[sdk.UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="Présents d'un groupe.")
class SnuSessionsGroupAttendanceInput:
    group_id: strawberry.ID
    present: int | None = strawberry.field(
        description="Volontaires présents ; null efface un nombre noté par erreur."
    )


@strawberry.input(description="Feuille de présence d'une session : présents par groupe.")
class SnuSessionsAttendanceInput:
    session_id: strawberry.ID
    groups: list[SnuSessionsGroupAttendanceInput]


@strawberry.input(description="Une fenêtre d'ouverture du questionnaire.")
class SnuSessionsWindowInput:
    opens_at: dt.datetime
    closes_at: dt.datetime


@strawberry.input(description="Programmer le questionnaire avant/après d'une session.")
class SnuSessionsScheduleQuizInput:
    session_id: strawberry.ID
    before: SnuSessionsWindowInput
    after: SnuSessionsWindowInput
    cap: int = strawberry.field(
        description="Réponses acceptées au plus par fenêtre (l'effectif de la salle et une marge)."
    )


@strawberry.input(description="Annuler une journée qui n'aura pas lieu.")
class SnuSessionsCancelInput:
    reason: str = strawberry.field(
        description="Code de la raison. Voir snuSessions { cancelReasons }."
    )
    note: str = sdk.chars_field(
        models.Session.cancel_note,
        "Précisions (obligatoires pour la raison « other »)",
        default="",
    )


@strawberry.type(description="Résultat du retrait d'un groupe : la session telle qu'elle reste.")
class SnuSessionsRemoveGroupPayload:
    session: SnuSessionsSession | None = None
    errors: list[sdk.UserError] = strawberry.field(default_factory=list)


# --- queries ---------------------------------------------------------------------------


async def _threshold(ctx: sdk.Context) -> int:
    return int((await ctx.plugin_settings(PLUGIN))["min_answers"])


@sdk.plugin_namespace(PLUGIN, description="Journées de sensibilisation des volontaires du SNU.")
class SnuSessionsQuery:
    @strawberry.field(description="Méthodes (code et libellé).", extensions=sdk.requires(READ))
    def methods(self) -> list[sdk.KindOption]:
        return _options(METHOD_LABELS)

    @strawberry.field(description="Objectifs (code et libellé).", extensions=sdk.requires(READ))
    def objectives(self) -> list[sdk.KindOption]:
        return _options(OBJECTIVE_LABELS)

    @strawberry.field(
        description="Raisons d'annulation d'une journée (code et libellé).",
        extensions=sdk.requires(READ),
    )
    def cancel_reasons(self) -> list[sdk.KindOption]:
        return _options(CANCEL_REASON_LABELS)

    @strawberry.field(
        description="Les membres de l'équipe du pôle qui peuvent animer un groupe (membres "
        "actifs ayant un rôle du pôle), par nom : leur userId va dans staffIds.",
        extensions=sdk.requires(MANAGE),
    )
    async def staff_members(self, info: sdk.Info) -> list[sdk.StaffMember]:
        ctx: sdk.Context = info.context
        async with ctx.db_session() as session:
            found = await sdk.list_staff_members(session, roles=sdk.POLE_ROLES)
        return [
            sdk.StaffMember(user_id=strawberry.ID(str(m.id)), display_name=m.display_name)
            for m in found
        ]

    @strawberry.field(
        description="Sessions, la plus récente d'abord (toutes, ou celles d'une année civile).",
        extensions=sdk.requires(READ),
    )
    async def sessions(
        self,
        info: sdk.Info,
        year: int | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> SnuSessionsSessionConnection:
        ctx: sdk.Context = info.context
        if year is not None and not 2000 <= year <= 2100:
            raise sdk.ValidationError("année hors limites (2000 à 2100)", field="year")
        slug, now = ctx.require_tenant().slug, quiz.utcnow()
        async with ctx.db_session() as session:
            return await sdk.paginate(
                session,
                service.sessions_query(year=year),
                first=first,
                after=after,
                convert=lambda row: SnuSessionsSession.from_row(row, slug, now),
                connection_cls=SnuSessionsSessionConnection,
            )

    @strawberry.field(description="Une session.", extensions=sdk.requires(READ))
    async def session(self, info: sdk.Info, id: strawberry.ID) -> SnuSessionsSession:
        ctx: sdk.Context = info.context
        session_id = own_id(id, "SnuSessionsSession", "id")
        async with ctx.db_session() as session:
            row = await service.find_session(session, session_id, "id")
            row = await service.fresh(session, row.id)
        return SnuSessionsSession.from_row(row, ctx.require_tenant().slug)

    @strawberry.field(
        description="Résultats du questionnaire d'une session, ou de toutes les sessions "
        "d'une année civile.",
        extensions=sdk.requires(READ),
    )
    async def results(
        self, info: sdk.Info, session_id: strawberry.ID | None = None, year: int | None = None
    ) -> SnuSessionsResults:
        ctx: sdk.Context = info.context
        if (session_id is None) == (year is None):
            raise sdk.ValidationError("donnez sessionId ou year", field="sessionId")
        threshold = await _threshold(ctx)
        async with ctx.db_session() as session:
            if session_id is not None:
                sid = own_id(session_id, "SnuSessionsSession", "sessionId")
                await service.find_session(session, sid, "sessionId")
                found = await results.results(session, threshold=threshold, session_id=sid)
            else:
                assert year is not None
                if not 2000 <= year <= 2100:
                    raise sdk.ValidationError("année hors limites (2000 à 2100)", field="year")
                found = await results.results(
                    session, threshold=threshold, period=sdk.Period.year(year)
                )
        return SnuSessionsResults.of(found)


# --- mutations -------------------------------------------------------------------------


async def _write(
    ctx: sdk.Context, apply: Callable[[Any, str], Awaitable[models.Session]]
) -> tuple[SnuSessionsSession | None, list[sdk.UserError]]:
    """Run one write in a transaction; the payload's session read afresh, or the errors."""
    actor = ctx.require(MANAGE)
    slug = ctx.require_tenant().slug
    shown = None
    async with sdk.user_errors(ctx) as errors, ctx.db_session() as session:
        row = await apply(session, actor.subject)
        row = await service.fresh(session, row.id)
        await session.commit()
        shown = SnuSessionsSession.from_row(row, slug)
    return (None if errors else shown), errors


def _session_data(input: SnuSessionsSessionInput) -> service.SessionInput:
    return service.SessionInput(
        centre=input.centre,
        commune_insee=input.commune_insee,
        starts_on=input.starts_on,
        ends_on=input.ends_on,
        methods=input.methods,
        objectives=input.objectives,
        notes=input.notes,
        kit_ids=[str(k) for k in input.kit_ids],
    )


@strawberry.type
class SnuSessionsMutation:
    @sdk.plugin_mutation(
        PLUGIN,
        description="Enregistrer une session (ou, avec id, la corriger).",
        extensions=sdk.requires(MANAGE),
    )
    async def snu_sessions_record_session(
        self, info: sdk.Info, input: SnuSessionsSessionInput, id: strawberry.ID | None = None
    ) -> SnuSessionsSessionPayload:
        async def apply(session: Any, actor: str) -> models.Session:
            target = None if id is None else own_id(id, "SnuSessionsSession", "id")
            return await service.record_session(
                session, _session_data(input), actor=actor, id_=target
            )

        shown, errors = await _write(info.context, apply)
        return SnuSessionsSessionPayload(session=shown, errors=errors)

    @sdk.plugin_mutation(
        PLUGIN,
        description="Supprimer une session sans réponse au questionnaire.",
        extensions=sdk.requires(MANAGE),
    )
    async def snu_sessions_delete_session(
        self, info: sdk.Info, id: strawberry.ID
    ) -> SnuSessionsSessionPayload:
        ctx: sdk.Context = info.context
        actor = ctx.require(MANAGE)
        async with sdk.user_errors(ctx) as errors, ctx.db_session() as session:
            await service.delete_session(
                session, own_id(id, "SnuSessionsSession", "id"), actor=actor.subject
            )
            await session.commit()
        return SnuSessionsSessionPayload(errors=errors)

    @sdk.plugin_mutation(
        PLUGIN,
        description="Enregistrer un groupe d'une session avec sa taille et ses animateurs "
        "(ou, avec id, le corriger).",
        extensions=sdk.requires(MANAGE),
    )
    async def snu_sessions_record_group(
        self, info: sdk.Info, input: SnuSessionsGroupInput, id: strawberry.ID | None = None
    ) -> SnuSessionsGroupPayload:
        written: list[uuid.UUID] = []

        async def apply(session: Any, actor: str) -> models.Session:
            group = await service.record_group(
                session,
                own_id(input.session_id, "SnuSessionsSession", "input.sessionId"),
                service.GroupInput(
                    name=input.name,
                    size=input.size,
                    staff_ids=[str(s) for s in input.staff_ids],
                    partner_ids=[str(p) for p in input.partner_ids],
                ),
                actor=actor,
                id_=None if id is None else own_id(id, "SnuSessionsGroup", "id"),
            )
            written.append(group.id)
            return await service.find_session(session, group.session_id, "input.sessionId")

        shown, errors = await _write(info.context, apply)
        group = None
        if shown is not None:
            group = next((g for g in shown.groups if g.uid == str(written[0])), None)
        return SnuSessionsGroupPayload(group=group, session=shown, errors=errors)

    @sdk.plugin_mutation(
        PLUGIN,
        description="Retirer un groupe enregistré par erreur. Refusé (CONFLICT) tant que ses "
        "présents sont notés ; les réponses au questionnaire, qui sont celles de la session, "
        "restent.",
        extensions=sdk.requires(MANAGE),
    )
    async def snu_sessions_remove_group(
        self, info: sdk.Info, id: strawberry.ID
    ) -> SnuSessionsRemoveGroupPayload:
        async def apply(session: Any, actor: str) -> models.Session:
            return await service.remove_group(
                session, own_id(id, "SnuSessionsGroup", "id"), actor=actor
            )

        shown, errors = await _write(info.context, apply)
        return SnuSessionsRemoveGroupPayload(session=shown, errors=errors)

    @sdk.plugin_mutation(
        PLUGIN,
        description="Annuler une journée qui n'aura pas lieu, avec la raison. Refusé "
        "(CONFLICT) une fois des présents notés ou des réponses reçues. Une journée annulée "
        "ne compte plus dans les chiffres et son questionnaire ne prend plus de réponse.",
        extensions=sdk.requires(MANAGE),
    )
    async def snu_sessions_cancel_session(
        self, info: sdk.Info, id: strawberry.ID, input: SnuSessionsCancelInput
    ) -> SnuSessionsSessionPayload:
        async def apply(session: Any, actor: str) -> models.Session:
            return await service.cancel_session(
                session,
                own_id(id, "SnuSessionsSession", "id"),
                input.reason,
                input.note,
                actor=actor,
            )

        shown, errors = await _write(info.context, apply)
        return SnuSessionsSessionPayload(session=shown, errors=errors)

    @sdk.plugin_mutation(
        PLUGIN,
        description="Rétablir une journée annulée par erreur : elle redevient prévue.",
        extensions=sdk.requires(MANAGE),
    )
    async def snu_sessions_reinstate_session(
        self, info: sdk.Info, id: strawberry.ID
    ) -> SnuSessionsSessionPayload:
        async def apply(session: Any, actor: str) -> models.Session:
            return await service.reinstate_session(
                session, own_id(id, "SnuSessionsSession", "id"), actor=actor
            )

        shown, errors = await _write(info.context, apply)
        return SnuSessionsSessionPayload(session=shown, errors=errors)

    @sdk.plugin_mutation(
        PLUGIN,
        description="Noter les présents de chaque groupe d'une session (comptés, jamais nommés).",
        extensions=sdk.requires(MANAGE),
    )
    async def snu_sessions_record_attendance(
        self, info: sdk.Info, input: SnuSessionsAttendanceInput
    ) -> SnuSessionsSessionPayload:
        async def apply(session: Any, actor: str) -> models.Session:
            present = {
                own_id(g.group_id, "SnuSessionsGroup", "input.groups"): g.present
                for g in input.groups
            }
            return await service.record_attendance(
                session,
                own_id(input.session_id, "SnuSessionsSession", "input.sessionId"),
                present,
                actor=actor,
            )

        shown, errors = await _write(info.context, apply)
        return SnuSessionsSessionPayload(session=shown, errors=errors)

    @sdk.plugin_mutation(
        PLUGIN,
        description="Programmer (ou déplacer) le questionnaire avant/après d'une session : "
        "ses deux fenêtres et son plafond de réponses ; la première fois, le lien court.",
        extensions=sdk.requires(MANAGE),
    )
    async def snu_sessions_schedule_quiz(
        self, info: sdk.Info, input: SnuSessionsScheduleQuizInput
    ) -> SnuSessionsSessionPayload:
        async def apply(session: Any, actor: str) -> models.Session:
            return await quiz.schedule(
                session,
                own_id(input.session_id, "SnuSessionsSession", "input.sessionId"),
                before=quiz.WindowInput(input.before.opens_at, input.before.closes_at),
                after=quiz.WindowInput(input.after.opens_at, input.after.closes_at),
                cap=input.cap,
                actor=actor,
            )

        shown, errors = await _write(info.context, apply)
        return SnuSessionsSessionPayload(session=shown, errors=errors)


def contribution() -> sdk.GraphQLContribution:
    return sdk.GraphQLContribution(
        query=SnuSessionsQuery,
        mutation=SnuSessionsMutation,
        types=(SnuSessionsSession, SnuSessionsGroup),
    )
