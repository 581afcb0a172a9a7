"""Coded vocabularies of the family file, with the French labels staff read and the
activity report prints."""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType

# The needs profile ("profil des besoins"), several per child.
NEEDS = MappingProxyType(
    {
        "motor": "Moteur",
        "visual": "Sensoriel : vue",
        "hearing": "Sensoriel : audition",
        "autism": "Troubles du spectre de l'autisme",
        "development": "Retard global de développement",
        "language": "Langage et communication",
        "behaviour": "Comportement, régulation émotionnelle",
        "learning": "Troubles des apprentissages (dys)",
        "chronic_illness": "Maladie chronique",
        "multiple": "Polyhandicap",
        "assessment": "En cours d'évaluation",
        "other": "Autre besoin particulier",
    }
)

# What a family may consent to (each given, and withdrawn, on its own).
CONSENT_PURPOSES = MappingProxyType(
    {
        "follow_up": "Accompagnement par le pôle (tenue du dossier)",
        "share_with_structure": "Partage du projet d'accueil avec l'équipe de la structure",
        "share_with_partners": "Échanges avec les partenaires (CAMSP, PMI, MDPH…)",
        "satisfaction_survey": "Envoi du questionnaire de satisfaction",
        "share_with_sitter": "Partage de la fiche de besoins de l'enfant avec l'intervenant·e "
        "de garde à domicile retenu·e",
    }
)

GUARDIAN_RELATIONSHIPS = MappingProxyType(
    {
        "mother": "Mère",
        "father": "Père",
        "guardian": "Tuteur ou tutrice",
        "foster": "Famille d'accueil",
        "other": "Autre",
    }
)

# The activity report's brackets: 0–3, 3–6, 7–13, 14 and over.
AGE_BRACKETS = MappingProxyType(
    {
        "0-3": "0 à 3 ans",
        "3-6": "3 à 6 ans",
        "7-13": "7 à 13 ans",
        "14+": "14 ans et plus",
    }
)


def age_in_years(birth: dt.date, on: dt.date) -> int:
    """Completed years on ``on`` (a child born on 29 February has its birthday on 1 March)."""
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


def age_bracket(birth: dt.date, on: dt.date) -> str:
    years = age_in_years(birth, on)
    if years < 3:
        return "0-3"
    if years <= 6:
        return "3-6"
    if years <= 13:
        return "7-13"
    return "14+"
