"""The referent network in the GraphQL schema.

Queries sit under ``referentCharters { … }`` (null with PLUGIN_DISABLED for a pole
that did not enable the plugin); mutations are top-level, prefixed and gated. Every
type name starts with ``ReferentCharters``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from core import sdk
from plugins.referent_charters import models, service
from plugins.referent_charters.vocabulary import Job, MeetingKind, StructureKind

PLUGIN = "referent_charters"
READ = "referent_charters.read"
MANAGE = "referent_charters.manage"

V = TypeVar("V", Job, StructureKind, MeetingKind)


def option(value: Job | StructureKind | MeetingKind) -> sdk.KindOption:
    """A vocabulary value as every vocabulary of the schema answers it (decision 98)."""
    return sdk.KindOption(value=value.value, label=value.label)


def options(vocabulary: type[V]) -> list[sdk.KindOption]:
    return [option(v) for v in vocabulary]


def parse(vocabulary: type[V], code: str, field: str) -> V:
    """A code sent by a client: an unknown one answers VALIDATION naming the field."""
    try:
        return vocabulary(code)
    except ValueError:
        known = ", ".join(v.value for v in vocabulary)
        raise sdk.ValidationError(
            f"code inconnu « {code} » (codes : {known})", field=field
        ) from None


LABEL_DEPRECATED = (
    "Lire le libellé dans {field} {{ label }} : ce champ disparaîtra à la prochaine version "
    "majeure du schéma (voir docs/changelog.md)."
)


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _node_uuid(value: strawberry.ID, type_name: str, field: str) -> uuid.UUID:
    """The UUID inside a global ID of ``type_name``; a malformed ID or one of another
    type is the user's to fix (VALIDATION on ``field``), not a server error."""
    try:
        global_id = sdk.relay.GlobalID.from_id(value)
        if global_id.type_name != type_name:
            raise ValueError(global_id.type_name)
        return uuid.UUID(global_id.node_id)
    except Exception:
        raise sdk.ValidationError("identifiant invalide", field=field) from None


async def _resolve(
    info: sdk.Info,
    node_ids: Iterable[str],
    load: Callable[[AsyncSession, list[uuid.UUID]], Awaitable[Sequence[Any]]],
    convert: Callable[[Any, service.Counts], Any],
) -> list[Any]:
    """Relay node resolution shared by the node types: null without the read action."""
    ctx: sdk.Context = info.context
    ids = [_uuid(i) for i in node_ids]
    if not ctx.can(READ):
        return [None for _ in ids]
    async with ctx.db_session() as session:
        rows = await load(session, [i for i in ids if i])
        counts = await service.counts(session)
    return sdk.in_order(ids, rows, lambda r: r.id, lambda r: convert(r, counts))


# --- types -----------------------------------------------------------------------------


