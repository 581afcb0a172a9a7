"""The kits catalogue (kits and their components) and the loans (reservations, the
checklists at departure and return, the trips of the staff who deliver and collect).

No kit is lent twice on the same day: the database refuses overlapping loans itself
(migration 0010: an exclusion constraint on PostgreSQL, triggers on SQLite), so two
simultaneous reservations cannot both pass a check made before either is written.
A borrowing family is a person: loans are read through audited fields.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, CheckConstraint, Date, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, Timestamped
from core.db.limits import NOTE, max_chars
from core.tenancy.scoped import TenantScoped, tenant_fk, tenant_index, tenant_unique

# The name migration 0010 gives the database's no-overlap rule (constraint or trigger);
# the service recognises it in the error a refused write raises.
NO_OVERLAP = "kit_loans_no_overlap"


class Kit(TenantScoped, Timestamped, Base):
    __tablename__ = "kits"
    __table_args__ = (
        tenant_index("ix_kits_search", "search_name"),
        CheckConstraint(
            "age_min_months IS NULL OR age_max_months IS NULL OR age_min_months <= age_max_months",
            name="age_range",
        ),
    )

    name: Mapped[str] = mapped_column(String(200))
    search_name: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(String(20))
    series: Mapped[str] = mapped_column(String(100), default="")
    age_min_months: Mapped[int | None]
    age_max_months: Mapped[int | None]
    description: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))
    photo_url: Mapped[str | None] = mapped_column(String(500))
    # available, in_repair or retired; « out » is read from the loans.
    status: Mapped[str] = mapped_column(String(12), default="available")


class KitComponent(TenantScoped, Base):
    """One line of a kit's checklist: « Casque anti-bruit × 2 ». A component taken out
    of the kit is kept inactive: past checklists still name it."""

    __tablename__ = "kit_components"
    __table_args__ = (
        tenant_fk(["kit_id"], "kits", ondelete="CASCADE"),
        tenant_index("ix_kit_components_kit", "kit_id", "position"),
        CheckConstraint("quantity >= 1", name="quantity"),
    )

    kit_id: Mapped[uuid.UUID]
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class KitLoan(TenantScoped, Timestamped, Base):
    """A reservation then a loan of one kit for [starts_on, ends_on] (both days
    included), by one borrower: a structure, a gestionnaire or a family. A « surprise »
    request has no kit until the staff assign one."""

    __tablename__ = "kit_loans"
    __table_args__ = (
        tenant_fk(["kit_id"], "kits"),
        tenant_fk(["structure_id"], "structures"),
        tenant_fk(["organisation_id"], "organisations"),
        tenant_fk(["family_id"], "families", ondelete="CASCADE"),
        tenant_index("ix_kit_loans_kit", "kit_id", "starts_on"),
        tenant_index("ix_kit_loans_status", "status", "starts_on"),
        tenant_index("ix_kit_loans_family", "family_id"),
        CheckConstraint("ends_on >= starts_on", name="dates"),
        CheckConstraint(
            "(CASE WHEN structure_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN organisation_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN family_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_borrower",
        ),
        CheckConstraint(
            "returned_on IS NULL OR (departed_on IS NOT NULL AND returned_on >= departed_on)",
            name="return_after_departure",
        ),
    )

    kit_id: Mapped[uuid.UUID | None]
    # A surprise request: what the borrower would like (theme, words).
    surprise: Mapped[bool] = mapped_column(Boolean, default=False)
    wish_theme: Mapped[str | None] = mapped_column(String(20))
    wish: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    structure_id: Mapped[uuid.UUID | None]
    organisation_id: Mapped[uuid.UUID | None]
    family_id: Mapped[uuid.UUID | None]
    # Derived from the structure's or gestionnaire's kind when reserved, kept as it was
    # then: a past year's report does not change when a structure is re-qualified.
    borrower_kind: Mapped[str] = mapped_column(String(20))
    member: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(12), default="requested")
    departed_on: Mapped[dt.date | None] = mapped_column(Date)
    returned_on: Mapped[dt.date | None] = mapped_column(Date)
    checked_on: Mapped[dt.date | None] = mapped_column(Date)
    cancelled_on: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))


class KitLoanCheck(TenantScoped, Base):
    """One component counted at departure or at return: expected and missing."""

    __tablename__ = "kit_loan_checks"
    __table_args__ = (
        tenant_fk(["loan_id"], "kit_loans", ondelete="CASCADE"),
        tenant_fk(["component_id"], "kit_components"),
        tenant_unique("loan_id", "moment", "component_id"),
        CheckConstraint("missing >= 0 AND missing <= expected", name="missing"),
    )

    loan_id: Mapped[uuid.UUID]
    moment: Mapped[str] = mapped_column(String(10))
    component_id: Mapped[uuid.UUID]
    expected: Mapped[int]
    missing: Mapped[int] = mapped_column(default=0)


class KitTrip(TenantScoped, Base):
    """A delivery to the borrower or a collection from them, by a member of the pole."""

    __tablename__ = "kit_trips"
    __table_args__ = (
        tenant_fk(["loan_id"], "kit_loans", ondelete="CASCADE"),
        tenant_unique("loan_id", "kind"),
        tenant_index("ix_kit_trips_day", "happened_on"),
        CheckConstraint("km >= 0", name="km"),
    )

    loan_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(10))
    happened_on: Mapped[dt.date] = mapped_column(Date)
    staff_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    km: Mapped[float] = mapped_column(Float, default=0.0)
