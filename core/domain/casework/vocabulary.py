"""Closed lists of the casework, with the French labels of the request form and reports."""

from __future__ import annotations

from types import MappingProxyType

CHANNELS = MappingProxyType(
    {
        "phone": "Téléphone",
        "email": "Courriel",
        "web_form": "Formulaire en ligne",
        "in_person": "Sur place",
        "mail": "Courrier",
        "other": "Autre",
    }
)
REQUESTER_KINDS = MappingProxyType(
    {
        "family": "Famille",
        "eaje": "EAJE (crèche)",
        "childminder": "Assistant·e maternel·le",
        "leisure_centre": "Accueil de loisirs",
        "partner": "Partenaire",
        "other": "Autre",
    }
)
SUBJECTS = MappingProxyType(
    {
        "place_search": "Recherche d'un mode d'accueil",
        "equipment": "Matériel adapté",
        "school_entry": "Entrée à l'école",
        "mdph": "Démarches MDPH",
        "parenting": "Soutien à la parentalité",
        "professional_question": "Question d'un professionnel",
        "other": "Autre",
    }
)
REQUEST_STATUSES = MappingProxyType(
    {
        "new": "Nouvelle",
        "qualified": "Qualifiée",
        "answered": "Réponse apportée",
        "follow_up": "Transformée en suivi",
        "closed": "Close",
    }
)
FOLLOW_UP_STATUSES = MappingProxyType({"open": "En cours", "closed": "Clos"})
OUTCOMES = MappingProxyType(
    {
        "place_found": "Mode d'accueil trouvé",
        "reception_adapted": "Accueil adapté dans la structure",
        "school_entry": "Entrée à l'école accompagnée",
        "oriented": "Orientation vers un partenaire",
        "family_ended": "Fin à la demande de la famille",
        "moved_away": "Déménagement",
        "other": "Autre",
    }
)
INTERVENTION_KINDS = MappingProxyType(
    {
        "phone_guidance": "Conseil par téléphone",
        "observation": "Observation sur site",
        "home_visit": "Visite à domicile",
        "team_meeting": "Réunion d'équipe",
        "recommendations": "Préconisations",
        "mdph_help": "Aide au dossier MDPH",
        "school_bridge": "Passerelle vers l'école",
        "partner_liaison": "Lien avec un partenaire",
    }
)
