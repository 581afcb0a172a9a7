"""The words of the referent network: jobs, structure kinds, meeting kinds, and the
commitments of the default charter.

Codes are stored and compared (indicators break down by code, so poles compare the
same thing); the French labels are what a person reads.
"""

from __future__ import annotations

from enum import Enum


class Job(Enum):
    EJE = "eje"
    CAP_AEPE = "cap_aepe"
    NURSE = "nurse"
    DIRECTOR = "director"
    CHILDMINDER = "childminder"
    RSAI = "rsai"
    OTHER = "other"

    @property
    def label(self) -> str:
        return JOB_LABELS[self]


JOB_LABELS = {
    Job.EJE: "Éducateur·rice de jeunes enfants (EJE)",
    Job.CAP_AEPE: "Professionnel·le titulaire du CAP AEPE",
    Job.NURSE: "Infirmier·ère",
    Job.DIRECTOR: "Directeur·rice",
    Job.CHILDMINDER: "Assistant·e maternel·le",
    Job.RSAI: "Référent·e santé et accueil inclusif (RSAI)",
    Job.OTHER: "Autre",
}


class StructureKind(Enum):
    """Where the referent works: a crèche, or at home as a licensed childminder."""

    EAJE = "eaje"
    DOMICILE = "domicile"

    @property
    def label(self) -> str:
        return STRUCTURE_KIND_LABELS[self]


STRUCTURE_KIND_LABELS = {
    StructureKind.EAJE: "Établissement d'accueil du jeune enfant (EAJE)",
    StructureKind.DOMICILE: "Accueil au domicile (assistant·e maternel·le)",
}


class MeetingKind(Enum):
    FOLLOW_UP = "follow_up"
    THEMED_DAY = "themed_day"

    @property
    def label(self) -> str:
        return MEETING_KIND_LABELS[self]


MEETING_KIND_LABELS = {
    MeetingKind.FOLLOW_UP: "Réunion de suivi",
    MeetingKind.THEMED_DAY: "Journée thématique",
}

# The commitments a referent signs, as the Puy-de-Dôme pole words them. A pole that
# rewrites its charter publishes a new version; past signatures keep theirs.
DEFAULT_CHARTER_VERSION = "2021"
DEFAULT_COMMITMENTS: tuple[str, ...] = (
    "Respecter la discrétion professionnelle sur les situations des enfants et des familles.",
    "Être l'interlocuteur·rice privilégié·e des personnes qui entourent l'enfant "
    "(famille, équipe, partenaires).",
    "Observer et analyser les besoins de l'enfant avec l'équipe.",
    "Inscrire le projet d'accueil inclusif dans le projet de la structure.",
    "Communiquer avec les partenaires, avec l'accord de la famille.",
    "Solliciter le Pôle Ressources en cas de besoin.",
    "Participer à l'écriture et à l'évaluation du projet d'accueil personnalisé.",
    "Rencontrer le Pôle Ressources deux fois par an (réunions de suivi, journées thématiques).",
)
