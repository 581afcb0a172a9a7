"""Protect one version of a release: primary secrets, inherited secrets, the cheapest
complementary secrets, then the audit that decides whether it may be published.

The order of the work (decision 124):

1. **Primary**: every cell of a figure of persons whose count is in 1..k−1.
2. **Inherited**: every cell hidden in an earlier version of the release.
3. **Complementary**, figure by figure: while some hidden cell (of this version or of
   an earlier one) can be narrowed below k, hide the cheapest set of published cells
   that gives it room — a small mixed integer program (:func:`cheapest_complement`),
   cost = value + 1, so that small cells go before margins and totals; if HiGHS finds
   none, the cheapest cell sharing an equation with it (then any cell of the figure).
4. **Pruning**: each complementary cell, the costliest first, is published again if the
   audit still passes without it (the sequence of programs may have over-hidden).
5. **Audit** of every hidden cell of every version against everything published; a
   failure raises :class:`ProtectionAuditError` and nothing is publishable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from core.errors import ValidationError
from core.network.protection.audit import audit_views
from core.network.protection.model import FigureSystem, VersionView, build_systems
from core.network.protection.results import (
    CellOutcome,
    ProtectedRelease,
    ProtectionFigures,
    Secret,
    inherited_reason,
    primary_reason,
    secondary_reason,
)
from core.network.protection.solver import IntervalSolver, LinearSystem, cheapest_complement
from core.network.protection.tables import CellKey, Figure, Layout, Table, build_layout

DEFAULT_K = 11
MAX_K = 1000


def _check_k(k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or not 2 <= k <= MAX_K:
        raise ValidationError(f"le seuil k doit être un entier de 2 à {MAX_K}", field="k")
    return k


def _check_earlier(earlier: Sequence[ProtectedRelease]) -> None:
    for position, release in enumerate(earlier):
        if not isinstance(release, ProtectedRelease) or release.version != position + 1:
            raise ValidationError(
                "les versions antérieures doivent être les versions 1, 2… de la même "
                "publication, dans l'ordre",
                field=f"earlier[{position}]",
            )


def _cost(value: int) -> float:
    return float(value) + 1.0


@dataclass
class _Figure:
    """The complementary search for one figure: the union system with this version's
    cells free, the pattern chosen so far, and why each complementary cell is hidden."""

    figure: FigureSystem
    current: int  # index of the version being protected
    layout: Layout
    values: list[int]  # true value of each column
    hidden: set[CellKey]
    targets: list[tuple[int, CellKey]]  # hidden cells of earlier versions
    k: int
    protects: dict[CellKey, tuple[int, CellKey]]

    def own_keys(self) -> list[CellKey]:
        name = self.figure.figure
        return [key for key in self.layout.values if key.figure == name]

    def pinned(self, column: int) -> bool:
        """Known from an earlier version's publication: hiding it now changes nothing."""
        system = self.figure.system
        return system.lower[column] == system.upper[column]

    def system(self, hidden: set[CellKey]) -> LinearSystem:
        base = self.figure.system
        lower, upper = list(base.lower), list(base.upper)
        for key in self.own_keys():
            if key not in hidden:
                column = self.figure.column(self.current, key)
                lower[column] = upper[column] = float(self.values[column])
        return LinearSystem(base.columns, base.rows, lower, upper)

    def all_targets(self, hidden: set[CellKey]) -> list[tuple[int, CellKey]]:
        mine = [(self.current, key) for key in sorted(hidden)]
        cells = self.targets + mine
        return sorted(cells, key=lambda t: self.values[self.figure.column(*t)])

    def first_failing(
        self, hidden: set[CellKey], skip: set[int], safe: set[int] | None = None
    ) -> int | None:
        """The first hidden cell (smallest first) narrower than k; the others checked on
        the way are added to ``safe`` (hiding more can only widen their intervals)."""
        system = self.system(hidden)
        solver = IntervalSolver(system)
        for version, key in self.all_targets(hidden):
            column = self.figure.column(version, key)
            if column in skip or (safe is not None and column in safe):
                continue
            low, high = solver.interval(column)
            if high - low < self.k:
                return column
            if safe is not None:
                safe.add(column)
        return None

    def candidates(self, hidden: set[CellKey]) -> dict[int, float]:
        found = {}
        for key in self.own_keys():
            column = self.figure.column(self.current, key)
            if key not in hidden and not self.pinned(column):
                found[column] = _cost(self.values[column])
        return found

    def fallback(self, target: int, candidates: dict[int, float]) -> list[int]:
        """The cheapest candidate sharing an equation with the target, else any."""
        near = {c for row in self.figure.system.rows if target in row for c in row}
        pool = [c for c in candidates if c in near] or list(candidates)
        return [min(pool, key=lambda c: (candidates[c], c))] if pool else []

    def key_of(self, column: int) -> CellKey:
        for key in self.own_keys():
            if self.figure.column(self.current, key) == column:
                return key
        raise KeyError(column)

    def target_of(self, column: int) -> tuple[int, CellKey]:
        for target in self.all_targets(self.hidden):
            if self.figure.column(*target) == column:
                return target
        raise KeyError(column)

    def complete(self) -> None:
        hopeless = self._hopeless(self.hidden)
        safe: set[int] = set()
        while (target := self.first_failing(self.hidden, hopeless, safe)) is not None:
            candidates = self.candidates(self.hidden)
            chosen = (
                cheapest_complement(
                    self.system(self.hidden),
                    values=self.values,
                    target=target,
                    candidates=candidates,
                    k=self.k,
                )
                if candidates
                else None
            )
            if not chosen:
                chosen = self.fallback(target, candidates)
            if not chosen:
                # Nothing left to hide helps: the audit will report it.
                hopeless.add(target)
                continue
            protected = self.target_of(target)
            for column in chosen:
                key = self.key_of(column)
                self.hidden.add(key)
                self.protects.setdefault(key, protected)

    def prune(self, required: set[CellKey]) -> None:
        extra = sorted(
            (key for key in self.hidden if key not in required),
            key=lambda key: -self.values[self.figure.column(self.current, key)],
        )
        for key in extra:
            trial = self.hidden - {key}
            if self.first_failing(trial, self._hopeless(trial)) is None:
                self.hidden = trial
                self.protects.pop(key, None)

    def _hopeless(self, hidden: set[CellKey]) -> set[int]:
        return {
            self.figure.column(*t)
            for t in self.all_targets(hidden)
            if self.pinned(self.figure.column(*t))
        }


