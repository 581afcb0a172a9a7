"""The words of the UDAF workshops: a convention's and a workshop's statuses, why a
workshop is cancelled, where a registration stands.

Codes are stored and compared (indicators break down by code, so poles compare the
same thing); the French labels are what a person reads.
"""

from __future__ import annotations

from enum import Enum


class ConventionStatus(Enum):
    DRAFT = "draft"
    SIGNED = "signed"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return CONVENTION_STATUS_LABELS[self]


CONVENTION_STATUS_LABELS = {
    ConventionStatus.DRAFT: "En préparation",
    ConventionStatus.SIGNED: "Signée",
    ConventionStatus.CLOSED: "Close (bilan rendu)",
}


class WorkshopStatus(Enum):
    PLANNED = "planned"
    CONFIRMED = "confirmed"
    HELD = "held"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return WORKSHOP_STATUS_LABELS[self]


WORKSHOP_STATUS_LABELS = {
    WorkshopStatus.PLANNED: "Prévu",
    WorkshopStatus.CONFIRMED: "Confirmé",
    WorkshopStatus.HELD: "Maintenu (a eu lieu)",
    WorkshopStatus.CANCELLED: "Annulé",
}

# The only moves a workshop makes: planned → confirmed → held, or cancelled before it
# is held. Held and cancelled are final: the convention's outcome is built on them.
TRANSITIONS: dict[WorkshopStatus, frozenset[WorkshopStatus]] = {
    WorkshopStatus.PLANNED: frozenset({WorkshopStatus.CONFIRMED, WorkshopStatus.CANCELLED}),
    WorkshopStatus.CONFIRMED: frozenset({WorkshopStatus.HELD, WorkshopStatus.CANCELLED}),
    WorkshopStatus.HELD: frozenset(),
    WorkshopStatus.CANCELLED: frozenset(),
}


class CancelReason(Enum):
    TOO_FEW = "too_few_participants"
    FACILITATOR = "facilitator_unavailable"
    OTHER = "other"

    @property
    def label(self) -> str:
        return CANCEL_REASON_LABELS[self]


CANCEL_REASON_LABELS = {
    CancelReason.TOO_FEW: "Faute de participants",
    CancelReason.FACILITATOR: "Animateur·rice indisponible",
    CancelReason.OTHER: "Autre raison",
}


class RegistrationStatus(Enum):
    REGISTERED = "registered"
    WAITING = "waiting"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return REGISTRATION_STATUS_LABELS[self]


REGISTRATION_STATUS_LABELS = {
    RegistrationStatus.REGISTERED: "Inscrit·e",
    RegistrationStatus.WAITING: "Liste d'attente",
    RegistrationStatus.WITHDRAWN: "Désinscrit·e",
}


class FacilitatorSide(Enum):
    POLE = "pole"
    UDAF = "udaf"

    @property
    def label(self) -> str:
        return "Pôle ressources" if self is FacilitatorSide.POLE else "UDAF"
