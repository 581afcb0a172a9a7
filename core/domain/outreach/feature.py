"""Core feature: awareness sessions and events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Action
from core.access.roles import POLE_ROLES
from core.contributions import GraphQLContribution, IndicatorSpec, NavEntry, PageContribution
from core.domain.outreach import pages, report_section
from core.domain.outreach.demo import seed_outreach
from core.domain.outreach.figures import FIGURES
from core.domain.outreach.graphql import TYPES, OutreachMutation, OutreachQuery
from core.domain.outreach.models import (
    AwarenessSession,
    OutreachEvent,
    SessionParticipant,
    SessionSpeaker,
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
    return [AwarenessSession, SessionSpeaker, SessionParticipant, OutreachEvent]


@hookimpl
def maillage_actions() -> list[Action]:
    return [
        Action(
            "outreach.read",
            "Consulter les sensibilisations, les événements et leurs tableaux",
            default_roles=POLE_ROLES,
        ),
        Action(
            "outreach.manage",
            "Enregistrer les sensibilisations et les événements",
            default_roles=POLE_ROLES,
        ),
    ]


@hookimpl
async def maillage_seed(tenant: Tenant, session: AsyncSession, settings: Mapping[str, Any]) -> None:
    """Two years of fictitious sessions and events in the pole's real communes."""
    await seed_outreach(tenant, session)


@hookimpl
def maillage_graphql() -> GraphQLContribution:
    return GraphQLContribution(query=OutreachQuery, mutation=OutreachMutation, types=TYPES)


@hookimpl
def maillage_pages() -> PageContribution:
    return pages.contribution()


@hookimpl
def maillage_navigation() -> list[NavEntry]:
    return pages.navigation()


@hookimpl
async def maillage_report_sections(report: ReportScope) -> list[ReportSection]:
    return await report_section.sections(report)
