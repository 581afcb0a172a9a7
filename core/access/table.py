"""The role × action table, from the declared actions: what docs/roles.md shows and
what the matrix test checks (one source for both)."""

from __future__ import annotations

from core.access.actions import ActionRegistry
from core.access.roles import ROLES

ALLOWED = "✓"
GRANT = "◆"


def cell(registry: ActionRegistry, role: str, name: str) -> str:
    """✓ the role holds the action; ◆ it may, by explicit grant (sensitive); empty: no."""
    action = registry.actions[name]
    if role not in action.default_roles:
        return ""
    return GRANT if action.sensitive else ALLOWED


def markdown(registry: ActionRegistry) -> str:
    roles = list(ROLES)
    lines = [
        "| Action | " + " | ".join(f"`{r}`" for r in roles) + " | Client (portée) |",
        "|---|" + "---|" * len(roles) + "---|",
    ]
    for name in sorted(registry.actions):
        action = registry.actions[name]
        owner = registry.owners[name]
        label = f"`{name}` — {action.title}" + (f" *({owner})*" if owner != "core" else "")
        cells = [cell(registry, role, name) for role in roles]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {action.scope or ''} |")
    legend = (
        f"\n{ALLOWED} : permis par le rôle. {GRANT} : donnée sensible, permise seulement "
        "après un accord explicite sur l'appartenance (`updateMember(id:, input: { grants })`). "
        "Case vide : refusé (refus par défaut). Client : portée OAuth qui ouvre l'action à un "
        "client machine (jamais une action sensible).\n"
    )
    return "\n".join(lines) + "\n" + legend
