"""Core feature: the pole's audit trail."""

from __future__ import annotations

from core.access.actions import Action
from core.access.roles import POLE_ROLES
from core.audit.models import AuditEvent, DeletedRecord
from core.hooks import hookimpl


@hookimpl
def maillage_models() -> list[type]:
    return [AuditEvent, DeletedRecord]


@hookimpl
def maillage_actions() -> list[Action]:
    return [
        Action(
            "audit.read",
            "Consulter le journal d'audit du pôle",
            default_roles=frozenset({"pole_admin"}),
        ),
        Action(
            "records.deletions.read",
            "Lire le fil des suppressions (synchronisation d'une copie par un intégrateur)",
            default_roles=POLE_ROLES,
            scope="tenant:read",
        ),
    ]
