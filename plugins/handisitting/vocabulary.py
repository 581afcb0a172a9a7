"""The words of handisitting: skills, backgrounds, documents, the steps of vetting and
of a booking. Codes are stored and compared (indicators break down by code, so poles
compare the same thing); the French labels are what a person reads.
"""

from __future__ import annotations

from enum import Enum
from types import MappingProxyType

# The skills every pole starts with; a pole adds its own (HandisittingSkill rows).
DEFAULT_SKILLS = MappingProxyType(
    {
        "autism": "Troubles du spectre de l'autisme",
        "polyhandicap": "Polyhandicap",
        "motor": "Handicap moteur (transferts, fauteuil)",
        "deaf": "Enfant sourd ou malentendant",
        "blind": "Enfant aveugle ou malvoyant",
        "lsf": "Langue des signes française (LSF)",
        "epilepsy": "Protocole épilepsie",
        "feeding": "Aide à l'alimentation (troubles de la déglutition, sonde)",
        "first_aid": "Premiers secours (PSC1 ou équivalent)",
        "behaviour": "Troubles du comportement",
    }
)


class Background(Enum):
    """What makes a candidate a sitter: their studies, or their experience."""

    MEDICAL = "medical"
    MEDICO_SOCIAL = "medico_social"
    SOCIAL = "social"
    DISABILITY = "disability"
    EXPERIENCE = "experience"

    @property
    def label(self) -> str:
        return BACKGROUND_LABELS[self]


BACKGROUND_LABELS = {
    Background.MEDICAL: "Études médicales ou paramédicales",
    Background.MEDICO_SOCIAL: "Études médico-sociales",
    Background.SOCIAL: "Études sociales ou éducatives",
    Background.DISABILITY: "Formation dans le champ du handicap",
    Background.EXPERIENCE: "Solide expérience du handicap",
}


class DocumentKind(Enum):
    IDENTITY = "identity"
    CRIMINAL_RECORD = "criminal_record"
    FIRST_AID = "first_aid"
    DIPLOMA = "diploma"

    @property
    def label(self) -> str:
        return DOCUMENT_LABELS[self]


