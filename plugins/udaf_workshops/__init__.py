"""Ateliers parentalité avec l'UDAF — the maillage plugin ``udaf_workshops``.

The pole runs parenting-support groups with the UDAF for parents of children 0–6 with
special needs, under a yearly convention that plans a number of workshops across the
département. The plugin keeps the conventions (partner, year, workshops planned,
territory, funding), the workshops (date, commune, theme, facilitators, capacity,
minimum; planned → confirmed → held, or cancelled with a reason), the registrations
(a family of the pole or a parent not yet known to it, the waiting list, reminders,
attendance), the minimum rule, and each convention's outcome: planned versus held,
with the reasons — what the pole reports to the UDAF and its funders.

Here: the manifest and the hook implementations, which hand each part of the package
to maillage (entry point ``udaf_workshops``). Like an integrator's plugin, the package
reaches core through ``core.sdk`` alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core import sdk
from plugins.udaf_workshops import indicators, pages, personal_data, seed
from plugins.udaf_workshops import report as _report
from plugins.udaf_workshops.graphql import MANAGE, READ, contribution
from plugins.udaf_workshops.models import MODELS
from plugins.udaf_workshops.mutations import UdafWorkshopsMutation

MANAGERS = frozenset({"pole_admin", "coordinator", "staff"})

manifest = sdk.Plugin(
    name="udaf_workshops",
    version="1.0.0",
    api_version="1.1",
    title="Ateliers parentalité avec l'UDAF",
    description=(
        "Conventions avec l'UDAF (ateliers prévus, territoire, financement), ateliers de "
        "soutien à la parentalité (date, commune, thème, animateur·rices, capacité, "
        "minimum de participants ; prévu, confirmé, maintenu ou annulé avec sa raison), "
        "inscriptions des familles et des parents, liste d'attente, rappels, présence, "
        "et le bilan prévus / maintenus / annulés rendu à l'UDAF et aux financeurs."
    ),
    settings=(
        sdk.Setting(
            "minimum_check_days",
            "int",
            "Délai d'alerte avant un atelier sous son minimum (jours)",
            default=14,
            minimum=1,
            maximum=60,
            description="À ce nombre de jours d'un atelier dont les inscrits sont sous le "
            "minimum, la page d'accueil de l'équipe le signale et propose de l'annuler. "
            "Rien n'est annulé automatiquement.",
        ),
        sdk.Setting(
            "reminder_days",
            "int",
            "Rappel aux parents avant l'atelier (jours)",
            default=7,
            minimum=1,
            maximum=30,
            description="À partir de ce nombre de jours avant un atelier confirmé, la page "
            "de l'atelier propose d'envoyer le rappel aux parents inscrits.",
        ),
    ),
)


@sdk.hookimpl
def maillage_models() -> list[type]:
    return list(MODELS)


@sdk.hookimpl
def maillage_migrations() -> sdk.MigrationSource:
    return sdk.MigrationSource(Path(__file__).parent / "migrations" / "versions")


@sdk.hookimpl
def maillage_graphql() -> sdk.GraphQLContribution:
    return contribution(UdafWorkshopsMutation)


@sdk.hookimpl
def maillage_pages() -> sdk.PageContribution:
    return pages.contribution()


@sdk.hookimpl
def maillage_navigation() -> list[sdk.NavEntry]:
    return pages.navigation()


@sdk.hookimpl
def maillage_panels() -> list[sdk.Panel]:
    return pages.panels()


@sdk.hookimpl
def maillage_actions() -> list[sdk.Action]:
    return [
        sdk.Action(
            READ,
            "Voir les conventions avec l'UDAF, les ateliers parentalité et leurs inscrits",
            default_roles=sdk.POLE_ROLES,
            scope="tenant:read",
        ),
        sdk.Action(
            MANAGE,
            "Gérer les conventions avec l'UDAF, les ateliers, les inscriptions et la présence",
            default_roles=MANAGERS,
            scope="tenant:write",
        ),
    ]


@sdk.hookimpl
def maillage_indicators() -> list[sdk.IndicatorSpec]:
    return list(indicators.ALL)


@sdk.hookimpl
def maillage_personal_data() -> list[sdk.PersonalDataSource]:
    return personal_data.sources()


@sdk.hookimpl
async def maillage_report_sections(report: sdk.ReportScope) -> list[sdk.ReportSection]:
    return await _report.sections(report)


@sdk.hookimpl
async def maillage_seed(tenant: sdk.Tenant, session: Any, settings: Mapping[str, Any]) -> None:
    await seed.seed(tenant, session)
