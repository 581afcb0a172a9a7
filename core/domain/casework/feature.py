"""Core feature: requests, follow-ups and interventions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.tools import merge_types

from core.access.actions import Action
from core.access.roles import POLE_ROLES
from core.contributions import (
    GraphQLContribution,
    IndicatorSpec,
    NavEntry,
    PageContribution,
    Panel,
    PersonalDataSource,
)
from core.domain.casework import pages, personal_data, report_section
from core.domain.casework.demo import seed_casework
from core.domain.casework.figures import FIGURES
from core.domain.casework.graphql import (
    TYPES,
    CaseworkMutation,
    CaseworkQuery,
    TasksMutation,
    TasksQuery,
)
from core.domain.casework.models import (
    FollowUp,
    FollowUpPartner,
    FollowUpStructure,
    Intervention,
    Request,
    TaskState,
)
from core.domain.casework.service import READ
from core.hooks import hookimpl
from core.plugins.report_scope import ReportScope
from core.plugins.sections import ReportSection
from core.tenancy.models import Tenant


@hookimpl
def maillage_models() -> list[type]:
    return [Request, FollowUp, FollowUpStructure, FollowUpPartner, Intervention, TaskState]


@hookimpl
def maillage_indicators() -> list[IndicatorSpec]:
    return FIGURES


@hookimpl
def maillage_actions() -> list[Action]:
    return [
        Action(
            "casework.read",
            "Consulter les demandes, les suivis et les interventions",
            default_roles=POLE_ROLES,
        ),
        Action(
            "casework.manage",
            "Enregistrer les demandes, ouvrir et clore les suivis, noter les interventions",
            default_roles=POLE_ROLES,
        ),
    ]


@hookimpl
async def maillage_seed(tenant: Tenant, session: AsyncSession, settings: Mapping[str, Any]) -> None:
    """Two years of fictitious requests, follow-ups and interventions."""
    await seed_casework(tenant, session)


@hookimpl
def maillage_personal_data() -> list[PersonalDataSource]:
    return [personal_data.SOURCE]


# The tasks are casework's too (core/domain/casework/tasks.py): one contribution. Built
# once: the same classes give the same schema, which the process keeps (core/app/schema.py).
GRAPHQL = GraphQLContribution(
    query=merge_types("CaseworkRootQuery", (CaseworkQuery, TasksQuery)),
    mutation=merge_types("CaseworkRootMutation", (CaseworkMutation, TasksMutation)),
    types=TYPES,
)


@hookimpl
def maillage_graphql() -> GraphQLContribution:
    return GRAPHQL


@hookimpl
def maillage_pages() -> PageContribution:
    return pages.contribution()


@hookimpl
def maillage_navigation() -> list[NavEntry]:
    return pages.navigation()


@hookimpl
def maillage_panels() -> list[Panel]:
    """The follow-ups of the family's children on its file, by child."""
    return [
        Panel(
            slot="family",
            title="Suivis des enfants",
            operation="FamilyFollowUps",
            template="follow_ups/family_panel.html",
            action=READ,
            order=5,
        )
    ]


@hookimpl
async def maillage_report_sections(report: ReportScope) -> list[ReportSection]:
    return await report_section.sections(report)
