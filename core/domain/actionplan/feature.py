"""Core feature: the pole's action plan and its yearly evaluation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Action
from core.access.roles import POLE_ROLES
from core.contributions import GraphQLContribution, NavEntry, PageContribution
from core.domain.actionplan import pages, report_section
from core.domain.actionplan.demo import seed_action_plan
from core.domain.actionplan.graphql import TYPES, ActionPlanMutation, ActionPlanQuery
from core.domain.actionplan.models import (
    IndicatorValue,
    PlanIndicator,
    PlanItem,
    PlanItemStatus,
    PlanPeriod,
)
from core.hooks import hookimpl
from core.plugins.report_scope import ReportScope
from core.plugins.sections import ReportSection
from core.tenancy.models import Tenant


@hookimpl
def maillage_models() -> list[type]:
    return [PlanPeriod, PlanItem, PlanItemStatus, PlanIndicator, IndicatorValue]


@hookimpl
def maillage_actions() -> list[Action]:
    # The whole team reads the plan it works to; the coordinator and the pole's
    # administrator answer for it to the funders, so they write it and its evaluation.
    # No person's data here: machine clients may read (tenant:read) and write
    # (tenant:write), e.g. a funder's dashboard or the pole's own spreadsheet import.
    return [
        Action(
            "actionplan.read",
            "Consulter le plan d'action du pôle, son évaluation et ses indicateurs",
            default_roles=POLE_ROLES,
            scope="tenant:read",
        ),
        Action(
            "actionplan.manage",
            "Écrire le plan d'action, noter chaque année les statuts et les valeurs des "
            "indicateurs",
            default_roles=frozenset({"pole_admin", "coordinator"}),
            scope="tenant:write",
        ),
    ]


@hookimpl
async def maillage_seed(tenant: Tenant, session: AsyncSession, settings: Mapping[str, Any]) -> None:
    """A fictitious 2025–2027 plan with its 2025 and 2026 evaluation."""
    await seed_action_plan(tenant, session)


@hookimpl
def maillage_graphql() -> GraphQLContribution:
    return GraphQLContribution(query=ActionPlanQuery, mutation=ActionPlanMutation, types=TYPES)


@hookimpl
async def maillage_report_sections(report: ReportScope) -> list[ReportSection]:
    return await report_section.sections(report)


@hookimpl
def maillage_pages() -> PageContribution:
    return pages.contribution()


@hookimpl
def maillage_navigation() -> list[NavEntry]:
    return pages.navigation()
