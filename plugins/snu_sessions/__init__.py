"""Journées SNU — the maillage plugin ``snu_sessions``.

Awareness days for Service National Universel volunteers (young people of about 15 to
17) at SNU centres: sessions per site and dates, groups with their sizes and
facilitators (the pole's staff and partners), the methods used, the kits taken along,
attendance per group, and an anonymous before/after quiz answered on phones through a
short link and a QR code, whose results show how knowledge and attitudes changed.

This module is the plugin object: the entry point points here, maillage reads
``manifest`` and calls the functions marked ``@hookimpl``. It imports only ``core.sdk``
(the plugin API) and its own package.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core import sdk
from plugins.snu_sessions import indicators, pages, public, seed
from plugins.snu_sessions.graphql import contribution
from plugins.snu_sessions.models import MODELS
from plugins.snu_sessions.report import sections as report_sections

MANAGERS = frozenset({"pole_admin", "coordinator", "staff"})

manifest = sdk.Plugin(
    name="snu_sessions",
    version="1.0.0",
    api_version="1.1",
    title="Journées SNU",
    description=(
        "Journées de sensibilisation des volontaires du Service national universel : "
        "sessions par centre et par date, groupes (effectifs, animateurs du pôle et "
        "partenaires, présents), méthodes et malles employées, et questionnaire anonyme "
        "avant/après ouvert par un lien court et un QR code, avec l'évolution des "
        "connaissances et du regard."
    ),
    settings=(
        sdk.Setting(
            "min_answers",
            "int",
            "Seuil de réponses pour montrer une évolution",
            default=20,
            minimum=5,
            maximum=1000,
            description="Sous ce nombre de réponses (ou de paires appariées pour la méthode "
            "appariée), aucune évolution n'est montrée : seulement les effectifs.",
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
def maillage_public_routes() -> list[Any]:
    return public.routes()


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
            "snu_sessions.read",
            "Voir les journées SNU et les résultats des questionnaires",
            default_roles=sdk.POLE_ROLES,
            scope="tenant:read",
        ),
        sdk.Action(
            "snu_sessions.manage",
            "Gérer les journées SNU, leurs groupes, présences et questionnaires",
            default_roles=MANAGERS,
            scope="tenant:write",
        ),
    ]


@sdk.hookimpl
def maillage_indicators() -> list[sdk.IndicatorSpec]:
    return list(indicators.ALL)


@sdk.hookimpl
async def maillage_report_sections(report: sdk.ReportScope) -> list[sdk.ReportSection]:
    return await report_sections(report)


@sdk.hookimpl
async def maillage_seed(tenant: sdk.Tenant, session: Any, settings: Mapping[str, Any]) -> None:
    await seed.seed(tenant, session)
