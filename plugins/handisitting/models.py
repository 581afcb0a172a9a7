"""Handisitting's tables. All tenant-owned: each pole vets its own sitters.

Foreign keys between these tables are composite ``(tenant_id, x_id)``, and so are the
keys to core's family and child (``sdk.FAMILY.key``): a booking of one pole can never
point at another pole's child. Constraint names that the naming convention would make
longer than PostgreSQL's 63 characters are given by hand.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    Time,
)
from sqlalchemy.orm import Mapped, mapped_column

from core import sdk


def _sitter_fk(table: str, ondelete: str | None = "CASCADE") -> object:
    return sdk.tenant_fk(
        ["sitter_id"], "handisitting_sitters", ondelete=ondelete, name=f"fk_{table}_sitter"
    )


class HandisittingSkill(sdk.TenantScoped, sdk.Base):
    """A skill the pole added to the default vocabulary (``vocabulary.DEFAULT_SKILLS``)."""

    __tablename__ = "handisitting_skills"
    __table_args__ = (sdk.tenant_unique("code"),)

    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))


class HandisittingSitter(sdk.TenantScoped, sdk.Timestamped, sdk.Base):
    """A person who applied to sit children at home, and where their vetting stands."""

    __tablename__ = "handisitting_sitters"
    __table_args__ = (
        sdk.COMMUNE.key("commune_insee", name="fk_handisitting_sitters_commune"),
        sdk.STAFF_MEMBER.key("user_id", name="fk_handisitting_sitters_user"),
        sdk.tenant_unique("user_id", name="uq_handisitting_sitters_user"),
        sdk.tenant_index("ix_handisitting_sitters_name", "last_name", "first_name"),
        sdk.tenant_index("ix_handisitting_sitters_status", "status"),
        CheckConstraint("travel_km >= 0 AND travel_km <= 200", name="travel_km"),
    )

    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(30), default="")
    commune_insee: Mapped[str] = sdk.COMMUNE.column()
    # How far they are willing to travel, as the crow flies from their commune.
    travel_km: Mapped[int] = mapped_column(Integer)
    # A vocabulary.Background code, and in their words what they study or did.
    background: Mapped[str] = mapped_column(String(20))
    background_detail: Mapped[str] = mapped_column(Text, default="", info=sdk.max_chars(sdk.NOTE))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Skill codes: the default vocabulary's and the pole's own.
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    # A vocabulary.SitterStatus code; the history is in HandisittingVettingStep.
    status: Mapped[str] = mapped_column(String(20), default="applied")
    # The sitter's account (role ``sitter``), once the pole invited them.
    user_id: Mapped[uuid.UUID | None] = sdk.STAFF_MEMBER.column(nullable=True)


class HandisittingVettingStep(sdk.TenantScoped, sdk.Base):
    """One step of a sitter's vetting, by a staff member, with the reason given."""

    __tablename__ = "handisitting_vetting_steps"
    __table_args__ = (
        _sitter_fk("handisitting_vetting_steps"),
        sdk.tenant_index("ix_handisitting_vetting_steps_sitter", "sitter_id", "at"),
    )

    sitter_id: Mapped[uuid.UUID]
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="", info=sdk.max_chars(sdk.NOTE))
    by: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class HandisittingAvailability(sdk.TenantScoped, sdk.Base):
    """A weekly slot the sitter is free (Wednesday 13:30–18:00)."""

    __tablename__ = "handisitting_availabilities"
    __table_args__ = (
        _sitter_fk("handisitting_availabilities"),
        sdk.tenant_index("ix_handisitting_availabilities_sitter", "sitter_id"),
        CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday"),
        CheckConstraint("ends_at > starts_at", name="times"),
    )

    sitter_id: Mapped[uuid.UUID]
    weekday: Mapped[int] = mapped_column(SmallInteger)  # 0 = Monday
    starts_at: Mapped[dt.time] = mapped_column(Time)
    ends_at: Mapped[dt.time] = mapped_column(Time)


class HandisittingUnavailability(sdk.TenantScoped, sdk.Base):
    """An exception to the weekly slots: the sitter is away these days (exams, holidays)."""

    __tablename__ = "handisitting_unavailabilities"
    __table_args__ = (
        _sitter_fk("handisitting_unavailabilities"),
        sdk.tenant_index("ix_handisitting_unavailabilities_sitter", "sitter_id"),
        CheckConstraint("ends_on >= starts_on", name="dates"),
    )

    sitter_id: Mapped[uuid.UUID]
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(200), default="")


