"""Published releases stored directly, for tests and benchmarks of what the network
reads (the comparison, its pages, the synthesis): as an import stores another install's
releases, without computing or protecting anything. A cell given as ``None`` is hidden
with the reason the network reads. Never for a pole's real data: the release job
(``core.network.releases.prepare``) is the only way there."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from core.network.models import Network, NetworkPole, NetworkRelease, NetworkReleaseCell

HIDDEN_REASON = "secret statistique (seuil de 11 personnes)"
NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)

Cells = Sequence[tuple[str, str, int | None]]
"""(figure, coords, value or None when hidden)."""


async def store_published_pole(
    session: AsyncSession,
    network: Network,
    *,
    code: str,
    name: str,
    departement: str,
    years: Mapping[int, tuple[int, Cells]],
) -> NetworkPole:
    """A pole of another install and its published version 1 of each year: ``years``
    maps a civil year to (population, cells). The caller commits."""
    pole = NetworkPole(network_id=network.id, code=code, name=name, departement_code=departement)
    session.add(pole)
    await session.flush()
    ids: list[uuid.UUID] = []
    for year, (population, cells) in years.items():
        release = NetworkRelease(
            pole_id=pole.id,
            period=str(year),
            year=year,
            version=1,
            # Published once its cells are in (the lock refuses cells of a published one).
            status="draft",
            k=network.k,
            catalogue_version=1,
            reason="",
            population=population,
            cells_total=len(cells),
            cells_primary=sum(value is None for _, _, value in cells),
            cells_secondary=0,
            cells_inherited=0,
            smallest_interval=None,
            prepared_at=NOW,
        )
        session.add(release)
        await session.flush()
        ids.append(release.id)
        session.add_all(
            NetworkReleaseCell(
                release_id=release.id,
                figure=figure,
                coords=coords,
                labels={},
                value=value,
                reason=HIDDEN_REASON if value is None else None,
            )
            for figure, coords, value in cells
        )
    await session.flush()
    await session.execute(
        update(NetworkRelease).where(NetworkRelease.id.in_(ids)).values(status="published")
    )
    return pole
