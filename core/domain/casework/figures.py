"""The casework's figures: children followed, requests, interventions.

Each figure is one SELECT of facts (one row per counted unit); core computes totals and
breakdowns from it in the database (core/plugins/figures.py), for the activity report
and the national network alike.
"""

from __future__ import annotations

from sqlalchemy import Date, and_, func, literal, or_, select, true
from sqlalchemy.sql import Select

from core.contributions import Dimension, FigureScope, IndicatorSpec
from core.domain.casework.models import FollowUp, Intervention, Request
from core.domain.casework.vocabulary import (
    CHANNELS,
    INTERVENTION_KINDS,
    REQUESTER_KINDS,
    SUBJECTS,
)
from core.domain.families.models import Child
from core.domain.families.vocabulary import NEEDS
from core.domain.structures.models import Structure
from core.domain.structures.vocabulary import STRUCTURE_KINDS
from core.plugins.dimensions import (
    AGE_BRACKET,
    COMMUNE,
    EPCI,
    age_bracket,
    age_brackets,
    age_on,
    epci_of,
    json_elements,
    later_of,
)

NEEDS_PROFILE = Dimension(
    "needs_profile",
    "Profil des besoins",
    labels=NEEDS,
    coarse=True,
    multiple=True,
    description="Les besoins notés au dossier de l'enfant ; un enfant peut en avoir "
    "plusieurs (les cellules ne s'additionnent pas).",
)
REQUESTER_KIND = Dimension(
    "requester_kind", "Origine de la demande", labels=REQUESTER_KINDS, coarse=True
)
SUBJECT = Dimension(
    "subject",
    "Objet de la demande",
    labels=SUBJECTS,
    coarse=True,
    multiple=True,
    description="Une demande peut porter sur plusieurs objets.",
)
CHANNEL = Dimension("channel", "Canal", labels=CHANNELS, coarse=True)
INTERVENTION_KIND = Dimension(
    "intervention_kind", "Type d'intervention", labels=INTERVENTION_KINDS, coarse=True
)
STRUCTURE_KIND = Dimension(
    "structure_kind",
    "Type de structure",
    labels=STRUCTURE_KINDS,
    coarse=True,
    description="Le type de la structure où l'intervention a eu lieu (crèche, MAM, accueil "
    "de loisirs…) ; « non renseigné » pour une intervention hors structure.",
)


def _children_followed(scope: FigureScope) -> Select:
    start, end = literal(scope.period.start, Date), literal(scope.period.end, Date)
    # A child is followed in the period when one of their follow-ups was open during
    # it. Their age is taken on the reference date: the later of the period's start
    # and the opening of their first follow-up in the period (decision 119).
    followed = (
        select(
            FollowUp.child_id.label("child_id"),
            later_of(FollowUp.opened_on, start).label("reference"),
        )
        .where(
            FollowUp.opened_on < end,
            or_(FollowUp.closed_on.is_(None), FollowUp.closed_on >= start),
        )
        .subquery("followed")
    )
    first = (
        select(followed.c.child_id, func.min(followed.c.reference).label("reference"))
        .group_by(followed.c.child_id)
        .subquery("first_followed")
    )
    needs = json_elements(scope, Child.needs_profile, "needs")
    return (
        select(
            Child.id.label("unit"),
            age_bracket(
                age_on(Child.birth_date, first.c.reference), age_brackets(scope.settings)
            ).label(AGE_BRACKET.code),
            Child.commune_insee.label(COMMUNE.code),
            epci_of(Child.commune_insee).label(EPCI.code),
            needs.c.value.label(NEEDS_PROFILE.code),
        )
        .join(first, first.c.child_id == Child.id)
        .outerjoin(needs, true())
    )


def _requests(scope: FigureScope) -> Select:
    subjects = json_elements(scope, Request.subjects, "subjects")
    return (
        select(
            Request.id.label("unit"),
            Request.requester_kind.label(REQUESTER_KIND.code),
            subjects.c.value.label(SUBJECT.code),
            Request.channel.label(CHANNEL.code),
        )
        .outerjoin(subjects, true())
        .where(Request.received_on >= scope.period.start, Request.received_on < scope.period.end)
    )


def _interventions(scope: FigureScope) -> Select:
    return (
        select(
            Intervention.id.label("unit"),
            Intervention.kind.label(INTERVENTION_KIND.code),
            Structure.kind.label(STRUCTURE_KIND.code),
        )
        .outerjoin(Structure, Structure.id == Intervention.structure_id)
        .where(
            and_(
                Intervention.happened_on >= scope.period.start,
                Intervention.happened_on < scope.period.end,
            )
        )
    )


FIGURES = [
    IndicatorSpec(
        "casework.children_followed",
        "Enfants suivis",
        "enfants",
        description="Enfants dont un suivi était ouvert pendant la période (chacun compté "
        "une fois), par tranche d'âge à la date de référence, commune, EPCI et profil "
        "des besoins.",
        dimensions=(AGE_BRACKET, COMMUNE, EPCI, NEEDS_PROFILE),
        facts=_children_followed,
        counts_persons=True,
    ),
    IndicatorSpec(
        "casework.requests",
        "Demandes reçues",
        "demandes",
        description="Demandes reçues pendant la période, par origine, objet et canal.",
        dimensions=(REQUESTER_KIND, SUBJECT, CHANNEL),
        facts=_requests,
        counts_persons=True,
    ),
    IndicatorSpec(
        "casework.interventions",
        "Interventions",
        "interventions",
        description="Interventions réalisées pendant la période, par type et par type de "
        "structure.",
        dimensions=(INTERVENTION_KIND, STRUCTURE_KIND),
        facts=_interventions,
        counts_persons=True,
    ),
]
