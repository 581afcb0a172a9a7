"""Core feature: core's part of the GraphQL schema, contributed through the same
hook as plugins' (merged at the root instead of under a namespace)."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.tools import merge_types
from strawberry.types import Info

from core.api.context import Context
from core.api.schema import resolve_node
from core.api.types.actionplan import TYPES as ACTION_PLAN_TYPES
from core.api.types.actionplan import ActionPlanMutation, ActionPlanQuery
from core.api.types.adhesions import TYPES as ADHESION_TYPES
from core.api.types.adhesions import AdhesionsMutation, AdhesionsQuery
from core.api.types.auth import AuthMutation, AuthQuery, Member
from core.api.types.casework import TYPES as CASEWORK_TYPES
from core.api.types.casework import (
    CaseworkMutation,
    CaseworkQuery,
    TasksMutation,
    TasksQuery,
)
from core.api.types.families import TYPES as FAMILY_TYPES
from core.api.types.families import FamiliesMutation, FamiliesQuery
from core.api.types.gdpr import GdprMutation, GdprQuery
from core.api.types.kits import TYPES as KIT_TYPES
from core.api.types.kits import KitsMutation, KitsQuery
from core.api.types.outreach import TYPES as OUTREACH_TYPES
from core.api.types.outreach import OutreachMutation, OutreachQuery
from core.api.types.plans import TYPES as PLAN_TYPES
from core.api.types.plans import PlansMutation, PlansQuery
from core.api.types.plugins import PluginsMutation, PluginsQuery
from core.api.types.questionnaires import TYPES as QUESTIONNAIRE_TYPES
from core.api.types.questionnaires import QuestionnairesMutation, QuestionnairesQuery
from core.api.types.structures import TYPES as STRUCTURE_TYPES
from core.api.types.structures import StructuresMutation, StructuresQuery
from core.api.types.tenancy import ServiceArea, TenancyQuery, Tenant
from core.api.types.territory import Commune, Departement, Epci, TerritoryQuery
from core.hooks import hookimpl
from core.plugins.contributions import GraphQLContribution


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description="Objet par identifiant global. Un identifiant inconnu, mal formé, "
        "d'un autre pôle ou d'un module non activé répond null, sans distinction."
    )
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> relay.Node | None:
        return await resolve_node(info, id)


@hookimpl
def maillage_graphql() -> GraphQLContribution:
    return GraphQLContribution(
        query=merge_types(
            "CoreQuery",
            (
                TenancyQuery,
                TerritoryQuery,
                PluginsQuery,
                AuthQuery,
                StructuresQuery,
                FamiliesQuery,
                CaseworkQuery,
                TasksQuery,
                PlansQuery,
                GdprQuery,
                OutreachQuery,
                AdhesionsQuery,
                KitsQuery,
                QuestionnairesQuery,
                ActionPlanQuery,
                NodeQuery,
            ),
        ),
        mutation=merge_types(
            "CoreMutation",
            (
                PluginsMutation,
                AuthMutation,
                StructuresMutation,
                FamiliesMutation,
                CaseworkMutation,
                TasksMutation,
                PlansMutation,
                GdprMutation,
                OutreachMutation,
                AdhesionsMutation,
                KitsMutation,
                QuestionnairesMutation,
                ActionPlanMutation,
            ),
        ),
        types=(
            Commune,
            Departement,
            Epci,
            ServiceArea,
            Tenant,
            Member,
            *STRUCTURE_TYPES,
            *FAMILY_TYPES,
            *CASEWORK_TYPES,
            *PLAN_TYPES,
            *OUTREACH_TYPES,
            *ADHESION_TYPES,
            *KIT_TYPES,
            *QUESTIONNAIRE_TYPES,
            *ACTION_PLAN_TYPES,
        ),
    )
