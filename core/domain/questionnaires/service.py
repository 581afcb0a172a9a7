"""Questionnaires: the defaults, versions, sendings and results.

Every pole gets the default questionnaires (``defaults/*.toml``) the first time it
opens its questionnaires; it may then draft new versions and publish them. A
published version never changes. Sending one about a subject makes a single-use link
(see ``links``); results pool the answers of every version by item key.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Caller
from core.auth.secrets import digest, new_token
from core.domain.lookups import audit
from core.domain.lookups import get_or_not_found as _get
from core.domain.questionnaires.definitions import (
    DEFAULT_KEYS,
    Definition,
    SectionSpec,
    check_sections,
    load_default,
)
from core.domain.questionnaires.models import (
    Questionnaire,
    QuestionnaireAnswer,
    QuestionnaireItem,
    QuestionnaireLink,
    QuestionnaireResponse,
    QuestionnaireSection,
    QuestionnaireSending,
    QuestionnaireVersion,
)
from core.domain.questionnaires.subjects import SUBJECT_KINDS
from core.domain.questionnaires.vocabulary import SATISFIED_FROM, SCALE, YES_NO
from core.errors import ConflictError, ValidationError
from core.ids import uuid7
from core.tenancy.config import default_settings
from core.tenancy.models import Tenant

READ = "questionnaires.read"
MANAGE = "questionnaires.manage"
TOKEN_PREFIX = "q_"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands datetimes back naive (they are stored in UTC)."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


# --- content -----------------------------------------------------------------------------


async def _add_content(
    session: AsyncSession, version: QuestionnaireVersion, sections: Sequence[SectionSpec]
) -> None:
    # Flushed parents first: without ORM relationships the unit of work does not
    # order these inserts by their foreign keys.
    await session.flush()
    rows = []
    for s, spec in enumerate(sections):
        section = QuestionnaireSection(
            id=uuid7(), version_id=version.id, position=s, title=spec.title.strip()
        )
        session.add(section)
        rows += [
            QuestionnaireItem(
                version_id=version.id,
                section_id=section.id,
                position=i,
                key=item.key,
                kind=item.kind,
                label=item.label.strip(),
                required=item.required,
                choices=[[value, label.strip()] for value, label in item.choices],
            )
            for i, item in enumerate(spec.items)
        ]
    await session.flush()
    session.add_all(rows)
    await session.flush()


async def _install(session: AsyncSession, definition: Definition, now: dt.datetime) -> None:
    questionnaire = Questionnaire(
        id=uuid7(),
        key=definition.key,
        title=definition.title,
        description=definition.description,
        subject_kinds=list(definition.subject_kinds),
    )
    session.add(questionnaire)
    await session.flush()
    version = QuestionnaireVersion(
        id=uuid7(),
        questionnaire_id=questionnaire.id,
        number=1,
        status="draft",
        intro=definition.intro,
    )
    session.add(version)
    await session.flush()
    await _add_content(session, version, definition.sections)
    # Published once its content is in: published content can no longer be written.
    version.status, version.published_at = "published", now
    await session.flush()


async def install_defaults(session: AsyncSession, *, now: dt.datetime | None = None) -> bool:
    """Add the default questionnaires the pole lacks (idempotent, no commit). True when
    it added some."""
    have = set((await session.execute(select(Questionnaire.key))).scalars())
    missing = [key for key in DEFAULT_KEYS if key not in have]
    for key in missing:
        await _install(session, load_default(key), now or utcnow())
    if missing:
        await session.flush()
    return bool(missing)


async def install_definition(
    session: AsyncSession, definition: Definition, *, now: dt.datetime | None = None
) -> bool:
    """Add one questionnaire (a plugin's) unless the pole has one with its key: what
    the pole made of it since (new versions) stays. True when it added it."""
    have = await session.scalar(select(Questionnaire.id).where(Questionnaire.key == definition.key))
    if have is not None:
        return False
    await _install(session, definition, now or utcnow())
    return True


async def questionnaire_of(session: AsyncSession, key: str) -> Questionnaire | None:
    """The pole's questionnaire with this key, if it has one."""
    return (await session.execute(select(Questionnaire).where(Questionnaire.key == key))).scalar()


async def ensure_defaults(session: AsyncSession) -> None:
    """``install_defaults`` in its own transaction, for the first read of a pole's
    questionnaires: every pole has the defaults without a migration per pole."""
    try:
        if await install_defaults(session):
            await session.commit()
    except IntegrityError:
        # Another request installed them at the same moment: theirs stand.
        await session.rollback()


@dataclass(frozen=True)
class VersionContent:
    sections: list[QuestionnaireSection]
    items: dict[uuid.UUID, list[QuestionnaireItem]]  # by section id


async def load_content(
    session: AsyncSession, version_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, VersionContent]:
    """Sections and items of several versions in two statements."""
    if not version_ids:
        return {}
    sections = list(
        (
            await session.execute(
                select(QuestionnaireSection)
                .where(QuestionnaireSection.version_id.in_(list(version_ids)))
                .order_by(QuestionnaireSection.position)
            )
        ).scalars()
    )
    items: dict[uuid.UUID, list[QuestionnaireItem]] = defaultdict(list)
    for item in (
        await session.execute(
            select(QuestionnaireItem)
            .where(QuestionnaireItem.version_id.in_(list(version_ids)))
            .order_by(QuestionnaireItem.position)
        )
    ).scalars():
        items[item.section_id].append(item)
    by_version: dict[uuid.UUID, VersionContent] = {v: VersionContent([], {}) for v in version_ids}
    for section in sections:
        content = by_version[section.version_id]
        content.sections.append(section)
        content.items[section.id] = items.get(section.id, [])
    return by_version


# --- versions ----------------------------------------------------------------------------


async def save_draft(
    session: AsyncSession,
    caller: Caller,
    questionnaire_id: uuid.UUID,
    *,
    intro: str,
    sections: Sequence[SectionSpec],
) -> QuestionnaireVersion:
    """Write the questionnaire's draft version: the open draft is replaced, or a new
    one numbered after the last version is made. Published versions stay as they are."""
    actor = caller.require(MANAGE)
    await _get(session, Questionnaire, questionnaire_id, "questionnaireId")
    check_sections(sections)
    versions = list(
        (
            await session.execute(
                select(QuestionnaireVersion)
                .where(QuestionnaireVersion.questionnaire_id == questionnaire_id)
                .order_by(QuestionnaireVersion.number.desc())
            )
        ).scalars()
    )
    draft = next((v for v in versions if v.status == "draft"), None)
    if draft is None:
        draft = QuestionnaireVersion(
            id=uuid7(),
            questionnaire_id=questionnaire_id,
            number=(versions[0].number + 1) if versions else 1,
            status="draft",
            intro=intro.strip(),
        )
        session.add(draft)
    else:
        draft.intro = intro.strip()
        await session.execute(
            delete(QuestionnaireItem).where(QuestionnaireItem.version_id == draft.id)
        )
        await session.execute(
            delete(QuestionnaireSection).where(QuestionnaireSection.version_id == draft.id)
        )
    await _add_content(session, draft, sections)
    audit(
        session,
        actor.subject,
        "questionnaires.draft",
        "QuestionnaireVersion",
        draft.id,
        ["intro", "sections"],
    )
    return draft


async def publish_version(
    session: AsyncSession, caller: Caller, version_id: uuid.UUID, *, now: dt.datetime | None = None
) -> QuestionnaireVersion:
    actor = caller.require(MANAGE)
    version: QuestionnaireVersion = await _get(
        session, QuestionnaireVersion, version_id, "versionId"
    )
    if version.status == "published":
        raise ConflictError(
            "cette version est déjà publiée : elle ne change plus", field="versionId"
        )
    version.status, version.published_at = "published", now or utcnow()
    await session.flush()
    audit(
        session,
        actor.subject,
        "questionnaires.publish",
        "QuestionnaireVersion",
        version.id,
        ["status"],
    )
    return version


async def current_version(
    session: AsyncSession, questionnaire_id: uuid.UUID
) -> QuestionnaireVersion | None:
    """The latest published version: the one new sendings use."""
    return (
        await session.execute(
            select(QuestionnaireVersion)
            .where(
                QuestionnaireVersion.questionnaire_id == questionnaire_id,
                QuestionnaireVersion.status == "published",
            )
            .order_by(QuestionnaireVersion.number.desc())
            .limit(1)
        )
    ).scalar()


# --- sendings ----------------------------------------------------------------------------


def link_days(tenant: Tenant) -> int:
    settings = {**default_settings(), **(tenant.settings or {})}
    return int(settings["questionnaire_link_days"])


async def send(
    session: AsyncSession,
    caller: Caller,
    tenant: Tenant,
    *,
    questionnaire_id: uuid.UUID,
    subject_kind: str,
    subject_id: uuid.UUID,
    sent_on: dt.date | None = None,
    now: dt.datetime | None = None,
    enabled_plugins: frozenset[str] | None = None,
) -> tuple[QuestionnaireSending, str]:
    """Send the questionnaire's current version about a subject. Returns the sending
    and the link's token — shown once, never stored. A subject kind of a plugin the
    pole did not enable (``enabled_plugins``) is unknown here."""
    actor = caller.require(MANAGE)
    found = await send_as(
        session,
        tenant,
        sent_by=actor.subject,
        questionnaire_id=questionnaire_id,
        subject_kind=subject_kind,
        subject_id=subject_id,
        sent_on=sent_on,
        now=now,
        enabled_plugins=enabled_plugins,
    )
    if found is None:
        raise ConflictError(
            "ce questionnaire a déjà été envoyé pour ce destinataire (en attente ou répondu "
            "cette année)",
            field="subjectId",
        )
    return found


async def send_as(
    session: AsyncSession,
    tenant: Tenant,
    *,
    sent_by: str,
    questionnaire_id: uuid.UUID,
    subject_kind: str,
    subject_id: uuid.UUID,
    sent_on: dt.date | None = None,
    now: dt.datetime | None = None,
    enabled_plugins: frozenset[str] | None = None,
) -> tuple[QuestionnaireSending, str] | None:
    """``send`` without the permission check (the caller made its own), answering None
    instead of CONFLICT when one is already waiting or answered this year for the
    subject: nothing is written then."""
    now = now or utcnow()
    day = sent_on or now.date()
    if day > now.date():
        raise ValidationError("date dans le futur", field="sentOn")
    questionnaire: Questionnaire = await _get(
        session, Questionnaire, questionnaire_id, "questionnaireId"
    )
    kind = SUBJECT_KINDS.get(subject_kind)
    if kind is None or not kind.offered(enabled_plugins):
        offered = [name for name, k in SUBJECT_KINDS.items() if k.offered(enabled_plugins)]
        raise ValidationError(
            f"type de destinataire inconnu « {subject_kind} » ({', '.join(offered)})",
            field="subjectKind",
        )
    if subject_kind not in questionnaire.subject_kinds:
        raise ValidationError(
            f"« {questionnaire.title} » ne s'envoie pas pour ce type "
            f"({', '.join(questionnaire.subject_kinds)})",
            field="subjectKind",
        )
    subject = await _get(session, kind.model, subject_id, "subjectId")
    if kind.ready is not None:
        kind.ready(subject)
    version = await current_version(session, questionnaire_id)
    if version is None:
        raise ConflictError("aucune version publiée de ce questionnaire", field="questionnaireId")
    # One sending per questionnaire and subject while it waits, and one answered a year
    # (the structure survey is yearly; a follow-up closes once).
    year_start = dt.date(day.year, 1, 1)
    same = await session.execute(
        select(QuestionnaireSending.id)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == QuestionnaireSending.version_id)
        .where(
            QuestionnaireVersion.questionnaire_id == questionnaire_id,
            QuestionnaireSending.subject_kind == subject_kind,
            QuestionnaireSending.subject_id == subject_id,
            or_(
                (QuestionnaireSending.answered_at.is_(None))
                & (QuestionnaireSending.expires_at > now),
                (QuestionnaireSending.answered_at.is_not(None))
                & (QuestionnaireSending.sent_on >= year_start),
            ),
        )
        .limit(1)
    )
    if same.first() is not None:
        return None
    token = new_token(TOKEN_PREFIX)
    expires = now + dt.timedelta(days=link_days(tenant))
    sending = QuestionnaireSending(
        version_id=version.id,
        subject_kind=subject_kind,
        subject_id=subject_id,
        sent_on=day,
        sent_by=sent_by,
        token_hash=digest(token),
        expires_at=expires,
    )
    session.add(sending)
    session.add(
        QuestionnaireLink(token_hash=sending.token_hash, pole_id=tenant.id, expires_at=expires)
    )
    await session.flush()
    audit(
        session,
        sent_by,
        "questionnaires.send",
        "QuestionnaireSending",
        sending.id,
        ["version", "subject", "sentOn", "expiresAt"],
    )
    return sending, token


