"""Satisfaction figures: the rate per dimension (a questionnaire's section) and overall,
with the number of responses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from core.contributions import Dimension, FigureScope, IndicatorSpec
from core.domain.questionnaires.models import (
    Questionnaire,
    QuestionnaireAnswer,
    QuestionnaireItem,
    QuestionnaireResponse,
    QuestionnaireSection,
    QuestionnaireVersion,
)
from core.domain.questionnaires.vocabulary import SATISFIED_FROM


async def _titles(session: AsyncSession, codes: Sequence[str]) -> Mapping[str, str]:
    rows = await session.execute(
        select(Questionnaire.key, Questionnaire.title).where(Questionnaire.key.in_(codes))
    )
    return {code: name for code, name in rows}


async def _same(_session: AsyncSession, codes: Sequence[str]) -> Mapping[str, str]:
    return {code: code for code in codes}


QUESTIONNAIRE = Dimension("questionnaire", "Questionnaire", labels=_titles, coarse=True)
SECTION = Dimension(
    "section",
    "Dimension de la satisfaction",
    labels=_same,
    coarse=True,
    description="La partie du questionnaire (« Accueil », « Accompagnement »…), nommée "
    "par son titre, le même d'une version à l'autre.",
)


def _scale_answers(scope: FigureScope) -> Select:
    return (
        select(
            QuestionnaireAnswer.id.label("unit"),
            case((QuestionnaireAnswer.number >= SATISFIED_FROM, 100.0), else_=0.0).label("value"),
            Questionnaire.key.label(QUESTIONNAIRE.code),
            QuestionnaireSection.title.label(SECTION.code),
        )
        .join(QuestionnaireResponse, QuestionnaireResponse.id == QuestionnaireAnswer.response_id)
        .join(QuestionnaireItem, QuestionnaireItem.id == QuestionnaireAnswer.item_id)
        .join(QuestionnaireSection, QuestionnaireSection.id == QuestionnaireItem.section_id)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == QuestionnaireItem.version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(
            QuestionnaireItem.kind == "scale",
            QuestionnaireAnswer.number.is_not(None),
            QuestionnaireResponse.answered_on >= scope.period.start,
            QuestionnaireResponse.answered_on < scope.period.end,
        )
    )


def _responses(scope: FigureScope) -> Select:
    return (
        select(
            QuestionnaireResponse.id.label("unit"),
            Questionnaire.key.label(QUESTIONNAIRE.code),
        )
        .join(QuestionnaireVersion, QuestionnaireVersion.id == QuestionnaireResponse.version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(
            QuestionnaireResponse.answered_on >= scope.period.start,
            QuestionnaireResponse.answered_on < scope.period.end,
        )
    )


FIGURES = [
    IndicatorSpec(
        "questionnaires.satisfaction_rate",
        "Taux de satisfaction",
        "%",
        description="Part des réponses « Satisfait » et « Très satisfait » aux questions "
        "sur une échelle de 1 à 4, reçues pendant la période, par questionnaire et par "
        "dimension (partie du questionnaire) ; le total est le taux global.",
        dimensions=(QUESTIONNAIRE, SECTION),
        facts=_scale_answers,
        measure="mean",
    ),
    IndicatorSpec(
        "questionnaires.responses",
        "Réponses aux questionnaires",
        "réponses",
        description="Questionnaires remplis pendant la période, par questionnaire.",
        dimensions=(QUESTIONNAIRE,),
        facts=_responses,
        counts_persons=True,
    ),
]
