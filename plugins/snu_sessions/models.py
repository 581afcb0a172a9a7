"""The SNU awareness days' tables. All tenant-owned; foreign keys between them are
composite ``(tenant_id, x_id)``, and the ones to core (commune, staff member, partner,
kit) come from ``core.sdk``'s references.

The quiz tables hold no person: a response is a phase, an optional random pairing code
the young person chose to keep, and the chosen answers. No name, no address, no device,
no time of day (tests/plugins/snu_sessions/test_anonymity.py checks every column).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import sdk


class SnuSessionsSession(sdk.TenantScoped, sdk.Timestamped, sdk.Base):
    """An awareness day (or two) at one SNU centre, for its volunteers in groups."""

    # « days », not « sessions »: ``session_id`` is core's word for a sign-in session
    # (refresh tokens), and the schema lint reads ``<singular>_id`` as a key of the table.
    __tablename__ = "snu_sessions_days"
    __table_args__ = (
        sdk.COMMUNE.key("commune_insee", name="fk_snu_sessions_days_commune"),
        sdk.tenant_unique("link_code", name="uq_snu_sessions_days_link_code"),
        sdk.tenant_index("ix_snu_sessions_days_starts_on", "starts_on"),
        CheckConstraint("ends_on >= starts_on", name="dates"),
        CheckConstraint("status IN ('planned', 'cancelled')", name="status"),
        CheckConstraint(
            "(status = 'cancelled') = (cancel_reason IS NOT NULL)", name="cancel_reason"
        ),
    )

    centre: Mapped[str] = mapped_column(String(200))
    commune_insee: Mapped[str] = sdk.COMMUNE.column()
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    # vocabulary.Method and vocabulary.Objective codes.
    methods: Mapped[list[str]] = mapped_column(JSON, default=list)
    objectives: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="", info=sdk.max_chars(sdk.NOTE))
    # The short code of the quiz's link, set when the quiz is scheduled.
    link_code: Mapped[str | None] = mapped_column(String(12))
    # vocabulary.Status; a vocabulary.CancelReason code exactly when cancelled, and the
    # words of the person who cancelled (decision 169).
    status: Mapped[str] = mapped_column(String(12), default="planned", server_default="planned")
    cancel_reason: Mapped[str | None] = mapped_column(String(30))
    cancel_note: Mapped[str] = mapped_column(
        Text, default="", server_default="", info=sdk.max_chars(sdk.NOTE)
    )

    groups: Mapped[list[SnuSessionsGroup]] = relationship(
        back_populates="session",
        primaryjoin=sdk.tenant_join("SnuSessionsSession", "SnuSessionsGroup", "session_id"),
        order_by=lambda: SnuSessionsGroup.name,
        lazy="raise",
    )
    materials: Mapped[list[SnuSessionsMaterial]] = relationship(
        primaryjoin=sdk.tenant_join("SnuSessionsSession", "SnuSessionsMaterial", "session_id"),
        cascade="all, delete-orphan",
        lazy="raise",
    )
    windows: Mapped[list[SnuSessionsQuizWindow]] = relationship(
        primaryjoin=sdk.tenant_join("SnuSessionsSession", "SnuSessionsQuizWindow", "session_id"),
        order_by=lambda: SnuSessionsQuizWindow.opens_at,
        lazy="raise",
    )
    items: Mapped[list[SnuSessionsQuizItem]] = relationship(
        primaryjoin=sdk.tenant_join("SnuSessionsSession", "SnuSessionsQuizItem", "session_id"),
        order_by=lambda: SnuSessionsQuizItem.position,
        lazy="raise",
    )


class SnuSessionsGroup(sdk.TenantScoped, sdk.Timestamped, sdk.Base):
    """A group of volunteers of a session: its size, and how many were there."""

    __tablename__ = "snu_sessions_groups"
    __table_args__ = (
        sdk.tenant_fk(
            ["session_id"],
            "snu_sessions_days",
            ondelete="CASCADE",
            name="fk_snu_sessions_groups_session",
        ),
        sdk.tenant_unique("session_id", "name", name="uq_snu_sessions_groups_session_name"),
        CheckConstraint("size >= 1", name="size"),
        CheckConstraint("present IS NULL OR (present >= 0 AND present <= size)", name="present"),
    )

    session_id: Mapped[uuid.UUID]
    name: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    # Attendance: young people present, counted (never named); None until recorded.
    present: Mapped[int | None]

    session: Mapped[SnuSessionsSession] = relationship(
        back_populates="groups",
        primaryjoin=sdk.tenant_join("SnuSessionsSession", "SnuSessionsGroup", "session_id"),
        lazy="raise",
    )
    facilitators: Mapped[list[SnuSessionsFacilitator]] = relationship(
        primaryjoin=sdk.tenant_join("SnuSessionsGroup", "SnuSessionsFacilitator", "group_id"),
        cascade="all, delete-orphan",
        lazy="raise",
    )


class SnuSessionsFacilitator(sdk.TenantScoped, sdk.Base):
    """Who runs a group: a member of the pole's team, or a partner organisation."""

    __tablename__ = "snu_sessions_facilitators"
    __table_args__ = (
        sdk.tenant_fk(
            ["group_id"],
            "snu_sessions_groups",
            ondelete="CASCADE",
            name="fk_snu_sessions_facilitators_group",
        ),
        sdk.STAFF_MEMBER.key("staff_user_id", name="fk_snu_sessions_facilitators_staff"),
        sdk.PARTNER.key("partner_id", name="fk_snu_sessions_facilitators_partner"),
        sdk.tenant_index("ix_snu_sessions_facilitators_group", "group_id"),
        CheckConstraint("(staff_user_id IS NULL) <> (partner_id IS NULL)", name="staff_or_partner"),
    )

    group_id: Mapped[uuid.UUID]
    staff_user_id: Mapped[uuid.UUID | None] = sdk.STAFF_MEMBER.column(nullable=True)
    partner_id: Mapped[uuid.UUID | None] = sdk.PARTNER.column(nullable=True)


