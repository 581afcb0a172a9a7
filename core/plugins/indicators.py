"""Compute the indicators of core and of the plugins a pole enabled.

A figure with dimensions (``facts``) is computed by core from its one definition
(core/plugins/figures.py). For a figure of plugin API 1.0, "aggregates only" is
enforced here, not trusted: its compute function must return a mapping of labels to
numbers; rows, objects or strings are refused with an error naming the indicator.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.contributions import IndicatorSpec, Period
from core.errors import NotFoundError, ValidationError
from core.plugins.figures import FigureTable, compute_figure
from core.plugins.host import CORE, PluginHost

TOTAL = "total"


class IndicatorShapeError(TypeError):
    pass


@dataclass(frozen=True)
class BreakdownCell:
    code: str | None
    label: str
    value: float | None


@dataclass(frozen=True)
class IndicatorOutcome:
    owner: str
    spec: IndicatorSpec
    total: float | None
    # A figure with dimensions: by its first one; a figure of API 1.0: as it answered
    # (its keys are both code and label).
    breakdown: list[BreakdownCell]


def _checked(spec: IndicatorSpec, raw: object) -> tuple[float, dict[str, float]]:
    if not isinstance(raw, Mapping) or not raw:
        raise IndicatorShapeError(
            f"indicateur {spec.name} : attendu un dictionnaire libellé → nombre, reçu "
            f"{type(raw).__name__}"
        )
    values: dict[str, float] = {}
    for label, value in raw.items():
        if (
            not isinstance(label, str)
            or isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise IndicatorShapeError(
                f"indicateur {spec.name} : {label!r} → {type(value).__name__} refusé "
                "(des nombres seulement, jamais de lignes)"
            )
        values[label] = value
    total = values.pop(TOTAL, None)
    if total is None:
        total = sum(values.values())
    return total, dict(sorted(values.items()))


def available_indicators(
    host: PluginHost, enabled: Iterable[str]
) -> dict[str, tuple[str, IndicatorSpec]]:
    """Core's indicators and those of the plugins the pole enabled, by name."""
    allowed = set(enabled)
    return {
        name: (owner, spec)
        for name, (owner, spec) in host.contributions.indicators.items()
        if owner == CORE or owner in allowed
    }


def find_indicator(
    available: Mapping[str, tuple[str, IndicatorSpec]], name: str, field: str
) -> tuple[str, IndicatorSpec]:
    if name not in available:
        raise NotFoundError(f"indicateur inconnu ou module non activé : {name}", field=field)
    return available[name]


async def compute_indicators(
    host: PluginHost,
    session: AsyncSession,
    enabled: Iterable[str],
    period: Period,
    *,
    names: Iterable[str] | None = None,
    settings: Mapping[str, Any] | None = None,
) -> list[IndicatorOutcome]:
    available = available_indicators(host, enabled)
    wanted = sorted(available) if names is None else list(names)
    outcomes = []
    for name in wanted:
        owner, spec = find_indicator(available, name, "names")
        if spec.compute is None:
            first = [spec.dimensions[0].code] if spec.dimensions else []
            table = await compute_figure(session, owner, spec, period, first, settings=settings)
            cells = [
                BreakdownCell(c.values[0].code, c.values[0].label, c.value) for c in table.cells
            ]
            outcomes.append(IndicatorOutcome(owner, spec, table.total, cells))
            continue
        total, breakdown = _checked(spec, await spec.compute(session, period))
        cells = [BreakdownCell(label, label, value) for label, value in breakdown.items()]
        outcomes.append(IndicatorOutcome(owner, spec, total, cells))
    return outcomes


async def compute_figure_table(
    host: PluginHost,
    session: AsyncSession,
    enabled: Iterable[str],
    name: str,
    period: Period,
    dimensions: Sequence[str],
    *,
    settings: Mapping[str, Any] | None = None,
) -> FigureTable:
    """One figure of the pole, broken down by ``dimensions``. A figure of plugin API
    1.0 has no dimensions: its table is its total, and its own breakdown as margins
    is not offered (its keys are labels, not a dimension)."""
    owner, spec = find_indicator(available_indicators(host, enabled), name, "name")
    if spec.compute is not None:
        if dimensions:
            raise ValidationError(
                f"l'indicateur {name} n'a pas de dimensions (module d'API 1.0)",
                field="dimensions",
            )
        total, _ = _checked(spec, await spec.compute(session, period))
        return FigureTable(owner, spec, period, (), (), (), total)
    return await compute_figure(session, owner, spec, period, dimensions, settings=settings)
