"""Handisitting's figures, defined once with their dimensions (plugin API 1.1): core
computes totals and breakdowns from these facts in the pole's scoped session, for the
pole's screens, the annual report and the network's releases.

A sitting counts in the period it took place; a booking in the period it was agreed;
a request left unmatched in the period of its first asked sitting.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.sql import Select

from core import sdk
from plugins.handisitting.models import Booking, Request, Sitter, Sitting
from plugins.handisitting.vocabulary import (
    BACKGROUND_LABELS,
    UNMATCHED_LABELS,
    BookingStatus,
    SittingStatus,
)

BACKGROUND = sdk.Dimension(
    "background",
    "Études ou expérience de l'intervenant·e",
    labels={k.value: v for k, v in BACKGROUND_LABELS.items()},
    coarse=True,
)
REASON = sdk.Dimension(
    "reason",
    "Pourquoi sans garde",
    labels={k.value: v for k, v in UNMATCHED_LABELS.items()},
    coarse=True,
)
BOOKING_STATUS = sdk.Dimension(
    "booking_status",
    "État de la garde",
    labels={s.value: s.label for s in BookingStatus},
    coarse=True,
)


def _done(scope: sdk.FigureScope) -> Select:
    """Sittings done in the period, with their family's commune."""
    return (
        select(Sitting.id)
        .join(Booking, Booking.id == Sitting.booking_id)
        .join(Request, Request.id == Booking.request_id)
        .where(
            Sitting.status == SittingStatus.DONE.value,
            Sitting.on >= scope.period.start,
            Sitting.on < scope.period.end,
        )
    )


def _families_helped(scope: sdk.FigureScope) -> Select:
    return _done(scope).with_only_columns(
        Booking.family_id.label("unit"),
        Request.commune_insee.label(sdk.COMMUNE_DIMENSION.code),
        sdk.epci_of(Request.commune_insee).label(sdk.EPCI_DIMENSION.code),
    )


def _hours(scope: sdk.FigureScope) -> Select:
    return _done(scope).with_only_columns(
        Sitting.id.label("unit"),
        (Sitting.minutes / 60.0).label("value"),
        Request.commune_insee.label(sdk.COMMUNE_DIMENSION.code),
        sdk.epci_of(Request.commune_insee).label(sdk.EPCI_DIMENSION.code),
    )


def _active_sitters(scope: sdk.FigureScope) -> Select:
    return (
        _done(scope)
        .join(Sitter, Sitter.id == Sitting.sitter_id)
        .with_only_columns(Sitter.id.label("unit"), Sitter.background.label(BACKGROUND.code))
    )


def _bookings(scope: sdk.FigureScope) -> Select:
    return select(
        Booking.id.label("unit"),
        Booking.status.label(BOOKING_STATUS.code),
    ).where(Booking.agreed_on >= scope.period.start, Booking.agreed_on < scope.period.end)


def _unmatched(scope: sdk.FigureScope) -> Select:
    return select(Request.id.label("unit"), Request.unmatched_reason.label(REASON.code)).where(
        Request.unmatched_reason.is_not(None),
        Request.first_on >= scope.period.start,
        Request.first_on < scope.period.end,
    )


FIGURES = [
    sdk.IndicatorSpec(
        name="handisitting.families_helped",
        title="Familles aidées par le handisitting",
        unit="familles",
        description="Familles dont au moins une garde a été faite dans la période, par "
        "commune et EPCI du lieu de garde.",
        dimensions=(sdk.COMMUNE_DIMENSION, sdk.EPCI_DIMENSION),
        facts=_families_helped,
        counts_persons=True,
    ),
    sdk.IndicatorSpec(
        name="handisitting.sitting_hours",
        title="Heures de garde à domicile",
        unit="heures",
        description="Heures des gardes faites dans la période, par commune et EPCI.",
        dimensions=(sdk.COMMUNE_DIMENSION, sdk.EPCI_DIMENSION),
        facts=_hours,
        measure="sum",
    ),
    sdk.IndicatorSpec(
        name="handisitting.bookings",
        title="Gardes convenues",
        unit="gardes",
        description="Gardes convenues avec les familles dans la période, par état.",
        dimensions=(BOOKING_STATUS,),
        facts=_bookings,
    ),
    sdk.IndicatorSpec(
        name="handisitting.active_sitters",
        title="Intervenant·es actif·ves",
        unit="personnes",
        description="Intervenant·es ayant fait au moins une garde dans la période, par "
        "études ou expérience.",
        dimensions=(BACKGROUND,),
        facts=_active_sitters,
        counts_persons=True,
    ),
    sdk.IndicatorSpec(
        name="handisitting.unmatched_requests",
        title="Demandes restées sans garde",
        unit="demandes",
        description="Demandes closes sans garde, par raison, comptées à la date de la "
        "première garde demandée.",
        dimensions=(REASON,),
        facts=_unmatched,
    ),
]
