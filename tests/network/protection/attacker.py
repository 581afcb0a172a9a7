"""An attacker written apart from the engine: it reads the published tables as a
reader of the release would (grids with margins and totals, hidden cells blank), writes
its own equations, and asks HiGHS for the exact integer minimum and maximum of each
blank cell, over every version at once.

It is given more than any reader has: which cells a correction left unchanged (the
engine's worst case), so a cell blank in two versions is one unknown when its value did
not change.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import highspy

from core.network.protection import CellKey, ProtectedRelease


@dataclass(frozen=True)
class Grid:
    """One published table: its dimensions, categories, and cell → published value."""

    figure: str
    dimensions: tuple[str, ...]
    categories: tuple[tuple[str, ...], ...]


def _name(figure: str, coords: dict[str, str]) -> CellKey:
    return CellKey(figure, tuple(sorted(coords.items())))


def grids(release: ProtectedRelease) -> list[Grid]:
    found = []
    for table in release.layout.tables:
        categories: list[list[str]] = [[] for _ in table.dimensions]
        for coords in table.cells:
            for axis, category in enumerate(coords):
                if category not in categories[axis]:
                    categories[axis].append(category)
        found.append(Grid(table.figure, table.dimensions, tuple(map(tuple, categories))))
    return found


def equations(grid: Grid) -> list[tuple[CellKey, list[CellKey]]]:
    """A reader's equations: each margin is the sum of its row, the total the sum of
    each margin line, or of the cells of a one-way table."""
    total = CellKey(grid.figure)
    dims = grid.dimensions
    if not dims:
        return []
    if len(dims) == 1:
        return [(total, [_name(grid.figure, {dims[0]: c}) for c in grid.categories[0]])]
    found = []
    for axis in (0, 1):
        other = 1 - axis
        margins = []
        for category in grid.categories[axis]:
            margin = _name(grid.figure, {dims[axis]: category})
            margins.append(margin)
            row = [
                _name(grid.figure, {dims[axis]: category, dims[other]: o})
                for o in grid.categories[other]
            ]
            found.append((margin, row))
        found.append((total, margins))
    return found


class Attacker:
    """One integer program holding every published table of every version of every
    pole it is shown, and any published total across poles."""

    def __init__(self, *, integer: bool = True) -> None:
        self.h = highspy.Highs()
        self.h.silent()
        self.h.setOptionValue("threads", 1)
        self.kind = highspy.HighsVarType.kInteger if integer else highspy.HighsVarType.kContinuous
        # (pole, version, cell) → unknown
        self.unknown: dict[tuple[int, int, CellKey], object] = {}
        self.hidden: list[tuple[int, int, CellKey]] = []

    def read_pole(self, pole: int, versions: Sequence[ProtectedRelease]) -> None:
        h = self.h
        last: dict[CellKey, tuple[int, int]] = {}  # cell → (version, true value)
        for release in versions:
            for key, cell in release.cells.items():
                here = (pole, release.version, key)
                before = last.get(key)
                if before is not None and before[1] == cell.value:
                    self.unknown[here] = self.unknown[(pole, before[0], key)]
                else:
                    self.unknown[here] = h.addVariable(lb=0, type=self.kind)
                if cell.hidden:
                    self.hidden.append(here)
                else:
                    h.addConstr(self.unknown[here] == cell.value)
                last[key] = (release.version, cell.value)
            for grid in grids(release):
                for total, parts in equations(grid):
                    expr = self.unknown[(pole, release.version, total)] - sum(
                        self.unknown[(pole, release.version, p)] for p in parts
                    )
                    h.addConstr(expr == 0)

    def read_total(self, cells: Sequence[tuple[int, int, CellKey]], value: int) -> None:
        """A total across poles, published by the network: Σ cells = value."""
        self.h.addConstr(sum(self.unknown[c] for c in cells) == value)

    def narrowest(
        self, only: Sequence[tuple[int, int, CellKey]] | None = None
    ) -> dict[tuple[int, int, CellKey], tuple[float, float]]:
        """(pole, version, cell) → the attacker's (min, max) for every hidden cell (or
        for the ``only`` ones)."""
        h = self.h
        found = {}
        for here in self.hidden if only is None else only:
            x = self.unknown[here]
            bounds = []
            for sense in ("min", "max"):
                solve = h.minimize if sense == "min" else h.maximize
                solve(x)
                status = h.getModelStatus()
                if status == highspy.HighsModelStatus.kUnknown:
                    h.clearSolver()  # a warm start can end on « Unknown »: from scratch
                    solve(x)
                    status = h.getModelStatus()
                if status == highspy.HighsModelStatus.kOptimal:
                    bounds.append(h.getInfo().objective_function_value)
                elif sense == "max" and status in (
                    highspy.HighsModelStatus.kUnbounded,
                    highspy.HighsModelStatus.kUnboundedOrInfeasible,
                ):
                    bounds.append(math.inf)
                else:
                    raise AssertionError(f"attacker: {h.modelStatusToString(status)}")
            found[here] = (bounds[0], bounds[1])
        return found


def narrowest(
    versions: Sequence[ProtectedRelease], *, integer: bool = True
) -> dict[tuple[int, CellKey], tuple[float, float]]:
    """(version, cell) → the attacker's (min, max) for every hidden cell of one pole."""
    attacker = Attacker(integer=integer)
    attacker.read_pole(0, versions)
    return {(v, key): interval for (_, v, key), interval in attacker.narrowest().items()}
