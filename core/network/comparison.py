"""Comparing poles: one figure (its total, or one cell of a breakdown) across poles and
years, per 10,000 inhabitants, with the change from the year before, and totals
computed from published cells only (decision 155).

Everything here reads the network's tables, and only those, through the network's
database role (``network_reader``): the latest *published* version of each pole's
release of each civil year. Two statements whatever the number of poles and years.
A peer group (a pole and the poles of the closest population, decision 180) is chosen
from the same rows: no third statement.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import NotFoundError, ValidationError
from core.network.models import NetworkPole, NetworkRelease, NetworkReleaseCell

MAX_YEARS = 10
PER = 10_000
DEFAULT_PEERS = 5
MAX_PEERS = 20


@dataclass(frozen=True)
class PoleYear:
    year: int
    value: int | None
    """Published value; None when hidden or not published."""
    published: bool
    """A release of the year is published (False: nothing to compare)."""
    reason: str | None
    population: int | None
    population_source: str | None
    """Where the population comes from (« département 63 », « territoire déclaré : … »)."""
    per_10000: float | None
    change: float | None
    """Relative change from the year before (0.25 = +25 %), both years published."""
    version: int | None


@dataclass(frozen=True)
class PoleRow:
    code: str
    name: str
    departement: str
    years: tuple[PoleYear, ...]


@dataclass(frozen=True)
class YearTotal:
    year: int
    value: int
    """Sum of the published values only."""
    population: int
    per_10000: float | None
    incomplete: bool
    """Some pole's value is hidden or not published: the sum is a lower bound."""
    poles: int


@dataclass(frozen=True)
class PeerGroup:
    """A pole and the ``size`` poles whose population is the closest to its own
    (decision 180): the rows and totals of the comparison are theirs alone."""

    pole: str
    """The pole's code."""
    size: int
    """How many peers were asked for; fewer when the network has fewer poles with a
    published release in the years compared."""
    population: int
    """The pole's population: the latest one its releases of these years give."""
    population_min: int
    population_max: int
    """The population range of the group, the pole included."""


@dataclass(frozen=True)
class Comparison:
    figure: str
    coords: str
    years: tuple[int, ...]
    poles: tuple[PoleRow, ...]
    totals: tuple[YearTotal, ...]
    peer_group: PeerGroup | None = None


def peer_rule(size: int) -> str:
    return (
        f"Le pôle et les {size} pôles dont la population est la plus proche de la sienne "
        "(rapport des populations), d'après la dernière publication de chacun sur les "
        "années comparées."
    )


def latest_population(row: PoleRow) -> int | None:
    """The population of the pole's latest published release among the years compared
    (a pole that published nothing then has none)."""
    for cell in reversed(row.years):
        if cell.published and cell.population:
            return cell.population
    return None


def peers_of(rows: Sequence[PoleRow], code: str, size: int) -> tuple[list[PoleRow], PeerGroup]:
    """The pole and its ``size`` nearest peers by population (decision 180): nearest by
    the ratio of the populations (|ln(p / q)|, so 50,000 is as far from 100,000 as
    100,000 from 200,000), ties by code; poles without a published release in the years
    compared have no population and are no one's peers."""
    if not 1 <= size <= MAX_PEERS:
        raise ValidationError(f"de 1 à {MAX_PEERS} pôles", field="peers")
    pole = next((r for r in rows if r.code == code), None)
    if pole is None:
        raise NotFoundError("pôle inconnu du réseau", field="peerOf")
    own = latest_population(pole)
    if own is None:
        raise ValidationError(
            "ce pôle n'a rien publié sur ces années : sa population n'est pas connue",
            field="peerOf",
        )
    others = [(r, latest_population(r)) for r in rows if r.code != code]
    ranked = sorted(
        ((r, p) for r, p in others if p),
        key=lambda rp: (abs(math.log(rp[1] / own)), rp[0].code),
    )[:size]
    chosen = {pole.code, *(r.code for r, _ in ranked)}
    populations = [own, *(p for _, p in ranked)]
    group = PeerGroup(
        pole=code,
        size=size,
        population=own,
        population_min=min(populations),
        population_max=max(populations),
    )
    return [r for r in rows if r.code in chosen], group


