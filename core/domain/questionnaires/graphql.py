"""GraphQL: questionnaires, their versions, sendings, results, and the link access.

Staff fields need ``questionnaires.read`` / ``questionnaires.manage`` in the pole.
``questionnaireByLink`` and ``answerQuestionnaire`` need no account: the token is the
only credential, and they read and write through ``links``, which opens a session on
the link's own pole and touches only its sending — never the caller's pole or
session. A page of sendings loads its questionnaires in a fixed number of statements.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry import relay
from strawberry.types import Info

from core.api.context import Context
from core.api.gates import action_gate
from core.api.ids import caller, maybe_id, parse_id, try_uuid
from core.api.inputs import flat_form
from core.api.limits import chars_field
from core.api.pagination import connection, in_order, page_of
from core.api.payloads import UserError, user_errors
from core.api.reads import person_field
from core.domain.questionnaires import links, service
from core.domain.questionnaires.definitions import ItemSpec, SectionSpec
from core.domain.questionnaires.models import Questionnaire as QuestionnaireModel
from core.domain.questionnaires.models import QuestionnaireAnswer as AnswerModel
from core.domain.questionnaires.models import QuestionnaireItem as ItemModel
from core.domain.questionnaires.models import QuestionnaireSending as SendingModel
from core.domain.questionnaires.models import QuestionnaireVersion as VersionModel
from core.domain.questionnaires.subjects import labels as subject_labels
from core.domain.questionnaires.vocabulary import (
    ITEM_KINDS,
    SCALE,
    SENDING_STATUSES,
    VERSION_STATUSES,
    YES_NO,
)
from core.domain.structures.graphql import KindOption
from core.errors import ConflictError, ValidationError

READ, MANAGE = service.READ, service.MANAGE


def _option(value: str, vocabulary: Any) -> KindOption:
    return KindOption(value=value, label=vocabulary.get(value, value))


def _options(vocabulary: Any) -> list[KindOption]:
    return [KindOption(value=str(k), label=v) for k, v in vocabulary.items()]


@strawberry.type(description="Une question : échelle 1–4, oui/non, choix, texte libre.")
class QuestionnaireItem:
    uid: strawberry.Private[str]
    key: str = strawberry.field(description="Clé stable d'une version à l'autre.")
    kind: KindOption
    label: str
    required: bool
    options: list[KindOption] = strawberry.field(
        description="Réponses possibles : les quatre niveaux de l'échelle, oui/non, ou "
        "les choix (vide pour le texte libre)."
    )

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.uid)

    @classmethod
    def from_model(cls, item: ItemModel) -> QuestionnaireItem:
        if item.kind == "scale":
            options = [KindOption(value=str(n), label=label) for n, label in SCALE.items()]
        elif item.kind == "yes_no":
            options = [
                KindOption(value="yes", label=YES_NO[1]),
                KindOption(value="no", label=YES_NO[0]),
            ]
        else:
            options = [KindOption(value=str(v), label=str(label)) for v, label in item.choices]
        return cls(
            uid=str(item.id),
            key=item.key,
            kind=_option(item.kind, ITEM_KINDS),
            label=item.label,
            required=item.required,
            options=options,
        )


@strawberry.type(description="Une section de questions.")
class QuestionnaireSection:
    title: str
    items: list[QuestionnaireItem]


def _sections(content: service.VersionContent) -> list[QuestionnaireSection]:
    return [
        QuestionnaireSection(
            title=s.title, items=[QuestionnaireItem.from_model(i) for i in content.items[s.id]]
        )
        for s in content.sections
    ]


@strawberry.type(description="Une version d'un questionnaire ; publiée, elle ne change plus.")
class QuestionnaireVersion:
    uid: strawberry.Private[str]
    number: int
    status: KindOption
    intro: str
    published_at: dt.datetime | None
    sections: list[QuestionnaireSection]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.uid)


@strawberry.type(description="Un questionnaire du pôle et ses versions.")
class Questionnaire(relay.Node):
    uid: relay.NodeID[str]
    key: str
    title: str
    description: str
    subject_kinds: list[KindOption] = strawberry.field(
        description="À quelles occasions il s'envoie (fin de suivi, structure…)."
    )
    versions: list[QuestionnaireVersion] = strawberry.field(
        description="De la plus récente à la plus ancienne."
    )

    @strawberry.field(description="La dernière version publiée : celle des nouveaux envois.")
    def current_version(self) -> QuestionnaireVersion | None:
        return next((v for v in self.versions if v.status.value == "published"), None)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Questionnaire | None]:
        ids = [try_uuid(i) for i in node_ids]
        if not info.context.can(READ):
            return [None for _ in ids]
        async with info.context.db_session() as session:
            found = await load_questionnaires(
                session,
                select(QuestionnaireModel).where(QuestionnaireModel.id.in_([i for i in ids if i])),
            )
        return in_order(ids, found, lambda q: uuid.UUID(q.uid), lambda q: q)


async def load_questionnaires(session: Any, statement: Any) -> list[Questionnaire]:
    """Questionnaires with every version's sections and items: four statements."""
    rows: list[QuestionnaireModel] = list((await session.execute(statement)).scalars())
    versions: dict[uuid.UUID, list[VersionModel]] = defaultdict(list)
    if rows:
        for version in (
            await session.execute(
                select(VersionModel)
                .where(VersionModel.questionnaire_id.in_([r.id for r in rows]))
                .order_by(VersionModel.number.desc())
            )
        ).scalars():
            versions[version.questionnaire_id].append(version)
    content = await service.load_content(
        session, [v.id for group in versions.values() for v in group]
    )
    kinds = subject_labels()
    return [
        Questionnaire(
            uid=str(r.id),
            key=r.key,
            title=r.title,
            description=r.description,
            subject_kinds=[_option(k, kinds) for k in r.subject_kinds],
            versions=[
                QuestionnaireVersion(
                    uid=str(v.id),
                    number=v.number,
                    status=_option(v.status, VERSION_STATUSES),
                    intro=v.intro,
                    published_at=v.published_at,
                    sections=_sections(content[v.id]),
                )
                for v in versions[r.id]
            ],
        )
        for r in rows
    ]


