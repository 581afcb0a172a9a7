"""Awareness and training sessions (« sensibilisations »), their speakers and
participants, and events (forums, stands, presentations to partners).

Tables are prefixed ``outreach_``: "sessions" already means sign-in sessions in auth.
A session's participants list holds persons' names (audited reads and writes); the
participants count is what the reports add up, never less than the names listed.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, Timestamped
from core.db.limits import NOTE, max_chars
from core.tenancy.scoped import TenantScoped, tenant_fk, tenant_index, tenant_unique


class AwarenessSession(TenantScoped, Timestamped, Base):
    __tablename__ = "outreach_sessions"
    __table_args__ = (
        tenant_fk(["host_structure_id"], "structures"),
        tenant_index("ix_outreach_sessions_held_on", "held_on"),
        tenant_index("ix_outreach_sessions_commune", "commune_insee", "held_on"),
        CheckConstraint("half_days > 0", name="half_days"),
        CheckConstraint("participants_count >= 0", name="participants"),
    )

    kind: Mapped[str] = mapped_column(String(24))
    audience: Mapped[str] = mapped_column(String(20))
    # None: held at a distance, by video (decision 172).
    commune_insee: Mapped[str | None] = mapped_column(ForeignKey("communes.insee_code"))
    held_on: Mapped[dt.date] = mapped_column(Date)
    half_days: Mapped[int]
    participants_count: Mapped[int] = mapped_column(default=0)
    host_structure_id: Mapped[uuid.UUID | None]
    title: Mapped[str] = mapped_column(String(200), default="")
    materials: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))


class SessionSpeaker(TenantScoped, Base):
    """A member of the pole who led the session."""

    __tablename__ = "outreach_session_speakers"
    __table_args__ = (
        tenant_fk(["session_id"], "outreach_sessions", ondelete="CASCADE"),
        tenant_unique("session_id", "user_id"),
        tenant_index("ix_outreach_session_speakers_user", "user_id"),
    )

    session_id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))


class SessionParticipant(TenantScoped, Base):
    """A named participant (a person: audited), with the structure they came from."""

    __tablename__ = "outreach_participants"
    __table_args__ = (
        tenant_fk(["session_id"], "outreach_sessions", ondelete="CASCADE"),
        tenant_fk(["structure_id"], "structures"),
        tenant_index("ix_outreach_participants_session", "session_id", "position"),
    )

    session_id: Mapped[uuid.UUID]
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    structure_id: Mapped[uuid.UUID | None]


class OutreachEvent(TenantScoped, Timestamped, Base):
    """A forum, a stand, a presentation to partners: where, when, how many people reached."""

    __tablename__ = "outreach_events"
    __table_args__ = (
        tenant_index("ix_outreach_events_held_on", "held_on"),
        tenant_index("ix_outreach_events_commune", "commune_insee", "held_on"),
        CheckConstraint("people_reached >= 0", name="people_reached"),
    )

    kind: Mapped[str] = mapped_column(String(24))
    commune_insee: Mapped[str] = mapped_column(ForeignKey("communes.insee_code"))
    held_on: Mapped[dt.date] = mapped_column(Date)
    people_reached: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))