DOCUMENT_LABELS = {
    DocumentKind.IDENTITY: "Pièce d'identité",
    DocumentKind.CRIMINAL_RECORD: "Extrait de casier judiciaire (bulletin n° 3)",
    DocumentKind.FIRST_AID: "Attestation de premiers secours",
    DocumentKind.DIPLOMA: "Diplôme ou certificat de scolarité",
}
# Without these, checked and in date, a sitter cannot be approved nor proposed.
REQUIRED_DOCUMENTS = (DocumentKind.IDENTITY, DocumentKind.CRIMINAL_RECORD)
DOCUMENT_TYPES = MappingProxyType(
    {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
)
# A request body is 1 MiB at most (the platform's limit); base64 adds a third.
MAX_DOCUMENT_BYTES = 640 * 1024


class SitterStatus(Enum):
    APPLIED = "applied"
    INTERVIEW = "interview"
    DOCUMENTS_CHECKED = "documents_checked"
    APPROVED = "approved"
    REFUSED = "refused"
    SUSPENDED = "suspended"
    # Her personal data was erased (at her request or by the retention): a closed
    # record that keeps the dates and hours, never vetted nor proposed again.
    ERASED = "erased"

    @property
    def label(self) -> str:
        return SITTER_STATUS_LABELS[self]


SITTER_STATUS_LABELS = {
    SitterStatus.APPLIED: "Candidature reçue",
    SitterStatus.INTERVIEW: "Entretien passé",
    SitterStatus.DOCUMENTS_CHECKED: "Pièces vérifiées",
    SitterStatus.APPROVED: "Agréé·e",
    SitterStatus.REFUSED: "Refusé·e",
    SitterStatus.SUSPENDED: "Suspendu·e",
    SitterStatus.ERASED: "Effacé·e",
}
# The vetting path: each step names the ones it may follow. Refusal and suspension
# are possible at any point; a suspended sitter comes back through the checks. An
# erased sitter is at no step: nothing leads to or from ``ERASED`` but the erasure.
VETTING_STEPS: MappingProxyType[SitterStatus, frozenset[SitterStatus]] = MappingProxyType(
    {
        SitterStatus.INTERVIEW: frozenset({SitterStatus.APPLIED}),
        SitterStatus.DOCUMENTS_CHECKED: frozenset({SitterStatus.INTERVIEW, SitterStatus.SUSPENDED}),
        SitterStatus.APPROVED: frozenset({SitterStatus.DOCUMENTS_CHECKED}),
        SitterStatus.REFUSED: frozenset(
            {
                SitterStatus.APPLIED,
                SitterStatus.INTERVIEW,
                SitterStatus.DOCUMENTS_CHECKED,
                SitterStatus.SUSPENDED,
            }
        ),
        SitterStatus.SUSPENDED: frozenset({SitterStatus.APPROVED, SitterStatus.DOCUMENTS_CHECKED}),
    }
)


class RequestStatus(Enum):
    OPEN = "open"
    BOOKED = "booked"
    UNMATCHED = "unmatched"

    @property
    def label(self) -> str:
        return {
            RequestStatus.OPEN: "En attente d'un·e intervenant·e",
            RequestStatus.BOOKED: "Garde convenue",
            RequestStatus.UNMATCHED: "Close sans garde",
        }[self]


class UnmatchedReason(Enum):
    """Why a request was closed without a booking (an indicator counts them)."""

    NO_SITTER_SKILLS = "no_sitter_skills"
    NO_SITTER_AREA = "no_sitter_area"
    NO_SITTER_AVAILABLE = "no_sitter_available"
    FAMILY_WITHDREW = "family_withdrew"
    OTHER = "other"

    @property
    def label(self) -> str:
        return UNMATCHED_LABELS[self]


UNMATCHED_LABELS = {
    UnmatchedReason.NO_SITTER_SKILLS: "Aucun·e intervenant·e avec les compétences",
    UnmatchedReason.NO_SITTER_AREA: "Aucun·e intervenant·e dans le secteur",
    UnmatchedReason.NO_SITTER_AVAILABLE: "Aucun·e intervenant·e disponible",
    UnmatchedReason.FAMILY_WITHDREW: "La famille a renoncé",
    UnmatchedReason.OTHER: "Autre raison",
}


class ProposalStatus(Enum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    MET = "met"
    AGREED = "agreed"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {
            ProposalStatus.PROPOSED: "Proposée à l'intervenant·e",
            ProposalStatus.ACCEPTED: "Acceptée par l'intervenant·e",
            ProposalStatus.DECLINED: "Déclinée par l'intervenant·e",
            ProposalStatus.MET: "Première rencontre faite",
            ProposalStatus.AGREED: "Garde convenue avec la famille",
            ProposalStatus.WITHDRAWN: "Retirée",
        }[self]


# A proposal still on its way to a booking (released when another is agreed, or when
# the sitter's data is erased).
OPEN_PROPOSALS = (
    ProposalStatus.PROPOSED.value,
    ProposalStatus.ACCEPTED.value,
    ProposalStatus.MET.value,
)


class BookingStatus(Enum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {BookingStatus.CONFIRMED: "Confirmée", BookingStatus.CANCELLED: "Annulée"}[self]


class SittingStatus(Enum):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"

    @property
    def label(self) -> str:
        return {
            SittingStatus.PLANNED: "Prévue",
            SittingStatus.DONE: "Faite",
            SittingStatus.CANCELLED: "Annulée",
            SittingStatus.NO_SHOW: "Absence non prévenue",
        }[self]


class Side(Enum):
    """Who speaks: the family, or the sitter (feedback, cancellation)."""

    FAMILY = "family"
    SITTER = "sitter"
    POLE = "pole"

    @property
    def label(self) -> str:
        return {Side.FAMILY: "La famille", Side.SITTER: "L'intervenant·e", Side.POLE: "Le pôle"}[
            self
        ]


WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
