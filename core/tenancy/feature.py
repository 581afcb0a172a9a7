"""Core feature: the poles themselves and the audit of unscoped platform jobs."""

from __future__ import annotations

from core.contributions import GraphQLContribution
from core.hooks import hookimpl
from core.tenancy import graphql
from core.tenancy.models import PlatformAuditEvent, Tenant


@hookimpl
def maillage_models() -> list[type]:
    return [Tenant, PlatformAuditEvent]


@hookimpl
def maillage_graphql() -> GraphQLContribution:
    return GraphQLContribution(query=graphql.TenancyQuery, types=(graphql.Tenant,))
