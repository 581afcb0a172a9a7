"""Core feature: questionnaires (satisfaction, structure survey) and their results."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Action
from core.access.roles import POLE_ROLES
from core.contributions import GraphQLContribution, IndicatorSpec, PersonalDataSource
from core.domain.questionnaires import personal_data, report_section
from core.domain.questionnaires.demo import seed_questionnaires
from core.domain.questionnaires.figures import FIGURES
from core.domain.questionnaires.graphql import TYPES, QuestionnairesMutation, QuestionnairesQuery
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
from core.hooks import hookimpl
from core.plugins.report_scope import ReportScope
from core.plugins.sections import ReportSection
from core.tenancy.models import Tenant


@hookimpl
def maillage_indicators() -> list[IndicatorSpec]:
    return FIGURES


@hookimpl
def maillage_models() -> list[type]:
    return [
        Questionnaire,
        QuestionnaireVersion,
        QuestionnaireSection,
        QuestionnaireItem,
        QuestionnaireSending,
        QuestionnaireResponse,
        QuestionnaireAnswer,
        QuestionnaireLink,
    ]


@hookimpl
def maillage_actions() -> list[Action]:
    return [
        Action(
            "questionnaires.read",
            "Consulter les questionnaires, les envois et les résultats (dont les réponses libres)",
            default_roles=POLE_ROLES,
        ),
        Action(
            "questionnaires.manage",
            "Envoyer les questionnaires, en rédiger et publier de nouvelles versions",
            default_roles=frozenset({"pole_admin", "coordinator", "staff"}),
        ),
    ]


@hookimpl
async def maillage_seed(tenant: Tenant, session: AsyncSession, settings: Mapping[str, Any]) -> None:
    """The default questionnaires, and fictitious answers for past follow-ups and
    structures."""
    await seed_questionnaires(tenant, session)


@hookimpl
def maillage_personal_data() -> list[PersonalDataSource]:
    return [personal_data.SOURCE]


@hookimpl
def maillage_graphql() -> GraphQLContribution:
    return GraphQLContribution(
        query=QuestionnairesQuery, mutation=QuestionnairesMutation, types=TYPES
    )


@hookimpl
async def maillage_report_sections(report: ReportScope) -> list[ReportSection]:
    return await report_section.sections(report)
