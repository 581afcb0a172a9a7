"""Demo answers: satisfaction questionnaires sent at the close of past follow-ups and
yearly structure surveys, most of them answered — a seeded generator, so the same pole
always gets the same results. Free texts are visibly fictitious."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.auth.secrets import digest
from core.domain.casework.demo import seed_casework
from core.domain.casework.models import FollowUp
from core.domain.questionnaires.models import (
    Questionnaire,
    QuestionnaireAnswer,
    QuestionnaireItem,
    QuestionnaireResponse,
    QuestionnaireSending,
    QuestionnaireVersion,
)
from core.domain.questionnaires.service import install_defaults
from core.domain.structures.demo import seed_directory
from core.domain.structures.models import Structure
from core.tenancy.models import Tenant

DEMO_SENDER = "demo:questionnaires"
COMMENTS = (
    "(fictif) Merci pour votre écoute et vos conseils très concrets.",
    "(fictif) Le délai avant la première visite nous a paru long.",
    "(fictif) Les pictogrammes ont beaucoup aidé l'équipe au moment du repas.",
    "(fictif) Une réunion de plus avec l'équipe aurait été utile.",
    "(fictif) Très bon accompagnement, nous recommandons le pôle.",
)
SURVEY_YEARS = (2025, 2026)


def _answer(rng: random.Random, item: QuestionnaireItem) -> QuestionnaireAnswer | None:
    if not item.required and rng.random() < 0.4:
        return None
    if item.kind == "scale":
        return QuestionnaireAnswer(
            item_id=item.id, number=rng.choices([1, 2, 3, 4], [1, 2, 6, 7])[0]
        )
    if item.kind == "yes_no":
        return QuestionnaireAnswer(item_id=item.id, number=int(rng.random() < 0.65))
    values = [v for v, _ in item.choices]
    if item.kind == "single_choice":
        return QuestionnaireAnswer(item_id=item.id, choices=[rng.choice(values)])
    if item.kind == "multiple_choice":
        picked = set(rng.sample(values, rng.randint(1, min(3, len(values)))))
        return QuestionnaireAnswer(item_id=item.id, choices=[v for v in values if v in picked])
    return QuestionnaireAnswer(item_id=item.id, text=rng.choice(COMMENTS))


async def seed_questionnaires(tenant: Tenant, session: AsyncSession) -> None:
    await install_defaults(session)
    if (await session.execute(select(QuestionnaireSending.id).limit(1))).first():
        return
    await seed_casework(tenant, session)
    await seed_directory(tenant, session)
    rng = random.Random(f"maillage-demo-questionnaires-{tenant.slug}")
    versions = {
        key: version
        for key, version in (
            await session.execute(
                select(Questionnaire.key, QuestionnaireVersion)
                .join(
                    QuestionnaireVersion, QuestionnaireVersion.questionnaire_id == Questionnaire.id
                )
                .where(QuestionnaireVersion.status == "published")
                .order_by(QuestionnaireVersion.number)
            )
        )
    }
    items = {
        key: list(
            (
                await session.execute(
                    select(QuestionnaireItem)
                    .where(QuestionnaireItem.version_id == version.id)
                    .order_by(QuestionnaireItem.position)
                )
            ).scalars()
        )
        for key, version in versions.items()
    }
    subjects: list[tuple[str, str, object, dt.date]] = []
    for follow_up in (
        await session.execute(
            select(FollowUp)
            .where(FollowUp.status == "closed")
            .order_by(FollowUp.closed_on, FollowUp.id)
        )
    ).scalars():
        if follow_up.closed_on is not None and rng.random() < 0.8:
            subjects.append(("satisfaction", "follow_up", follow_up.id, follow_up.closed_on))
    structures = list(
        (
            await session.execute(
                select(Structure).order_by(Structure.name, Structure.id).limit(10)
            )
        ).scalars()
    )
    for year in SURVEY_YEARS:
        for structure in structures:
            subjects.append(("structure_survey", "structure", structure.id, dt.date(year, 6, 2)))
    for key, kind, subject_id, sent_on in subjects:
        version = versions[key]
        sent_at = dt.datetime.combine(sent_on, dt.time(9), tzinfo=dt.UTC)
        answered = rng.random() < 0.7
        answered_on = sent_on + dt.timedelta(days=rng.randint(1, 25))
        sending = QuestionnaireSending(
            version_id=version.id,
            subject_kind=kind,
            subject_id=subject_id,
            sent_on=sent_on,
            sent_by=DEMO_SENDER,
            # Nobody holds these links: the digest of a seeded random value.
            token_hash=digest(f"demo-{rng.getrandbits(128):032x}"),
            expires_at=sent_at + dt.timedelta(days=60),
            answered_at=dt.datetime.combine(answered_on, dt.time(18), tzinfo=dt.UTC)
            if answered
            else None,
        )
        session.add(sending)
        await session.flush()
        if not answered:
            continue
        response = QuestionnaireResponse(
            sending_id=sending.id, version_id=version.id, answered_on=answered_on
        )
        session.add(response)
        await session.flush()
        for item in items[key]:
            answer = _answer(rng, item)
            if answer is not None:
                answer.response_id = response.id
                session.add(answer)
    await session.flush()
