"""Declarative base shared by core and plugins, and the table classification.

Every table is either ``reference`` (holds no tenant data, never points to a tenant
table: communes, tenants, the plugin registry) or ``tenant`` (rows belong to one pole,
keyed by ``tenant_id``). The classification is stored in ``Table.info`` and checked by
the schema lint (core.db.lint), which stands in for Citus' distribution rules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal

from sqlalchemy import DateTime, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Imported for its effect: the text-length check runs at every flush of every session.
from core.db import limits as _limits  # noqa: F401

TableKind = Literal["reference", "tenant"]
KIND_KEY = "maillage_kind"

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# ``Table.info`` keys. The owner ("core" or a plugin name) is stamped at startup from
# the models hook: migrations and autogenerate look only at their owner's tables.
OWNER_KEY = "maillage_owner"
MODULE_KEY = "maillage_module"
# Append-only tables (audit): the runtime role may insert and read, never change.
APPEND_ONLY_KEY = "maillage_append_only"
# Platform (reference) tables the runtime role writes: accounts, sessions, tokens.
# Every other reference table is read-only to it.
RUNTIME_WRITABLE_KEY = "maillage_runtime_writable"
# Reference tables the national network's database role may read (SELECT only): the
# releases and what describes them (core/network/models.py); nothing else.
NETWORK_READABLE_KEY = "maillage_network_readable"
# Tenant tables a person may read across poles, limited to their own rows: the value
# names the column holding the user's id (memberships.user_id). See tenancy.guard.
SELF_READ_KEY = "maillage_self_read"


class Base(DeclarativeBase):
    """Base of every mapped class. Subclass it with ``Reference`` or ``TenantScoped``."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    __maillage_kind__: ClassVar[TableKind | None] = None

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        table = getattr(cls, "__table__", None)
        kind = getattr(cls, "__maillage_kind__", None)
        if table is not None and kind is not None:
            table.info[KIND_KEY] = kind
        if table is not None:
            table.info.setdefault(MODULE_KEY, cls.__module__)


class Reference:
    """Mixin for reference tables: shared by every pole, no person's data, no tenant key."""

    __maillage_kind__: ClassVar[TableKind] = "reference"


class Timestamped:
    """``created_at`` / ``updated_at`` kept by the database clock, timezone-aware."""

    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), sort_order=90
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), sort_order=91
    )


def table_kind(table: Any) -> TableKind | None:
    return table.info.get(KIND_KEY)


def table_owner(table: Any) -> str | None:
    """ "core", a plugin name, or None for a table no models hook claimed. Core's tables
    are core's even before the plugin host stamps them (migrations run without it)."""
    owner = table.info.get(OWNER_KEY)
    if owner is None and str(table.info.get(MODULE_KEY, "")).startswith("core."):
        return "core"
    return owner
