"""The network's tables: the network, its poles, its catalogue, and the releases.

The release tables (``network_releases``, ``network_release_cells``) and the tables
that describe them (``networks``, ``network_poles``, ``network_catalogues``) hold no
row about a person and no place below the département: they are *reference* tables,
stored apart from the poles' data, and the only tables the PostgreSQL role of the
network may read (``NETWORK_READABLE_KEY``, granted by ``core.db.migrate``).

What a correction needs and the network must never read — the true values of an
earlier version's hidden cells — stays with the pole, in ``network_release_sources``,
a tenant table behind both walls (decision 124).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import NETWORK_READABLE_KEY, RUNTIME_WRITABLE_KEY, Base, Reference, Timestamped
from core.db.limits import max_chars
from core.ids import uuid7
from core.tenancy.scoped import TenantScoped, tenant_unique

# Read by the network's role; written by the application (the release job, the
# coordinator's approval, the CLI).
_NETWORK = {RUNTIME_WRITABLE_KEY: True, NETWORK_READABLE_KEY: True}


class Network(Reference, Timestamped, Base):
    """The national network this install serves (one at most): its name and the
    threshold k of its statistical secret."""

    __tablename__ = "networks"
    __table_args__ = ({"info": _NETWORK},)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    name: Mapped[str] = mapped_column(String(200))
    k: Mapped[int] = mapped_column(Integer, default=11)


class NetworkPole(Reference, Timestamped, Base):
    """A pole taking part in the network: a pole of this install (``local_pole_id``)
    or of another install, known by its code (its slug on its own install)."""

    __tablename__ = "network_poles"
    __table_args__ = (UniqueConstraint("network_id", "code"), {"info": _NETWORK})

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    network_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("networks.id"))
    code: Mapped[str] = mapped_column(String(63))
    name: Mapped[str] = mapped_column(String(200))
    departement_code: Mapped[str] = mapped_column(String(3))
    # Platform tables never name a column tenant_id (that is a tenant table's key).
    local_pole_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id"), unique=True)


class NetworkCatalogue(Reference, Base):
    """One version of what the network collects: each figure and its breakdowns
    (``[{"figure": "children_followed", "tables": [[], ["age"], ["age", "audience"]]}]``)."""

    __tablename__ = "network_catalogues"
    __table_args__ = (UniqueConstraint("network_id", "version"), {"info": _NETWORK})

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    network_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("networks.id"))
    version: Mapped[int] = mapped_column(Integer)
    entries: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class NetworkRelease(Reference, Base):
    """One version of a pole's release for one period. ``status``: ``draft`` (prepared,
    the pole previews it), ``submitted``, ``published`` (approved and locked: a
    database trigger refuses any change to it or to its cells)."""

    __tablename__ = "network_releases"
    __table_args__ = (
        UniqueConstraint("pole_id", "period", "version"),
        Index("ix_network_releases_period", "period"),
        {"info": _NETWORK},
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    pole_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("network_poles.id"))
    # « 2025 » (a civil year) or « 2025-S1 », « 2025-S2 » (its halves).
    period: Mapped[str] = mapped_column(String(7))
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    k: Mapped[int] = mapped_column(Integer)
    catalogue_version: Mapped[int] = mapped_column(Integer)
    # Why a correction was made (empty for version 1).
    reason: Mapped[str] = mapped_column(Text, default="", info=max_chars(2000))
    # The population the figures are divided by, at release: the pole's declared
    # territory, else its département (decision 182) — and which, in words.
    population: Mapped[int] = mapped_column(Integer)
    population_source: Mapped[str] = mapped_column(String(200), default="")
    # The closing note: cells hidden by primary, complementary, inherited secret, and
    # the narrowest interval the audit found.
    cells_total: Mapped[int] = mapped_column(Integer)
    cells_primary: Mapped[int] = mapped_column(Integer)
    cells_secondary: Mapped[int] = mapped_column(Integer)
    cells_inherited: Mapped[int] = mapped_column(Integer)
    smallest_interval: Mapped[float | None] = mapped_column(Float)
    # Who prepared and submitted it are the pole's staff: their names stay in the
    # pole's audit trail, never in a table the network reads (decision 211).
    prepared_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The network's own coordinator (or, for an import, who imported it).
    approved_by: Mapped[str | None] = mapped_column(String(200))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # A release of a pole of another install, imported from its signed document: the
    # document's id (a second import of it is a no-op) and its SHA-256.
    document_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    document_digest: Mapped[str | None] = mapped_column(String(64))


class NetworkReleaseCell(Reference, Base):
    """One published number of a release: a figure's total, margin or breakdown cell.
    ``value`` is null when the cell is hidden; ``reason`` then says so in words that
    never tell a primary secret from a complementary one (decision 152)."""

    __tablename__ = "network_release_cells"
    __table_args__ = (
        UniqueConstraint("release_id", "figure", "coords"),
        {"info": _NETWORK},
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    release_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("network_releases.id", ondelete="CASCADE")
    )
    figure: Mapped[str] = mapped_column(String(100))
    # « age=3-5|audience=EAJE », sorted by dimension; empty for the figure's total.
    coords: Mapped[str] = mapped_column(String(400))
    # The categories' labels, {"age": "3 à 5 ans", …}, as the pole's vocabulary says.
    labels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    value: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(300))


class NetworkReleaseSource(TenantScoped, Base):
    """The pole's own copy of a release version: its tables with the true values,
    hidden cells included, which the protection of a correction needs (decision 124).
    A tenant table: the network's role never reads it."""

    __tablename__ = "network_release_sources"
    __table_args__ = (tenant_unique("release_id"),)

    release_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    period: Mapped[str] = mapped_column(String(7))
    version: Mapped[int] = mapped_column(Integer)
    # [{"figure": …, "dimensions": […], "cells": [[[categories…], value], …]}]
    tables: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # Each hidden cell's secret as the pole's preview shows it (primary, secondary…).
    secrets: Mapped[dict[str, Any]] = mapped_column(JSON)


class NetworkTerritory(TenantScoped, Base):
    """The territory a pole declares to the network (decision 182): communes (INSEE
    codes) and EPCI (SIREN), whose communes' populations, summed once each, are the
    population its releases are divided by. No row: the pole's département. A tenant
    table: the network reads the population and a count, never the list."""

    __tablename__ = "network_territories"
    __table_args__ = (tenant_unique("kind"),)

    # One declaration per pole: the key of the unique constraint.
    kind: Mapped[str] = mapped_column(String(20), default="declared")
    communes: Mapped[list[str]] = mapped_column(JSON, default=list)
    epcis: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class NetworkSigningKey(Reference, Base):
    """The install's Ed25519 key that signs its poles' published releases for the
    network's install; the private half encrypted with the install's secret key.
    Not the network's to read."""

    __tablename__ = "network_signing_keys"
    __table_args__ = ({"info": {RUNTIME_WRITABLE_KEY: True}},)

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64))
    private_key: Mapped[str] = mapped_column(Text, info=max_chars(2000))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class NetworkTrustedKey(Reference, Base):
    """A public key the network's install trusts for one pole of another install:
    a document signed by any other key is refused."""

    __tablename__ = "network_trusted_keys"
    __table_args__ = ({"info": {RUNTIME_WRITABLE_KEY: True}},)

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    pole_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("network_poles.id"))
    public_key: Mapped[str] = mapped_column(String(64))
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
