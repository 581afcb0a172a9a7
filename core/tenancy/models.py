"""Platform tables of the tenancy layer: the poles themselves and the unscoped audit."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import APPEND_ONLY_KEY, Base, Reference, Timestamped
from core.db.limits import NOTE, max_chars
from core.ids import uuid7


class Tenant(Reference, Timestamped, Base):
    """A pôle ressources handicap. Institutional data only, never a person's.

    Classified *reference*: every node needs it to resolve a request, and it is the
    target of every ``tenant_id`` foreign key (a Citus reference table).
    """

    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(60))
    operator: Mapped[str] = mapped_column(String(200))
    departement_code: Mapped[str] = mapped_column(ForeignKey("departements.code"))
    since_year: Mapped[int | None]
    description: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))
    contact: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(default=True)
    source_file: Mapped[str | None] = mapped_column(String(255))


class PlatformAuditEvent(Reference, Base):
    """Trace of every ``unscoped()`` block (who crossed the tenant wall, when and why),
    and of the national network's approvals.

    Written in its own transaction before the block runs, so it survives a rollback
    of the job it describes. Holds no personal values.
    """

    __tablename__ = "platform_audit_events"
    # The runtime role appends too (a network coordinator's approval, which belongs to
    # no pole's trail), and never changes a row.
    __table_args__ = ({"info": {APPEND_ONLY_KEY: True}},)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, info=max_chars(1000))
    request_id: Mapped[str | None] = mapped_column(String(64))
