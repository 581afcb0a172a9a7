"""Closed lists of the action plan, with the French words of the poles' evaluation reports."""

from __future__ import annotations

from types import MappingProxyType

# The three levels of a plan, top to bottom; a departmental plan's "ambition → priorité →
# action" maps onto the same three.
LEVELS = MappingProxyType(
    {"orientation": "Orientation", "objective": "Objectif", "action": "Action"}
)
CHILD_LEVEL = MappingProxyType({"orientation": "objective", "objective": "action"})

# A year's status of an item of the plan.
STATUSES = MappingProxyType(
    {
        "done": "Réalisé",
        "in_progress": "En cours",
        "not_done": "Non réalisé",
        "planned": "À venir",
    }
)

# A year's value of an indicator: a figure, or a gap that says why there is none.
VALUE_STATES = MappingProxyType(
    {
        "available": "Disponible",
        "not_available": "Non disponible",
        "not_applicable": "Non applicable",
        "pending": "En attente",
    }
)
GAP_STATES = frozenset(VALUE_STATES) - {"available"}
