"""A loan of adapted equipment to a family, for one of its children."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from core import sdk


class Loan(sdk.TenantScoped, sdk.Timestamped, sdk.Base):
    __tablename__ = "lending_loans"
    __table_args__ = (
        # (tenant_id, family_id) → families(tenant_id, id): never another pole's family.
        sdk.FAMILY.key("family_id", ondelete="CASCADE"),
        sdk.CHILD.key("child_id", ondelete="CASCADE"),
        sdk.STAFF_MEMBER.key("lent_by"),
        sdk.tenant_index("ix_lending_loans_family", "family_id"),
        CheckConstraint("returned_on IS NULL OR returned_on >= lent_on", name="dates"),
    )

    family_id: Mapped[uuid.UUID] = sdk.FAMILY.column()
    child_id: Mapped[uuid.UUID | None] = sdk.CHILD.column(nullable=True)
    lent_by: Mapped[uuid.UUID | None] = sdk.STAFF_MEMBER.column(nullable=True)
    item: Mapped[str] = mapped_column(String(sdk.NAME))
    lent_on: Mapped[dt.date] = mapped_column(Date)
    returned_on: Mapped[dt.date | None] = mapped_column(Date)
