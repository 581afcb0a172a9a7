"""What an attacker holds: every version of a release, as one equation system.

Each version of a release brings its own cells and equations. A cell whose value did
not change from the previous version that holds it is *the same unknown* in both (the
engine assumes the worst: an attacker who knows which cells a correction changed), and a
value published by any version is known for good. The system splits by figure: figures
share no cell, so each is audited on its own, which keeps every model small.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from core.errors import ValidationError
from core.network.protection.solver import INF, LinearSystem
from core.network.protection.tables import CellKey, Equation


@dataclass(frozen=True)
class VersionView:
    """One version as the model needs it: its equations, each cell's published value
    (None when hidden), and the cells whose value equals the previous version's."""

    equations: tuple[Equation, ...]
    cells: Mapping[CellKey, int | None]
    same_as_previous: frozenset[CellKey] = frozenset()


@dataclass
class FigureSystem:
    """The unknowns of one figure across versions, and its system for the solver."""

    figure: str
    system: LinearSystem
    # (version index, cell) → column; several cells of unchanged value share a column.
    columns: dict[tuple[int, CellKey], int] = field(default_factory=dict)

    def column(self, version: int, key: CellKey) -> int:
        return self.columns[(version, key)]


def build_systems(versions: Sequence[VersionView]) -> dict[str, FigureSystem]:
    """One linear system per figure over all versions (the last is the one being
    protected). A merged unknown published with two values is a contradiction in the
    caller's input and is refused."""
    variable: dict[tuple[int, CellKey], tuple[str, int]] = {}
    counts: dict[str, int] = {}
    latest: dict[CellKey, int] = {}
    for index, version in enumerate(versions):
        for key in version.cells:
            previous = latest.get(key)
            if previous is not None and key in version.same_as_previous:
                variable[(index, key)] = variable[(previous, key)]
            else:
                counts[key.figure] = counts.get(key.figure, 0) + 1
                variable[(index, key)] = (key.figure, counts[key.figure] - 1)
            latest[key] = index

    systems: dict[str, FigureSystem] = {}
    bounds: dict[str, tuple[list[float], list[float]]] = {
        figure: ([0.0] * n, [INF] * n) for figure, n in counts.items()
    }
    rows: dict[str, list[dict[int, float]]] = {figure: [] for figure in counts}
    for index, version in enumerate(versions):
        for key, value in version.cells.items():
            figure, column = variable[(index, key)]
            if value is None:
                continue
            lower, upper = bounds[figure]
            if not math.isinf(upper[column]) and upper[column] != value:
                raise ValidationError(
                    f"{key.label()} publiée avec deux valeurs ({upper[column]:g} et {value}) "
                    "mais déclarée inchangée entre deux versions",
                    field="versions",
                )
            lower[column] = upper[column] = float(value)
        for equation in version.equations:
            figure, total = variable[(index, equation.total)]
            row: dict[int, float] = {total: 1.0}
            for part in equation.parts:
                _, column = variable[(index, part)]
                row[column] = row.get(column, 0.0) - 1.0
            rows[figure].append(row)
    for figure, n in counts.items():
        lower, upper = bounds[figure]
        systems[figure] = FigureSystem(figure, LinearSystem(n, rows[figure], lower, upper))
    for (index, key), (figure, column) in variable.items():
        systems[figure].columns[(index, key)] = column
    return systems
