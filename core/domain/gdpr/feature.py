"""Core feature: the GDPR life cycle (subject access, erasure, legal holds, retention)."""

from __future__ import annotations

from core.access.actions import Action
from core.contributions import GraphQLContribution, PageContribution
from core.domain.gdpr import pages
from core.domain.gdpr.graphql import GdprMutation, GdprQuery
from core.domain.gdpr.models import ErasureRequest, LegalHold
from core.hooks import hookimpl


@hookimpl
def maillage_models() -> list[type]:
    return [LegalHold, ErasureRequest]


@hookimpl
def maillage_actions() -> list[Action]:
    return [
        Action(
            "gdpr.manage",
            "Exporter ou effacer les données d'une famille, poser ou lever une obligation "
            "de conservation",
            default_roles=frozenset({"pole_admin", "coordinator"}),
            description="Donne accès à tout le dossier, données de santé comprises.",
            sensitive=True,
        ),
        Action(
            "gdpr.purge",
            "Appliquer la durée de conservation (anonymiser les dossiers échus)",
            default_roles=frozenset({"platform_admin", "pole_admin"}),
            description="Ne lit aucun nom : seulement des dates et des identifiants.",
        ),
    ]


@hookimpl
def maillage_graphql() -> GraphQLContribution:
    return GraphQLContribution(query=GdprQuery, mutation=GdprMutation)


@hookimpl
def maillage_pages() -> PageContribution:
    return pages.contribution()
