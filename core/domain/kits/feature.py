"""Core feature: the pedagogical kits catalogue and its loans."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

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
from core.domain.kits import pages, personal_data, report_section
from core.domain.kits.demo import seed_kits
from core.domain.kits.figures import FIGURES
from core.domain.kits.graphql import TYPES, KitsMutation, KitsQuery
from core.domain.kits.models import Kit, KitComponent, KitLoan, KitLoanCheck, KitTrip
from core.domain.kits.service import READ
from core.hooks import hookimpl
from core.plugins.report_scope import ReportScope
from core.plugins.sections import ReportSection
from core.tenancy.models import Tenant


@hookimpl
def maillage_indicators() -> list[IndicatorSpec]:
    return FIGURES


@hookimpl
def maillage_models() -> list[type]:
    return [Kit, KitComponent, KitLoan, KitLoanCheck, KitTrip]


@hookimpl
def maillage_actions() -> list[Action]:
    return [
        Action(
            "kits.read",
            "Consulter les malles pédagogiques, leur calendrier et leurs prêts",
            default_roles=POLE_ROLES,
        ),
        Action(
            "kits.manage",
            "Publier les malles, enregistrer les réservations, les départs et les retours",
            default_roles=POLE_ROLES,
        ),
    ]


@hookimpl
async def maillage_seed(tenant: Tenant, session: AsyncSession, settings: Mapping[str, Any]) -> None:
    """A catalogue of fictitious kits and four years of loans."""
    await seed_kits(tenant, session)


@hookimpl
def maillage_personal_data() -> list[PersonalDataSource]:
    return [personal_data.SOURCE]


@hookimpl
def maillage_graphql() -> GraphQLContribution:
    return GraphQLContribution(query=KitsQuery, mutation=KitsMutation, types=TYPES)


@hookimpl
def maillage_pages() -> PageContribution:
    return pages.contribution()


@hookimpl
def maillage_navigation() -> list[NavEntry]:
    return pages.navigation()


@hookimpl
async def maillage_report_sections(report: ReportScope) -> list[ReportSection]:
    return await report_section.sections(report)


@hookimpl
def maillage_panels() -> list[Panel]:
    """The family's loans on its file, as the adhesions add theirs (decision 160): the
    families feature does not learn about kits."""
    return [
        Panel(
            slot="family",
            title="Prêts de malles",
            operation="FamilyLoans",
            template="kits/family_panel.html",
            action=READ,
            order=20,
        )
    ]