@strawberry.type(description="Session de formation des référents (« 7e session »).")
class ReferentChartersTrainingSession(sdk.relay.Node):
    uid: sdk.relay.NodeID[str]
    number: int = strawberry.field(description="Numéro de la session (7 pour la 7e).")
    title: str
    start_on: dt.date = strawberry.field(description="Premier jour.")
    end_on: dt.date = strawberry.field(description="Dernier jour.")
    days: list[dt.date] = strawberry.field(
        description="Les journées une à une, dans l'ordre, quand elles ne se suivent pas "
        "(vide : chaque jour du premier au dernier)."
    )
    programme: str = strawberry.field(
        description="Déroulé des journées (par exemple deux jours par une association "
        "partenaire et un jour par le pôle)."
    )
    referent_count: int = strawberry.field(description="Référents issus de cette session.")

    @classmethod
    def from_row(
        cls, row: models.ReferentChartersTrainingSession, counts: service.Counts
    ) -> ReferentChartersTrainingSession:
        return cls(
            uid=str(row.id),
            number=row.number,
            title=row.title,
            start_on=row.start_on,
            end_on=row.end_on,
            days=[dt.date.fromisoformat(d) for d in row.days],
            programme=row.programme,
            referent_count=counts.referents_by_session.get(row.id, 0),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: sdk.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[ReferentChartersTrainingSession | None]:
        return await _resolve(info, node_ids, service.training_sessions, cls.from_row)


@strawberry.type(description="Version de la charte des référents : la liste des engagements.")
class ReferentChartersCharter(sdk.relay.Node):
    uid: sdk.relay.NodeID[str]
    version: str
    commitments: list[str] = strawberry.field(description="Engagements, dans l'ordre du texte.")
    published_on: dt.date
    signature_count: int = strawberry.field(description="Signatures de cette version.")

    @classmethod
    def from_row(
        cls, row: models.ReferentChartersCharterVersion, counts: service.Counts
    ) -> ReferentChartersCharter:
        return cls(
            uid=str(row.id),
            version=row.version,
            commitments=list(row.commitments),
            published_on=row.published_on,
            signature_count=counts.signatures_by_charter.get(row.id, 0),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: sdk.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[ReferentChartersCharter | None]:
        return await _resolve(info, node_ids, service.charters, cls.from_row)


@strawberry.type(
    description="Signature d'une version de la charte par un·e référent·e, contresignée par "
    "l'établissement (sauf à domicile) et par le pôle."
)
class ReferentChartersSignature:
    charter: ReferentChartersCharter
    signed_on: dt.date = strawberry.field(description="Signature du ou de la référent·e.")
    establishment_signed_on: dt.date | None = strawberry.field(
        description="Signature de l'établissement (sans objet à domicile)."
    )
    pole_signed_on: dt.date | None = strawberry.field(description="Signature du pôle.")
    complete: bool = strawberry.field(
        description="Toutes les signatures attendues sont là (l'établissement n'est pas "
        "attendu pour un·e assistant·e maternel·le à domicile)."
    )

    @classmethod
    def from_row(
        cls, row: models.ReferentChartersSignature, structure_kind: str, counts: service.Counts
    ) -> ReferentChartersSignature:
        establishment_done = (
            structure_kind == StructureKind.DOMICILE.value
            or row.establishment_signed_on is not None
        )
        return cls(
            charter=ReferentChartersCharter.from_row(row.charter_version, counts),
            signed_on=row.signed_on,
            establishment_signed_on=row.establishment_signed_on,
            pole_signed_on=row.pole_signed_on,
            complete=establishment_done and row.pole_signed_on is not None,
        )


@strawberry.type(description="Un·e « Référent·e Pôle Ressources » formé·e par le pôle.")
class ReferentChartersReferent(sdk.relay.Node):
    uid: sdk.relay.NodeID[str]
    first_name: str
    last_name: str
    job: sdk.KindOption = strawberry.field(description="Métier (code et libellé).")
    job_label: str = strawberry.field(
        description="Métier, en toutes lettres.",
        deprecation_reason=LABEL_DEPRECATED.format(field="job"),
    )
    commune_insee: str = strawberry.field(
        description="Code INSEE de la commune d'exercice.",
        deprecation_reason=sdk.COMMUNE_INSEE_DEPRECATED,
    )
    commune_name: str = strawberry.field(
        deprecation_reason="Lire commune { name } : communeName disparaîtra à la prochaine "
        "version majeure du schéma (voir docs/changelog.md)."
    )
    commune: sdk.CommuneNode = strawberry.field(
        resolver=sdk.required_commune,
        description="La commune d'exercice : code INSEE, nom, département, EPCI.",
    )
    structure_kind: sdk.KindOption = strawberry.field(
        description="Lieu d'exercice : établissement (EAJE) ou domicile."
    )
    structure_name: str = strawberry.field(description="Établissement (vide à domicile).")
    training_session: ReferentChartersTrainingSession
    signatures: list[ReferentChartersSignature]

    @classmethod
    def from_row(
        cls, row: models.ReferentChartersReferent, counts: service.Counts
    ) -> ReferentChartersReferent:
        job = Job(row.job)
        return cls(
            uid=str(row.id),
            first_name=row.first_name,
            last_name=row.last_name,
            job=option(job),
            job_label=job.label,
            commune_insee=row.commune_insee,
            commune_name=row.commune.name,
            structure_kind=option(StructureKind(row.structure_kind)),
            structure_name=row.structure_name,
            training_session=ReferentChartersTrainingSession.from_row(row.training_session, counts),
            signatures=[
                ReferentChartersSignature.from_row(s, row.structure_kind, counts)
                for s in row.signatures
            ],
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: sdk.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[ReferentChartersReferent | None]:
        return await _resolve(info, node_ids, service.get_referents, cls.from_row)


@strawberry.type(description="Page de référents.")
class ReferentChartersReferentConnection(sdk.CountedConnection[ReferentChartersReferent]):
    pass


@strawberry.type(description="Réunion de suivi ou journée thématique du réseau des référents.")
class ReferentChartersMeeting(sdk.relay.Node):
    uid: sdk.relay.NodeID[str]
    held_on: dt.date
    kind: sdk.KindOption = strawberry.field(description="Réunion de suivi ou journée thématique.")
    kind_label: str = strawberry.field(deprecation_reason=LABEL_DEPRECATED.format(field="kind"))
    title: str
    attendee_count: int = strawberry.field(description="Référents présents.")

    @classmethod
    def from_row(
        cls, row: models.ReferentChartersMeeting, attendee_count: int
    ) -> ReferentChartersMeeting:
        kind = MeetingKind(row.kind)
        return cls(
            uid=str(row.id),
            held_on=row.held_on,
            kind=option(kind),
            kind_label=kind.label,
            title=row.title,
            attendee_count=attendee_count,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: sdk.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[ReferentChartersMeeting | None]:
        ctx: sdk.Context = info.context
        ids = [_uuid(i) for i in node_ids]
        if not ctx.can(READ):
            return [None for _ in ids]
        async with ctx.db_session() as session:
            rows = await service.meetings(session, ids=[i for i in ids if i])
        return sdk.in_order(ids, rows, lambda r: r[0].id, lambda r: cls.from_row(*r))


@strawberry.type(
    description="Assiduité d'un·e référent·e sur une année civile, au regard de l'engagement "
    "de la charte (rencontrer le pôle deux fois par an, réglage du pôle)."
)
class ReferentChartersAttendanceSummary:
    referent: ReferentChartersReferent
    year: int
    attended: int = strawberry.field(description="Rencontres suivies dans l'année.")
    expected: int = strawberry.field(description="Rencontres attendues par an.")
    behind: bool = strawberry.field(description="Moins de rencontres que l'engagement.")


# --- inputs and payloads ---------------------------------------------------------------


@strawberry.input(
    description="Une session de formation des référents : son premier et son dernier jour, "
    "ou ses journées une à une quand elles ne se suivent pas."
)
class ReferentChartersRecordTrainingSessionInput:
    number: int = strawberry.field(description="Numéro de la session (7 pour la 7e).")
    start_on: dt.date | None = strawberry.field(
        default=None, description="Premier jour (absent : la première des journées)."
    )
    end_on: dt.date | None = strawberry.field(
        default=None, description="Dernier jour (absent : la dernière des journées)."
    )
    days: list[dt.date] = strawberry.field(
        default_factory=list,
        description="Les journées une à une, si elles ne se suivent pas (20 au plus).",
    )
    title: str = sdk.chars_field(
        models.ReferentChartersTrainingSession.title, "Par défaut « 7e session… »", default=""
    )
    programme: str = sdk.chars_field(
        models.ReferentChartersTrainingSession.programme, "Déroulé des journées", default=""
    )

    def to_service(self) -> service.TrainingSessionInput:
        return service.TrainingSessionInput(
            number=self.number,
            title=self.title,
            start_on=self.start_on,
            end_on=self.end_on,
            days=list(self.days),
            programme=self.programme,
        )


@strawberry.type(description="Résultat de l'enregistrement d'une session de formation.")
class ReferentChartersTrainingSessionPayload:
    training_session: ReferentChartersTrainingSession | None = None
    errors: list[sdk.UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="Un·e référent·e à inscrire à l'issue de sa formation.")
class ReferentChartersRegisterReferentInput:
    first_name: str = sdk.chars_field(models.ReferentChartersReferent.first_name)
    last_name: str = sdk.chars_field(models.ReferentChartersReferent.last_name)
    job: str = strawberry.field(description="Code du métier. Voir referentCharters { jobs }.")
    commune_insee: str = strawberry.field(description="Code INSEE de la commune d'exercice.")
    structure_kind: str = strawberry.field(
        description="Code du lieu d'exercice. Voir referentCharters { structureKinds }."
    )
    training_session_id: strawberry.ID = strawberry.field(
        description="Session de formation suivie."
    )
    structure_name: str = sdk.chars_field(
        models.ReferentChartersReferent.structure_name,
        "Nom de l'établissement (obligatoire pour un EAJE)",
        default="",
    )


@strawberry.type(description="Résultat de l'inscription d'un·e référent·e.")
class ReferentChartersReferentPayload:
    referent: ReferentChartersReferent | None = None
    errors: list[sdk.UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="Une nouvelle version de la charte.")
class ReferentChartersPublishCharterInput:
    version: str = sdk.chars_field(
        models.ReferentChartersCharterVersion.version, "Libellé de la version (« 2021 », « v2 »…)"
    )
    published_on: dt.date
    commitments: list[str] | None = strawberry.field(
        default=None,
        description="Engagements, dans l'ordre du texte ; par défaut les huit engagements "
        "de la charte type.",
    )


@strawberry.type(description="Résultat de la publication d'une version de la charte.")
class ReferentChartersCharterPayload:
    charter: ReferentChartersCharter | None = None
    errors: list[sdk.UserError] = strawberry.field(default_factory=list)


@strawberry.input(
    description="Signature de la charte par un·e référent·e, ou ses contreseings reçus plus tard."
)
class ReferentChartersRecordSignatureInput:
    referent_id: strawberry.ID
    signed_on: dt.date = strawberry.field(description="Date de signature du ou de la référent·e.")
    charter_id: strawberry.ID | None = strawberry.field(
        default=None, description="Version signée ; par défaut la version en vigueur."
    )
    establishment_signed_on: dt.date | None = strawberry.field(
        default=None, description="Contreseing de l'établissement (pas à domicile)."
    )
    pole_signed_on: dt.date | None = strawberry.field(
        default=None, description="Contreseing du pôle."
    )


@strawberry.type(description="Résultat de l'enregistrement d'une signature de la charte.")
class ReferentChartersSignaturePayload:
    signature: ReferentChartersSignature | None = None
    referent: ReferentChartersReferent | None = None
    errors: list[sdk.UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="Une réunion de suivi ou une journée thématique.")
class ReferentChartersRecordMeetingInput:
    held_on: dt.date
    kind: str = strawberry.field(
        description="Code de la nature de la rencontre. Voir referentCharters { meetingKinds }."
    )
    title: str = sdk.chars_field(models.ReferentChartersMeeting.title)


@strawberry.type(description="Résultat de l'enregistrement d'une rencontre.")
class ReferentChartersMeetingPayload:
    meeting: ReferentChartersMeeting | None = None
    errors: list[sdk.UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="Feuille de présence d'une rencontre.")
class ReferentChartersRecordAttendanceInput:
    meeting_id: strawberry.ID
    referent_ids: list[strawberry.ID] = strawberry.field(
        description="Référents présents ; la liste remplace celle enregistrée avant."
    )


# --- queries ---------------------------------------------------------------------------


@sdk.plugin_namespace(PLUGIN, description="Référents Pôle Ressources et charte.")
class ReferentChartersQuery:
    @strawberry.field(
        description="Métiers des référents (code et libellé).", extensions=sdk.requires(READ)
    )
    def jobs(self) -> list[sdk.KindOption]:
        return options(Job)

    @strawberry.field(
        description="Lieux d'exercice des référents (code et libellé).",
        extensions=sdk.requires(READ),
    )
    def structure_kinds(self) -> list[sdk.KindOption]:
        return options(StructureKind)

    @strawberry.field(
        description="Natures des rencontres du réseau (code et libellé).",
        extensions=sdk.requires(READ),
    )
    def meeting_kinds(self) -> list[sdk.KindOption]:
        return options(MeetingKind)

    @strawberry.field(description="Référents du pôle, par nom.", extensions=sdk.requires(READ))
    async def referents(
        self,
        info: sdk.Info,
        first: int | None = None,
        after: str | None = None,
        training_session_id: strawberry.ID | None = None,
    ) -> ReferentChartersReferentConnection:
        session_id = (
            None
            if training_session_id is None
            else _node_uuid(
                training_session_id, "ReferentChartersTrainingSession", "trainingSessionId"
            )
        )
        async with info.context.db_session() as session:
            counts = await service.counts(session)
            return await sdk.paginate(
                session,
                service.referents_query(training_session_id=session_id),
                first=first,
                after=after,
                convert=lambda row: ReferentChartersReferent.from_row(row, counts),
                connection_cls=ReferentChartersReferentConnection,
            )

    @strawberry.field(
        description="Sessions de formation, la plus récente d'abord.",
        extensions=sdk.requires(READ),
    )
    async def training_sessions(self, info: sdk.Info) -> list[ReferentChartersTrainingSession]:
        async with info.context.db_session() as session:
            counts = await service.counts(session)
            rows = await service.training_sessions(session)
        return [ReferentChartersTrainingSession.from_row(r, counts) for r in rows]

    @strawberry.field(
        description="Versions de la charte, celle en vigueur d'abord.",
        extensions=sdk.requires(READ),
    )
    async def charters(self, info: sdk.Info) -> list[ReferentChartersCharter]:
        async with info.context.db_session() as session:
            counts = await service.counts(session)
            rows = await service.charters(session)
        return [ReferentChartersCharter.from_row(r, counts) for r in rows]

    @strawberry.field(
        description="Réunions de suivi et journées thématiques, par date (toutes, ou celles "
        "d'une année civile).",
        extensions=sdk.requires(READ),
    )
    async def meetings(
        self, info: sdk.Info, year: int | None = None
    ) -> list[ReferentChartersMeeting]:
        period = None if year is None else _year(year)
        async with info.context.db_session() as session:
            rows = await service.meetings(session, period=period)
        return [ReferentChartersMeeting.from_row(*r) for r in rows]

    @strawberry.field(
        description="Assiduité des référents sur une année civile (l'année en cours par "
        "défaut) : rencontres suivies, engagement, et qui est en retard.",
        extensions=sdk.requires(READ),
    )
    async def attendance(
        self, info: sdk.Info, year: int | None = None, behind_only: bool = False
    ) -> list[ReferentChartersAttendanceSummary]:
        ctx: sdk.Context = info.context
        year = dt.date.today().year if year is None else year
        expected = int((await ctx.plugin_settings(PLUGIN))["meetings_per_year"])
        async with ctx.db_session() as session:
            counts = await service.counts(session)
            lines = await service.attendance_summary(
                session, year=year, expected=expected, behind_only=behind_only
            )
        return [
            ReferentChartersAttendanceSummary(
                referent=ReferentChartersReferent.from_row(line.referent, counts),
                year=line.year,
                attended=line.attended,
                expected=line.expected,
                behind=line.behind,
            )
            for line in lines
        ]


def _year(year: int) -> sdk.Period:
    if not 2000 <= year <= 2100:
        raise sdk.ValidationError("année hors limites (2000 à 2100)", field="year")
    return sdk.Period.year(year)


# --- mutations -------------------------------------------------------------------------


@strawberry.type
class ReferentChartersMutation:
    @sdk.plugin_mutation(
        PLUGIN,
        description="Enregistrer une session de formation des référents.",
        extensions=sdk.requires(MANAGE),
    )
    async def referent_charters_record_training_session(
        self, info: sdk.Info, input: ReferentChartersRecordTrainingSessionInput
    ) -> ReferentChartersTrainingSessionPayload:
        ctx: sdk.Context = info.context
        actor = ctx.require(MANAGE)
        async with sdk.user_errors(ctx) as errors, ctx.db_session() as session:
            row = await service.record_training_session(
                session, input.to_service(), actor=actor.subject
            )
            counts = await service.counts(session)
            await session.commit()
        if errors:
            return ReferentChartersTrainingSessionPayload(errors=errors)
        return ReferentChartersTrainingSessionPayload(
            training_session=ReferentChartersTrainingSession.from_row(row, counts)
        )

    @sdk.plugin_mutation(
        PLUGIN,
        description="Corriger une session de formation, avec tous ses champs (une journée "
        "déplacée, un intitulé) : ses référents restent les siens.",
        extensions=sdk.requires(MANAGE),
    )
    async def referent_charters_correct_training_session(
        self, info: sdk.Info, id: strawberry.ID, input: ReferentChartersRecordTrainingSessionInput
    ) -> ReferentChartersTrainingSessionPayload:
        ctx: sdk.Context = info.context
        actor = ctx.require(MANAGE)
        async with sdk.user_errors(ctx) as errors:
            session_id = _node_uuid(id, "ReferentChartersTrainingSession", "id")
            async with ctx.db_session() as session:
                row = await service.correct_training_session(
                    session, session_id, input.to_service(), actor=actor.subject
                )
                counts = await service.counts(session)
                await session.commit()
        if errors:
            return ReferentChartersTrainingSessionPayload(errors=errors)
        return ReferentChartersTrainingSessionPayload(
            training_session=ReferentChartersTrainingSession.from_row(row, counts)
        )

    @sdk.plugin_mutation(
        PLUGIN,
        description="Inscrire un·e référent·e formé·e par le pôle.",
        extensions=sdk.requires(MANAGE),
    )
    async def referent_charters_register_referent(
        self, info: sdk.Info, input: ReferentChartersRegisterReferentInput
    ) -> ReferentChartersReferentPayload:
        ctx: sdk.Context = info.context
        actor = ctx.require(MANAGE)
        tenant = ctx.require_tenant()
        async with sdk.user_errors(ctx) as errors:
            session_id = _node_uuid(
                input.training_session_id,
                "ReferentChartersTrainingSession",
                "input.trainingSessionId",
            )
            async with ctx.db_session() as session:
                row = await service.register_referent(
                    session,
                    departement_code=tenant.departement_code,
                    first_name=input.first_name,
                    last_name=input.last_name,
                    job=parse(Job, input.job, "input.job"),
                    commune_insee=input.commune_insee,
                    structure_kind=parse(
                        StructureKind, input.structure_kind, "input.structureKind"
                    ),
                    structure_name=input.structure_name,
                    training_session_id=session_id,
                    actor=actor.subject,
                )
                counts = await service.counts(session)
                await session.commit()
        if errors:
            return ReferentChartersReferentPayload(errors=errors)
        return ReferentChartersReferentPayload(
            referent=ReferentChartersReferent.from_row(row, counts)
        )

    @sdk.plugin_mutation(
        PLUGIN,
        description="Publier une version de la charte des référents.",
        extensions=sdk.requires(MANAGE),
    )
    async def referent_charters_publish_charter(
        self, info: sdk.Info, input: ReferentChartersPublishCharterInput
    ) -> ReferentChartersCharterPayload:
        ctx: sdk.Context = info.context
        actor = ctx.require(MANAGE)
        async with sdk.user_errors(ctx) as errors, ctx.db_session() as session:
            row = await service.publish_charter(
                session,
                version=input.version,
                published_on=input.published_on,
                commitments=input.commitments,
                actor=actor.subject,
            )
            counts = await service.counts(session)
            await session.commit()
        if errors:
            return ReferentChartersCharterPayload(errors=errors)
        return ReferentChartersCharterPayload(charter=ReferentChartersCharter.from_row(row, counts))

    @sdk.plugin_mutation(
        PLUGIN,
        description="Enregistrer la signature de la charte par un·e référent·e, ou la "
        "compléter des contreseings de l'établissement et du pôle.",
        extensions=sdk.requires(MANAGE),
    )
    async def referent_charters_record_signature(
        self, info: sdk.Info, input: ReferentChartersRecordSignatureInput
    ) -> ReferentChartersSignaturePayload:
        ctx: sdk.Context = info.context
        actor = ctx.require(MANAGE)
        async with sdk.user_errors(ctx) as errors:
            referent_id = _node_uuid(
                input.referent_id, "ReferentChartersReferent", "input.referentId"
            )
            charter_id = (
                None
                if input.charter_id is None
                else _node_uuid(input.charter_id, "ReferentChartersCharter", "input.charterId")
            )
            async with ctx.db_session() as session:
                row, referent = await service.record_signature(
                    session,
                    referent_id=referent_id,
                    charter_version_id=charter_id,
                    signed_on=input.signed_on,
                    establishment_signed_on=input.establishment_signed_on,
                    pole_signed_on=input.pole_signed_on,
                    actor=actor.subject,
                )
                counts = await service.counts(session)
                await session.commit()
        if errors:
            return ReferentChartersSignaturePayload(errors=errors)
        return ReferentChartersSignaturePayload(
            signature=ReferentChartersSignature.from_row(row, referent.structure_kind, counts),
            referent=ReferentChartersReferent.from_row(referent, counts),
        )

    @sdk.plugin_mutation(
        PLUGIN,
        description="Enregistrer une réunion de suivi ou une journée thématique.",
        extensions=sdk.requires(MANAGE),
    )
    async def referent_charters_record_meeting(
        self, info: sdk.Info, input: ReferentChartersRecordMeetingInput
    ) -> ReferentChartersMeetingPayload:
        ctx: sdk.Context = info.context
        actor = ctx.require(MANAGE)
        async with sdk.user_errors(ctx) as errors, ctx.db_session() as session:
            row = await service.record_meeting(
                session,
                held_on=input.held_on,
                kind=parse(MeetingKind, input.kind, "input.kind"),
                title=input.title,
                actor=actor.subject,
            )
            await session.commit()
        if errors:
            return ReferentChartersMeetingPayload(errors=errors)
        return ReferentChartersMeetingPayload(meeting=ReferentChartersMeeting.from_row(row, 0))

    @sdk.plugin_mutation(
        PLUGIN,
        description="Enregistrer la feuille de présence d'une rencontre (elle remplace la "
        "précédente).",
        extensions=sdk.requires(MANAGE),
    )
    async def referent_charters_record_attendance(
        self, info: sdk.Info, input: ReferentChartersRecordAttendanceInput
    ) -> ReferentChartersMeetingPayload:
        ctx: sdk.Context = info.context
        actor = ctx.require(MANAGE)
        async with sdk.user_errors(ctx) as errors:
            meeting_id = _node_uuid(input.meeting_id, "ReferentChartersMeeting", "input.meetingId")
            referent_ids = [
                _node_uuid(i, "ReferentChartersReferent", "input.referentIds")
                for i in input.referent_ids
            ]
            async with ctx.db_session() as session:
                row, present = await service.record_attendance(
                    session, meeting_id=meeting_id, referent_ids=referent_ids, actor=actor.subject
                )
                await session.commit()
        if errors:
            return ReferentChartersMeetingPayload(errors=errors)
        return ReferentChartersMeetingPayload(
            meeting=ReferentChartersMeeting.from_row(row, present)
        )


def contribution() -> sdk.GraphQLContribution:
    return sdk.GraphQLContribution(
        query=ReferentChartersQuery,
        mutation=ReferentChartersMutation,
        types=(
            ReferentChartersReferent,
            ReferentChartersTrainingSession,
            ReferentChartersCharter,
            ReferentChartersMeeting,
        ),
    )
