"""``audit_events``: who did what to which object of a pole, never the values themselves.

Append-only: the runtime database role may insert and read, never update or delete
(``APPEND_ONLY`` in the table info drives the grants).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import APPEND_ONLY_KEY, Base
from core.tenancy.scoped import TenantScoped, tenant_index


class AuditEvent(TenantScoped, Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        tenant_index("ix_audit_events_tenant_at", "at"),
        tenant_index("ix_audit_events_tenant_object", "object_type", "object_id"),
        {"info": {APPEND_ONLY_KEY: True}},
    )

    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(120))
    object_type: Mapped[str] = mapped_column(String(80))
    object_id: Mapped[str | None] = mapped_column(String(80))
    # Names of the fields read or changed — never their values.
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    request_id: Mapped[str | None] = mapped_column(String(64))
    client_address: Mapped[str | None] = mapped_column(String(64))


class DeletedRecord(TenantScoped, Base):
    """A record that no longer exists, for integrators keeping a copy in sync
    (``deletions(since:)``): its GraphQL type and id, and when. Nothing else — the
    record's content is gone. Append-only like the audit trail."""

    __tablename__ = "deleted_records"
    __table_args__ = (
        tenant_index("ix_deleted_records_at", "deleted_at"),
        {"info": {APPEND_ONLY_KEY: True}},
    )

    object_type: Mapped[str] = mapped_column(String(80))
    object_id: Mapped[uuid.UUID]
    deleted_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
