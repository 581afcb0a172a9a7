"""Core feature: personalised reception plans (their permissions are the family file's)."""

from __future__ import annotations

from core.contributions import GraphQLContribution, PageContribution, PersonalDataSource
from core.domain.plans import pages, personal_data
from core.domain.plans.graphql import TYPES, PlansMutation, PlansQuery
from core.domain.plans.models import ReceptionPlan, ReceptionPlanShare, ReceptionPlanVersion
from core.hooks import hookimpl


@hookimpl
def maillage_models() -> list[type]:
    return [ReceptionPlan, ReceptionPlanVersion, ReceptionPlanShare]


@hookimpl
def maillage_personal_data() -> list[PersonalDataSource]:
    return [personal_data.SOURCE]


@hookimpl
def maillage_graphql() -> GraphQLContribution:
    return GraphQLContribution(query=PlansQuery, mutation=PlansMutation, types=TYPES)


@hookimpl
def maillage_pages() -> PageContribution:
    return pages.contribution()
