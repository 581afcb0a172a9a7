"""Test-only tenant tables with deeper shapes than core has yet.

Parent —< Child —< Toy, a deferred column on Child: enough to exercise relationship
loads in both directions, nested eager loads, column loads, ``.any()`` / ``.has()``.
They follow the TenantScoped rules and get RLS like any migrated table.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Column, MetaData, String, Table, Text, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, deferred, mapped_column, relationship

from core.db.base import NAMING_CONVENTION
from core.tenancy.scoped import TenantScoped, tenant_fk, tenant_index, tenant_join


class IsoBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    def __init_subclass__(cls, **kw: object) -> None:
        super().__init_subclass__(**kw)
        table = getattr(cls, "__table__", None)
        if table is not None:
            table.info["maillage_kind"] = getattr(cls, "__maillage_kind__", None)


# A stand-in for the migrated tenants table, so tenant_id foreign keys resolve here.
Table(
    "tenants",
    IsoBase.metadata,
    Column("id", Uuid, primary_key=True),
    info={"maillage_kind": "reference"},
)


class Parent(TenantScoped, IsoBase):
    __tablename__ = "iso_parents"
    __table_args__ = (tenant_index("ix_iso_parents_name", "name"),)

    name: Mapped[str] = mapped_column(String(50))
    children: Mapped[list[Child]] = relationship(
        back_populates="parent",
        primaryjoin=tenant_join("Parent", "Child", "parent_id"),
        cascade="all, delete-orphan",
    )


class Child(TenantScoped, IsoBase):
    __tablename__ = "iso_children"
    __table_args__ = (tenant_fk(["parent_id"], "iso_parents", ondelete="CASCADE"),)

    parent_id: Mapped[uuid.UUID]
    name: Mapped[str] = mapped_column(String(50))
    note: Mapped[str] = deferred(mapped_column(Text, default=""))
    parent: Mapped[Parent] = relationship(
        back_populates="children",
        primaryjoin=tenant_join("Parent", "Child", "parent_id"),
    )
    toys: Mapped[list[Toy]] = relationship(
        back_populates="child",
        primaryjoin=tenant_join("Child", "Toy", "child_id"),
        cascade="all, delete-orphan",
    )


class Toy(TenantScoped, IsoBase):
    __tablename__ = "iso_toys"
    __table_args__ = (tenant_fk(["child_id"], "iso_children", ondelete="CASCADE"),)

    child_id: Mapped[uuid.UUID]
    label: Mapped[str] = mapped_column(String(50))
    child: Mapped[Child] = relationship(
        back_populates="toys",
        primaryjoin=tenant_join("Child", "Toy", "child_id"),
    )


ISO_TABLES = [Parent.__table__, Child.__table__, Toy.__table__]
