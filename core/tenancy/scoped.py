"""The ``TenantScoped`` mixin and the key rules every tenant table follows.

``tenant_id`` leads the primary key ``(tenant_id, id)``, every foreign key to another
tenant table, every unique constraint and every index. That is the shape Citus
distributes by ``tenant_id`` without change, and it makes a cross-tenant reference
impossible to store: a child row can only point at a parent of its own pole.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, ClassVar

from sqlalchemy import ForeignKey, ForeignKeyConstraint, Index, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from core.db.base import TableKind
from core.ids import uuid7


class TenantScoped:
    """Mixin for tenant-owned tables. Rows are filtered by the current tenant, always."""

    __maillage_kind__: ClassVar[TableKind] = "tenant"

    @declared_attr
    def tenant_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(
            Uuid,
            ForeignKey("tenants.id", ondelete="RESTRICT"),
            primary_key=True,
            sort_order=-100,
        )

    @declared_attr
    def id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(Uuid, primary_key=True, default=uuid7, sort_order=-99)


def tenant_fk(
    columns: Sequence[str], target_table: str, *, ondelete: str | None = None, **kw: Any
) -> ForeignKeyConstraint:
    """Composite foreign key ``(tenant_id, *columns) → target(tenant_id, id)``."""
    if len(columns) != 1:
        raise ValueError("tenant_fk points at one target id column")
    return ForeignKeyConstraint(
        ["tenant_id", *columns],
        [f"{target_table}.tenant_id", f"{target_table}.id"],
        ondelete=ondelete,
        **kw,
    )


def tenant_unique(*columns: str, name: str | None = None) -> UniqueConstraint:
    """Unique constraint led by ``tenant_id``: unique within a pole, never across poles."""
    return UniqueConstraint("tenant_id", *columns, name=name)


def tenant_index(name: str, *columns: Any, **kw: Any) -> Index:
    """Index led by ``tenant_id`` (every lookup inside a pole starts there)."""
    return Index(name, "tenant_id", *columns, **kw)


def tenant_join(parent: str, child: str, foreign_key: str) -> str:
    """``primaryjoin`` for ``child.foreign_key → parent.id`` inside one pole.

    ``tenant_id`` is compared but not marked foreign: the relationship then never
    copies it (the flush guard stamps it), so two relationships sharing the column
    do not conflict. Use the same string on both sides of the relationship.
    """
    return (
        f"and_({parent}.tenant_id == {child}.tenant_id, "
        f"{parent}.id == foreign({child}.{foreign_key}))"
    )
