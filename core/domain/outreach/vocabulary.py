"""Closed lists of the outreach work, with the French labels of the poles' reports."""

from __future__ import annotations

from types import MappingProxyType

SESSION_KINDS = MappingProxyType(
    {
        "territorial": "Sensibilisation territoriale",
        "member_on_site": "Sur site pour un adhérent",
        "on_demand": "À la demande",
        "children": "Auprès des enfants",
        "childminders_evening": "Soirée assistants maternels",
        "training_course": "Intervention en formation",
        "pedagogical_day": "Journée pédagogique",
    }
)
AUDIENCES = MappingProxyType(
    {
        "early_childhood": "Petite enfance",
        "youth": "Enfance-jeunesse",
        "mixed": "Mixte",
    }
)
EVENT_KINDS = MappingProxyType(
    {
        "forum": "Forum",
        "stand": "Stand",
        "partner_presentation": "Présentation aux partenaires",
    }
)


# A session held by video has no commune: its row in the tables, its label in the lists.
REMOTE_LABEL = "À distance (visio)"


def duration_label(half_days: int) -> str:
    """« ½ journée », « 1 journée », « 1 journée ½ », « 2 journées »… as the reports print
    a duration counted in half days."""
    days, half = divmod(half_days, 2)
    if days == 0:
        return "½ journée"
    word = "journée" if days == 1 else "journées"
    return f"{days} {word}" + (" ½" if half else "")
