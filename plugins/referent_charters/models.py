"""The referent network's tables. All tenant-owned: each pole trains its own referents.

Foreign keys between these tables are composite ``(tenant_id, x_id)``: a referent can
only point at a training session of its own pole, an attendance at a meeting of the
same pole. Constraint names that the naming convention would make longer than
PostgreSQL's 63 characters are given by hand.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import sdk


class ReferentChartersTrainingSession(sdk.TenantScoped, sdk.Timestamped, sdk.Base):
    """A numbered training session ("7e session"), after which trainees become referents."""

    __tablename__ = "referent_charters_training_sessions"
    __table_args__ = (
        sdk.tenant_unique("number"),
        sdk.tenant_index("ix_referent_charters_training_sessions_start", "start_on"),
    )

    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date] = mapped_column(Date)
    # The days one by one (ISO dates, in order) when they are not consecutive, such as
    # three separate days; empty: every day from start_on to end_on.
    days: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # How the days are shared out, e.g. two days by a partner association, one by the pole.
    programme: Mapped[str] = mapped_column(Text, default="", info=sdk.max_chars(sdk.NOTE))


class ReferentChartersReferent(sdk.TenantScoped, sdk.Timestamped, sdk.Base):
    """A professional trained as "Référent Pôle Ressources" in one training session."""

    __tablename__ = "referent_charters_referents"
    __table_args__ = (
        sdk.tenant_fk(
            ["training_session_id"],
            "referent_charters_training_sessions",
            name="fk_referent_charters_referents_training_session",
        ),
        sdk.tenant_index("ix_referent_charters_referents_name", "last_name", "first_name"),
        sdk.tenant_index("ix_referent_charters_referents_session", "training_session_id"),
        sdk.tenant_index("ix_referent_charters_referents_commune", "commune_insee"),
    )

    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    # A vocabulary.Job code.
    job: Mapped[str] = mapped_column(String(20))
    commune_insee: Mapped[str] = mapped_column(ForeignKey("communes.insee_code"))
    # A vocabulary.StructureKind code: "eaje" or "domicile".
    structure_kind: Mapped[str] = mapped_column(String(10))
    # Empty for a childminder at home: there is no establishment.
    structure_name: Mapped[str] = mapped_column(String(200), default="")
    training_session_id: Mapped[uuid.UUID]

    training_session: Mapped[ReferentChartersTrainingSession] = relationship(
        primaryjoin=sdk.tenant_join(
            "ReferentChartersTrainingSession", "ReferentChartersReferent", "training_session_id"
        ),
        lazy="raise",
    )
    commune: Mapped[sdk.Commune] = relationship(lazy="raise")
    signatures: Mapped[list[ReferentChartersSignature]] = relationship(
        back_populates="referent",
        primaryjoin=sdk.tenant_join(
            "ReferentChartersReferent", "ReferentChartersSignature", "referent_id"
        ),
        order_by=lambda: ReferentChartersSignature.signed_on,
        lazy="raise",
    )


class ReferentChartersCharterVersion(sdk.TenantScoped, sdk.Timestamped, sdk.Base):
    """One published wording of the charter. Versions are never edited: a signature
    says which commitments the referent agreed to."""

    __tablename__ = "referent_charters_charter_versions"
    __table_args__ = (sdk.tenant_unique("version"),)

    version: Mapped[str] = mapped_column(String(40))
    # The commitments, in French, in the order they are printed.
    commitments: Mapped[list[str]] = mapped_column(JSON)
    published_on: Mapped[dt.date] = mapped_column(Date)


class ReferentChartersSignature(sdk.TenantScoped, sdk.Timestamped, sdk.Base):
    """A referent's signature of one charter version, countersigned by the establishment
    (not for a childminder at home) and by the pole."""

    __tablename__ = "referent_charters_signatures"
    __table_args__ = (
        sdk.tenant_fk(
            ["referent_id"],
            "referent_charters_referents",
            name="fk_referent_charters_signatures_referent",
        ),
        sdk.tenant_fk(
            ["charter_version_id"],
            "referent_charters_charter_versions",
            name="fk_referent_charters_signatures_charter_version",
        ),
        sdk.tenant_unique(
            "referent_id",
            "charter_version_id",
            name="uq_referent_charters_signatures_referent_version",
        ),
        sdk.tenant_index("ix_referent_charters_signatures_signed_on", "signed_on"),
        sdk.tenant_index("ix_referent_charters_signatures_version", "charter_version_id"),
    )

    referent_id: Mapped[uuid.UUID]
    charter_version_id: Mapped[uuid.UUID]
    # The referent's signature; the two countersignatures follow as the paper circulates.
    signed_on: Mapped[dt.date] = mapped_column(Date)
    establishment_signed_on: Mapped[dt.date | None] = mapped_column(Date)
    pole_signed_on: Mapped[dt.date | None] = mapped_column(Date)

    referent: Mapped[ReferentChartersReferent] = relationship(
        back_populates="signatures",
        primaryjoin=sdk.tenant_join(
            "ReferentChartersReferent", "ReferentChartersSignature", "referent_id"
        ),
        lazy="raise",
    )
    charter_version: Mapped[ReferentChartersCharterVersion] = relationship(
        primaryjoin=sdk.tenant_join(
            "ReferentChartersCharterVersion", "ReferentChartersSignature", "charter_version_id"
        ),
        lazy="raise",
    )


class ReferentChartersMeeting(sdk.TenantScoped, sdk.Timestamped, sdk.Base):
    """A follow-up meeting or a themed day the referents are invited to."""

    __tablename__ = "referent_charters_meetings"
    __table_args__ = (
        sdk.tenant_unique("held_on", "title"),
        sdk.tenant_index("ix_referent_charters_meetings_held_on", "held_on"),
    )

    held_on: Mapped[dt.date] = mapped_column(Date)
    # A vocabulary.MeetingKind code.
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))

    attendances: Mapped[list[ReferentChartersAttendance]] = relationship(
        back_populates="meeting",
        cascade="all, delete-orphan",
        primaryjoin=sdk.tenant_join(
            "ReferentChartersMeeting", "ReferentChartersAttendance", "meeting_id"
        ),
        lazy="raise",
    )


class ReferentChartersAttendance(sdk.TenantScoped, sdk.Base):
    """A referent was present at a meeting (the meeting's sign-in sheet, one line)."""

    __tablename__ = "referent_charters_attendances"
    __table_args__ = (
        sdk.tenant_fk(
            ["meeting_id"],
            "referent_charters_meetings",
            ondelete="CASCADE",
            name="fk_referent_charters_attendances_meeting",
        ),
        sdk.tenant_fk(
            ["referent_id"],
            "referent_charters_referents",
            name="fk_referent_charters_attendances_referent",
        ),
        sdk.tenant_unique(
            "meeting_id", "referent_id", name="uq_referent_charters_attendances_meeting_referent"
        ),
        sdk.tenant_index("ix_referent_charters_attendances_referent", "referent_id"),
    )

    meeting_id: Mapped[uuid.UUID]
    referent_id: Mapped[uuid.UUID]

    meeting: Mapped[ReferentChartersMeeting] = relationship(
        back_populates="attendances",
        primaryjoin=sdk.tenant_join(
            "ReferentChartersMeeting", "ReferentChartersAttendance", "meeting_id"
        ),
        lazy="raise",
    )


MODELS: tuple[type[sdk.Base], ...] = (
    ReferentChartersTrainingSession,
    ReferentChartersReferent,
    ReferentChartersCharterVersion,
    ReferentChartersSignature,
    ReferentChartersMeeting,
    ReferentChartersAttendance,
)

# Short names inside the package; the classes carry the plugin prefix because the
# declarative registry is shared with core and every other plugin.
TrainingSession = ReferentChartersTrainingSession
Referent = ReferentChartersReferent
CharterVersion = ReferentChartersCharterVersion
Signature = ReferentChartersSignature
Meeting = ReferentChartersMeeting
Attendance = ReferentChartersAttendance