def _views(
    earlier: Sequence[ProtectedRelease], layout: Layout, hidden: set[CellKey]
) -> list[VersionView]:
    views: list[VersionView] = []
    latest: dict[CellKey, int] = {}
    layouts = [release.layout for release in earlier] + [layout]
    patterns = [release.hidden() for release in earlier] + [frozenset(hidden)]
    for version_layout, pattern in zip(layouts, patterns, strict=True):
        same = frozenset(
            key for key, value in version_layout.values.items() if latest.get(key) == value
        )
        cells = {
            key: (None if key in pattern else value) for key, value in version_layout.values.items()
        }
        views.append(VersionView(version_layout.equations, cells, same))
        latest.update(version_layout.values)
    return views


def protect(
    figures: Sequence[Figure],
    tables: Sequence[Table],
    *,
    k: int = DEFAULT_K,
    earlier: Sequence[ProtectedRelease] = (),
    prune: bool = True,
) -> ProtectedRelease:
    """Protect the next version of a release (version 1 when ``earlier`` is empty).

    Raises ``ValidationError`` (VALIDATION) for tables that cannot be protected as given,
    ``ProtectionAuditError`` (CONFLICT) when some hidden cell — of this version or of
    an earlier one — stays narrower than k whatever is hidden (an earlier version
    published what a correction now needs to hide).
    """
    k = _check_k(k)
    _check_earlier(earlier)
    layout = build_layout(figures, tables)
    current = len(earlier)
    primary = {
        key for key, value in layout.values.items() if layout.persons(key) and 1 <= value < k
    }
    inherited_from: dict[CellKey, int] = {}
    for release in earlier:
        for key in release.hidden():
            if key in layout.values:
                inherited_from.setdefault(key, release.version)
    required = primary | set(inherited_from)

    # The union system with every cell of this version free: only earlier versions'
    # publications are fixed; the search fixes the cells it leaves published.
    views = _views(earlier, layout, set(layout.values))
    systems = build_systems(views)
    true_values: dict[str, list[int]] = {
        name: [0] * figure.system.columns for name, figure in systems.items()
    }
    version_layouts = [release.layout for release in earlier] + [layout]
    for name, figure in systems.items():
        for (index, key), column in figure.columns.items():
            true_values[name][column] = version_layouts[index].values[key]

    protects: dict[CellKey, tuple[int, CellKey]] = {}
    hidden: set[CellKey] = set(required)
    for name, figure in systems.items():
        earlier_targets = [
            (index, key)
            for index, release in enumerate(earlier)
            for key in release.hidden()
            if key.figure == name
        ]
        own = {key for key in required if key.figure == name}
        if not own and not earlier_targets:
            continue
        search = _Figure(
            figure, current, layout, true_values[name], set(own), earlier_targets, k, {}
        )
        search.complete()
        if prune:
            search.prune(own)
        hidden |= search.hidden
        protects.update(search.protects)

    numbers = [release.version for release in earlier] + [current + 1]
    report = audit_views(_views(earlier, layout, hidden), numbers, k)
    report.check()

    cells: dict[CellKey, CellOutcome] = {}
    for key, value in layout.values.items():
        outcome = CellOutcome(key, value)
        if key in primary:
            outcome = replace(outcome, secret=Secret.PRIMARY, reason=primary_reason(k))
        elif key in inherited_from:
            outcome = replace(
                outcome, secret=Secret.INHERITED, reason=inherited_reason(inherited_from[key])
            )
        elif key in hidden:
            index, target = protects[key]
            version = None if index == current else index + 1
            outcome = replace(
                outcome, secret=Secret.SECONDARY, reason=secondary_reason(target, version)
            )
        if outcome.hidden:
            outcome = replace(outcome, interval=report.intervals[(current + 1, key)])
        cells[key] = outcome
    hidden_cells = [cell for cell in cells.values() if cell.hidden]
    figures_note = ProtectionFigures(
        cells=len(cells),
        published=len(cells) - len(hidden_cells),
        primary=sum(cell.secret is Secret.PRIMARY for cell in hidden_cells),
        secondary=sum(cell.secret is Secret.SECONDARY for cell in hidden_cells),
        inherited=sum(cell.secret is Secret.INHERITED for cell in hidden_cells),
        smallest_interval=report.smallest_interval,
    )
    return ProtectedRelease(current + 1, k, layout, cells, figures_note)