def _sending_status(row: SendingModel, now: dt.datetime) -> str:
    if row.answered_at is not None:
        return "answered"
    return "expired" if service.as_utc(row.expires_at) <= now else "waiting"


@strawberry.type(
    description="Un envoi : une version de questionnaire envoyée à propos d'un suivi, "
    "d'une structure… et son lien à usage unique."
)
class QuestionnaireSending(relay.Node):
    uid: relay.NodeID[str]
    questionnaire_id: strawberry.ID
    questionnaire_title: str
    version_number: int
    subject_kind: KindOption
    subject_id: strawberry.ID
    sent_on: dt.date
    sent_by: str
    expires_at: dt.datetime
    answered_at: dt.datetime | None
    status: KindOption

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[QuestionnaireSending | None]:
        ids = [try_uuid(i) for i in node_ids]
        if not info.context.can(READ):
            return [None for _ in ids]
        async with info.context.db_session() as session:
            found = await load_sendings(
                session, select(SendingModel).where(SendingModel.id.in_([i for i in ids if i]))
            )
        return in_order(ids, found, lambda s: uuid.UUID(s.uid), lambda s: s)


async def load_sendings(session: Any, statement: Any) -> list[QuestionnaireSending]:
    """A page of sendings with their questionnaire: three statements whatever its length."""
    rows: list[SendingModel] = list((await session.execute(statement)).scalars())
    versions: dict[uuid.UUID, tuple[int, QuestionnaireModel]] = {}
    if rows:
        for number, version_id, questionnaire in await session.execute(
            select(VersionModel.number, VersionModel.id, QuestionnaireModel)
            .join(QuestionnaireModel, QuestionnaireModel.id == VersionModel.questionnaire_id)
            .where(VersionModel.id.in_({r.version_id for r in rows}))
        ):
            versions[version_id] = (number, questionnaire)
    now, kinds = service.utcnow(), subject_labels()
    found = []
    for r in rows:
        number, questionnaire = versions[r.version_id]
        found.append(
            QuestionnaireSending(
                uid=str(r.id),
                questionnaire_id=strawberry.ID(str(questionnaire.id)),
                questionnaire_title=questionnaire.title,
                version_number=number,
                subject_kind=_option(r.subject_kind, kinds),
                subject_id=strawberry.ID(str(r.subject_id)),
                sent_on=r.sent_on,
                sent_by=r.sent_by,
                expires_at=service.as_utc(r.expires_at),
                answered_at=service.as_utc(r.answered_at) if r.answered_at else None,
                status=_option(_sending_status(r, now), SENDING_STATUSES),
            )
        )
    return found


