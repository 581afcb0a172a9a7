"""``tenant_plugins``: which plugins a pole enabled, with its settings.

Tenant-owned (each pole decides), fed by ``tenants/*.toml`` and by the admin
mutations. A row survives disabling: enabling again restores the settings, and the
plugin's own data was never touched.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, Timestamped
from core.tenancy.scoped import TenantScoped, tenant_unique


class TenantPlugin(TenantScoped, Timestamped, Base):
    __tablename__ = "tenant_plugins"
    __table_args__ = (tenant_unique("plugin"),)

    plugin: Mapped[str] = mapped_column(String(63))
    enabled: Mapped[bool] = mapped_column(default=False)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    enabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    disabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Version of the plugin when the pole last enabled it or changed its settings.
    version: Mapped[str | None] = mapped_column(String(40))
    # "file" when tenants/*.toml decides, "admin" after a mutation.
    source: Mapped[str] = mapped_column(String(10), default="file")
