"""Legal holds and erasure requests: what the pole must keep, and what it was asked to
erase. Neither row names a person: the family is referred to by its id, the requester
by a kind, and a hold's note is the pole's reason, not the family's story."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Date, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base
from core.db.limits import max_chars
from core.tenancy.scoped import TenantScoped, tenant_fk, tenant_index


class LegalHold(TenantScoped, Base):
    """The whole file must be kept (no purge, no erasure) until lifted or ``until``."""

    __tablename__ = "legal_holds"
    __table_args__ = (
        tenant_fk(["family_id"], "families", ondelete="CASCADE"),
        tenant_index("ix_legal_holds_family", "family_id"),
    )

    family_id: Mapped[uuid.UUID]
    reason: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="", info=max_chars(500))
    until: Mapped[dt.date | None] = mapped_column(Date)
    placed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    placed_by: Mapped[str] = mapped_column(String(200))
    lifted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    lifted_by: Mapped[str | None] = mapped_column(String(200))

    def active_on(self, day: dt.date) -> bool:
        return self.lifted_at is None and (self.until is None or self.until >= day)


class ErasureRequest(TenantScoped, Base):
    """A family asked for its data to be erased: received when, done when, or deferred by
    which holds (the exceptions, recorded as they stood)."""

    __tablename__ = "erasure_requests"
    __table_args__ = (
        tenant_fk(["family_id"], "families", ondelete="CASCADE"),
        tenant_index("ix_erasure_requests_family", "family_id"),
    )

    family_id: Mapped[uuid.UUID]
    received_on: Mapped[dt.date] = mapped_column(Date)
    requester: Mapped[str] = mapped_column(String(20))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10))
    # [{"reason": "child_protection", "until": "2027-01-01" | None, "holdId": "…"}]
    exceptions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Rows deleted or stripped, per table.
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