@dataclass(frozen=True)
class SendingFilter:
    questionnaire_id: uuid.UUID | None = None
    subject_kind: str | None = None
    answered: bool | None = None


def sendings_query(f: SendingFilter) -> Select[tuple[QuestionnaireSending]]:
    statement = select(QuestionnaireSending)
    if f.questionnaire_id is not None:
        statement = statement.where(
            QuestionnaireSending.version_id.in_(
                select(QuestionnaireVersion.id).where(
                    QuestionnaireVersion.questionnaire_id == f.questionnaire_id
                )
            )
        )
    if f.subject_kind:
        statement = statement.where(QuestionnaireSending.subject_kind == f.subject_kind)
    if f.answered is not None:
        column = QuestionnaireSending.answered_at
        statement = statement.where(column.is_not(None) if f.answered else column.is_(None))
    return statement.order_by(QuestionnaireSending.sent_on.desc(), QuestionnaireSending.id.desc())


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultFilter:
    questionnaire_id: uuid.UUID
    start: dt.date | None = None
    end: dt.date | None = None
    subject_kind: str | None = None


@dataclass
class Count:
    value: str
    label: str
    count: int = 0


@dataclass
class Rate:
    """Scale answers: how many, how many 3 or 4, the share (%) and the mean."""

    answers: int = 0
    satisfied: int = 0
    total: int = 0

    def add(self, value: int, count: int) -> None:
        self.answers += count
        self.total += value * count
        if value >= SATISFIED_FROM:
            self.satisfied += count

    def merge(self, other: Rate) -> None:
        self.answers += other.answers
        self.satisfied += other.satisfied
        self.total += other.total

    @property
    def rate(self) -> float | None:
        return round(100 * self.satisfied / self.answers, 1) if self.answers else None

    @property
    def mean(self) -> float | None:
        return round(self.total / self.answers, 2) if self.answers else None


