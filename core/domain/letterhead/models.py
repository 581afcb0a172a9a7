"""One letterhead per pole. Tenant-owned like every pole's record (the ORM filter and
RLS keep a pole's logo to its own documents); empty texts fall back to the pole's
name and contact (``tenants/<slug>.toml``)."""

from __future__ import annotations

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, Timestamped
from core.tenancy.scoped import TenantScoped, tenant_unique


class LetterheadSettings(TenantScoped, Timestamped, Base):
    __tablename__ = "letterheads"
    # One row per pole: tenant_unique() with no column is the pole itself.
    __table_args__ = (tenant_unique(),)

    name: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(400), default="")
    contact: Mapped[str] = mapped_column(String(300), default="")
    colour: Mapped[str] = mapped_column(String(7), default="")
    accent: Mapped[str] = mapped_column(String(7), default="")
    # PNG or JPEG, at most service.MAX_LOGO_BYTES, checked by decoding it.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_type: Mapped[str | None] = mapped_column(String(20))
    updated_by: Mapped[str] = mapped_column(String(200), default="")
