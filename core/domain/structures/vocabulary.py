"""The kinds of organisations, reception structures and partners, with the French labels
the poles' staff read (and their reports print)."""

from __future__ import annotations

from types import MappingProxyType

# Who runs a structure.
ORGANISATION_KINDS = MappingProxyType(
    {
        "commune": "Commune",
        "epci": "Intercommunalité (EPCI)",
        "ccas": "CCAS / CIAS",
        "association": "Association",
        "company": "Entreprise",
        "other": "Autre",
    }
)

# Where children are received.
STRUCTURE_KINDS = MappingProxyType(
    {
        "eaje": "EAJE (crèche, multi-accueil)",
        "mam": "MAM (maison d'assistants maternels)",
        "childminder": "Assistant·e maternel·le (à domicile)",
        "rpe": "RPE (relais petite enfance)",
        "acm": "ACM / ALSH (accueil de loisirs)",
        "periscolaire": "Accueil périscolaire",
        "centre_social": "Centre social",
        "ludotheque": "Ludothèque",
        "school": "École",
        "other": "Autre",
    }
)

# Medico-social, health, education and training partners.
PARTNER_KINDS = MappingProxyType(
    {
        "mdph": "MDPH",
        "camsp": "CAMSP",
        "cmp": "CMP",
        "cmi": "CMI",
        "pmi": "PMI",
        "sessad": "SESSAD",
        "ime": "IME",
        "respite": "Plateforme de répit",
        "family_association": "Association de familles",
        "education_nationale": "Éducation nationale",
        "training_body": "Organisme de formation",
        "other": "Autre",
    }
)
