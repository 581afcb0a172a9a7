"""Releases: the job that computes a pole's figures for a period and protects them,
and the workflow that takes them to publication (decisions 153 and 154).

* ``prepare`` (the pole's administrator, in the pole's scoped session): computes every
  figure of the catalogue the pole has, protects the tables with the engine of
  ``core.network.protection`` (earlier versions included), and only then stores the
  version as a *draft*: cells hidden carry no value in the network's tables; the true
  values stay in the pole's own ``network_release_sources``. A new draft replaces the
  previous draft; after a publication, a new version needs a reason.
* ``submit`` (the pole's administrator): draft → submitted.
* ``approve`` (the network's coordinator): submitted → published, locked for good (a
  database trigger refuses any change to a published release or its cells).

Every step is audited; every refusal is a coded error and leaves nothing written
(each runs in its request's one transaction).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Caller
from core.audit.trail import record
from core.errors import ConflictError, NotFoundError, ValidationError
from core.network.actions import APPROVE, PREPARE
from core.network.catalogue import CatalogueEntry, entries_from_json
from core.network.models import (
    Network,
    NetworkCatalogue,
    NetworkPole,
    NetworkRelease,
    NetworkReleaseCell,
    NetworkReleaseSource,
)
from core.network.periods import NetworkPeriod, parse_period
from core.network.protection import (
    CellKey,
    CellOutcome,
    Figure,
    ProtectedRelease,
    ProtectionFigures,
    Secret,
    Table,
    protect,
)
from core.network.protection.tables import build_layout
from core.network.territory import pole_territory
from core.plugins.figures import FigureTable
from core.plugins.host import PluginHost
from core.plugins.indicators import available_indicators, compute_figure_table
from core.tenancy.models import PlatformAuditEvent, Tenant

# A category the pole did not record (« Non renseigné ») is a category of its own.
UNKNOWN_CODE = "nr"
UNKNOWN_LABEL = "Non renseigné"
MAX_REASON = 2000


def coords_text(coords: Iterable[tuple[str, str]]) -> str:
    """« age_bracket=3-5|audience=EAJE »: a cell's place, sorted by dimension."""
    return "|".join(f"{d}={c}" for d, c in sorted(coords))


def coords_pairs(text: str) -> tuple[tuple[str, str], ...]:
    if not text:
        return ()
    return tuple(tuple(part.split("=", 1)) for part in text.split("|"))  # type: ignore[misc]


def network_reason(outcome: CellOutcome, k: int) -> str | None:
    """What the network reads about a hidden cell. It never says « primary »: knowing
    that a cell holds between 1 and k − 1 persons is exactly what the secret hides
    (decision 152). The pole's preview gives the full reason."""
    if outcome.secret is None:
        return None
    if outcome.secret is Secret.INHERITED:
        return "secret statistique, maintenu d'une version antérieure"
    return f"secret statistique (seuil de {k} personnes)"


# --- the network on this install ------------------------------------------------------


async def the_network(session: AsyncSession) -> Network:
    network = (await session.execute(select(Network).limit(1))).scalar()
    if network is None:
        raise NotFoundError(
            "aucun réseau n'est défini sur cette installation (maillage network init)",
            field="network",
        )
    return network


async def current_catalogue(session: AsyncSession, network: Network) -> NetworkCatalogue:
    catalogue = (
        await session.execute(
            select(NetworkCatalogue)
            .where(NetworkCatalogue.network_id == network.id)
            .order_by(NetworkCatalogue.version.desc())
            .limit(1)
        )
    ).scalar()
    if catalogue is None:
        raise NotFoundError("le réseau n'a pas encore de catalogue", field="catalogue")
    return catalogue


async def pole_of(session: AsyncSession, tenant: Tenant) -> NetworkPole:
    pole = (
        await session.execute(select(NetworkPole).where(NetworkPole.local_pole_id == tenant.id))
    ).scalar()
    if pole is None:
        raise ConflictError(
            f"le pôle {tenant.name} ne participe pas au réseau national", field="pole"
        )
    return pole


# --- the tables of a release ----------------------------------------------------------


@dataclass(frozen=True)
class ComputedRelease:
    figures: list[Figure]
    tables: list[Table]
    labels: dict[CellKey, dict[str, str]]


