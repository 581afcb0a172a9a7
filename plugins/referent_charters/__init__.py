"""Référents Pôle Ressources et charte — the maillage plugin ``referent_charters``.

The pole trains professionals of crèches and childminders as "Référents Pôle
Ressources" in numbered training sessions; each referent signs a versioned charter
(countersigned by the establishment and the pole) and commits to meeting the pole
twice a year. The plugin keeps the sessions, the referents, the charter versions and
signatures, the follow-up meetings and themed days with their attendance, and shows
who is behind on that commitment.

This module is the plugin object: the entry point points here, maillage reads
``manifest`` and calls the functions marked ``@hookimpl``. It imports only
``core.sdk`` (the plugin API) and its own package.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core import sdk
from plugins.referent_charters import indicators, pages, report_section, seed
from plugins.referent_charters.graphql import contribution
from plugins.referent_charters.models import MODELS

MANAGERS = frozenset({"pole_admin", "coordinator", "staff"})

manifest = sdk.Plugin(
    name="referent_charters",
    version="1.1.0",
    api_version="1.0",
    title="Référents Pôle Ressources et charte",
    description=(
        "Sessions de formation des référents, inscription des référents (métier, commune, "
        "établissement ou domicile), versions de la charte et signatures (référent, "
        "établissement, pôle), réunions de suivi et journées thématiques avec feuille de "
        "présence, et suivi de l'engagement à rencontrer le pôle deux fois par an."
    ),
    settings=(
        sdk.Setting(
            "meetings_per_year",
            "int",
            "Rencontres attendues par référent et par an",
            default=2,
            minimum=1,
            maximum=12,
            description="Engagement de la charte : un·e référent·e qui a suivi moins de "
            "rencontres dans l'année civile est signalé·e en retard.",
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
    return contribution()


@sdk.hookimpl
def maillage_pages() -> sdk.PageContribution:
    return pages.contribution()


@sdk.hookimpl
def maillage_navigation() -> list[sdk.NavEntry]:
    return pages.navigation()


@sdk.hookimpl
def maillage_actions() -> list[sdk.Action]:
    return [
        sdk.Action(
            "referent_charters.read",
            "Voir les référents, la charte et les présences",
            default_roles=sdk.POLE_ROLES,
            scope="tenant:read",
        ),
        sdk.Action(
            "referent_charters.manage",
            "Gérer les sessions de formation, les référents, la charte et les présences",
            default_roles=MANAGERS,
            scope="tenant:write",
        ),
    ]


@sdk.hookimpl
def maillage_indicators() -> list[sdk.IndicatorSpec]:
    return [indicators.new_referents, indicators.referents, indicators.signatures]


@sdk.hookimpl
async def maillage_seed(tenant: sdk.Tenant, session: Any, settings: Mapping[str, Any]) -> None:
    await seed.seed(tenant, session)


@sdk.hookimpl
async def maillage_report_sections(report: sdk.ReportScope) -> list[sdk.ReportSection]:
    return await report_section.sections(report)
