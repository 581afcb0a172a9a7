"""Core feature: personalised reception plans (their permissions are the family file's)."""

from __future__ import annotations

from core.domain.plans.models import ReceptionPlan, ReceptionPlanShare, ReceptionPlanVersion
from core.hooks import hookimpl


@hookimpl
def maillage_models() -> list[type]:
    return [ReceptionPlan, ReceptionPlanVersion, ReceptionPlanShare]