class SnuSessionsMaterial(sdk.TenantScoped, sdk.Base):
    """A kit of the pole's catalogue taken to the session."""

    __tablename__ = "snu_sessions_materials"
    __table_args__ = (
        sdk.tenant_fk(
            ["session_id"],
            "snu_sessions_days",
            ondelete="CASCADE",
            name="fk_snu_sessions_materials_session",
        ),
        sdk.KIT.key("kit_id", name="fk_snu_sessions_materials_kit"),
        sdk.tenant_unique("session_id", "kit_id", name="uq_snu_sessions_materials_session_kit"),
    )

    session_id: Mapped[uuid.UUID]
    kit_id: Mapped[uuid.UUID] = sdk.KIT.column()


class SnuSessionsQuizItem(sdk.TenantScoped, sdk.Base):
    """One question of a session's quiz, copied from the default quiz when the quiz is
    scheduled: a session's results keep the wording its young people read."""

    __tablename__ = "snu_sessions_quiz_items"
    __table_args__ = (
        sdk.tenant_fk(
            ["session_id"],
            "snu_sessions_days",
            ondelete="CASCADE",
            name="fk_snu_sessions_quiz_items_session",
        ),
        sdk.tenant_unique("session_id", "key", name="uq_snu_sessions_quiz_items_session_key"),
    )

    session_id: Mapped[uuid.UUID]
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(40))
    # A vocabulary.ItemKind code.
    kind: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(String(500))
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    right_choice: Mapped[int | None]
    reverse: Mapped[bool] = mapped_column(default=False)


