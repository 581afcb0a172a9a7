"""HiGHS (through highspy) for the two optimisations of the engine.

* :class:`IntervalSolver` — the attacker's view: the smallest and largest value a cell
  can take given the published cells, the equations and nonnegativity. Solved as a
  linear program; when the optimal vertex is not integral the bound is solved again
  with integer cells, so the interval is the one an attacker who knows that counts are
  whole numbers would find (on a single two-way table the LP vertex is always integral:
  the equations form a transportation problem).
* :func:`cheapest_complement` — the choice of complementary cells as a small mixed
  integer program (Fischetti and Salazar's model for one sensitive cell): hide the set
  of cells of least total cost such that two tables consistent with everything still
  published differ by at least k on the sensitive cell.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import highspy
import numpy as np

INF = math.inf
_TOLERANCE = 1e-7


@dataclass(frozen=True)
class LinearSystem:
    """``rows[r]`` maps a column to its coefficient; every row equals zero. Columns are
    bounded by ``lower`` and ``upper`` (equal for a published cell)."""

    columns: int
    rows: Sequence[Mapping[int, float]]
    lower: Sequence[float]
    upper: Sequence[float]


class SolverFailure(RuntimeError):
    """HiGHS ended without an answer (numerical trouble): never read as « protected »."""


def _pass(h: highspy.Highs, lp: highspy.HighsLp) -> None:
    status = h.passModel(lp)
    if status == highspy.HighsStatus.kError:
        raise SolverFailure("HiGHS a refusé le modèle")


def _highs() -> highspy.Highs:
    h = highspy.Highs()
    h.silent()
    # One thread: the engine runs many tiny models, where HiGHS' task scheduler only
    # costs time, and a release job must not take the server's cores.
    h.setOptionValue("threads", 1)
    # Exact integer optima: a bound the audit reports is the attacker's, not within a gap
    # (an early stop would only narrow the interval, never widen it, but say it exactly).
    h.setOptionValue("mip_rel_gap", 0.0)
    return h


def _matrix(
    lp: highspy.HighsLp,
    rows: Sequence[Mapping[int, float]],
    lower: Sequence[float],
    upper: Sequence[float],
) -> None:
    starts = [0]
    indices: list[int] = []
    values: list[float] = []
    for row in rows:
        for column, coefficient in row.items():
            indices.append(column)
            values.append(coefficient)
        starts.append(len(indices))
    lp.row_lower_ = np.asarray(lower, dtype=float)
    lp.row_upper_ = np.asarray(upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.asarray(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(indices, dtype=np.int32)
    lp.a_matrix_.value_ = np.asarray(values, dtype=float)
    lp.num_row_ = len(rows)


def _load(h: highspy.Highs, system: LinearSystem, *, integer: bool) -> None:
    lp = highspy.HighsLp()
    lp.num_col_ = system.columns
    lp.col_cost_ = np.zeros(system.columns)
    lp.col_lower_ = np.asarray(system.lower, dtype=float)
    lp.col_upper_ = np.asarray([highspy.kHighsInf if u == INF else u for u in system.upper])
    zeros = [0.0] * len(system.rows)
    _matrix(lp, system.rows, zeros, zeros)
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * system.columns
    _pass(h, lp)


_DEFINITE = (
    highspy.HighsModelStatus.kOptimal,
    highspy.HighsModelStatus.kUnbounded,
    highspy.HighsModelStatus.kUnboundedOrInfeasible,
)


class IntervalSolver:
    """Minimum and maximum of each column over a fixed system, one model reused."""

    def __init__(self, system: LinearSystem) -> None:
        self._system = system
        self._lp = _highs()
        _load(self._lp, system, integer=False)
        self._mip: highspy.Highs | None = None

    def _solve(self, h: highspy.Highs, column: int, maximise: bool) -> tuple[float, bool]:
        """The optimum, and whether the optimal point found is integral."""
        h.changeColCost(column, 1.0)
        h.changeObjectiveSense(
            highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
        )
        h.run()
        status = h.getModelStatus()
        if status not in _DEFINITE:
            # Warm-started from the previous bound's basis, dual simplex sometimes stops
            # on an unbounded direction with « Unknown »; from scratch it answers.
            h.clearSolver()
            h.run()
            status = h.getModelStatus()
        if status in (
            highspy.HighsModelStatus.kUnbounded,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            # The system is feasible (the true table satisfies it), so this is unbounded.
            answer, integral = (INF if maximise else -INF), True
        elif status == highspy.HighsModelStatus.kOptimal:
            point = h.getSolution().col_value
            integral = all(abs(x - round(x)) <= _TOLERANCE for x in point)
            answer = h.getInfo().objective_function_value
        else:
            raise SolverFailure(f"HiGHS: {h.modelStatusToString(status)}")
        # Reading the answer first: changing the model clears HiGHS' status.
        h.changeColCost(column, 0.0)
        return answer, integral

    def _bound(self, column: int, maximise: bool) -> float:
        value, integral = self._solve(self._lp, column, maximise)
        if not integral:
            if self._mip is None:
                self._mip = _highs()
                _load(self._mip, self._system, integer=True)
            value, _ = self._solve(self._mip, column, maximise)
        if math.isinf(value):
            return value
        # Integer cells: an attacker rounds inwards.
        return math.floor(value + _TOLERANCE) if maximise else math.ceil(value - _TOLERANCE)

    def interval(self, column: int) -> tuple[float, float]:
        lower, upper = self._system.lower[column], self._system.upper[column]
        if lower == upper:
            return lower, upper
        return self._bound(column, False), self._bound(column, True)


def cheapest_complement(
    system: LinearSystem,
    *,
    values: Sequence[int],
    target: int,
    candidates: Mapping[int, float],
    k: int,
) -> list[int] | None:
    """The cheapest candidates to hide so that ``target`` can move by ``k``.

    ``system`` is the figure as published now (candidates fixed to their value, hidden
    cells free); ``candidates`` maps a published column that may still be hidden to its
    cost. Two copies of the table, y⁺ and y⁻, satisfy the equations; a column may differ
    from its true value only if hidden (``|y − a| ≤ M·s``), and y⁺ − y⁻ ≥ k on the target.
    Answers None when no choice of candidates protects the target (with M = the
    figure's largest value plus k, generous: a protecting pattern needs no larger move).
    """
    n = system.columns
    order = sorted(candidates)
    slot = {column: n * 2 + i for i, column in enumerate(order)}
    finite = [v for v in values if v is not None]
    big = float(max(finite, default=0) + 2 * k)
    lower: list[float] = []
    upper: list[float] = []
    for _copy in range(2):
        for column in range(n):
            if column in slot:
                lower.append(0.0)
                upper.append(values[column] + big)
            elif system.lower[column] == system.upper[column]:
                lower.append(system.lower[column])
                upper.append(system.upper[column])
            else:
                lower.append(0.0)
                upper.append(values[column] + big)
    lower.extend([0.0] * len(order))
    upper.extend([1.0] * len(order))
    rows: list[Mapping[int, float]] = []
    row_lower: list[float] = []
    row_upper: list[float] = []
    for offset in (0, n):
        for row in system.rows:
            rows.append({column + offset: c for column, c in row.items()})
            row_lower.append(0.0)
            row_upper.append(0.0)
        for column, s in slot.items():
            # a − M·s ≤ y ≤ a + M·s
            rows.append({column + offset: 1.0, s: -big})
            row_lower.append(-INF)
            row_upper.append(float(values[column]))
            rows.append({column + offset: 1.0, s: big})
            row_lower.append(float(values[column]))
            row_upper.append(INF)
    rows.append({target: 1.0, target + n: -1.0})
    row_lower.append(float(k))
    row_upper.append(INF)

    h = _highs()
    lp = highspy.HighsLp()
    total = 2 * n + len(order)
    lp.num_col_ = total
    cost = [0.0] * (2 * n) + [candidates[c] for c in order]
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.asarray(lower, dtype=float)
    lp.col_upper_ = np.asarray(upper, dtype=float)
    _matrix(
        lp,
        rows,
        [-highspy.kHighsInf if v == -INF else v for v in row_lower],
        [highspy.kHighsInf if v == INF else v for v in row_upper],
    )
    lp.integrality_ = [highspy.HighsVarType.kContinuous] * (2 * n) + [
        highspy.HighsVarType.kInteger
    ] * len(order)
    _pass(h, lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    point = h.getSolution().col_value
    return [column for column, s in slot.items() if point[s] > 0.5]