@strawberry.type
class QuestionnaireConnection(relay.ListConnection[Questionnaire]):
    total_count: int


@strawberry.type
class QuestionnaireSendingConnection(relay.ListConnection[QuestionnaireSending]):
    total_count: int


@strawberry.type(description="Nombre de réponses pour une valeur.")
class OptionCount:
    value: str
    label: str
    count: int


@strawberry.type(
    description="Résultat d'une question : réponses, taux de satisfaction (part des 3 et 4, "
    "en %) et moyenne pour l'échelle, décompte de chaque réponse possible."
)
class ItemResult:
    key: str
    label: str
    kind: KindOption
    answers: int
    satisfaction_rate: float | None
    mean: float | None
    counts: list[OptionCount]


@strawberry.type(description="Résultat d'une section : ses questions à échelle mises ensemble.")
class SectionResult:
    title: str
    scale_answers: int
    satisfaction_rate: float | None
    mean: float | None
    items: list[ItemResult]


@strawberry.type(description="Résultats d'un questionnaire sur une période.")
class QuestionnaireResults:
    responses: int
    scale_answers: int
    satisfaction_rate: float | None = strawberry.field(
        description="Part des réponses « Satisfait » et « Très satisfait » (%), toutes "
        "questions à échelle confondues."
    )
    mean: float | None
    sections: list[SectionResult]


def _results(found: service.Results) -> QuestionnaireResults:
    def item(r: service.ItemResult) -> ItemResult:
        return ItemResult(
            key=r.key,
            label=r.label,
            kind=_option(r.kind, ITEM_KINDS),
            answers=r.answers,
            satisfaction_rate=r.scale.rate,
            mean=r.scale.mean,
            counts=[OptionCount(value=c.value, label=c.label, count=c.count) for c in r.counts],
        )

    return QuestionnaireResults(
        responses=found.responses,
        scale_answers=found.scale.answers,
        satisfaction_rate=found.scale.rate,
        mean=found.scale.mean,
        sections=[
            SectionResult(
                title=s.title,
                scale_answers=s.scale.answers,
                satisfaction_rate=s.scale.rate,
                mean=s.scale.mean,
                items=[item(i) for i in s.items],
            )
            for s in found.sections
        ],
    )


@strawberry.type(description="Une réponse libre (peut contenir des données personnelles).")
class FreeTextAnswer:
    uid: strawberry.Private[str]
    question: str
    text: str = person_field()
    answered_on: dt.date
    subject_kind: KindOption

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.uid)


@strawberry.type
class FreeTextAnswerConnection(relay.ListConnection[FreeTextAnswer]):
    total_count: int


@strawberry.type(description="Ce qu'un lien de questionnaire donne à voir : ce seul questionnaire.")
class LinkQuestionnaire:
    pole_name: str
    title: str
    intro: str
    version_number: int
    expires_at: dt.datetime
    sections: list[QuestionnaireSection]


@strawberry.type(
    description="Le questionnaire ouvert par un lien, ou l'erreur qui l'empêche (lien "
    "inconnu, expiré ou déjà utilisé)."
)
class QuestionnaireByLinkResult:
    questionnaire: LinkQuestionnaire | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(
    description="La réponse à une question : value (échelle 1 à 4, yes/no, choix "
    "unique, texte) ou values (choix multiple)."
)
class AnswerInput:
    item: str = strawberry.field(description="Clé de la question.")
    value: str | None = chars_field(AnswerModel.text, default=None)
    values: list[str] | None = None