def _table(name: str, table: FigureTable, labels: dict[CellKey, dict[str, str]]) -> Table:
    dims = tuple(d.code for d in table.dimensions)
    if not dims:
        return Table(name, (), {(): _count(name, table.total)})
    cells: dict[tuple[str, ...], int] = {}
    for cell in table.cells:
        codes = tuple(v.code if v.code is not None else UNKNOWN_CODE for v in cell.values)
        cells[codes] = _count(name, cell.value)
        for value, code in zip(cell.values, codes, strict=True):
            label = value.label if value.code is not None else UNKNOWN_LABEL
            labels.setdefault(CellKey(name, ((value.dimension, code),)), {})[value.dimension] = (
                label
            )
        labels[CellKey(name, tuple(sorted(zip(dims, codes, strict=True))))] = {
            v.dimension: (v.label if v.code is not None else UNKNOWN_LABEL) for v in cell.values
        }
    if not cells:
        # Nothing counted: the table is its total, zero, published as such.
        return Table(name, (), {(): 0})
    return Table(name, dims, cells)


def _count(name: str, value: float | None) -> int:
    if value is None:
        return 0
    if float(value) != int(value) or value < 0:
        raise ValidationError(
            f"{name} : valeur non entière ({value}), le réseau ne recueille que des comptages",
            field="catalogue",
        )
    return int(value)


async def compute_release(
    host: PluginHost,
    session: AsyncSession,
    tenant: Tenant,
    enabled: Iterable[str],
    entries: Sequence[CatalogueEntry],
    period: NetworkPeriod,
) -> ComputedRelease:
    """The catalogue's figures of the pole (those of plugins it did not enable are
    left out), each table computed by core from the figure's one definition."""
    enabled = list(enabled)
    available = available_indicators(host, enabled)
    settings = dict(tenant.settings) if isinstance(tenant.settings, dict) else {}
    figures: list[Figure] = []
    tables: list[Table] = []
    labels: dict[CellKey, dict[str, str]] = {}
    for entry in entries:
        if entry.figure not in available:
            continue
        _, spec = available[entry.figure]
        figures.append(Figure(entry.figure, spec.title, spec.counts_persons))
        shapes: set[tuple[str, ...]] = set()
        for dims in entry.tables:
            table = await compute_figure_table(
                host,
                session,
                enabled,
                entry.figure,
                period.range(),
                list(dims),
                settings=settings,
            )
            converted = _table(entry.figure, table, labels)
            if converted.dimensions in shapes:
                continue  # an empty breakdown is the figure's total, already there
            shapes.add(converted.dimensions)
            tables.append(converted)
    return ComputedRelease(figures, tables, labels)


# --- earlier versions, rebuilt from the pole's own copies -----------------------------


def _stored_tables(tables: Sequence[Table]) -> list[dict[str, Any]]:
    return [
        {
            "figure": t.figure,
            "dimensions": list(t.dimensions),
            "cells": [[list(coords), value] for coords, value in t.cells.items()],
        }
        for t in tables
    ]


def _tables_of(raw: Sequence[Mapping[str, Any]]) -> list[Table]:
    return [
        Table(
            str(t["figure"]),
            tuple(t["dimensions"]),
            {tuple(coords): int(value) for coords, value in t["cells"]},
        )
        for t in raw
    ]


def _figures_of(secrets: Mapping[str, Any]) -> list[Figure]:
    return [Figure(code, title, persons) for code, title, persons in secrets["figures"]]


def _stored_secrets(release: ProtectedRelease, figures: Sequence[Figure]) -> dict[str, Any]:
    return {
        "figures": [[f.code, f.title, f.persons] for f in figures],
        "cells": {
            f"{key.figure}#{coords_text(key.coords)}": {
                "secret": cell.secret.value if cell.secret else None,
                "reason": cell.reason,
                "interval": list(cell.interval) if cell.interval else None,
            }
            for key, cell in release.cells.items()
            if cell.hidden
        },
    }


def rebuild(source: NetworkReleaseSource, k: int) -> ProtectedRelease:
    """An earlier version as the engine needs it (true values, hidden pattern)."""
    figures = _figures_of(source.secrets)
    layout = build_layout(figures, _tables_of(source.tables))
    hidden = source.secrets["cells"]
    cells: dict[CellKey, CellOutcome] = {}
    for key, value in layout.values.items():
        secret = hidden.get(f"{key.figure}#{coords_text(key.coords)}")
        if secret is None:
            cells[key] = CellOutcome(key, value)
        else:
            interval = tuple(secret["interval"]) if secret["interval"] else None
            cells[key] = CellOutcome(
                key,
                value,
                Secret(secret["secret"]),
                secret["reason"],
                interval,  # type: ignore[arg-type]
            )
    note = ProtectionFigures(len(cells), 0, 0, 0, 0, None)
    return ProtectedRelease(source.version, k, layout, cells, note)


