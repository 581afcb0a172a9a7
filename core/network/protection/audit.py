"""The audit: for every hidden cell of every version, the narrowest interval an
attacker can prove from everything published, by linear programming.

A hidden cell is protected when ``max − min ≥ k`` (decision 125): the attacker who solves
the equations of every table and every version of the release, knowing that counts are
nonnegative whole numbers, cannot place it in fewer than k + 1 consecutive values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.errors import ValidationError
from core.network.protection.model import FigureSystem, VersionView, build_systems
from core.network.protection.results import AuditFailure, ProtectionAuditError, PublishedRelease
from core.network.protection.solver import IntervalSolver
from core.network.protection.tables import CellKey


@dataclass(frozen=True)
class AuditReport:
    k: int
    intervals: dict[tuple[int, CellKey], tuple[float, float]]
    """(version number, cell) → (min, max) for every hidden cell."""

    @property
    def failures(self) -> list[AuditFailure]:
        return [
            AuditFailure(version, key, interval)
            for (version, key), interval in sorted(self.intervals.items())
            if interval[1] - interval[0] < self.k
        ]

    @property
    def smallest_interval(self) -> float | None:
        widths = [high - low for low, high in self.intervals.values()]
        return min(widths, default=None)

    def check(self) -> None:
        """Raise :class:`ProtectionAuditError` when a hidden cell is not protected."""
        failures = self.failures
        if failures:
            raise ProtectionAuditError(failures, self.k)


def figure_intervals(
    figure: FigureSystem, hidden: Iterable[tuple[int, CellKey]]
) -> dict[tuple[int, CellKey], tuple[float, float]]:
    """Intervals of the given (version index, cell) pairs of one figure's system."""
    solver = IntervalSolver(figure.system)
    found: dict[int, tuple[float, float]] = {}
    answer = {}
    for version, key in hidden:
        column = figure.column(version, key)
        if column not in found:
            found[column] = solver.interval(column)
        answer[(version, key)] = found[column]
    return answer


def audit_views(views: Sequence[VersionView], numbers: Sequence[int], k: int) -> AuditReport:
    """Audit versions given as views (the engine passes the true « unchanged » links)."""
    systems = build_systems(views)
    hidden: dict[str, list[tuple[int, CellKey]]] = {}
    for index, view in enumerate(views):
        for key, value in view.cells.items():
            if value is None:
                hidden.setdefault(key.figure, []).append((index, key))
    intervals: dict[tuple[int, CellKey], tuple[float, float]] = {}
    for figure, cells in hidden.items():
        for (index, key), interval in figure_intervals(systems[figure], cells).items():
            intervals[(numbers[index], key)] = interval
    return AuditReport(k, intervals)


def audit_published(releases: Sequence[PublishedRelease], k: int | None = None) -> AuditReport:
    """Audit what was published, as an importing install or an attacker holds it:
    every version of one release, in order. Without the true values, a cell counts as
    unchanged between two versions only where both published the same value; the pole
    side, which knows more, audited the stronger case (hidden values unchanged too)."""
    if not releases:
        raise ValidationError("aucune version à auditer", field="releases")
    numbers = [release.version for release in releases]
    if numbers != sorted(set(numbers)):
        raise ValidationError(
            "les versions doivent être distinctes et dans l'ordre", field="releases"
        )
    views: list[VersionView] = []
    last: dict[CellKey, int | None] = {}
    for release in releases:
        same = frozenset(
            key
            for key, value in release.cells.items()
            if value is not None and last.get(key) == value
        )
        views.append(VersionView(release.equations, release.cells, same))
        last.update(release.cells)
    return audit_views(views, numbers, k if k is not None else releases[-1].k)
