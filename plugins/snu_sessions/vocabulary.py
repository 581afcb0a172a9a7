"""The words of an SNU awareness day: methods, objectives, quiz phases, and the default
quiz (knowledge items with one right answer, attitude items on a 1–4 scale).

Codes are stored and compared (figures break down by code, a year's results pool an
item across sessions by its key); the French labels are what a person reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Method(Enum):
    QUIZ = "quiz"
    BOCCIA = "boccia"
    SIMULATION = "simulation"
    TESTIMONY = "testimony"
    VIDEO = "video"
    DEBATE = "debate"
    GAME = "game"

    @property
    def label(self) -> str:
        return METHOD_LABELS[self]


METHOD_LABELS = {
    Method.QUIZ: "Quiz",
    Method.BOCCIA: "Initiation à la boccia",
    Method.SIMULATION: "Mises en situation (parcours les yeux bandés, en fauteuil…)",
    Method.TESTIMONY: "Témoignage",
    Method.VIDEO: "Vidéo et échanges",
    Method.DEBATE: "Débat mouvant",
    Method.GAME: "Jeu coopératif",
}


class Objective(Enum):
    MISSIONS = "missions"
    REPRESENTATIONS = "representations"
    KEY_FIGURES = "key_figures"

    @property
    def label(self) -> str:
        return OBJECTIVE_LABELS[self]


OBJECTIVE_LABELS = {
    Objective.MISSIONS: "Présenter les missions du pôle",
    Objective.REPRESENTATIONS: "Faire évoluer le regard sur le handicap",
    Objective.KEY_FIGURES: "Donner des chiffres clés",
}


class Status(Enum):
    """Where a session stands. Only a cancellation is recorded: a planned day whose
    date has passed is a day that took place (decision 169)."""

    PLANNED = "planned"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {Status.PLANNED: "Prévue", Status.CANCELLED: "Annulée"}


class CancelReason(Enum):
    SNU = "snu_cancelled"
    CENTRE = "centre_programme"
    POLE = "pole_unavailable"
    WEATHER = "weather_or_health"
    OTHER = "other"

    @property
    def label(self) -> str:
        return CANCEL_REASON_LABELS[self]


CANCEL_REASON_LABELS = {
    CancelReason.SNU: "Séjour ou journée annulé par le SNU",
    CancelReason.CENTRE: "Programme du centre changé",
    CancelReason.POLE: "Pôle indisponible (équipe, véhicule…)",
    CancelReason.WEATHER: "Intempéries ou alerte sanitaire",
    CancelReason.OTHER: "Autre raison (à préciser)",
}


class Phase(Enum):
    BEFORE = "before"
    AFTER = "after"

    @property
    def label(self) -> str:
        return PHASE_LABELS[self]


PHASE_LABELS = {Phase.BEFORE: "Avant la journée", Phase.AFTER: "Après la journée"}


class ItemKind(Enum):
    KNOWLEDGE = "knowledge"
    ATTITUDE = "attitude"

    @property
    def label(self) -> str:
        return ITEM_KIND_LABELS[self]


ITEM_KIND_LABELS = {ItemKind.KNOWLEDGE: "Connaissance", ItemKind.ATTITUDE: "Regard"}

# The 1–4 scale of attitude items: no neutral middle, on purpose (a young person picks a side).
SCALE = {
    1: "Pas du tout d'accord",
    2: "Plutôt pas d'accord",
    3: "Plutôt d'accord",
    4: "Tout à fait d'accord",
}


@dataclass(frozen=True)
class DefaultItem:
    """One question of the default quiz. ``right`` is the index of the right choice of a
    knowledge item; ``reverse`` marks an attitude statement where agreeing shows the
    view the day wants to change (its score is read 5 − answer, so a higher score is
    always the more inclusive view)."""

    key: str
    kind: ItemKind
    text: str
    choices: tuple[str, ...] = ()
    right: int | None = None
    reverse: bool = False


DEFAULT_QUIZ: tuple[DefaultItem, ...] = (
    DefaultItem(
        "share_population",
        ItemKind.KNOWLEDGE,
        "En France, combien de personnes vivent avec un handicap ?",
        ("Environ 1 personne sur 100", "Environ 1 personne sur 20", "Environ 1 personne sur 6"),
        right=2,
    ),
    DefaultItem(
        "invisible",
        ItemKind.KNOWLEDGE,
        "Parmi les handicaps, quelle part ne se voit pas ?",
        ("Moins d'un quart", "Environ la moitié", "Environ 80 %"),
        right=2,
    ),
    DefaultItem(
        "wheelchair",
        ItemKind.KNOWLEDGE,
        "Parmi les personnes handicapées, quelle part se déplace en fauteuil roulant ?",
        ("Moins de 5 %", "Environ 30 %", "Plus de la moitié"),
        right=0,
    ),
    DefaultItem(
        "pole_mission",
        ItemKind.KNOWLEDGE,
        "À quoi sert un pôle ressources handicap ?",
        (
            "À soigner les enfants handicapés",
            "À aider les crèches, les accueils de loisirs et les familles à accueillir "
            "tous les enfants",
            "À orienter les enfants vers des établissements spécialisés",
        ),
        right=1,
    ),
    DefaultItem(
        "boccia",
        ItemKind.KNOWLEDGE,
        "La boccia est :",
        (
            "Un sport paralympique de précision, proche de la pétanque",
            "Un jeu de cartes italien",
            "Une danse en fauteuil",
        ),
        right=0,
    ),
    DefaultItem(
        "same_activities",
        ItemKind.ATTITUDE,
        "Un enfant en situation de handicap peut aller au centre de loisirs avec les autres.",
    ),
    DefaultItem(
        "at_ease",
        ItemKind.ATTITUDE,
        "Je me sentirais à l'aise pour faire équipe avec une personne en situation de handicap.",
    ),
    DefaultItem(
        "pity",
        ItemKind.ATTITUDE,
        "Les personnes handicapées ont surtout besoin qu'on les plaigne.",
        reverse=True,
    ),
    DefaultItem(
        "sport",
        ItemKind.ATTITUDE,
        "Une personne en fauteuil roulant ne peut pas faire de sport en compétition.",
        reverse=True,
    ),
)
