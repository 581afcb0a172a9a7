"""Closed lists of the kits and their loans, with the French labels the poles' staff
read and their reports print."""

from __future__ import annotations

from types import MappingProxyType

THEMES = MappingProxyType(
    {
        "sensory": "Sensoriel / Snoezelen",
        "montessori": "Montessori",
        "motor": "Motricité",
        "emotions": "Émotions",
        "communication": "Communication",
        "sleep": "Sommeil",
        "food": "Alimentation",
        "siblings": "Fratrie",
        "reading": "Livres et jeux",
        "other": "Autre",
    }
)
# What the pole sets by hand; « sorti » is read from the loans, never stored.
KIT_STATUSES = MappingProxyType(
    {
        "available": "Disponible",
        "out": "Sortie (en prêt)",
        "in_repair": "En réparation",
        "retired": "Retirée du catalogue",
    }
)
STORED_KIT_STATUSES = ("available", "in_repair", "retired")
LOAN_STATUSES = MappingProxyType(
    {
        "requested": "Demandée",
        "confirmed": "Confirmée",
        "out": "Sortie",
        "returned": "Rendue",
        "checked": "Vérifiée",
        "cancelled": "Annulée",
    }
)
# Who borrowed, as the activity report counts them.
BORROWER_KINDS = MappingProxyType(
    {
        "eaje": "EAJE (crèche)",
        "mam": "MAM",
        "childminder": "Assistant·e maternel·le",
        "rpe": "RPE",
        "acm": "ACM / ALSH (accueil de loisirs, périscolaire)",
        "ccas": "CCAS / CIAS",
        "collectivity": "Collectivité (commune, EPCI)",
        "association": "Association",
        "school": "École",
        "family": "Famille",
        "other": "Autre",
    }
)
CHECK_MOMENTS = MappingProxyType({"departure": "Au départ", "return": "Au retour"})
TRIP_KINDS = MappingProxyType({"delivery": "Livraison", "collection": "Récupération"})

# A structure's kind → the borrower kind of the reports ("other" asks the gestionnaire).
STRUCTURE_BORROWER = MappingProxyType(
    {
        "eaje": "eaje",
        "mam": "mam",
        "childminder": "childminder",
        "rpe": "rpe",
        "acm": "acm",
        "periscolaire": "acm",
        "school": "school",
    }
)
# A gestionnaire's kind → the borrower kind.
ORGANISATION_BORROWER = MappingProxyType(
    {
        "ccas": "ccas",
        "commune": "collectivity",
        "epci": "collectivity",
        "association": "association",
    }
)
