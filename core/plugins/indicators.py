"""Compute the indicators of core and of the plugins a pole enabled.

"Aggregates only" is enforced here, not trusted: a compute function must return a
mapping of labels to numbers; rows, objects or strings are refused with an error
naming the indicator.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from core.contributions import IndicatorSpec, Period
from core.errors import NotFoundError
from core.plugins.host import CORE, PluginHost

TOTAL = "total"


class IndicatorShapeError(TypeError):
    pass


@dataclass(frozen=True)
class IndicatorOutcome:
    owner: str
    spec: IndicatorSpec
    total: float
    breakdown: dict[str, float]


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


async def compute_indicators(
    host: PluginHost,
    session: AsyncSession,
    enabled: Iterable[str],
    period: Period,
    *,
    names: Iterable[str] | None = None,
) -> list[IndicatorOutcome]:
    allowed = set(enabled)
    available = {
        name: (owner, spec)
        for name, (owner, spec) in host.contributions.indicators.items()
        if owner == CORE or owner in allowed
    }
    wanted = sorted(available) if names is None else list(names)
    outcomes = []
    for name in wanted:
        if name not in available:
            raise NotFoundError(f"indicateur inconnu ou module non activé : {name}", field="names")
        owner, spec = available[name]
        total, breakdown = _checked(spec, await spec.compute(session, period))
        outcomes.append(IndicatorOutcome(owner, spec, total, breakdown))
    return outcomes
