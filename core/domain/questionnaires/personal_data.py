"""What questionnaires hold about a family: the answers given after its children's
follow-ups (and after kit loans it borrowed).

Erasure keeps the scores and choices — the satisfaction rates of past years depend on
them and they name no one — and empties the free-text answers, which may.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.contributions import ExportRecord, FamilyScope, PersonalDataSource
from core.domain.casework.models import FollowUp
from core.domain.kits.models import KitLoan
from core.domain.questionnaires.models import (
    QuestionnaireAnswer,
    QuestionnaireItem,
    QuestionnaireResponse,
    QuestionnaireSending,
)


def _sendings(scope: FamilyScope) -> Any:
    follow_ups = select(FollowUp.id).where(FollowUp.child_id.in_(scope.child_ids))
    loans = select(KitLoan.id).where(KitLoan.family_id == scope.family_id)
    return select(QuestionnaireSending.id).where(
        or_(
            and_(
                QuestionnaireSending.subject_kind == "follow_up",
                QuestionnaireSending.subject_id.in_(follow_ups),
            ),
            and_(
                QuestionnaireSending.subject_kind == "loan",
                QuestionnaireSending.subject_id.in_(loans),
            ),
        )
    )


async def export(session: AsyncSession, scope: FamilyScope) -> Sequence[ExportRecord]:
    rows = await session.execute(
        select(QuestionnaireResponse, QuestionnaireAnswer, QuestionnaireItem.label)
        .join(QuestionnaireAnswer, QuestionnaireAnswer.response_id == QuestionnaireResponse.id)
        .join(QuestionnaireItem, QuestionnaireItem.id == QuestionnaireAnswer.item_id)
        .where(QuestionnaireResponse.sending_id.in_(_sendings(scope)))
        .order_by(QuestionnaireResponse.answered_on, QuestionnaireItem.id)
    )
    by_response: dict[Any, dict[str, Any]] = {}
    for response, answer, label in rows:
        fields = by_response.setdefault(
            response.id, {"Répondu le": response.answered_on.isoformat()}
        )
        value: Any = answer.text or answer.choices or answer.number
        fields[label] = value
    return [
        ExportRecord("Réponse à un questionnaire", str(response_id), fields)
        for response_id, fields in by_response.items()
    ]


async def erase(session: AsyncSession, scope: FamilyScope) -> Mapping[str, int]:
    responses = select(QuestionnaireResponse.id).where(
        QuestionnaireResponse.sending_id.in_(_sendings(scope))
    )
    result = await session.execute(
        update(QuestionnaireAnswer)
        .where(QuestionnaireAnswer.response_id.in_(responses), QuestionnaireAnswer.text != "")
        .values(text="")
        .execution_options(synchronize_session=False)
    )
    return {"questionnaire_answers": result.rowcount or 0}  # type: ignore[attr-defined]


SOURCE = PersonalDataSource(
    name="questionnaires",
    title="Réponses aux questionnaires",
    export=export,
    erase=erase,
    order=300,
)