@dataclass
class ItemResult:
    key: str
    label: str
    kind: str
    answers: int = 0
    scale: Rate = field(default_factory=Rate)
    counts: list[Count] = field(default_factory=list)


@dataclass
class SectionResult:
    title: str
    items: list[ItemResult] = field(default_factory=list)
    scale: Rate = field(default_factory=Rate)


@dataclass
class Results:
    responses: int
    sections: list[SectionResult]
    scale: Rate

    def item(self, key: str) -> ItemResult | None:
        """One question's result by its key (None when no version has it)."""
        return next((i for s in self.sections for i in s.items if i.key == key), None)


def _response_filter(statement: Any, f: ResultFilter, version_ids: list[uuid.UUID]) -> Any:
    statement = statement.where(QuestionnaireResponse.version_id.in_(version_ids))
    if f.start:
        statement = statement.where(QuestionnaireResponse.answered_on >= f.start)
    if f.end:
        statement = statement.where(QuestionnaireResponse.answered_on < f.end)
    if f.subject_kind:
        statement = statement.where(
            QuestionnaireResponse.sending_id.in_(
                select(QuestionnaireSending.id).where(
                    QuestionnaireSending.subject_kind == f.subject_kind
                )
            )
        )
    return statement


def _check_period(f: ResultFilter) -> None:
    if f.start and f.end and f.end <= f.start:
        raise ValidationError("la fin doit suivre le début", field="end")


