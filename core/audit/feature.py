"""Core feature: the pole's audit trail."""

from __future__ import annotations

from core.access.actions import Action
from core.audit.models import AuditEvent
from core.hooks import hookimpl


@hookimpl
def maillage_models() -> list[type]:
    return [AuditEvent]


@hookimpl
def maillage_actions() -> list[Action]:
    return [
        Action(
            "audit.read",
            "Consulter le journal d'audit du pôle",
            default_roles=frozenset({"pole_admin"}),
        )
    ]
