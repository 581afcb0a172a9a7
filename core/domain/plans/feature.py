"""Core feature: personalised reception plans (their permissions are the family file's)."""

from __future__ import annotations

from core.domain.plans import personal_data
from core.domain.plans.models import ReceptionPlan, ReceptionPlanShare, ReceptionPlanVersion
from core.hooks import hookimpl
from core.plugins.contributions import PersonalDataSource


@hookimpl
def maillage_models() -> list[type]:
    return [ReceptionPlan, ReceptionPlanVersion, ReceptionPlanShare]


@hookimpl
def maillage_personal_data() -> list[PersonalDataSource]:
    return [personal_data.SOURCE]
