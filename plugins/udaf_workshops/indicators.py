"""The UDAF workshops' figures, defined once with their dimensions (plugin API 1.1):
core computes totals and breakdowns from these facts in the pole's scoped session.

A workshop falls in a period by its date; a convention's planned workshops by its
year (its 1 January in the period). Cells carry codes (``too_few_participants``…)
and their French labels: the national network compares poles by code.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import literal, select
from sqlalchemy.sql import Select

from core import sdk
from plugins.udaf_workshops.models import Convention, Registration, Workshop
from plugins.udaf_workshops.vocabulary import CancelReason, RegistrationStatus, WorkshopStatus

STATUS = sdk.Dimension(
    "status",
    "Statut de l'atelier",
    labels=WorkshopStatus.labels(),
    coarse=True,
)
CANCEL_REASON = sdk.Dimension(
    "cancel_reason",
    "Raison de l'annulation",
    labels=CancelReason.labels(),
    coarse=True,
)


def _years(period: sdk.Period) -> list[int]:
    return [
        y
        for y in range(period.start.year, period.end.year + 1)
        if period.start <= dt.date(y, 1, 1) < period.end
    ]


def _in(scope: sdk.FigureScope) -> list[object]:
    return [Workshop.held_on >= scope.period.start, Workshop.held_on < scope.period.end]


def _planned(scope: sdk.FigureScope) -> Select:
    return select(Convention.id.label("unit"), Convention.workshops_planned.label("value")).where(
        Convention.year.in_(_years(scope.period))
    )


def _workshops(scope: sdk.FigureScope) -> Select:
    return select(
        Workshop.id.label("unit"),
        Workshop.status.label(STATUS.code),
        Workshop.commune_insee.label(sdk.COMMUNE_DIMENSION.code),
        sdk.epci_of(Workshop.commune_insee).label(sdk.EPCI_DIMENSION.code),
    ).where(*_in(scope))


def _held(scope: sdk.FigureScope) -> Select:
    return _workshops(scope).where(Workshop.status == WorkshopStatus.HELD.value)


def _cancelled(scope: sdk.FigureScope) -> Select:
    return select(
        Workshop.id.label("unit"),
        Workshop.cancel_reason.label(CANCEL_REASON.code),
        Workshop.commune_insee.label(sdk.COMMUNE_DIMENSION.code),
    ).where(*_in(scope), Workshop.status == WorkshopStatus.CANCELLED.value)


def _registered(scope: sdk.FigureScope) -> Select:
    return (
        select(
            Registration.id.label("unit"),
            Registration.seats.label("value"),
            Workshop.status.label(STATUS.code),
            Workshop.commune_insee.label(sdk.COMMUNE_DIMENSION.code),
            sdk.epci_of(Workshop.commune_insee).label(sdk.EPCI_DIMENSION.code),
        )
        .join(Registration.workshop)
        .where(*_in(scope), Registration.status == RegistrationStatus.REGISTERED.value)
    )


def _present(scope: sdk.FigureScope) -> Select:
    return (
        select(
            Registration.id.label("unit"),
            Registration.present.label("value"),
            Workshop.commune_insee.label(sdk.COMMUNE_DIMENSION.code),
            sdk.epci_of(Workshop.commune_insee).label(sdk.EPCI_DIMENSION.code),
        )
        .join(Registration.workshop)
        .where(*_in(scope), Registration.present > literal(0))
    )


workshops_planned = sdk.IndicatorSpec(
    name="udaf_workshops.workshops_planned",
    title="Ateliers parentalité prévus par convention",
    unit="ateliers",
    description="Ateliers que prévoient les conventions avec l'UDAF de l'année.",
    facts=_planned,
    measure="sum",
)
workshops = sdk.IndicatorSpec(
    name="udaf_workshops.workshops",
    title="Ateliers parentalité planifiés",
    unit="ateliers",
    description="Ateliers datés dans la période, par statut (prévu, confirmé, maintenu, "
    "annulé), commune et EPCI.",
    dimensions=(STATUS, sdk.COMMUNE_DIMENSION, sdk.EPCI_DIMENSION),
    facts=_workshops,
)
workshops_held = sdk.IndicatorSpec(
    name="udaf_workshops.workshops_held",
    title="Ateliers parentalité maintenus",
    unit="ateliers",
    description="Ateliers qui ont eu lieu dans la période, par commune et EPCI.",
    dimensions=(sdk.COMMUNE_DIMENSION, sdk.EPCI_DIMENSION),
    facts=_held,
)
workshops_cancelled = sdk.IndicatorSpec(
    name="udaf_workshops.workshops_cancelled",
    title="Ateliers parentalité annulés",
    unit="ateliers",
    description="Ateliers annulés dans la période, par raison (faute de participants…) "
    "et par commune.",
    dimensions=(CANCEL_REASON, sdk.COMMUNE_DIMENSION),
    facts=_cancelled,
)
parents_registered = sdk.IndicatorSpec(
    name="udaf_workshops.parents_registered",
    title="Parents inscrits aux ateliers parentalité",
    unit="parents",
    description="Parents inscrits (hors liste d'attente) aux ateliers de la période, par "
    "statut de l'atelier, commune et EPCI.",
    dimensions=(STATUS, sdk.COMMUNE_DIMENSION, sdk.EPCI_DIMENSION),
    facts=_registered,
    measure="sum",
    counts_persons=True,
)
parents_present = sdk.IndicatorSpec(
    name="udaf_workshops.parents_present",
    title="Parents venus aux ateliers parentalité",
    unit="parents",
    description="Parents présents aux ateliers maintenus de la période, par commune et EPCI.",
    dimensions=(sdk.COMMUNE_DIMENSION, sdk.EPCI_DIMENSION),
    facts=_present,
    measure="sum",
    counts_persons=True,
)


@sdk.hookimpl
def maillage_indicators() -> list[sdk.IndicatorSpec]:
    return [
        workshops_planned,
        workshops,
        workshops_held,
        workshops_cancelled,
        parents_registered,
        parents_present,
    ]