def _rate(value: int | None, population: int | None) -> float | None:
    if value is None or not population:
        return None
    return round(value * PER / population, 2)


async def compare(
    session: AsyncSession,
    figure: str,
    years: Sequence[int],
    coords: str = "",
    *,
    peer_of: str | None = None,
    peers: int = DEFAULT_PEERS,
) -> Comparison:
    years = sorted(set(years))
    if not years or len(years) > MAX_YEARS:
        raise ValidationError(f"de 1 à {MAX_YEARS} années", field="years")
    # The year before the first, for its change.
    wanted = [years[0] - 1, *years]
    latest = (
        select(
            NetworkRelease.pole_id,
            NetworkRelease.year,
            func.max(NetworkRelease.version).label("version"),
        )
        .where(
            NetworkRelease.status == "published",
            # Civil years only (« 2025 »; a half-year reads « 2025-S1 »).
            func.length(NetworkRelease.period) == 4,
            NetworkRelease.year.in_(wanted),
        )
        .group_by(NetworkRelease.pole_id, NetworkRelease.year)
        .subquery()
    )
    rows = (
        await session.execute(
            select(
                NetworkRelease.pole_id,
                NetworkRelease.year,
                NetworkRelease.version,
                NetworkRelease.population,
                NetworkRelease.population_source,
                NetworkReleaseCell.value,
                NetworkReleaseCell.reason,
                NetworkReleaseCell.id,
            )
            .join(
                latest,
                (latest.c.pole_id == NetworkRelease.pole_id)
                & (latest.c.year == NetworkRelease.year)
                & (latest.c.version == NetworkRelease.version),
            )
            .outerjoin(
                NetworkReleaseCell,
                (NetworkReleaseCell.release_id == NetworkRelease.id)
                & (NetworkReleaseCell.figure == figure)
                & (NetworkReleaseCell.coords == coords),
            )
            .where(NetworkRelease.status == "published")
        )
    ).all()
    found = {(r.pole_id, r.year): r for r in rows}
    poles = (await session.execute(select(NetworkPole).order_by(NetworkPole.name))).scalars().all()
    pole_rows = []
    for pole in poles:
        cells = []
        for year in years:
            row = found.get((pole.id, year))
            before = found.get((pole.id, year - 1))
            value = row.value if row is not None and row.id is not None else None
            previous = before.value if before is not None and before.id is not None else None
            reason = None
            if row is not None and row.id is None:
                reason = "chiffre absent de cette publication"
            elif row is not None:
                reason = row.reason
            change = (
                round((value - previous) / previous, 4) if value is not None and previous else None
            )
            population = row.population if row is not None else None
            cells.append(
                PoleYear(
                    year=year,
                    value=value,
                    published=row is not None,
                    reason=reason,
                    population=population,
                    population_source=row.population_source if row is not None else None,
                    per_10000=_rate(value, population),
                    change=change,
                    version=row.version if row is not None else None,
                )
            )
        pole_rows.append(PoleRow(pole.code, pole.name, pole.departement_code, tuple(cells)))
    group = None
    if peer_of:
        pole_rows, group = peers_of(pole_rows, peer_of, peers)
    totals = []
    for index, year in enumerate(years):
        shown = [p.years[index] for p in pole_rows]
        value = sum(c.value for c in shown if c.value is not None)
        population = sum(c.population or 0 for c in shown if c.value is not None)
        totals.append(
            YearTotal(
                year=year,
                value=value,
                population=population,
                per_10000=_rate(value, population),
                incomplete=any(c.value is None for c in shown),
                poles=sum(c.value is not None for c in shown),
            )
        )
    return Comparison(figure, coords, tuple(years), tuple(pole_rows), tuple(totals), group)
