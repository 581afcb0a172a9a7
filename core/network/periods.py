"""The network's fixed periods: a civil year (« 2025 ») or one of its halves
(« 2025-S1 », « 2025-S2 »). A pole publishes a year either whole or as its two
halves, never both, so no two published periods of a pole overlap (decision 153)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from core.contributions import Period
from core.errors import ValidationError

PERIOD_RE = re.compile(r"^(\d{4})(?:-S([12]))?$")
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class NetworkPeriod:
    year: int
    half: int | None = None

    @property
    def code(self) -> str:
        return f"{self.year}" if self.half is None else f"{self.year}-S{self.half}"

    @property
    def label(self) -> str:
        if self.half is None:
            return f"année {self.year}"
        return f"{'premier' if self.half == 1 else 'second'} semestre {self.year}"

    def range(self) -> Period:
        if self.half is None:
            return Period.year(self.year)
        if self.half == 1:
            return Period(dt.date(self.year, 1, 1), dt.date(self.year, 7, 1))
        return Period(dt.date(self.year, 7, 1), dt.date(self.year + 1, 1, 1))

    def overlaps(self, other: NetworkPeriod) -> bool:
        """Same year, and not the two different halves of it."""
        if self.year != other.year:
            return False
        return self.half is None or other.half is None or self.half == other.half


def parse_period(raw: str, field: str = "period") -> NetworkPeriod:
    match = PERIOD_RE.match(raw.strip())
    if match is None:
        raise ValidationError(
            "période attendue : une année (2025) ou un semestre (2025-S1, 2025-S2)", field=field
        )
    year = int(match[1])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(f"année entre {FIRST_YEAR} et {LAST_YEAR}", field=field)
    return NetworkPeriod(year, int(match[2]) if match[2] else None)
