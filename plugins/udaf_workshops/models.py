"""The UDAF workshops' tables. All tenant-owned: each pole signs its own conventions.

Foreign keys between these tables are composite ``(tenant_id, x_id)``; core's partner,
family, staff member and commune are reached through ``core.sdk``'s references, so the
database itself refuses a workshop of one pole registering another pole's family.
Constraint names that the naming convention would make longer than PostgreSQL's 63
characters are given by hand.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

from sqlalchemy import CheckConstraint, Date, Numeric, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import sdk


class UdafWorkshopsConvention(sdk.TenantScoped, sdk.Timestamped, sdk.Base):
    """The yearly convention with the UDAF (a core partner): how many workshops it
    plans, over which territory, funded by whom."""

    __tablename__ = "udaf_workshops_conventions"
    __table_args__ = (
        sdk.PARTNER.key("partner_id", name="fk_udaf_workshops_conventions_partner"),
        sdk.tenant_unique("partner_id", "year", name="uq_udaf_workshops_conventions_partner_year"),
        sdk.tenant_index("ix_udaf_workshops_conventions_year", "year"),
        CheckConstraint("workshops_planned BETWEEN 1 AND 100", name="planned"),
    )

    partner_id: Mapped[uuid.UUID] = sdk.PARTNER.column()
    year: Mapped[int]
    workshops_planned: Mapped[int]
    # Where the workshops travel, in the pole's words ("tout le département", "Combrailles
    # et Livradois-Forez").
    territory: Mapped[str] = mapped_column(String(200))
    # Who pays (the CAF through the REAAP, the Département…), and how much.
    funder: Mapped[str] = mapped_column(String(200), default="")
    funding_amount: Mapped[decimal.Decimal | None] = mapped_column(Numeric(10, 2))
    # A vocabulary.ConventionStatus code.
    status: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str] = mapped_column(Text, default="", info=sdk.max_chars(sdk.NOTE))

    workshops: Mapped[list[UdafWorkshopsWorkshop]] = relationship(
        back_populates="convention",
        primaryjoin=sdk.tenant_join(
            "UdafWorkshopsConvention", "UdafWorkshopsWorkshop", "convention_id"
        ),
        order_by=lambda: (UdafWorkshopsWorkshop.held_on, UdafWorkshopsWorkshop.start_time),
        lazy="raise",
    )


class UdafWorkshopsWorkshop(sdk.TenantScoped, sdk.Timestamped, sdk.Base):
    """One parenting-support workshop of a convention: a date, a commune, a theme."""

    __tablename__ = "udaf_workshops_workshops"
    __table_args__ = (
        sdk.tenant_fk(
            ["convention_id"],
            "udaf_workshops_conventions",
            name="fk_udaf_workshops_workshops_convention",
        ),
        sdk.COMMUNE.key("commune_insee", name="fk_udaf_workshops_workshops_commune"),
        sdk.tenant_index("ix_udaf_workshops_workshops_convention", "convention_id"),
        sdk.tenant_index("ix_udaf_workshops_workshops_held_on", "held_on"),
        CheckConstraint("end_time > start_time", name="times"),
        CheckConstraint("minimum_participants BETWEEN 1 AND capacity", name="minimum"),
        CheckConstraint(
            "(status = 'cancelled') = (cancel_reason IS NOT NULL)", name="cancel_reason"
        ),
    )

    convention_id: Mapped[uuid.UUID]
    held_on: Mapped[dt.date] = mapped_column(Date)
    start_time: Mapped[dt.time] = mapped_column(Time)
    end_time: Mapped[dt.time] = mapped_column(Time)
    commune_insee: Mapped[str] = sdk.COMMUNE.column()
    # The room: "Maison des associations, salle 2".
    place: Mapped[str] = mapped_column(String(200), default="")
    theme: Mapped[str] = mapped_column(String(200))
    # Seats for parents; registrations beyond go to the waiting list.
    capacity: Mapped[int]
    # Below this many parents registered, the workshop is not worth holding.
    minimum_participants: Mapped[int]
    # A vocabulary.WorkshopStatus code.
    status: Mapped[str] = mapped_column(String(20))
    # A vocabulary.CancelReason code, set exactly when cancelled.
    cancel_reason: Mapped[str | None] = mapped_column(String(30))
    cancel_note: Mapped[str] = mapped_column(Text, default="", info=sdk.max_chars(sdk.NOTE))
    cancelled_on: Mapped[dt.date | None] = mapped_column(Date)

    convention: Mapped[UdafWorkshopsConvention] = relationship(
        back_populates="workshops",
        primaryjoin=sdk.tenant_join(
            "UdafWorkshopsConvention", "UdafWorkshopsWorkshop", "convention_id"
        ),
        lazy="raise",
    )
    facilitators: Mapped[list[UdafWorkshopsFacilitator]] = relationship(
        back_populates="workshop",
        cascade="all, delete-orphan",
        primaryjoin=sdk.tenant_join(
            "UdafWorkshopsWorkshop", "UdafWorkshopsFacilitator", "workshop_id"
        ),
        order_by=lambda: (UdafWorkshopsFacilitator.side, UdafWorkshopsFacilitator.name),
        lazy="raise",
    )


class UdafWorkshopsFacilitator(sdk.TenantScoped, sdk.Base):
    """Who runs a workshop: a member of the pole's team (an account) or a UDAF
    professional (a name: the UDAF's staff have no account here)."""

    __tablename__ = "udaf_workshops_facilitators"
    __table_args__ = (
        sdk.tenant_fk(
            ["workshop_id"],
            "udaf_workshops_workshops",
            ondelete="CASCADE",
            name="fk_udaf_workshops_facilitators_workshop",
        ),
        sdk.STAFF_MEMBER.key("staff_member_id", name="fk_udaf_workshops_facilitators_staff"),
        sdk.tenant_index("ix_udaf_workshops_facilitators_workshop", "workshop_id"),
        CheckConstraint(
            "(side = 'pole') = (staff_member_id IS NOT NULL)", name="side_staff_member"
        ),
    )

    workshop_id: Mapped[uuid.UUID]
    # A vocabulary.FacilitatorSide code.
    side: Mapped[str] = mapped_column(String(10))
    staff_member_id: Mapped[uuid.UUID | None] = sdk.STAFF_MEMBER.column(nullable=True)
    # The UDAF professional's name; for the pole's staff, the display name when added.
    name: Mapped[str] = mapped_column(String(200))

    workshop: Mapped[UdafWorkshopsWorkshop] = relationship(
        back_populates="facilitators",
        primaryjoin=sdk.tenant_join(
            "UdafWorkshopsWorkshop", "UdafWorkshopsFacilitator", "workshop_id"
        ),
        lazy="raise",
    )


class UdafWorkshopsParent(sdk.TenantScoped, sdk.Timestamped, sdk.Base):
    """A parent not yet known to the pole: a light record with a way to reach them and
    their consent, until it becomes a family (``family_id``) or is erased."""

    __tablename__ = "udaf_workshops_parents"
    __table_args__ = (
        sdk.FAMILY.key("family_id", ondelete="CASCADE", name="fk_udaf_workshops_parents_family"),
        sdk.COMMUNE.key("commune_insee", name="fk_udaf_workshops_parents_commune"),
        sdk.tenant_index("ix_udaf_workshops_parents_family", "family_id"),
        sdk.tenant_index("ix_udaf_workshops_parents_name", "last_name", "first_name"),
        CheckConstraint("email <> '' OR phone <> ''", name="contact"),
    )

    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    commune_insee: Mapped[str | None] = sdk.COMMUNE.column(nullable=True)
    # The day the parent agreed that the pole keeps these details for the workshops.
    consent_on: Mapped[dt.date] = mapped_column(Date)
    # Set when the parent became a family of the pole.
    family_id: Mapped[uuid.UUID | None] = sdk.FAMILY.column(nullable=True)


class UdafWorkshopsRegistration(sdk.TenantScoped, sdk.Timestamped, sdk.Base):
    """A family of the pole, or a parent not yet known to it, registered for a
    workshop (or on its waiting list), and how many came."""

    __tablename__ = "udaf_workshops_registrations"
    __table_args__ = (
        sdk.tenant_fk(
            ["workshop_id"],
            "udaf_workshops_workshops",
            name="fk_udaf_workshops_registrations_workshop",
        ),
        sdk.FAMILY.key(
            "family_id", ondelete="CASCADE", name="fk_udaf_workshops_registrations_family"
        ),
        sdk.tenant_fk(
            ["parent_id"],
            "udaf_workshops_parents",
            ondelete="CASCADE",
            name="fk_udaf_workshops_registrations_parent",
        ),
        sdk.tenant_index("ix_udaf_workshops_registrations_workshop", "workshop_id"),
        sdk.tenant_index("ix_udaf_workshops_registrations_family", "family_id"),
        sdk.tenant_index("ix_udaf_workshops_registrations_parent", "parent_id"),
        CheckConstraint("(family_id IS NULL) <> (parent_id IS NULL)", name="who"),
        CheckConstraint("seats BETWEEN 1 AND 4", name="seats"),
        CheckConstraint("present IS NULL OR present BETWEEN 0 AND seats", name="present"),
    )

    workshop_id: Mapped[uuid.UUID]
    family_id: Mapped[uuid.UUID | None] = sdk.FAMILY.column(nullable=True)
    parent_id: Mapped[uuid.UUID | None]
    # Parents coming (a couple counts two).
    seats: Mapped[int] = mapped_column(default=1)
    # A vocabulary.RegistrationStatus code.
    status: Mapped[str] = mapped_column(String(20))
    # Parents who came; None until the attendance is recorded.
    present: Mapped[int | None]
    # Where reminders and a cancellation are sent for a family (a light record keeps
    # its own address); may stay empty: the pole then phones.
    email: Mapped[str] = mapped_column(String(254), default="")
    # The reminder mail sent before the workshop (at most once).
    reminded_on: Mapped[dt.date | None] = mapped_column(Date)

    workshop: Mapped[UdafWorkshopsWorkshop] = relationship(
        primaryjoin=sdk.tenant_join(
            "UdafWorkshopsWorkshop", "UdafWorkshopsRegistration", "workshop_id"
        ),
        lazy="raise",
    )
    parent: Mapped[UdafWorkshopsParent | None] = relationship(
        primaryjoin=sdk.tenant_join(
            "UdafWorkshopsParent", "UdafWorkshopsRegistration", "parent_id"
        ),
        lazy="raise",
    )


MODELS: tuple[type[sdk.Base], ...] = (
    UdafWorkshopsConvention,
    UdafWorkshopsWorkshop,
    UdafWorkshopsFacilitator,
    UdafWorkshopsParent,
    UdafWorkshopsRegistration,
)


@sdk.hookimpl
def maillage_models() -> list[type]:
    return list(MODELS)


Convention = UdafWorkshopsConvention
Workshop = UdafWorkshopsWorkshop
Facilitator = UdafWorkshopsFacilitator
Parent = UdafWorkshopsParent
Registration = UdafWorkshopsRegistration
