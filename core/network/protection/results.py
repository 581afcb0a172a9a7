"""What protection answers: each cell published or hidden with its reason, the audit's
intervals, the figures a closing note reports, and the coded error of a failed audit."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from core.errors import ConflictError
from core.network.protection.tables import CellKey, Equation, Layout


class Secret(StrEnum):
    """Why a cell is hidden (the French reason is on the cell)."""

    PRIMARY = "primary"
    """A count of persons in 1..k−1."""
    INHERITED = "inherited"
    """Hidden in an earlier version of the release: a correction hides it again."""
    SECONDARY = "secondary"
    """Hidden so that a primary (or inherited) secret cannot be recomputed."""


def primary_reason(k: int) -> str:
    return f"secret primaire : moins de {k} personnes"


def inherited_reason(version: int) -> str:
    return (
        f"secret hérité : masquée dans la version {version}, elle le reste dans chaque correction"
    )


def secondary_reason(protected: CellKey, version: int | None = None) -> str:
    which = protected.label() + (f" (version {version})" if version is not None else "")
    return f"secret secondaire : publiée, elle permettrait de recalculer {which}"


@dataclass(frozen=True)
class CellOutcome:
    """One cell of the release. ``value`` is the true count: the pole's preview shows it,
    the network never reads it when the cell is hidden (see :meth:`published`)."""

    key: CellKey
    value: int
    secret: Secret | None = None
    reason: str | None = None
    interval: tuple[float, float] | None = None
    """For a hidden cell: the smallest and largest value the audit found possible."""

    @property
    def hidden(self) -> bool:
        return self.secret is not None

    @property
    def published(self) -> int | None:
        return None if self.secret is not None else self.value

    @property
    def width(self) -> float | None:
        return None if self.interval is None else self.interval[1] - self.interval[0]


@dataclass(frozen=True)
class ProtectionFigures:
    """The closing note's numbers for one release version."""

    cells: int
    published: int
    primary: int
    secondary: int
    inherited: int
    smallest_interval: float | None
    """The narrowest audit interval (max − min) over the hidden cells; None when none."""

    @property
    def hidden(self) -> int:
        return self.primary + self.secondary + self.inherited


@dataclass(frozen=True)
class PublishedRelease:
    """What leaves the pole: the tables' equations and each cell's published value, None
    where hidden. Enough to audit again (an importing install does) and nothing more."""

    version: int
    k: int
    equations: tuple[Equation, ...]
    cells: Mapping[CellKey, int | None]


@dataclass(frozen=True)
class ProtectedRelease:
    """One version of a release after protection; pass it back as an earlier version
    when protecting a correction (it carries the true values the next audit needs, so
    it must be stored with the pole's data, never in the network's tables)."""

    version: int
    k: int
    layout: Layout
    cells: Mapping[CellKey, CellOutcome]
    figures: ProtectionFigures

    def hidden(self) -> frozenset[CellKey]:
        return frozenset(key for key, cell in self.cells.items() if cell.hidden)

    def published(self) -> PublishedRelease:
        return PublishedRelease(
            self.version,
            self.k,
            self.layout.equations,
            {key: cell.published for key, cell in self.cells.items()},
        )


@dataclass(frozen=True)
class AuditFailure:
    version: int
    key: CellKey
    interval: tuple[float, float]


class ProtectionAuditError(ConflictError):
    """The audit found hidden cells an attacker can pin to fewer than k values: the
    release is not publishable. ``failures`` lists them (version, cell, interval)."""

    def __init__(self, failures: Sequence[AuditFailure], k: int) -> None:
        shown = "; ".join(
            f"{f.key.label()} (version {f.version}) entre {_number(f.interval[0])} et "
            f"{_number(f.interval[1])}"
            for f in failures[:10]
        )
        more = f" et {len(failures) - 10} autres" if len(failures) > 10 else ""
        super().__init__(
            f"publication impossible : l'audit encadre {len(failures)} case(s) masquée(s) "
            f"à moins de {k} près : {shown}{more}",
            field="cells",
        )
        self.failures = tuple(failures)
        self.k = k


def _number(value: float) -> str:
    return "∞" if math.isinf(value) else f"{value:g}"
