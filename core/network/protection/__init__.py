"""Statistical protection of a network release (issue 20, decisions 124–126).

``protect(figures, tables, k=11, earlier=[…])`` hides every count of persons in 1..k−1,
the cells that would let someone recompute them from totals, margins, linked tables and
earlier versions, and proves by linear programming that each hidden cell keeps an
interval of at least k; ``audit_published`` replays that audit on what was published.
"""

from core.network.protection.audit import AuditReport, audit_published
from core.network.protection.engine import DEFAULT_K, protect
from core.network.protection.results import (
    AuditFailure,
    CellOutcome,
    ProtectedRelease,
    ProtectionAuditError,
    ProtectionFigures,
    PublishedRelease,
    Secret,
)
from core.network.protection.tables import CellKey, Equation, Figure, Table

__all__ = [
    "DEFAULT_K",
    "AuditFailure",
    "AuditReport",
    "CellKey",
    "CellOutcome",
    "Equation",
    "Figure",
    "ProtectedRelease",
    "ProtectionAuditError",
    "ProtectionFigures",
    "PublishedRelease",
    "Secret",
    "Table",
    "audit_published",
    "protect",
]
