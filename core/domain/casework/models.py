"""Requests ("fiches de demande d'intervention"), follow-ups and interventions.

Personal data (the request's description, the intervention notes): tenant tables, read
through audited fields. The staff member in charge is an account of the install
(``users``) who must be an active member of the pole when named.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, Timestamped
from core.db.limits import NOTE, max_chars
from core.tenancy.scoped import TenantScoped, tenant_fk, tenant_index, tenant_unique


class Request(TenantScoped, Timestamped, Base):
    __tablename__ = "requests"
    __table_args__ = (
        tenant_fk(["family_id"], "families", ondelete="SET NULL"),
        tenant_fk(["child_id"], "children", ondelete="SET NULL"),
        tenant_fk(["structure_id"], "structures"),
        tenant_fk(["partner_id"], "partners"),
        tenant_index("ix_requests_status", "status", "received_on"),
    )

    received_on: Mapped[dt.date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(20))
    requester_kind: Mapped[str] = mapped_column(String(20))
    requester_name: Mapped[str] = mapped_column(String(200))
    family_id: Mapped[uuid.UUID | None]
    child_id: Mapped[uuid.UUID | None]
    structure_id: Mapped[uuid.UUID | None]
    partner_id: Mapped[uuid.UUID | None]
    subjects: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))
    status: Mapped[str] = mapped_column(String(12), default="new")
    assigned_to: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    answered_on: Mapped[dt.date | None] = mapped_column(Date)
    answer: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))


class FollowUp(TenantScoped, Timestamped, Base):
    """The accompaniment of one child: opened, in charge of a staff member, closed with an
    outcome."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        tenant_fk(["child_id"], "children", ondelete="CASCADE"),
        tenant_fk(["request_id"], "requests", ondelete="SET NULL"),
        tenant_index("ix_follow_ups_child", "child_id"),
        tenant_index("ix_follow_ups_status", "status", "opened_on"),
        CheckConstraint("closed_on IS NULL OR closed_on >= opened_on", name="dates"),
    )

    child_id: Mapped[uuid.UUID]
    request_id: Mapped[uuid.UUID | None]
    opened_on: Mapped[dt.date] = mapped_column(Date)
    referent_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default="open")
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_notes: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))


class FollowUpStructure(TenantScoped, Base):
    __tablename__ = "follow_up_structures"
    __table_args__ = (
        tenant_fk(["follow_up_id"], "follow_ups", ondelete="CASCADE"),
        tenant_fk(["structure_id"], "structures"),
        tenant_unique("follow_up_id", "structure_id"),
    )

    follow_up_id: Mapped[uuid.UUID]
    structure_id: Mapped[uuid.UUID]


class FollowUpPartner(TenantScoped, Base):
    __tablename__ = "follow_up_partners"
    __table_args__ = (
        tenant_fk(["follow_up_id"], "follow_ups", ondelete="CASCADE"),
        tenant_fk(["partner_id"], "partners"),
        tenant_unique("follow_up_id", "partner_id"),
    )

    follow_up_id: Mapped[uuid.UUID]
    partner_id: Mapped[uuid.UUID]


class Intervention(TenantScoped, Timestamped, Base):
    __tablename__ = "interventions"
    __table_args__ = (
        tenant_fk(["follow_up_id"], "follow_ups", ondelete="CASCADE"),
        tenant_fk(["structure_id"], "structures"),
        tenant_index("ix_interventions_follow_up", "follow_up_id", "happened_on"),
        tenant_index("ix_interventions_staff", "staff_user_id", "happened_on"),
        CheckConstraint("duration_minutes >= 0", name="duration"),
        CheckConstraint("travel_km >= 0", name="travel"),
    )

    follow_up_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(20))
    happened_on: Mapped[dt.date] = mapped_column(Date)
    duration_minutes: Mapped[int] = mapped_column(default=0)
    staff_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    structure_id: Mapped[uuid.UUID | None]
    place: Mapped[str] = mapped_column(String(200), default="")
    travel_km: Mapped[float] = mapped_column(Float, default=0.0)
    notes: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))
    recommendations: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))


class TaskState(TenantScoped, Base):
    """What someone did with a reminder: done, or snoozed until a date. Reminders
    themselves are computed from the data (a request unanswered, a follow-up idle);
    one occurrence is (kind, object, due date), so a new lapse is a new reminder."""

    __tablename__ = "task_states"
    __table_args__ = (tenant_unique("kind", "object_id", "due_on"),)

    kind: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[uuid.UUID]
    due_on: Mapped[dt.date] = mapped_column(Date)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    snoozed_until: Mapped[dt.date | None] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(200))
