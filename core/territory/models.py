"""Reference tables of the French territory, shared by every pole.

Loaded from the CSV files shipped in ``core/territory/data`` (Etalab's
découpage administratif, see data/SOURCE.md) by ``maillage territory load``.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db.base import Base, Reference


class Region(Reference, Base):
    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class Departement(Reference, Base):
    __tablename__ = "departements"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    chef_lieu_insee: Mapped[str] = mapped_column(String(5))

    region: Mapped[Region] = relationship(lazy="raise")


class Epci(Reference, Base):
    """Établissement public de coopération intercommunale (CC, CA, CU, métropole)."""

    __tablename__ = "epci"

    siren: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    search_name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(5))
    population: Mapped[int]


class Commune(Reference, Base):
    __tablename__ = "communes"
    __table_args__ = (
        Index("ix_communes_departement_population", "departement_code", "population"),
    )

    insee_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Lower-case, accent-free, punctuation as spaces: "chatel guyon" for Châtel-Guyon.
    search_name: Mapped[str] = mapped_column(String(200), index=True)
    departement_code: Mapped[str] = mapped_column(ForeignKey("departements.code"))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    epci_siren: Mapped[str | None] = mapped_column(ForeignKey("epci.siren"), index=True)
    population: Mapped[int]

    departement: Mapped[Departement] = relationship(lazy="raise")
    epci: Mapped[Epci | None] = relationship(lazy="raise")
    postal_codes: Mapped[list[CommunePostalCode]] = relationship(
        back_populates="commune", lazy="raise", order_by="CommunePostalCode.postal_code"
    )


class CommunePostalCode(Reference, Base):
    """A commune has one or more postal codes; a postal code serves one or more communes."""

    __tablename__ = "commune_postal_codes"

    postal_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    insee_code: Mapped[str] = mapped_column(
        ForeignKey("communes.insee_code", ondelete="CASCADE"), primary_key=True, index=True
    )

    commune: Mapped[Commune] = relationship(back_populates="postal_codes", lazy="raise")


class ReferenceDataset(Reference, Base):
    """Which version (checksum) of a shipped dataset is loaded, so loading is idempotent."""

    __tablename__ = "reference_datasets"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    checksum: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int]
