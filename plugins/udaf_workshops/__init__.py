"""Ateliers parentalité avec l'UDAF — the maillage plugin ``udaf_workshops``.

The pole runs parenting-support groups with the UDAF for parents of children 0–6 with
special needs, under a yearly convention that plans a number of workshops across the
département. The plugin keeps the conventions (partner, year, workshops planned,
territory, funding), the workshops (date, commune, theme, facilitators, capacity,
minimum; planned → confirmed → held, or cancelled with a reason), the registrations
(a family of the pole or a parent not yet known to it, the waiting list, reminders,
attendance), the minimum rule, and each convention's outcome: planned versus held,
with the reasons — what the pole reports to the UDAF and its funders — beside the
families' needs questionnaire (core's questionnaires, through ``core.sdk``) whose
answers shape next year's themes.

Here: the manifest and the hook implementations, which hand each part of the package
to maillage (entry point ``udaf_workshops``). Like an integrator's plugin, the package
reaches core through ``core.sdk`` alone.
"""

from __future__ import annotations

from pathlib import Path

from core import sdk
from plugins.udaf_workshops.graphql import MANAGE, READ
from plugins.udaf_workshops.indicators import maillage_indicators
from plugins.udaf_workshops.models import maillage_models
from plugins.udaf_workshops.mutations import maillage_graphql
from plugins.udaf_workshops.needs import maillage_on_enable
from plugins.udaf_workshops.pages import maillage_navigation, maillage_pages, maillage_panels
from plugins.udaf_workshops.personal_data import maillage_personal_data
from plugins.udaf_workshops.report import maillage_report_sections
from plugins.udaf_workshops.seed import maillage_seed

# Each module hands its part to maillage with its own hook implementation (as core's
# features do); they are registered with this module, the plugin object.
__all__ = [
    "maillage_graphql",
    "maillage_indicators",
    "maillage_models",
    "maillage_navigation",
    "maillage_on_enable",
    "maillage_pages",
    "maillage_panels",
    "maillage_personal_data",
    "maillage_report_sections",
    "maillage_seed",
    "manifest",
]

MANAGERS = frozenset({"pole_admin", "coordinator", "staff"})

manifest = sdk.Plugin(
    name="udaf_workshops",
    version="1.1.0",
    api_version="1.1",
    title="Ateliers parentalité avec l'UDAF",
    description=(
        "Conventions avec l'UDAF (ateliers prévus, territoire, financement), ateliers de "
        "soutien à la parentalité (date, commune, thème, animateur·rices, capacité, "
        "minimum de participants ; prévu, confirmé, maintenu ou annulé avec sa raison), "
        "inscriptions des familles et des parents, liste d'attente, rappels, présence, "
        "le bilan prévus / maintenus / annulés rendu à l'UDAF et aux financeurs, et le "
        "questionnaire « Besoins des familles » qui prépare les thèmes de l'an prochain."
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
            "d'accueil propose d'envoyer le rappel aux parents inscrits qui ne l'ont pas "
            "reçu (la page de l'atelier le permet à tout moment).",
        ),
    ),
)


@sdk.hookimpl
def maillage_migrations() -> sdk.MigrationSource:
    return sdk.MigrationSource(Path(__file__).parent / "migrations" / "versions")


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
