"""The words of the UDAF workshops: a convention's and a workshop's statuses, why a
workshop is cancelled, where a registration stands, who facilitates.

Codes are stored and compared (indicators break down by code, so poles compare the
same thing); the French labels, in one table below, are what a person reads.
"""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

from core import sdk

C = TypeVar("C", bound="Coded")


class Coded(Enum):
    """A vocabulary of the plugin: its code, its label, its option in the schema
    (``{ value label }``, decision 98), and the parsing of a code a client sent."""

    @property
    def label(self) -> str:
        return LABELS[self]

    def option(self) -> sdk.KindOption:
        return sdk.KindOption(value=self.value, label=self.label)

    @classmethod
    def options(cls) -> list[sdk.KindOption]:
        return [member.option() for member in cls]

    @classmethod
    def labels(cls) -> dict[str, str]:
        """Code → label: a figure's dimension."""
        return {member.value: member.label for member in cls}

    @classmethod
    def parse(cls: type[C], code: str, field: str) -> C:
        """An unknown code answers VALIDATION naming the field, with the known ones."""
        for member in cls:
            if member.value == code:
                return member
        known = ", ".join(member.value for member in cls)
        raise sdk.ValidationError(f"code inconnu « {code} » (codes : {known})", field=field)


class ConventionStatus(Coded):
    DRAFT = "draft"
    SIGNED = "signed"
    CLOSED = "closed"


class WorkshopStatus(Coded):
    PLANNED = "planned"
    CONFIRMED = "confirmed"
    HELD = "held"
    CANCELLED = "cancelled"


class CancelReason(Coded):
    TOO_FEW = "too_few_participants"
    FACILITATOR = "facilitator_unavailable"
    OTHER = "other"


class RegistrationStatus(Coded):
    REGISTERED = "registered"
    WAITING = "waiting"
    WITHDRAWN = "withdrawn"


class FacilitatorSide(Coded):
    POLE = "pole"
    UDAF = "udaf"


LABELS: dict[Coded, str] = {
    ConventionStatus.DRAFT: "En préparation",
    ConventionStatus.SIGNED: "Signée",
    ConventionStatus.CLOSED: "Close (bilan rendu)",
    WorkshopStatus.PLANNED: "Prévu",
    WorkshopStatus.CONFIRMED: "Confirmé",
    WorkshopStatus.HELD: "Maintenu (a eu lieu)",
    WorkshopStatus.CANCELLED: "Annulé",
    CancelReason.TOO_FEW: "Faute de participants",
    CancelReason.FACILITATOR: "Animateur·rice indisponible",
    CancelReason.OTHER: "Autre raison",
    RegistrationStatus.REGISTERED: "Inscrit·e",
    RegistrationStatus.WAITING: "Liste d'attente",
    RegistrationStatus.WITHDRAWN: "Désinscrit·e",
    FacilitatorSide.POLE: "Pôle ressources",
    FacilitatorSide.UDAF: "UDAF",
}

# The only moves a workshop makes: planned → confirmed → held, or cancelled before it
# is held. Held and cancelled are final: the convention's outcome is built on them.
TRANSITIONS: dict[WorkshopStatus, frozenset[WorkshopStatus]] = {
    WorkshopStatus.PLANNED: frozenset({WorkshopStatus.CONFIRMED, WorkshopStatus.CANCELLED}),
    WorkshopStatus.CONFIRMED: frozenset({WorkshopStatus.HELD, WorkshopStatus.CANCELLED}),
    WorkshopStatus.HELD: frozenset(),
    WorkshopStatus.CANCELLED: frozenset(),
}
