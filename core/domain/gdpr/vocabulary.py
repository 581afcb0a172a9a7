"""Closed lists of the GDPR life cycle, with the French labels staff read."""

from __future__ import annotations

from types import MappingProxyType

# Why a file must be kept although its retention ended or the family asked to erase it.
HOLD_REASONS = MappingProxyType(
    {
        "child_protection": "Information préoccupante ou signalement transmis",
        "litigation": "Contentieux ou réclamation en cours",
        "judicial_request": "Réquisition ou demande de l'autorité judiciaire",
        "accounting": "Obligation comptable ou fiscale",
        "other": "Autre obligation légale",
    }
)

ERASURE_REQUESTERS = MappingProxyType(
    {
        "guardian": "Un représentant légal",
        "adult_child": "L'enfant devenu majeur",
        "representative": "Un mandataire (avocat, association)",
        "other": "Autre",
    }
)

ERASURE_STATUSES = MappingProxyType(
    {
        "done": "Effacement réalisé",
        "deferred": "Différé : obligation de conservation en cours",
    }
)
