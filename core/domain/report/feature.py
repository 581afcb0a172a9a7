"""Core feature: what the annual activity report needs beyond the recorded activity — the
sections the team writes each year and the year's funding."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Action
from core.access.roles import POLE_ROLES
from core.contributions import GraphQLContribution, NavEntry, PageContribution
from core.domain.report import graphql, pages, report_section
from core.domain.report.demo import seed_report
from core.domain.report.models import Funding, ReportNarrative
from core.domain.report.report_graphql import ActivityReportQuery
from core.domain.report.service import READ, WRITE
from core.hooks import hookimpl
from core.plugins.report_scope import ReportScope
from core.plugins.sections import ReportSection
from core.tenancy.models import Tenant


@strawberry.type
class ReportQuery(graphql.ReportQuery, ActivityReportQuery):
    """The report's written parts and the report itself, in the root query."""


@hookimpl
def maillage_models() -> list[type]:
    return [ReportNarrative, Funding]


@hookimpl
def maillage_actions() -> list[Action]:
    return [
        Action(
            READ,
            "Lire le rapport d'activité, ses sections rédigées et ses financements",
            default_roles=POLE_ROLES,
            scope="tenant:read",
        ),
        Action(
            WRITE,
            "Rédiger les sections du rapport d'activité et saisir les financements",
            default_roles=frozenset({"pole_admin", "coordinator"}),
            scope="tenant:write",
        ),
    ]


@hookimpl
async def maillage_seed(tenant: Tenant, session: AsyncSession, settings: Mapping[str, Any]) -> None:
    await seed_report(tenant, session)


@hookimpl
def maillage_graphql() -> GraphQLContribution:
    return GraphQLContribution(query=ReportQuery, mutation=graphql.ReportMutation)


@hookimpl
async def maillage_report_sections(report: ReportScope) -> list[ReportSection]:
    return await report_section.sections(report)


@hookimpl
def maillage_pages() -> PageContribution:
    return pages.contribution()


@hookimpl
def maillage_navigation() -> list[NavEntry]:
    return pages.navigation()