@strawberry.input(description="Un choix proposé par une question : code et libellé.")
class ChoiceInput:
    value: str
    label: str = chars_field(ItemModel.label)


@strawberry.input(description="Une question d'une version en préparation.")
class QuestionnaireItemInput:
    key: str = chars_field(ItemModel.key)
    kind: str = strawberry.field(description="Voir questionnaireItemKinds.")
    label: str = chars_field(ItemModel.label)
    required: bool = True
    choices: list[ChoiceInput] | None = None


@strawberry.input(description="Une section d'une version en préparation : titre et questions.")
class QuestionnaireSectionInput:
    title: str = chars_field(QuestionnaireModel.title)
    items: list[QuestionnaireItemInput]


@strawberry.input(
    description="Envoyer la version publiée d'un questionnaire à propos d'un sujet (suivi "
    "clos, structure…)."
)
class SendQuestionnaireInput:
    questionnaire_id: strawberry.ID
    subject_kind: str = chars_field(SendingModel.subject_kind)
    subject_id: strawberry.ID
    sent_on: dt.date | None = None


@strawberry.input(description="La prochaine version d'un questionnaire : introduction et sections.")
class DraftQuestionnaireVersionInput:
    questionnaire_id: strawberry.ID
    sections: list[QuestionnaireSectionInput]
    intro: str = chars_field(VersionModel.intro, default="")


