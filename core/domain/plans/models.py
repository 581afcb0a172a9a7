"""A child's personalised reception plan in a structure, its versions and its sharing.

A version is never changed: writing the plan again adds a version. Sharing with the
structure's team records the family's consent it relies on; it stops when revoked or
when that consent is withdrawn.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Date, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, Timestamped
from core.db.limits import LONG, max_chars
from core.tenancy.scoped import TenantScoped, tenant_fk, tenant_index, tenant_unique


class ReceptionPlan(TenantScoped, Timestamped, Base):
    __tablename__ = "reception_plans"
    __table_args__ = (
        tenant_fk(["child_id"], "children", ondelete="CASCADE"),
        tenant_fk(["structure_id"], "structures"),
        tenant_index("ix_reception_plans_child", "child_id"),
    )

    child_id: Mapped[uuid.UUID]
    structure_id: Mapped[uuid.UUID]
    current_version: Mapped[int] = mapped_column(default=0)


class ReceptionPlanVersion(TenantScoped, Base):
    __tablename__ = "reception_plan_versions"
    __table_args__ = (
        tenant_fk(["plan_id"], "reception_plans", ondelete="CASCADE"),
        tenant_unique("plan_id", "version"),
    )

    plan_id: Mapped[uuid.UUID]
    version: Mapped[int]
    # The plan's own date (drawn up with the family and the team), which a plan brought
    # in from before the platform gives in the past; ``written_at`` is when it was typed.
    written_on: Mapped[dt.date] = mapped_column(Date)
    written_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    written_by: Mapped[str] = mapped_column(String(200))
    # The information sheet for the team ("recueil d'informations").
    needs: Mapped[str] = mapped_column(Text, default="", info=max_chars(LONG))
    habits: Mapped[str] = mapped_column(Text, default="", info=max_chars(LONG))
    communication: Mapped[str] = mapped_column(Text, default="", info=max_chars(LONG))
    care_instructions: Mapped[str] = mapped_column(Text, default="", info=max_chars(LONG))
    # What the structure will do.
    adaptations: Mapped[str] = mapped_column(Text, default="", info=max_chars(LONG))
    equipment: Mapped[str] = mapped_column(Text, default="", info=max_chars(LONG))
    # [{"starts_on": "2026-09-01", "ends_on": "2026-09-12", "description": "…"}]
    adaptation_periods: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    review_dates: Mapped[list[str]] = mapped_column(JSON, default=list)
    evaluation: Mapped[str] = mapped_column(Text, default="", info=max_chars(LONG))


class ReceptionPlanShare(TenantScoped, Base):
    __tablename__ = "reception_plan_shares"
    __table_args__ = (
        tenant_fk(["plan_id"], "reception_plans", ondelete="CASCADE"),
        tenant_fk(["consent_id"], "consents"),
        tenant_index("ix_reception_plan_shares_plan", "plan_id"),
    )

    plan_id: Mapped[uuid.UUID]
    consent_id: Mapped[uuid.UUID]
    shared_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    shared_by: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[str | None] = mapped_column(String(200))
