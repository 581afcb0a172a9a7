"""Questionnaires, their versions (sections and items), sendings and responses.

A questionnaire has numbered versions; a version is a draft until published, then
never changes: every sending and every answer names the version it was made with, so
results always read against the wording people actually answered. A sending
("envoi") is one questionnaire version sent about one subject (a closed follow-up, a
structure…) with a single-use link; its response is stored once (unique per
sending). The link's token is never stored in clear: only its SHA-256 digest, here and
in the platform table ``questionnaire_links`` that finds the pole from a token.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    Uuid,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import RUNTIME_WRITABLE_KEY, Base, Reference, Timestamped
from core.db.limits import LONG, NOTE, max_chars
from core.tenancy.scoped import TenantScoped, tenant_fk, tenant_index, tenant_unique


class Questionnaire(TenantScoped, Timestamped, Base):
    """A questionnaire of the pole; ``key`` names the defaults shipped with the
    platform (``satisfaction``, ``structure_survey``) and the pole's own ones."""

    __tablename__ = "questionnaires"
    __table_args__ = (tenant_unique("key"),)

    key: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))
    # The subject kinds it is meant for (follow_up, structure, session, loan).
    subject_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)


class QuestionnaireVersion(TenantScoped, Base):
    __tablename__ = "questionnaire_versions"
    __table_args__ = (
        tenant_fk(["questionnaire_id"], "questionnaires", ondelete="CASCADE"),
        tenant_unique("questionnaire_id", "number"),
        CheckConstraint("number >= 1", name="number"),
        CheckConstraint("status IN ('draft', 'published')", name="status"),
    )

    questionnaire_id: Mapped[uuid.UUID]
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    intro: Mapped[str] = mapped_column(Text, default="", info=max_chars(LONG))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class QuestionnaireSection(TenantScoped, Base):
    __tablename__ = "questionnaire_sections"
    __table_args__ = (
        tenant_fk(["version_id"], "questionnaire_versions", ondelete="CASCADE"),
        tenant_unique("version_id", "position"),
    )

    version_id: Mapped[uuid.UUID]
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))


class QuestionnaireItem(TenantScoped, Base):
    """One question. ``key`` is stable across versions (results of the same item can be
    compared from one version to the next); ``choices`` are the options of a choice
    item, ``[[value, label], …]``."""

    __tablename__ = "questionnaire_items"
    __table_args__ = (
        tenant_fk(["version_id"], "questionnaire_versions", ondelete="CASCADE"),
        tenant_fk(["section_id"], "questionnaire_sections", ondelete="CASCADE"),
        tenant_unique("version_id", "key"),
        tenant_index("ix_questionnaire_items_section", "section_id", "position"),
    )

    version_id: Mapped[uuid.UUID]
    section_id: Mapped[uuid.UUID]
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(Text, info=max_chars(1000))
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    choices: Mapped[list[Any]] = mapped_column(JSON, default=list)


class QuestionnaireSending(TenantScoped, Timestamped, Base):
    """An "envoi": one version sent about one subject, answered once through its link."""

    __tablename__ = "questionnaire_sendings"
    __table_args__ = (
        tenant_fk(["version_id"], "questionnaire_versions"),
        tenant_unique("token_hash"),
        tenant_index("ix_questionnaire_sendings_subject", "subject_kind", "subject_id"),
        tenant_index("ix_questionnaire_sendings_sent", "sent_on"),
    )

    version_id: Mapped[uuid.UUID]
    subject_kind: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    sent_on: Mapped[dt.date] = mapped_column()
    sent_by: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class QuestionnaireResponse(TenantScoped, Base):
    """The answer to a sending: at most one (the unique key makes a second answer fail
    on both databases, even when two posts race)."""

    __tablename__ = "questionnaire_responses"
    __table_args__ = (
        tenant_fk(["sending_id"], "questionnaire_sendings", ondelete="CASCADE"),
        tenant_fk(["version_id"], "questionnaire_versions"),
        tenant_unique("sending_id"),
        tenant_index("ix_questionnaire_responses_version", "version_id", "answered_on"),
    )

    sending_id: Mapped[uuid.UUID]
    version_id: Mapped[uuid.UUID]
    answered_on: Mapped[dt.date] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class QuestionnaireAnswer(TenantScoped, Base):
    """One item's answer: ``number`` for a scale (1–4) or yes/no (1/0), ``choices`` for
    single and multiple choice, ``text`` for free text (may hold personal data: read
    through an audited field)."""

    __tablename__ = "questionnaire_answers"
    __table_args__ = (
        tenant_fk(["response_id"], "questionnaire_responses", ondelete="CASCADE"),
        tenant_fk(["item_id"], "questionnaire_items"),
        tenant_unique("response_id", "item_id"),
        tenant_index("ix_questionnaire_answers_item", "item_id"),
    )

    response_id: Mapped[uuid.UUID]
    item_id: Mapped[uuid.UUID]
    number: Mapped[int | None] = mapped_column(Integer)
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    text: Mapped[str] = mapped_column(Text, default="", info=max_chars(5000))


class QuestionnaireLink(Reference, Base):
    """Platform table: which pole a link's token belongs to (digest → pole).

    A person answering through a link has no account and no pole: this is the one
    place the request can learn which pole to open a scoped session for. It holds no
    person's data and no tenant row id (the sending is then found inside the pole by
    the same digest), like ``one_time_tokens``.
    """

    __tablename__ = "questionnaire_links"
    __table_args__ = ({"info": {RUNTIME_WRITABLE_KEY: True}},)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    pole_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


__all__ = [
    "Questionnaire",
    "QuestionnaireAnswer",
    "QuestionnaireItem",
    "QuestionnaireLink",
    "QuestionnaireResponse",
    "QuestionnaireSection",
    "QuestionnaireSending",
    "QuestionnaireVersion",
]
