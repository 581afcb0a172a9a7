"""Closed lists of the questionnaires, with their French labels."""

from __future__ import annotations

from types import MappingProxyType

ITEM_KINDS = MappingProxyType(
    {
        "scale": "Échelle de 1 à 4",
        "yes_no": "Oui / non",
        "single_choice": "Choix unique",
        "multiple_choice": "Choix multiple",
        "text": "Texte libre",
    }
)
# The 1–4 scale: 3 and 4 count as satisfied in the rates.
SCALE = MappingProxyType(
    {
        1: "Pas du tout satisfait",
        2: "Peu satisfait",
        3: "Satisfait",
        4: "Très satisfait",
    }
)
SATISFIED_FROM = 3
YES_NO = MappingProxyType({1: "Oui", 0: "Non"})
VERSION_STATUSES = MappingProxyType({"draft": "Brouillon", "published": "Publiée"})
SENDING_STATUSES = MappingProxyType(
    {"waiting": "En attente de réponse", "answered": "Répondu", "expired": "Lien expiré"}
)