@strawberry.type
class QuestionnairePayload:
    questionnaire: Questionnaire | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SendQuestionnairePayload:
    sending: QuestionnaireSending | None = None
    link: str | None = strawberry.field(
        default=None,
        description="Le lien à transmettre (affiché cette fois seulement : seule son "
        "empreinte est conservée).",
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AnswerQuestionnairePayload:
    ok: bool = False
    errors: list[UserError] = strawberry.field(default_factory=list)


def _filter(
    questionnaire_id: strawberry.ID,
    start: dt.date | None,
    end: dt.date | None,
    subject_kind: str | None,
) -> service.ResultFilter:
    return service.ResultFilter(
        questionnaire_id=parse_id(questionnaire_id, "questionnaireId"),
        start=start,
        end=end,
        subject_kind=subject_kind,
    )


@strawberry.type
class QuestionnairesQuery:
    @strawberry.field(description="Types de questions.")
    def questionnaire_item_kinds(self) -> list[KindOption]:
        return _options(ITEM_KINDS)

    @strawberry.field(description="L'échelle de satisfaction de 1 à 4.")
    def questionnaire_scale(self) -> list[KindOption]:
        return _options(SCALE)

    @strawberry.field(
        description="À propos de quoi un questionnaire s'envoie (ceux des modules activés "
        "pour le pôle compris)."
    )
    async def questionnaire_subject_kinds(self, info: Info[Context, None]) -> list[KindOption]:
        return _options(subject_labels(await info.context.enabled_plugins()))

    @strawberry.field(
        description="Questionnaires du pôle (ceux livrés avec la plateforme sont installés "
        "à la première consultation).",
        extensions=[action_gate(READ)],
    )
    async def questionnaires(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> QuestionnaireConnection:
        async with info.context.db_session() as session:
            await service.ensure_defaults(session)
            statement = select(QuestionnaireModel).order_by(
                QuestionnaireModel.title, QuestionnaireModel.id
            )
            win, total, page = await page_of(session, statement, first, after)
            nodes = await load_questionnaires(session, page)
        return connection(QuestionnaireConnection, nodes, win, total)

    @strawberry.field(
        description="Envois du pôle, des plus récents aux plus anciens ; filtres : "
        "questionnaire, type de destinataire, répondu ou non.",
        extensions=[action_gate(READ)],
    )
    async def questionnaire_sendings(
        self,
        info: Info[Context, None],
        questionnaire_id: strawberry.ID | None = None,
        subject_kind: str | None = None,
        answered: bool | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> QuestionnaireSendingConnection:
        statement = service.sendings_query(
            service.SendingFilter(
                questionnaire_id=maybe_id(questionnaire_id, "questionnaireId"),
                subject_kind=subject_kind,
                answered=answered,
            )
        )
        async with info.context.db_session() as session:
            win, total, page = await page_of(session, statement, first, after)
            nodes = await load_sendings(session, page)
        return connection(QuestionnaireSendingConnection, nodes, win, total)

    @strawberry.field(
        description="Résultats d'un questionnaire : taux de satisfaction (part des réponses 3 "
        "et 4) et moyenne par question, par section et au total, décomptes des choix, "
        "nombre de réponses ; période de réponse [début, fin[, type de destinataire.",
        extensions=[action_gate(READ)],
    )
    async def questionnaire_results(
        self,
        info: Info[Context, None],
        questionnaire_id: strawberry.ID,
        start: dt.date | None = None,
        end: dt.date | None = None,
        subject_kind: str | None = None,
    ) -> QuestionnaireResults:
        async with info.context.db_session() as session:
            found = await service.results(
                session,
                caller(info.context),
                _filter(questionnaire_id, start, end, subject_kind),
            )
        return _results(found)

    @strawberry.field(
        description="Réponses libres d'un questionnaire, des plus récentes aux plus anciennes "
        "(lecture tracée : elles peuvent contenir des données personnelles).",
        extensions=[action_gate(READ)],
    )
    async def questionnaire_free_texts(
        self,
        info: Info[Context, None],
        questionnaire_id: strawberry.ID,
        start: dt.date | None = None,
        end: dt.date | None = None,
        subject_kind: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> FreeTextAnswerConnection:
        statement = service.free_texts_query(_filter(questionnaire_id, start, end, subject_kind))
        kinds = subject_labels()
        async with info.context.db_session() as session:
            win, total, page = await page_of(session, statement, first, after)
            rows = list(await session.execute(page))
        nodes = [
            FreeTextAnswer(
                uid=str(answer.id),
                question=label,
                text=answer.text,
                answered_on=answered_on,
                subject_kind=_option(kind, kinds),
            )
            for answer, label, answered_on, kind in rows
        ]
        return connection(FreeTextAnswerConnection, nodes, win, total)

    @strawberry.field(
        description="Le questionnaire d'un lien, sans compte. Un lien inconnu, expiré, déjà "
        "utilisé ou altéré répond la même erreur (CONFLICT sur token)."
    )
    async def questionnaire_by_link(
        self, info: Info[Context, None], token: str
    ) -> QuestionnaireByLinkResult:
        try:
            form = await links.open_link(info.context.db, token)
        except ConflictError as exc:
            return QuestionnaireByLinkResult(
                errors=[UserError(code=str(exc.code), field=exc.field, message=exc.message)]
            )
        return QuestionnaireByLinkResult(
            questionnaire=LinkQuestionnaire(
                pole_name=form.pole_name,
                title=form.title,
                intro=form.intro,
                version_number=form.version_number,
                expires_at=form.expires_at,
                sections=[
                    QuestionnaireSection(
                        title=s.title, items=[QuestionnaireItem.from_model(i) for i in items]
                    )
                    for s, items in form.sections
                ],
            )
        )


def _section_specs(sections: list[QuestionnaireSectionInput]) -> list[SectionSpec]:
    return [
        SectionSpec(
            title=s.title,
            items=tuple(
                ItemSpec(
                    key=i.key,
                    kind=i.kind,
                    label=i.label,
                    required=i.required,
                    choices=tuple((c.value, c.label) for c in i.choices or []),
                )
                for i in s.items
            ),
        )
        for s in sections
    ]


async def _questionnaire_payload(ctx: Context, apply: Any) -> QuestionnairePayload:
    result = None
    async with user_errors(ctx) as errors, ctx.db_session() as session:
        questionnaire_id = await apply(session)
        await session.commit()
        (result,) = await load_questionnaires(
            session, select(QuestionnaireModel).where(QuestionnaireModel.id == questionnaire_id)
        )
    return (
        QuestionnairePayload(errors=errors)
        if errors
        else QuestionnairePayload(questionnaire=result)
    )


@strawberry.type
class QuestionnairesMutation:
    @strawberry.mutation(
        description="Envoyer la version publiée d'un questionnaire à propos d'un suivi clos, "
        "d'une structure… Rend le lien à usage unique à transmettre.",
        extensions=[action_gate(MANAGE)],
    )
    @flat_form(SendQuestionnaireInput)
    async def send_questionnaire(
        self,
        info: Info[Context, None],
        input: SendQuestionnaireInput,
    ) -> SendQuestionnairePayload:
        ctx = info.context
        result, link = None, None
        enabled = await ctx.enabled_plugins()
        async with user_errors(ctx) as errors, ctx.db_session() as session:
            sending, token = await service.send(
                session,
                caller(ctx),
                ctx.require_tenant(),
                questionnaire_id=parse_id(input.questionnaire_id, "questionnaireId"),
                subject_kind=input.subject_kind,
                subject_id=parse_id(input.subject_id, "subjectId"),
                sent_on=input.sent_on,
                enabled_plugins=enabled,
            )
            await session.commit()
            (result,) = await load_sendings(
                session, select(SendingModel).where(SendingModel.id == sending.id)
            )
            link = f"{ctx.settings.public_url}/q/{token}"
        if errors:
            return SendQuestionnairePayload(errors=errors)
        return SendQuestionnairePayload(sending=result, link=link)

    @strawberry.mutation(
        description="Rédiger la prochaine version d'un questionnaire (le brouillon en cours "
        "est remplacé ; les versions publiées ne changent pas).",
        extensions=[action_gate(MANAGE)],
    )
    @flat_form(DraftQuestionnaireVersionInput)
    async def draft_questionnaire_version(
        self,
        info: Info[Context, None],
        input: DraftQuestionnaireVersionInput,
    ) -> QuestionnairePayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            version = await service.save_draft(
                session,
                caller(ctx),
                parse_id(input.questionnaire_id, "questionnaireId"),
                intro=input.intro,
                sections=_section_specs(input.sections),
            )
            return version.questionnaire_id

        return await _questionnaire_payload(ctx, apply)

    @strawberry.mutation(
        description="Publier une version : les nouveaux envois l'utilisent, elle ne change plus.",
        extensions=[action_gate(MANAGE)],
    )
    async def publish_questionnaire_version(
        self, info: Info[Context, None], version_id: strawberry.ID
    ) -> QuestionnairePayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            version = await service.publish_version(
                session, caller(ctx), parse_id(version_id, "versionId")
            )
            return version.questionnaire_id

        return await _questionnaire_payload(ctx, apply)

    @strawberry.mutation(
        description="Répondre à un questionnaire par son lien, sans compte, une seule fois. "
        "Erreurs : VALIDATION nommant la question (answers.<clé>), CONFLICT sur token pour "
        "un lien inconnu, expiré, déjà utilisé ou altéré."
    )
    async def answer_questionnaire(
        self, info: Info[Context, None], token: str, answers: list[AnswerInput]
    ) -> AnswerQuestionnairePayload:
        raw: dict[str, list[str]] = {}
        for answer in answers:
            given = raw.setdefault(answer.item, [])
            if answer.value is not None:
                given.append(answer.value)
            given.extend(answer.values or [])
        request = info.context.request
        try:
            await links.answer_link(
                info.context.db,
                token,
                raw,
                client_address=request.client.host if request.client else None,
            )
        except (ConflictError, ValidationError) as exc:
            return AnswerQuestionnairePayload(
                errors=[UserError(code=str(exc.code), field=exc.field, message=exc.message)]
            )
        return AnswerQuestionnairePayload(ok=True)


TYPES = (Questionnaire, QuestionnaireSending)