class SnuSessionsQuizWindow(sdk.TenantScoped, sdk.Base):
    """When one phase of the quiz is open, how many answers it takes at most, and how
    many it took and refused (counted, never stored)."""

    __tablename__ = "snu_sessions_quiz_windows"
    __table_args__ = (
        sdk.tenant_fk(
            ["session_id"],
            "snu_sessions_days",
            ondelete="CASCADE",
            name="fk_snu_sessions_quiz_windows_session",
        ),
        sdk.tenant_unique("session_id", "phase", name="uq_snu_sessions_quiz_windows_phase"),
        CheckConstraint("closes_at > opens_at", name="window"),
        CheckConstraint("accepted <= cap", name="cap"),
    )

    session_id: Mapped[uuid.UUID]
    # A vocabulary.Phase code.
    phase: Mapped[str] = mapped_column(String(8))
    opens_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    cap: Mapped[int]
    accepted: Mapped[int] = mapped_column(default=0)
    refused_closed: Mapped[int] = mapped_column(default=0)
    refused_full: Mapped[int] = mapped_column(default=0)
    refused_duplicate: Mapped[int] = mapped_column(default=0)


class SnuSessionsQuizResponse(sdk.TenantScoped, sdk.Base):
    """One phone's answers to one phase. Anonymous by construction."""

    __tablename__ = "snu_sessions_quiz_responses"
    __table_args__ = (
        sdk.tenant_fk(
            ["session_id"],
            "snu_sessions_days",
            ondelete="CASCADE",
            name="fk_snu_sessions_quiz_responses_session",
        ),
        # One answer per pairing code and phase; responses without a code are not
        # constrained here (NULLs are distinct) but count against the window's cap.
        sdk.tenant_unique(
            "session_id", "phase", "pairing_code", name="uq_snu_sessions_quiz_responses_code"
        ),
        sdk.tenant_index("ix_snu_sessions_quiz_responses_session", "session_id", "phase"),
    )

    session_id: Mapped[uuid.UUID]
    phase: Mapped[str] = mapped_column(String(8))
    pairing_code: Mapped[str | None] = mapped_column(String(12))

    answers: Mapped[list[SnuSessionsQuizAnswer]] = relationship(
        primaryjoin=sdk.tenant_join(
            "SnuSessionsQuizResponse", "SnuSessionsQuizAnswer", "response_id"
        ),
        cascade="all, delete-orphan",
        lazy="raise",
    )


class SnuSessionsQuizAnswer(sdk.TenantScoped, sdk.Base):
    """The choice made for one item: a choice's index (knowledge) or 1–4 (attitude)."""

    __tablename__ = "snu_sessions_quiz_answers"
    __table_args__ = (
        sdk.tenant_fk(
            ["response_id"],
            "snu_sessions_quiz_responses",
            ondelete="CASCADE",
            name="fk_snu_sessions_quiz_answers_response",
        ),
        sdk.tenant_fk(
            ["item_id"],
            "snu_sessions_quiz_items",
            ondelete="CASCADE",
            name="fk_snu_sessions_quiz_answers_item",
        ),
        sdk.tenant_unique("response_id", "item_id", name="uq_snu_sessions_quiz_answers_item"),
        sdk.tenant_index("ix_snu_sessions_quiz_answers_item", "item_id"),
    )

    response_id: Mapped[uuid.UUID]
    item_id: Mapped[uuid.UUID]
    value: Mapped[int]


MODELS: tuple[type[sdk.Base], ...] = (
    SnuSessionsSession,
    SnuSessionsGroup,
    SnuSessionsFacilitator,
    SnuSessionsMaterial,
    SnuSessionsQuizItem,
    SnuSessionsQuizWindow,
    SnuSessionsQuizResponse,
    SnuSessionsQuizAnswer,
)

Session = SnuSessionsSession
Group = SnuSessionsGroup
Facilitator = SnuSessionsFacilitator
Material = SnuSessionsMaterial
QuizItem = SnuSessionsQuizItem
QuizWindow = SnuSessionsQuizWindow
QuizResponse = SnuSessionsQuizResponse
QuizAnswer = SnuSessionsQuizAnswer
