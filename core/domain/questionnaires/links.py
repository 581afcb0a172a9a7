"""Answering through a single-use link, without an account.

The person holding the link has no account and no pole. The token's digest finds the
pole in the platform table ``questionnaire_links`` (no person's data there, no tenant
row id); everything else is read in a session scoped to that pole, by the same
digest, and only the one sending it names: its questionnaire version, nothing else.

An unknown, malformed, expired or already used token all get the same answer
(CONFLICT on ``token``), so a link tells nothing about other links; answering twice
is refused by the sending's ``answered_at`` (a conditional update) and, were two
posts to race, by the unique response per sending.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.trail import record
from core.auth.secrets import digest
from core.db.base import Base
from core.domain.questionnaires.answers import parse_answers
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
from core.domain.questionnaires.service import as_utc, load_content, utcnow
from core.errors import ConflictError
from core.tenancy.database import Database
from core.tenancy.models import Tenant

TOKEN_RE = re.compile(r"^q_[A-Za-z0-9_-]{20,80}$")
LINK_ACTOR = "questionnaire-link"


def refused() -> ConflictError:
    return ConflictError(
        "ce lien n'est pas ou plus valide : il est inconnu, a expiré ou a déjà servi",
        field="token",
    )


@dataclass(frozen=True)
class LinkForm:
    """What the link shows: the pole's name and the one questionnaire version."""

    pole_name: str
    title: str
    intro: str
    version_number: int
    expires_at: dt.datetime
    sections: list[tuple[QuestionnaireSection, list[QuestionnaireItem]]]


async def _pole_of(db: Database, token: str, now: dt.datetime) -> Tenant | None:
    if not TOKEN_RE.match(token or ""):
        return None
    async with db.reference_session() as session:
        found = (
            await session.execute(
                select(QuestionnaireLink, Tenant)
                .join(Tenant, Tenant.id == QuestionnaireLink.pole_id)
                .where(QuestionnaireLink.token_hash == digest(token), Tenant.active.is_(True))
            )
        ).first()
    if found is None or as_utc(found[0].expires_at) <= now:
        return None
    return found[1]


async def _sending(session: AsyncSession, token: str, now: dt.datetime) -> QuestionnaireSending:
    sending = (
        await session.execute(
            select(QuestionnaireSending).where(QuestionnaireSending.token_hash == digest(token))
        )
    ).scalar()
    if sending is None or sending.answered_at is not None or as_utc(sending.expires_at) <= now:
        raise refused()
    return sending


async def open_link(db: Database, token: str, *, now: dt.datetime | None = None) -> LinkForm:
    now = now or utcnow()
    pole = await _pole_of(db, token, now)
    if pole is None:
        raise refused()
    async with db.session(pole.id) as session:
        sending = await _sending(session, token, now)
        version = await session.get(QuestionnaireVersion, (pole.id, sending.version_id))
        assert version is not None
        questionnaire = await session.get(Questionnaire, (pole.id, version.questionnaire_id))
        assert questionnaire is not None
        content = (await load_content(session, [version.id]))[version.id]
    return LinkForm(
        pole_name=pole.name,
        title=questionnaire.title,
        intro=version.intro,
        version_number=version.number,
        expires_at=as_utc(sending.expires_at),
        sections=[(s, content.items[s.id]) for s in content.sections],
    )


async def answer_link(
    db: Database,
    token: str,
    raw: Mapping[str, Sequence[str]],
    *,
    now: dt.datetime | None = None,
    client_address: str | None = None,
) -> uuid.UUID:
    """Store the answers once; the link is spent. Returns the response id."""
    now = now or utcnow()
    pole = await _pole_of(db, token, now)
    if pole is None:
        raise refused()
    async with db.session(pole.id) as session:
        try:
            response_id = await store_answers(
                session, token, raw, now=now, actor=LINK_ACTOR, client_address=client_address
            )
            await session.commit()
        except IntegrityError:
            await session.rollback()
            raise refused() from None
        return response_id


async def store_answers(
    session: AsyncSession,
    token: str,
    raw: Mapping[str, Sequence[str]],
    *,
    now: dt.datetime,
    actor: str,
    client_address: str | None = None,
) -> uuid.UUID:
    """Check and store the answers to the sending of ``token`` in a session of its
    pole, spending the link; no commit. The same refusal for any token this pole
    cannot answer (unknown, another pole's, expired, used)."""
    if not TOKEN_RE.match(token or ""):
        raise refused()
    sending = await _sending(session, token, now)
    items = list(
        (
            await session.execute(
                select(QuestionnaireItem)
                .join(
                    QuestionnaireSection,
                    QuestionnaireSection.id == QuestionnaireItem.section_id,
                )
                .where(QuestionnaireItem.version_id == sending.version_id)
                .order_by(QuestionnaireSection.position, QuestionnaireItem.position)
            )
        ).scalars()
    )
    parsed = parse_answers(items, raw)
    spent = await session.execute(
        update(QuestionnaireSending)
        .where(QuestionnaireSending.id == sending.id, QuestionnaireSending.answered_at.is_(None))
        .values(answered_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise refused()
    response = QuestionnaireResponse(
        sending_id=sending.id, version_id=sending.version_id, answered_on=now.date()
    )
    session.add(response)
    await session.flush()
    rows: list[Base] = [
        QuestionnaireAnswer(
            response_id=response.id,
            item_id=p.item.id,
            number=p.number,
            choices=list(p.choices),
            text=p.text,
        )
        for p in parsed
    ]
    session.add_all(rows)
    await session.execute(
        delete(QuestionnaireLink).where(QuestionnaireLink.token_hash == sending.token_hash)
    )
    record(
        session,
        actor=actor,
        action="questionnaires.answer",
        object_type="QuestionnaireResponse",
        object_id=str(response.id),
        fields=["answers"],
        client_address=client_address,
    )
    await session.flush()
    return response.id
