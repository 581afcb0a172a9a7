"""Service areas: how a pole divides its département (Artois, Lens-Liévin, Combrailles…).

Tenant-owned: each pole draws its own map. Reports group children and actions by
area, commune and EPCI.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db.base import Base, Timestamped
from core.db.limits import NOTE, max_chars
from core.tenancy.scoped import (
    TenantScoped,
    tenant_fk,
    tenant_index,
    tenant_join,
    tenant_unique,
)
from core.territory.models import Commune


class ServiceArea(TenantScoped, Timestamped, Base):
    __tablename__ = "service_areas"
    __table_args__ = (tenant_unique("name"),)

    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))

    communes: Mapped[list[ServiceAreaCommune]] = relationship(
        back_populates="area",
        cascade="all, delete-orphan",
        primaryjoin=tenant_join("ServiceArea", "ServiceAreaCommune", "area_id"),
        order_by=lambda: ServiceAreaCommune.commune_insee,
        lazy="raise",
    )


class ServiceAreaCommune(TenantScoped, Base):
    __tablename__ = "service_area_communes"
    __table_args__ = (
        tenant_fk(["area_id"], "service_areas", ondelete="CASCADE"),
        tenant_unique("area_id", "commune_insee"),
        tenant_index("ix_service_area_communes_commune", "commune_insee"),
    )

    area_id: Mapped[uuid.UUID]
    commune_insee: Mapped[str] = mapped_column(ForeignKey("communes.insee_code"))

    area: Mapped[ServiceArea] = relationship(
        back_populates="communes",
        primaryjoin=tenant_join("ServiceArea", "ServiceAreaCommune", "area_id"),
        lazy="raise",
    )
    commune: Mapped[Commune] = relationship(lazy="raise")