async def results(session: AsyncSession, caller: Caller, f: ResultFilter) -> Results:
    """Rates per item, per section and overall (share of 3–4 answers and mean), counts
    of every option, number of responses. Items of every version are pooled by key;
    labels and sections are the latest version's."""
    caller.require(READ)
    return await compute_results(session, f)


async def compute_results(session: AsyncSession, f: ResultFilter) -> Results:
    """``results`` without the permission check (the caller made its own)."""
    _check_period(f)
    await _get(session, Questionnaire, f.questionnaire_id, "questionnaireId")
    versions = list(
        (
            await session.execute(
                select(QuestionnaireVersion)
                .where(QuestionnaireVersion.questionnaire_id == f.questionnaire_id)
                .order_by(QuestionnaireVersion.number.desc())
            )
        ).scalars()
    )
    version_ids = [v.id for v in versions]
    content = await load_content(session, version_ids)
    sections: dict[str, SectionResult] = {}
    by_key: dict[str, ItemResult] = {}
    key_of: dict[uuid.UUID, str] = {}
    for version in versions:  # latest first: its wording wins
        for section in content[version.id].sections:
            for item in content[version.id].items[section.id]:
                key_of[item.id] = item.key
                if item.key in by_key:
                    result = by_key[item.key]
                    known = {c.value for c in result.counts}
                    result.counts += [
                        Count(v, label) for v, label in item.choices if v not in known
                    ]
                    continue
                result = ItemResult(item.key, item.label, item.kind)
                if item.kind == "scale":
                    result.counts = [Count(str(n), label) for n, label in SCALE.items()]
                elif item.kind == "yes_no":
                    result.counts = [Count("yes", YES_NO[1]), Count("no", YES_NO[0])]
                elif item.choices:
                    result.counts = [Count(v, label) for v, label in item.choices]
                by_key[item.key] = result
                sections.setdefault(section.title, SectionResult(section.title)).items.append(
                    result
                )
    responses = await session.scalar(
        _response_filter(select(func.count(QuestionnaireResponse.id)), f, version_ids)
    )
    joined = select(QuestionnaireAnswer.item_id, QuestionnaireAnswer.number, func.count()).join(
        QuestionnaireResponse, QuestionnaireResponse.id == QuestionnaireAnswer.response_id
    )
    histogram = await session.execute(
        _response_filter(joined, f, version_ids)
        .where(QuestionnaireAnswer.number.is_not(None))
        .group_by(QuestionnaireAnswer.item_id, QuestionnaireAnswer.number)
    )
    for item_id, number, count in histogram:
        result = by_key[key_of[item_id]]
        result.answers += count
        value = str(number) if result.kind == "scale" else ("yes" if number else "no")
        for c in result.counts:
            if c.value == value:
                c.count += count
        if result.kind == "scale":
            result.scale.add(int(number), int(count))
    choice_items = [
        i for i, k in key_of.items() if by_key[k].kind in {"single_choice", "multiple_choice"}
    ]
    if choice_items:
        chosen = await session.execute(
            _response_filter(
                select(QuestionnaireAnswer.item_id, QuestionnaireAnswer.choices).join(
                    QuestionnaireResponse,
                    QuestionnaireResponse.id == QuestionnaireAnswer.response_id,
                ),
                f,
                version_ids,
            ).where(QuestionnaireAnswer.item_id.in_(choice_items))
        )
        for item_id, values in chosen:
            result = by_key[key_of[item_id]]
            result.answers += 1
            for c in result.counts:
                if c.value in (values or []):
                    c.count += 1
    overall = Rate()
    for section in sections.values():
        for item in section.items:
            section.scale.merge(item.scale)
        overall.merge(section.scale)
    return Results(int(responses or 0), list(sections.values()), overall)


