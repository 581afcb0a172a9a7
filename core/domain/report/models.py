"""What the annual report needs beyond the activity the platform records: the sections the
team writes each year, and the year's funding (who funded the pole, how much).

Tenant-owned like everything a pole writes; one row per section or funding line, per year.
"""

from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, CheckConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, Timestamped
from core.db.limits import LONG, NAME, NOTE, max_chars
from core.tenancy.scoped import TenantScoped, tenant_index, tenant_unique

YEAR_RANGE = "year BETWEEN 2000 AND 2100"


class ReportNarrative(TenantScoped, Timestamped, Base):
    """A section the team writes for a year's report, in Markdown (« Nouveautés »,
    « Perspectives »…). Rendered sanitised (core/domain/report/markdown.py)."""

    __tablename__ = "report_narratives"
    __table_args__ = (
        CheckConstraint(YEAR_RANGE, name="year"),
        tenant_unique("year", "title"),
        tenant_index("ix_report_narratives_year", "year", "position"),
    )

    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(NAME), info=max_chars(NAME))
    body: Mapped[str] = mapped_column(Text, default="", info=max_chars(LONG))
    # Free sections are printed in this order, after the fixed ones.
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Who wrote it last (the audit trail keeps every change); None: the demo seed.
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)


class Funding(TenantScoped, Timestamped, Base):
    """One funder's contribution to a year (« Conseil départemental : 45 000 € »)."""

    __tablename__ = "report_fundings"
    __table_args__ = (
        CheckConstraint(YEAR_RANGE, name="year"),
        CheckConstraint("amount_cents >= 0", name="amount"),
        tenant_unique("year", "funder", "kind"),
        tenant_index("ix_report_fundings_year", "year"),
    )

    year: Mapped[int] = mapped_column(Integer)
    funder: Mapped[str] = mapped_column(String(NAME), info=max_chars(NAME))
    kind: Mapped[str] = mapped_column(String(20))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    notes: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))
