"""Handisitting — the maillage plugin ``handisitting``.

Parents of a disabled child who need occasional or regular childcare at home, and
sitters (students in medical, medico-social, social or disability training, or people
with strong disability experience) relayed by the pole. The plugin keeps the sitters'
applications, vetting and documents, the families' requests, the matching staff
propose (each score explained), the first meeting and the booking, the sittings with
both sides' feedback and incidents — and shares a child's needs sheet with a sitter
only under an agreed booking (decision 137).

This module is the plugin object: the entry point points here. It imports only
``core.sdk`` and its own package.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core import sdk
from plugins.handisitting import access, cli, indicators, pages, personal_data, public, routes, seed
from plugins.handisitting import report as handisitting_report
from plugins.handisitting.graphql import contribution
from plugins.handisitting.models import MODELS

HERE = Path(__file__).parent

manifest = sdk.Plugin(
    name="handisitting",
    version="1.0.0",
    api_version="1.1",
    title="Handisitting",
    description=(
        "Garde à domicile d'enfants en situation de handicap : candidatures et agrément des "
        "intervenant·es (pièces justificatives, compétences, disponibilités), demandes des "
        "familles, rapprochement expliqué proposé par le pôle, première rencontre et garde "
        "convenue, fiche de besoins partagée seulement pendant une garde convenue, heures, "
        "avis des deux côtés et incidents."
    ),
    settings=(
        sdk.Setting(
            "share_days_after",
            "int",
            "Jours d'accès à la fiche de besoins après la dernière garde",
            default=7,
            minimum=0,
            maximum=30,
            description="L'intervenant·e lit la fiche de besoins de l'enfant de l'accord de la "
            "famille jusqu'à ce nombre de jours après la dernière garde convenue.",
        ),
        sdk.Setting(
            "retention_months",
            "int",
            "Conservation des données d'un·e intervenant·e (mois après sa dernière garde)",
            default=24,
            minimum=6,
            maximum=120,
        ),
    ),
)


@sdk.hookimpl
def maillage_models() -> list[type]:
    return list(MODELS)


@sdk.hookimpl
def maillage_migrations() -> sdk.MigrationSource:
    return sdk.MigrationSource(HERE / "migrations" / "versions")


@sdk.hookimpl
def maillage_actions() -> list[sdk.Action]:
    return access.actions()


@sdk.hookimpl
def maillage_graphql() -> sdk.GraphQLContribution:
    return contribution()


@sdk.hookimpl
async def maillage_seed(tenant: sdk.Tenant, session: Any, settings: Mapping[str, Any]) -> None:
    await seed.seed(tenant, session)


@sdk.hookimpl
def maillage_routes() -> list[Any]:
    return list(routes.ROUTES)


@sdk.hookimpl
def maillage_public_routes() -> list[Any]:
    return list(public.routes())


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
def maillage_cli(commands: Any) -> None:
    cli.register(commands)


@sdk.hookimpl
def maillage_indicators() -> list[sdk.IndicatorSpec]:
    return list(indicators.FIGURES)


@sdk.hookimpl
def maillage_personal_data() -> list[sdk.PersonalDataSource]:
    return personal_data.family_sources()


@sdk.hookimpl
async def maillage_report_sections(report: sdk.ReportScope) -> list[sdk.ReportSection]:
    return await handisitting_report.sections(report)
