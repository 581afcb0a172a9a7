"""The SNU days' figures, defined once with their dimensions (plugin API 1.1): core
computes totals and breakdowns from these facts in the pole's scoped session, for the
pole's screens, the activity report and the network's releases alike.

A session belongs to the period of its first day; its groups, answers and right
answers with it. A cancelled session counts nowhere.
"""

from __future__ import annotations

from sqlalchemy import case, select
from sqlalchemy.sql import Select

from core import sdk
from plugins.snu_sessions.models import Group, QuizAnswer, QuizItem, QuizResponse, Session
from plugins.snu_sessions.vocabulary import PHASE_LABELS, ItemKind, Status

PHASE = sdk.Dimension(
    "phase",
    "Questionnaire",
    labels={k.value: v for k, v in PHASE_LABELS.items()},
    coarse=True,
    description="Avant ou après la journée.",
)


def _in(scope: sdk.FigureScope) -> list[object]:
    # A cancelled day did not take place: it counts nowhere (decision 169).
    return [
        Session.starts_on >= scope.period.start,
        Session.starts_on < scope.period.end,
        Session.status != Status.CANCELLED.value,
    ]


def _sessions(scope: sdk.FigureScope) -> Select:
    return select(
        Session.id.label("unit"),
        Session.commune_insee.label(sdk.COMMUNE_DIMENSION.code),
        sdk.epci_of(Session.commune_insee).label(sdk.EPCI_DIMENSION.code),
    ).where(*_in(scope))


def _young_people(scope: sdk.FigureScope) -> Select:
    # Reached means present: a group whose attendance is not noted yet counts nobody.
    return (
        select(
            Group.id.label("unit"),
            Group.present.label("value"),
            Session.commune_insee.label(sdk.COMMUNE_DIMENSION.code),
            sdk.epci_of(Session.commune_insee).label(sdk.EPCI_DIMENSION.code),
        )
        .join(Group.session)
        .where(*_in(scope), Group.present.is_not(None))
    )


def _answers(scope: sdk.FigureScope) -> Select:
    return (
        select(QuizResponse.id.label("unit"), QuizResponse.phase.label(PHASE.code))
        .join(Session, Session.id == QuizResponse.session_id)
        .where(*_in(scope))
    )


def _right_answers(scope: sdk.FigureScope) -> Select:
    return (
        select(
            QuizAnswer.id.label("unit"),
            case((QuizAnswer.value == QuizItem.right_choice, 1), else_=0).label("value"),
            QuizResponse.phase.label(PHASE.code),
        )
        .join(QuizItem, QuizItem.id == QuizAnswer.item_id)
        .join(QuizResponse, QuizResponse.id == QuizAnswer.response_id)
        .join(Session, Session.id == QuizResponse.session_id)
        .where(*_in(scope), QuizItem.kind == ItemKind.KNOWLEDGE.value)
    )


sessions = sdk.IndicatorSpec(
    name="snu_sessions.sessions",
    title="Journées SNU",
    unit="sessions",
    description="Journées de sensibilisation des volontaires du SNU commencées dans la "
    "période (hors journées annulées), par commune et EPCI du centre.",
    dimensions=(sdk.COMMUNE_DIMENSION, sdk.EPCI_DIMENSION),
    facts=_sessions,
)

young_people = sdk.IndicatorSpec(
    name="snu_sessions.young_people",
    title="Volontaires SNU sensibilisés",
    unit="personnes",
    description="Volontaires présents aux journées de la période (présents notés par groupe), "
    "par commune et EPCI du centre.",
    dimensions=(sdk.COMMUNE_DIMENSION, sdk.EPCI_DIMENSION),
    facts=_young_people,
    measure="sum",
    counts_persons=True,
)

answers = sdk.IndicatorSpec(
    name="snu_sessions.answers",
    title="Réponses aux questionnaires SNU",
    unit="réponses",
    description="Réponses anonymes aux questionnaires avant et après des journées de la période.",
    dimensions=(PHASE,),
    facts=_answers,
)

right_answers = sdk.IndicatorSpec(
    name="snu_sessions.right_answers",
    title="Part de bonnes réponses aux questionnaires SNU",
    unit="part",
    description="Part des réponses justes aux questions de connaissances, avant et après la "
    "journée (ventilez par questionnaire pour voir l'évolution).",
    dimensions=(PHASE,),
    facts=_right_answers,
    measure="mean",
)

ALL = (sessions, young_people, answers, right_answers)