# --- the workflow ---------------------------------------------------------------------


async def _versions(session: AsyncSession, pole: NetworkPole, period: str) -> list[NetworkRelease]:
    return list(
        (
            await session.execute(
                select(NetworkRelease)
                .where(NetworkRelease.pole_id == pole.id, NetworkRelease.period == period)
                .order_by(NetworkRelease.version)
            )
        ).scalars()
    )


async def check_no_overlap(session: AsyncSession, pole: NetworkPole, period: NetworkPeriod) -> None:
    """A year is published whole or as its two halves, never both: CONFLICT when the
    pole has a submitted or published version of an overlapping period. A draft blocks
    nothing (decision 212): it may be abandoned, and ``submit`` checks again."""
    others = (
        await session.execute(
            select(NetworkRelease.period)
            .where(
                NetworkRelease.pole_id == pole.id,
                NetworkRelease.year == period.year,
                NetworkRelease.period != period.code,
                NetworkRelease.status != "draft",
            )
            .distinct()
        )
    ).scalars()
    for other in others:
        if parse_period(other).overlaps(period):
            raise ConflictError(
                f"le pôle a déjà une publication pour la période {other}, qui chevauche "
                f"{period.code} : une année se publie entière ou en deux semestres",
                field="period",
            )


async def prepare(
    session: AsyncSession,
    caller: Caller,
    host: PluginHost,
    tenant: Tenant,
    enabled: Iterable[str],
    period_text: str,
    reason: str = "",
    *,
    now: dt.datetime,
) -> NetworkRelease:
    """Compute, protect and store the pole's next version for the period, as a draft."""
    actor = caller.require(PREPARE)
    period = parse_period(period_text)
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise ValidationError(f"{MAX_REASON} caractères au plus", field="reason")
    network = await the_network(session)
    catalogue = await current_catalogue(session, network)
    pole = await pole_of(session, tenant)
    await check_no_overlap(session, pole, period)
    versions = await _versions(session, pole, period.code)
    draft = next((r for r in versions if r.status == "draft"), None)
    if any(r.status == "submitted" for r in versions):
        raise ConflictError(
            "une version est soumise et attend l'approbation du réseau", field="period"
        )
    published = [r for r in versions if r.status == "published"]
    if published and not reason:
        raise ValidationError(
            f"la publication {period.code} est publiée et verrouillée : une correction "
            "est une nouvelle version, qui demande sa raison",
            field="reason",
        )
    sources = {
        s.release_id: s
        for s in (
            await session.execute(
                select(NetworkReleaseSource).where(
                    NetworkReleaseSource.release_id.in_([r.id for r in published])
                )
            )
        ).scalars()
    }
    earlier = [rebuild(sources[r.id], r.k) for r in published if r.id in sources]
    computed = await compute_release(
        host, session, tenant, enabled, entries_from_json(catalogue.entries), period
    )
    if not computed.tables:
        raise ConflictError(
            "aucun chiffre du catalogue n'est disponible pour ce pôle", field="catalogue"
        )
    territory = await pole_territory(session, tenant)
    # Protection first: a failed audit raises here, before anything is written.
    protected = protect(computed.figures, computed.tables, k=network.k, earlier=earlier)
    if draft is not None:
        await session.execute(
            delete(NetworkReleaseSource).where(NetworkReleaseSource.release_id == draft.id)
        )
        await session.delete(draft)
        await session.flush()
    release = NetworkRelease(
        pole_id=pole.id,
        period=period.code,
        year=period.year,
        version=len(published) + 1,
        status="draft",
        k=network.k,
        catalogue_version=catalogue.version,
        reason=reason if published else "",
        population=territory.population,
        population_source=territory.source,
        cells_total=protected.figures.cells,
        cells_primary=protected.figures.primary,
        cells_secondary=protected.figures.secondary,
        cells_inherited=protected.figures.inherited,
        smallest_interval=protected.figures.smallest_interval,
        prepared_at=now,
    )
    session.add(release)
    await session.flush()
    session.add_all(
        NetworkReleaseCell(
            release_id=release.id,
            figure=key.figure,
            coords=coords_text(key.coords),
            labels=computed.labels.get(key, {}),
            value=cell.published,
            reason=network_reason(cell, network.k),
        )
        for key, cell in sorted(protected.cells.items())
    )
    session.add(
        NetworkReleaseSource(
            release_id=release.id,
            period=period.code,
            version=release.version,
            tables=_stored_tables(computed.tables),
            secrets=_stored_secrets(protected, computed.figures),
        )
    )
    await session.flush()
    record(
        session,
        actor=actor.subject,
        action="network.release.prepare",
        object_type="NetworkRelease",
        object_id=str(release.id),
        fields=["period", "version"],
    )
    return release