def free_texts_query(f: ResultFilter) -> Select[Any]:
    """Free-text answers (newest first) with their question and date."""
    _check_period(f)
    versions = select(QuestionnaireVersion.id).where(
        QuestionnaireVersion.questionnaire_id == f.questionnaire_id
    )
    statement = (
        select(
            QuestionnaireAnswer,
            QuestionnaireItem.label,
            QuestionnaireResponse.answered_on,
            QuestionnaireSending.subject_kind,
        )
        .join(QuestionnaireItem, QuestionnaireItem.id == QuestionnaireAnswer.item_id)
        .join(QuestionnaireResponse, QuestionnaireResponse.id == QuestionnaireAnswer.response_id)
        .join(QuestionnaireSending, QuestionnaireSending.id == QuestionnaireResponse.sending_id)
        .where(QuestionnaireItem.kind == "text", QuestionnaireAnswer.text != "")
        .where(QuestionnaireResponse.version_id.in_(versions))
    )
    if f.start:
        statement = statement.where(QuestionnaireResponse.answered_on >= f.start)
    if f.end:
        statement = statement.where(QuestionnaireResponse.answered_on < f.end)
    if f.subject_kind:
        statement = statement.where(QuestionnaireSending.subject_kind == f.subject_kind)
    return statement.order_by(
        QuestionnaireResponse.answered_on.desc(), QuestionnaireAnswer.id.desc()
    )