class HandisittingDocument(sdk.TenantScoped, sdk.Timestamped, sdk.Base):
    """A sitter's document with its dates, its file sealed in the database (decision 136)."""

    __tablename__ = "handisitting_documents"
    __table_args__ = (
        _sitter_fk("handisitting_documents"),
        sdk.tenant_index("ix_handisitting_documents_sitter", "sitter_id", "kind"),
        sdk.tenant_index("ix_handisitting_documents_expires", "expires_on"),
    )

    sitter_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    # AES-256-GCM (sdk.seal), the row's id bound: None once purged after retention.
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date | None] = mapped_column(Date)
    checked_by: Mapped[str | None] = mapped_column(String(200))
    checked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The day its expiry reminder was mailed (once per document: reminders.py).
    reminded_on: Mapped[dt.date | None] = mapped_column(Date)


class HandisittingRequest(sdk.TenantScoped, sdk.Timestamped, sdk.Base):
    """A family's request for sittings at home for one of its children."""

    __tablename__ = "handisitting_requests"
    __table_args__ = (
        sdk.FAMILY.key("family_id", ondelete="CASCADE", name="fk_handisitting_requests_family"),
        sdk.CHILD.key("child_id", ondelete="CASCADE", name="fk_handisitting_requests_child"),
        sdk.COMMUNE.key("commune_insee", name="fk_handisitting_requests_commune"),
        sdk.tenant_index("ix_handisitting_requests_family", "family_id"),
        sdk.tenant_index("ix_handisitting_requests_status", "status", "first_on"),
        CheckConstraint("last_on >= first_on", name="dates"),
        CheckConstraint("ends_at > starts_at", name="times"),
    )

    family_id: Mapped[uuid.UUID] = sdk.FAMILY.column()
    child_id: Mapped[uuid.UUID] = sdk.CHILD.column()
    # The needs sheet: what a sitter must know to look after the child. Shared with a
    # sitter only under an agreed booking and the family's consent (decision 137).
    needs: Mapped[str] = mapped_column(Text, info=sdk.max_chars(sdk.NOTE))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Where the sittings take place (the family's home).
    commune_insee: Mapped[str] = sdk.COMMUNE.column()
    # One-off: first_on == last_on and weekly False; weekly: every week on first_on's
    # weekday, from first_on to last_on.
    first_on: Mapped[dt.date] = mapped_column(Date)
    last_on: Mapped[dt.date] = mapped_column(Date)
    weekly: Mapped[bool] = mapped_column(Boolean, default=False)
    starts_at: Mapped[dt.time] = mapped_column(Time)
    ends_at: Mapped[dt.time] = mapped_column(Time)
    status: Mapped[str] = mapped_column(String(20), default="open")
    unmatched_reason: Mapped[str | None] = mapped_column(String(30))
    recorded_by: Mapped[str] = mapped_column(String(200))


class HandisittingProposal(sdk.TenantScoped, sdk.Timestamped, sdk.Base):
    """Staff propose a sitter for a request, with the score that ranked them."""

    __tablename__ = "handisitting_proposals"
    __table_args__ = (
        sdk.tenant_fk(
            ["request_id"],
            "handisitting_requests",
            ondelete="CASCADE",
            name="fk_handisitting_proposals_request",
        ),
        _sitter_fk("handisitting_proposals"),
        sdk.tenant_unique("request_id", "sitter_id", name="uq_handisitting_proposals_pair"),
        sdk.tenant_index("ix_handisitting_proposals_sitter", "sitter_id", "status"),
    )

    request_id: Mapped[uuid.UUID]
    sitter_id: Mapped[uuid.UUID]
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    # The score's parts when proposed ({"skills": {...}, "distance": {...}, …, "total"}).
    score: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    # What staff were warned of and proposed anyway (a skill not covered…).
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    proposed_by: Mapped[str] = mapped_column(String(200))
    answer_note: Mapped[str] = mapped_column(Text, default="", info=sdk.max_chars(sdk.NOTE))
    met_on: Mapped[dt.date | None] = mapped_column(Date)


class HandisittingBooking(sdk.TenantScoped, sdk.Timestamped, sdk.Base):
    """The family agreed, after the first meeting: the sittings are booked."""

    __tablename__ = "handisitting_bookings"
    __table_args__ = (
        sdk.tenant_fk(
            ["proposal_id"], "handisitting_proposals", name="fk_handisitting_bookings_proposal"
        ),
        sdk.tenant_fk(
            ["request_id"],
            "handisitting_requests",
            ondelete="CASCADE",
            name="fk_handisitting_bookings_request",
        ),
        _sitter_fk("handisitting_bookings", ondelete=None),
        sdk.FAMILY.key("family_id", ondelete="CASCADE", name="fk_handisitting_bookings_family"),
        sdk.CHILD.key("child_id", ondelete="CASCADE", name="fk_handisitting_bookings_child"),
        sdk.tenant_unique("proposal_id", name="uq_handisitting_bookings_proposal"),
        sdk.tenant_index("ix_handisitting_bookings_sitter", "sitter_id", "status"),
        sdk.tenant_index("ix_handisitting_bookings_family", "family_id"),
    )

    proposal_id: Mapped[uuid.UUID]
    request_id: Mapped[uuid.UUID]
    sitter_id: Mapped[uuid.UUID]
    family_id: Mapped[uuid.UUID] = sdk.FAMILY.column()
    child_id: Mapped[uuid.UUID] = sdk.CHILD.column()
    status: Mapped[str] = mapped_column(String(20), default="confirmed")
    agreed_on: Mapped[dt.date] = mapped_column(Date)
    agreed_by: Mapped[str] = mapped_column(String(200))
    # The needs sheet stays open to the sitter until this day included (decision 137).
    share_until: Mapped[dt.date] = mapped_column(Date)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_by: Mapped[str | None] = mapped_column(String(10))  # a vocabulary.Side code
    cancel_reason: Mapped[str | None] = mapped_column(Text, info=sdk.max_chars(sdk.NOTE))


class HandisittingSitting(sdk.TenantScoped, sdk.Base):
    """One sitting of a booking: a date and hours; done, cancelled or missed."""

    __tablename__ = "handisitting_sittings"
    __table_args__ = (
        sdk.tenant_fk(
            ["booking_id"],
            "handisitting_bookings",
            ondelete="CASCADE",
            name="fk_handisitting_sittings_booking",
        ),
        _sitter_fk("handisitting_sittings", ondelete=None),
        sdk.tenant_index("ix_handisitting_sittings_sitter_on", "sitter_id", "on"),
        sdk.tenant_index("ix_handisitting_sittings_booking", "booking_id", "on"),
        CheckConstraint("ends_at > starts_at", name="times"),
    )

    booking_id: Mapped[uuid.UUID]
    sitter_id: Mapped[uuid.UUID]
    on: Mapped[dt.date] = mapped_column(Date)
    starts_at: Mapped[dt.time] = mapped_column(Time)
    ends_at: Mapped[dt.time] = mapped_column(Time)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    # Kept with the times so that hours add up in SQL on every database (indicators).
    minutes: Mapped[int] = mapped_column(Integer)
    # Who cancelled it (a vocabulary.Side code) and why: the one sitting, or its whole
    # booking (then the booking's own who and why).
    cancelled_by: Mapped[str | None] = mapped_column(String(10))
    cancel_reason: Mapped[str | None] = mapped_column(Text, info=sdk.max_chars(sdk.NOTE))

    @property
    def hours(self) -> float:
        return self.minutes / 60


def minutes_between(starts_at: dt.time, ends_at: dt.time) -> int:
    return (ends_at.hour * 60 + ends_at.minute) - (starts_at.hour * 60 + starts_at.minute)


class HandisittingFeedback(sdk.TenantScoped, sdk.Timestamped, sdk.Base):
    """A side's feedback on one sitting: 1 to 4 and a comment."""

    __tablename__ = "handisitting_feedback"
    __table_args__ = (
        sdk.tenant_fk(
            ["sitting_id"],
            "handisitting_sittings",
            ondelete="CASCADE",
            name="fk_handisitting_feedback_sitting",
        ),
        sdk.tenant_unique("sitting_id", "side", name="uq_handisitting_feedback_side"),
        CheckConstraint("rating >= 1 AND rating <= 4", name="rating"),
    )

    sitting_id: Mapped[uuid.UUID]
    side: Mapped[str] = mapped_column(String(10))
    rating: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(Text, default="", info=sdk.max_chars(sdk.NOTE))


class HandisittingIncident(sdk.TenantScoped, sdk.Timestamped, sdk.Base):
    """Something went wrong during a sitting; the pole's staff are alerted."""

    __tablename__ = "handisitting_incidents"
    __table_args__ = (
        sdk.tenant_fk(
            ["booking_id"],
            "handisitting_bookings",
            ondelete="CASCADE",
            name="fk_handisitting_incidents_booking",
        ),
        sdk.tenant_index("ix_handisitting_incidents_open", "handled_at"),
    )

    booking_id: Mapped[uuid.UUID]
    reported_by: Mapped[str] = mapped_column(String(10))  # a vocabulary.Side code
    happened_on: Mapped[dt.date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, info=sdk.max_chars(sdk.NOTE))
    handled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


MODELS: tuple[type[sdk.Base], ...] = (
    HandisittingSkill,
    HandisittingSitter,
    HandisittingVettingStep,
    HandisittingAvailability,
    HandisittingUnavailability,
    HandisittingDocument,
    HandisittingRequest,
    HandisittingProposal,
    HandisittingBooking,
    HandisittingSitting,
    HandisittingFeedback,
    HandisittingIncident,
)

Skill = HandisittingSkill
Sitter = HandisittingSitter
VettingStep = HandisittingVettingStep
Availability = HandisittingAvailability
Unavailability = HandisittingUnavailability
Document = HandisittingDocument
Request = HandisittingRequest
Proposal = HandisittingProposal
Booking = HandisittingBooking
Sitting = HandisittingSitting
Feedback = HandisittingFeedback
Incident = HandisittingIncident
