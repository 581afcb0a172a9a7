"""The pole's action plan and its yearly evaluation.

A plan period (e.g. 2025–2027) holds orientations → objectives → actions (one table, the
level in a column: the three levels share everything but their place), yearly statuses
of those items, and indicators with yearly values. A new period may be started from the
previous one: each copied item and indicator points to its predecessor and shares its
``lineage_id``, so an item's history across periods is one indexed read.

The shape is guarded by the database on SQLite and PostgreSQL alike: a parent is in the
same period and one level up (composite foreign key on (period, id, level) plus a check),
labels are unique among siblings (a partial unique index for the orientations, whose
parent is NULL), an indicator hangs on an objective or an action of its own period, and
a gap in an indicator's values carries its reason.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKeyConstraint,
    String,
    Text,
    column,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, Timestamped
from core.db.limits import NOTE, max_chars
from core.tenancy.scoped import TenantScoped, tenant_fk, tenant_index, tenant_unique

# The orientations (no parent), for their partial unique index.
_ROOT = column("parent_id").is_(None)


class PlanPeriod(TenantScoped, Timestamped, Base):
    """One action plan of the pole over a span of years (both ends included)."""

    __tablename__ = "action_plan_periods"
    __table_args__ = (
        tenant_fk(["previous_id"], "action_plan_periods", name="fk_action_plan_periods_previous"),
        # A period has at most one successor: history is a chain, not a tree.
        tenant_unique("previous_id"),
        tenant_index("ix_action_plan_periods_years", "first_year"),
        CheckConstraint("first_year BETWEEN 2000 AND 2100", name="first_year"),
        CheckConstraint("last_year >= first_year AND last_year - first_year <= 9", name="span"),
    )

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))
    first_year: Mapped[int]
    last_year: Mapped[int]
    previous_id: Mapped[uuid.UUID | None]


class PlanItem(TenantScoped, Timestamped, Base):
    """An orientation, an objective or an action, with the pole's own label ("1", "1.2",
    "A-3") and its place among its siblings."""

    __tablename__ = "action_plan_items"
    __table_args__ = (
        tenant_fk(
            ["period_id"],
            "action_plan_periods",
            ondelete="CASCADE",
            name="fk_action_plan_items_period",
        ),
        # The target of the parent and indicator keys below.
        tenant_unique("period_id", "id", "level"),
        ForeignKeyConstraint(
            ["tenant_id", "period_id", "parent_id", "parent_level"],
            [
                "action_plan_items.tenant_id",
                "action_plan_items.period_id",
                "action_plan_items.id",
                "action_plan_items.level",
            ],
            ondelete="CASCADE",
            name="fk_action_plan_items_parent",
        ),
        tenant_fk(["predecessor_id"], "action_plan_items", name="fk_action_plan_items_predecessor"),
        tenant_unique("parent_id", "label"),
        tenant_index(
            "uq_action_plan_items_root_label",
            "period_id",
            "label",
            unique=True,
            postgresql_where=_ROOT,
            sqlite_where=_ROOT,
        ),
        tenant_index("ix_action_plan_items_period", "period_id", "position"),
        tenant_index("ix_action_plan_items_lineage", "lineage_id"),
        CheckConstraint(
            "(level = 'orientation' AND parent_id IS NULL AND parent_level IS NULL)"
            " OR (level = 'objective' AND parent_id IS NOT NULL AND parent_level = 'orientation')"
            " OR (level = 'action' AND parent_id IS NOT NULL AND parent_level = 'objective')",
            name="level",
        ),
        CheckConstraint("length(label) > 0", name="label"),
    )

    period_id: Mapped[uuid.UUID]
    level: Mapped[str] = mapped_column(String(12))
    parent_id: Mapped[uuid.UUID | None]
    parent_level: Mapped[str | None] = mapped_column(String(12))
    label: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))
    position: Mapped[int] = mapped_column(default=0)
    predecessor_id: Mapped[uuid.UUID | None]
    lineage_id: Mapped[uuid.UUID]


class PlanItemStatus(TenantScoped, Base):
    """What became of an item in one year of its period."""

    __tablename__ = "action_plan_statuses"
    __table_args__ = (
        tenant_fk(
            ["item_id"],
            "action_plan_items",
            ondelete="CASCADE",
            name="fk_action_plan_statuses_item",
        ),
        tenant_unique("item_id", "year"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),
    )

    item_id: Mapped[uuid.UUID]
    year: Mapped[int]
    status: Mapped[str] = mapped_column(String(12))
    comment: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(200))


class PlanIndicator(TenantScoped, Timestamped, Base):
    """A measure of the plan (no item) or of one objective or action."""

    __tablename__ = "action_plan_indicators"
    __table_args__ = (
        tenant_fk(
            ["period_id"],
            "action_plan_periods",
            ondelete="CASCADE",
            name="fk_action_plan_indicators_period",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "period_id", "item_id", "item_level"],
            [
                "action_plan_items.tenant_id",
                "action_plan_items.period_id",
                "action_plan_items.id",
                "action_plan_items.level",
            ],
            ondelete="CASCADE",
            name="fk_action_plan_indicators_item",
        ),
        tenant_fk(
            ["predecessor_id"],
            "action_plan_indicators",
            name="fk_action_plan_indicators_predecessor",
        ),
        tenant_index("ix_action_plan_indicators_period", "period_id", "position"),
        tenant_index("ix_action_plan_indicators_lineage", "lineage_id"),
        CheckConstraint(
            "(item_id IS NULL AND item_level IS NULL)"
            " OR (item_id IS NOT NULL AND item_level IN ('objective', 'action'))",
            name="item",
        ),
    )

    period_id: Mapped[uuid.UUID]
    item_id: Mapped[uuid.UUID | None]
    item_level: Mapped[str | None] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(300))
    definition: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))
    unit: Mapped[str] = mapped_column(String(40))
    baseline: Mapped[float | None] = mapped_column(Float)
    baseline_year: Mapped[int | None]
    target: Mapped[float | None] = mapped_column(Float)
    position: Mapped[int] = mapped_column(default=0)
    predecessor_id: Mapped[uuid.UUID | None]
    lineage_id: Mapped[uuid.UUID]


class IndicatorValue(TenantScoped, Base):
    """An indicator's figure for one year, or the gap and its reason."""

    __tablename__ = "action_plan_indicator_values"
    __table_args__ = (
        tenant_fk(
            ["indicator_id"],
            "action_plan_indicators",
            ondelete="CASCADE",
            name="fk_action_plan_values_indicator",
        ),
        tenant_unique("indicator_id", "year"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),
        CheckConstraint(
            "(state = 'available' AND value IS NOT NULL)"
            " OR (state <> 'available' AND value IS NULL AND length(trim(reason)) > 0)",
            name="gap_reason",
        ),
    )

    indicator_id: Mapped[uuid.UUID]
    year: Mapped[int]
    state: Mapped[str] = mapped_column(String(16))
    value: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))
    comment: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(200))
