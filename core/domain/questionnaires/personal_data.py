"""What questionnaires hold about a family: the answers given after its children's
follow-ups (and after kit loans it borrowed) — and, through ``subject_records`` (the
SDK's ``questionnaire_records``), after a plugin's rows about the family.

Erasure keeps the scores and choices — the satisfaction rates of past years depend on
them and they name no one — and empties the free-text answers, which may.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
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


Sendings = Callable[[FamilyScope], Any]


async def export(
    session: AsyncSession, scope: FamilyScope, sendings: Sendings = _sendings
) -> Sequence[ExportRecord]:
    rows = await session.execute(
        select(QuestionnaireResponse, QuestionnaireAnswer, QuestionnaireItem.label)
        .join(QuestionnaireAnswer, QuestionnaireAnswer.response_id == QuestionnaireResponse.id)
        .join(QuestionnaireItem, QuestionnaireItem.id == QuestionnaireAnswer.item_id)
        .where(QuestionnaireResponse.sending_id.in_(sendings(scope)))
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


async def erase(
    session: AsyncSession, scope: FamilyScope, sendings: Sendings = _sendings
) -> Mapping[str, int]:
    responses = select(QuestionnaireResponse.id).where(
        QuestionnaireResponse.sending_id.in_(sendings(scope))
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


def subject_records(
    subject_kind: str, family_column: Any, *, title: str, order: int
) -> PersonalDataSource:
    """The answers about a plugin's rows of a family, in its export and erasure:
    sendings of ``subject_kind`` whose row's ``family_column`` is the family's. Give it
    an ``order`` before the source that deletes those rows."""
    model = family_column.class_

    def sendings(scope: FamilyScope) -> Any:
        rows = select(model.id).where(family_column == scope.family_id)
        return select(QuestionnaireSending.id).where(
            QuestionnaireSending.subject_kind == subject_kind,
            QuestionnaireSending.subject_id.in_(rows),
        )

    return PersonalDataSource(
        name=f"questionnaires.{subject_kind}",
        title=title,
        export=partial(export, sendings=sendings),
        erase=partial(erase, sendings=sendings),
        order=order,
    )
