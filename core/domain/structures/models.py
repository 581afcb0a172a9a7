"""Gestionnaires, structures d'accueil, partenaires and their contact people.

Tenant-owned: each pole keeps its own directory (two poles may both know the same
crèche; each has its own row, its own contacts and its own history with it). Contact
people are persons: their fields are read through audited GraphQL fields.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db.base import Base, Timestamped
from core.db.limits import NOTE, max_chars
from core.tenancy.scoped import TenantScoped, tenant_fk, tenant_index, tenant_join, tenant_unique
from core.territory.models import Commune


class Organisation(TenantScoped, Timestamped, Base):
    """A gestionnaire: the commune, EPCI, CCAS, association or company running structures."""

    __tablename__ = "organisations"
    __table_args__ = (tenant_index("ix_organisations_search", "search_name"),)

    name: Mapped[str] = mapped_column(String(200))
    search_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    commune_insee: Mapped[str | None] = mapped_column(ForeignKey("communes.insee_code"))
    siren: Mapped[str | None] = mapped_column(String(9))
    notes: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))


class Structure(TenantScoped, Timestamped, Base):
    """A reception structure (EAJE, MAM, childminder, RPE, ACM…) in a commune."""

    __tablename__ = "structures"
    __table_args__ = (
        tenant_fk(["organisation_id"], "organisations", ondelete="SET NULL"),
        tenant_fk(["merged_into_id"], "structures"),
        tenant_index("ix_structures_search", "search_name"),
        tenant_index("ix_structures_commune", "commune_insee"),
        tenant_index("ix_structures_duplicates", "kind", "search_name", "commune_insee"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_positive"),
        CheckConstraint(
            "age_min_months IS NULL OR age_max_months IS NULL OR age_min_months <= age_max_months",
            name="age_range",
        ),
    )

    name: Mapped[str] = mapped_column(String(200))
    search_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[uuid.UUID | None]
    commune_insee: Mapped[str] = mapped_column(ForeignKey("communes.insee_code"))
    address: Mapped[str] = mapped_column(String(300), default="")
    capacity: Mapped[int | None]
    age_min_months: Mapped[int | None]
    age_max_months: Mapped[int | None]
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    notes: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set when merged into another row (kept for the history, hidden from lists).
    merged_into_id: Mapped[uuid.UUID | None]

    commune: Mapped[Commune] = relationship(lazy="raise")
    organisation: Mapped[Organisation | None] = relationship(
        primaryjoin=tenant_join("Organisation", "Structure", "organisation_id"),
        lazy="raise",
    )


class Partner(TenantScoped, Timestamped, Base):
    """A medico-social, health, education or training partner (MDPH, CAMSP, PMI…)."""

    __tablename__ = "partners"
    __table_args__ = (tenant_index("ix_partners_search", "search_name"),)

    name: Mapped[str] = mapped_column(String(200))
    search_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    commune_insee: Mapped[str | None] = mapped_column(ForeignKey("communes.insee_code"))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    notes: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))

    commune: Mapped[Commune | None] = relationship(lazy="raise")


class ContactPerson(TenantScoped, Timestamped, Base):
    """Someone the pole talks to at a structure or a partner (a director, an RSAI, a
    doctor). A person: reads are audited field by field."""

    __tablename__ = "contact_people"
    __table_args__ = (
        tenant_fk(["structure_id"], "structures", ondelete="CASCADE"),
        tenant_fk(["partner_id"], "partners", ondelete="CASCADE"),
        tenant_index("ix_contact_people_structure", "structure_id"),
        tenant_index("ix_contact_people_partner", "partner_id"),
        CheckConstraint("(structure_id IS NULL) <> (partner_id IS NULL)", name="one_owner"),
    )

    structure_id: Mapped[uuid.UUID | None]
    partner_id: Mapped[uuid.UUID | None]
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    function: Mapped[str] = mapped_column(String(150), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))


class StructureStaff(TenantScoped, Base):
    """A member of the pole who works at a structure (role « Structure partenaire »): they
    may open the reception plans the pole shared with that structure, nothing else."""

    __tablename__ = "structure_staff"
    __table_args__ = (
        tenant_fk(["structure_id"], "structures", ondelete="CASCADE"),
        tenant_unique("user_id", "structure_id"),
        tenant_index("ix_structure_staff_structure", "structure_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    structure_id: Mapped[uuid.UUID]
    added_by: Mapped[str] = mapped_column(String(200))
