"""Field gates: a plugin's fields answer only for poles that enabled it, and actions
guard fields and mutations.

``PluginEnabled`` answers error code ``PLUGIN_DISABLED`` (and null, the gated fields
being nullable); ``Allowed`` answers ``FORBIDDEN`` or ``UNAUTHENTICATED``.
"""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types import Info

GATE_ATTR = "__maillage_plugin_gate__"


class PluginEnabled(BasePermission):
    def __init__(self, plugin: str) -> None:
        self.plugin = plugin

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        await info.context.require_plugin(self.plugin)  # raises PLUGIN_DISABLED
        return True


class Allowed(BasePermission):
    """The actor holds ``action`` in the current pole."""

    def __init__(self, action: str) -> None:
        self.action = action

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        # Raised, not returned: the coded error (FORBIDDEN / UNAUTHENTICATED) reaches
        # the client through CodedErrors, and no per-request state sits on this
        # shared instance.
        info.context.require(self.action)
        return True


def plugin_gate(plugin: str) -> PermissionExtension:
    extension = PermissionExtension(permissions=[PluginEnabled(plugin)], use_directives=False)
    setattr(extension, GATE_ATTR, plugin)
    return extension


def action_gate(action: str) -> PermissionExtension:
    return PermissionExtension(permissions=[Allowed(action)], use_directives=False)


def gated_plugin(field: Any) -> str | None:
    """The plugin a field is gated by, or None."""
    for extension in getattr(field, "extensions", ()) or ():
        plugin = getattr(extension, GATE_ATTR, None)
        if plugin is not None:
            return plugin
    return None


def gated_actions(field: Any) -> list[str]:
    """The actions a field requires (``sdk.requires``), in order; empty: none."""
    return [
        permission.action
        for extension in getattr(field, "extensions", ()) or ()
        if isinstance(extension, PermissionExtension)
        for permission in extension.permissions
        if isinstance(permission, Allowed)
    ]
