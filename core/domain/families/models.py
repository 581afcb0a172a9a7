"""A family's file: the family, its guardians, its consents, its children, and which
structures and partners each child is linked to.

Everything here is personal data (health data for the diagnosis and health notes,
social data for the family situation): tenant tables behind both walls, read through
audited GraphQL fields, sensitive fields behind explicit grants.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db.base import Base, Timestamped
from core.db.limits import NOTE, max_chars
from core.tenancy.scoped import TenantScoped, tenant_fk, tenant_index, tenant_join


class Family(TenantScoped, Timestamped, Base):
    __tablename__ = "families"
    __table_args__ = (tenant_index("ix_families_search", "search_name"),)

    # How the pole names the file ("Famille Durand").
    name: Mapped[str] = mapped_column(String(200))
    search_name: Mapped[str] = mapped_column(String(200))
    commune_insee: Mapped[str] = mapped_column(ForeignKey("communes.insee_code"))
    address: Mapped[str] = mapped_column(String(300), default="")
    # Sensitive (social data): family situation, needs an explicit grant to read.
    situation: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))
    notes: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))
    # Set when the file was anonymised (retention purge or erasure): the row stays as an
    # anonymous skeleton for activity counts, out of every list.
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    guardians: Mapped[list[Guardian]] = relationship(
        primaryjoin=tenant_join("Family", "Guardian", "family_id"),
        order_by="Guardian.last_name",
        lazy="raise",
        viewonly=True,
    )
    children: Mapped[list[Child]] = relationship(
        primaryjoin=tenant_join("Family", "Child", "family_id"),
        order_by="Child.birth_date",
        lazy="raise",
        viewonly=True,
    )
    consents: Mapped[list[Consent]] = relationship(
        primaryjoin=tenant_join("Family", "Consent", "family_id"),
        order_by="Consent.given_at",
        lazy="raise",
        viewonly=True,
    )


class Guardian(TenantScoped, Timestamped, Base):
    """A parent or legal guardian: who the pole talks to."""

    __tablename__ = "guardians"
    __table_args__ = (
        tenant_fk(["family_id"], "families", ondelete="CASCADE"),
        tenant_index("ix_guardians_family", "family_id"),
    )

    family_id: Mapped[uuid.UUID]
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    relationship_: Mapped[str] = mapped_column("relationship", String(20))
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(254))


class Consent(TenantScoped, Base):
    """What the family agreed to, who said so, when; withdrawn when (never deleted)."""

    __tablename__ = "consents"
    __table_args__ = (
        tenant_fk(["family_id"], "families", ondelete="CASCADE"),
        tenant_index("ix_consents_family", "family_id", "purpose"),
    )

    family_id: Mapped[uuid.UUID]
    purpose: Mapped[str] = mapped_column(String(30))
    given_by: Mapped[str] = mapped_column(String(200))
    given_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(200))
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_by: Mapped[str | None] = mapped_column(String(200))


class Child(TenantScoped, Timestamped, Base):
    __tablename__ = "children"
    __table_args__ = (
        tenant_fk(["family_id"], "families", ondelete="CASCADE"),
        tenant_index("ix_children_family", "family_id"),
        tenant_index("ix_children_commune", "commune_insee"),
    )

    family_id: Mapped[uuid.UUID]
    first_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    commune_insee: Mapped[str] = mapped_column(ForeignKey("communes.insee_code"))
    needs: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))
    needs_profile: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Sensitive (health data): behind an explicit grant.
    diagnosis: Mapped[str | None] = mapped_column(Text, info=max_chars(NOTE))
    health_notes: Mapped[str | None] = mapped_column(Text, info=max_chars(NOTE))


class ChildStructure(TenantScoped, Base):
    """A child attends a structure, from a date (to a date)."""

    __tablename__ = "child_structures"
    __table_args__ = (
        tenant_fk(["child_id"], "children", ondelete="CASCADE"),
        tenant_fk(["structure_id"], "structures"),
        tenant_index("ix_child_structures_child", "child_id"),
        tenant_index("ix_child_structures_structure", "structure_id"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates"),
    )

    child_id: Mapped[uuid.UUID]
    structure_id: Mapped[uuid.UUID]
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(String(300), default="")


class ChildPartner(TenantScoped, Base):
    """A partner (CAMSP, SESSAD…) involved with the child, from a date (to a date)."""

    __tablename__ = "child_partners"
    __table_args__ = (
        tenant_fk(["child_id"], "children", ondelete="CASCADE"),
        tenant_fk(["partner_id"], "partners"),
        tenant_index("ix_child_partners_child", "child_id"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates"),
    )

    child_id: Mapped[uuid.UUID]
    partner_id: Mapped[uuid.UUID]
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(String(300), default="")