async def pole_release(
    session: AsyncSession, tenant: Tenant, release_id: uuid.UUID
) -> NetworkRelease:
    pole = await pole_of(session, tenant)
    release = await session.get(NetworkRelease, release_id)
    if release is None or release.pole_id != pole.id:
        raise NotFoundError("publication introuvable", field="id")
    return release


async def submit(
    session: AsyncSession,
    caller: Caller,
    tenant: Tenant,
    release_id: uuid.UUID,
    *,
    now: dt.datetime,
) -> NetworkRelease:
    actor = caller.require(PREPARE)
    release = await pole_release(session, tenant, release_id)
    if release.status != "draft":
        raise ConflictError(
            "seule une version en préparation peut être soumise "
            f"(celle-ci est {STATUS_LABELS[release.status]})",
            field="id",
        )
    # Drafts block nothing: a draft of an overlapping period may have been submitted since.
    await check_no_overlap(session, await pole_of(session, tenant), parse_period(release.period))
    release.status = "submitted"
    release.submitted_at = now
    await session.flush()
    record(
        session,
        actor=actor.subject,
        action="network.release.submit",
        object_type="NetworkRelease",
        object_id=str(release.id),
        fields=["status"],
    )
    return release


async def discard(
    session: AsyncSession,
    caller: Caller,
    tenant: Tenant,
    release_id: uuid.UUID,
) -> uuid.UUID:
    """Abandon a draft (decision 212): it and the pole's copy of its true values are
    deleted, nothing of it reaches the network. A submitted or published version stays."""
    actor = caller.require(PREPARE)
    release = await pole_release(session, tenant, release_id)
    if release.status != "draft":
        raise ConflictError(
            "seule une version en préparation peut être abandonnée "
            f"(celle-ci est {STATUS_LABELS[release.status]})",
            field="id",
        )
    await session.execute(
        delete(NetworkReleaseSource).where(NetworkReleaseSource.release_id == release.id)
    )
    await session.delete(release)
    await session.flush()
    record(
        session,
        actor=actor.subject,
        action="network.release.discard",
        object_type="NetworkRelease",
        object_id=str(release_id),
        fields=["period", "version"],
    )
    return release_id


async def approve(
    session: AsyncSession, caller: Caller, release_id: uuid.UUID, *, now: dt.datetime
) -> NetworkRelease:
    """submitted → published, in one guarded UPDATE: two coordinators approving at
    once publish once, and the second hears why."""
    actor = caller.require(APPROVE)
    release = await session.get(NetworkRelease, release_id)
    if release is None:
        raise NotFoundError("publication introuvable", field="id")
    if release.status == "published":
        raise ConflictError(
            "cette version est déjà publiée et verrouillée : une correction est une "
            "nouvelle version",
            field="id",
        )
    if release.status != "submitted":
        raise ConflictError(
            "cette version n'a pas été soumise par son pôle : rien à approuver", field="id"
        )
    done = await session.execute(
        update(NetworkRelease)
        .where(NetworkRelease.id == release_id, NetworkRelease.status == "submitted")
        .values(
            status="published", approved_by=actor.display_name or actor.subject, approved_at=now
        )
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError("cette version vient d'être traitée par quelqu'un d'autre", field="id")
    session.add(
        PlatformAuditEvent(
            kind="network.release.approve",
            actor=actor.subject,
            reason=f"publication {release_id} approuvée et verrouillée",
        )
    )
    await session.flush()
    await session.refresh(release)
    return release


STATUS_LABELS = {
    "draft": "en préparation",
    "submitted": "soumise",
    "published": "publiée",
}
