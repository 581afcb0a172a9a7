"""Core feature: adhesions, conventions, the price list, invoices and payments."""

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
from core.domain.adhesions import pages, personal_data, report_section
from core.domain.adhesions.checks import BILLING, MANAGE, READ
from core.domain.adhesions.demo import seed_adhesions
from core.domain.adhesions.figures import FIGURES
from core.domain.adhesions.graphql import TYPES, AdhesionsMutation, AdhesionsQuery
from core.domain.adhesions.models import (
    Adhesion,
    Convention,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    Payment,
    PriceListItem,
)
from core.hooks import hookimpl
from core.plugins.report_scope import ReportScope
from core.plugins.sections import ReportSection
from core.tenancy.models import Tenant


@hookimpl
def maillage_models() -> list[type]:
    return [
        PriceListItem,
        Convention,
        Adhesion,
        InvoiceCounter,
        Invoice,
        InvoiceLine,
        Payment,
    ]


@hookimpl
def maillage_actions() -> list[Action]:
    return [
        Action(
            READ,
            "Consulter les adhésions, les conventions, la grille tarifaire et les factures",
            default_roles=POLE_ROLES,
        ),
        Action(
            MANAGE,
            "Enregistrer les adhésions des familles et des gestionnaires",
            default_roles=frozenset({"pole_admin", "coordinator", "staff"}),
        ),
        # Money and commitments of the association: its direction only.
        Action(
            BILLING,
            "Conventions de partenariat, grille tarifaire, factures et paiements",
            default_roles=frozenset({"pole_admin", "coordinator"}),
        ),
    ]


@hookimpl
async def maillage_seed(tenant: Tenant, session: AsyncSession, settings: Mapping[str, Any]) -> None:
    """Two years of fictitious adhesions, conventions with the pole's real communes and
    EPCI, invoices and payments."""
    await seed_adhesions(tenant, session)


@hookimpl
def maillage_personal_data() -> list[PersonalDataSource]:
    return [personal_data.SOURCE]


@hookimpl
def maillage_graphql() -> GraphQLContribution:
    return GraphQLContribution(query=AdhesionsQuery, mutation=AdhesionsMutation, types=TYPES)


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
def maillage_indicators() -> list[IndicatorSpec]:
    return FIGURES


@hookimpl
def maillage_panels() -> list[Panel]:
    """The family's adhesions on its file, through the hook plugins use for theirs."""
    return [
        Panel(
            slot="family",
            title="Adhésions",
            operation="FamilyAdhesions",
            template="adhesions/family_panel.html",
            action=READ,
            order=10,
        )
    ]
