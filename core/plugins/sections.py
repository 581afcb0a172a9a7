"""The annual activity report's sections: what ``maillage_report_sections`` returns.

A section is plain data — frozen dataclasses of text and numbers — so one model feeds
every format (the GraphQL answer, the HTML page, the PDF, the spreadsheet, the Word
file) and the published copy, which hides small counts of persons, is a transformation
of the data rather than a second rendering. Nothing here draws or queries: the report
scope (core/plugins/report_scope.py) fills these from the figures' definitions, and the
renderers (core/domain/report/) draw them.

A value (``Cell``) is a number, a text, ``None`` (nothing recorded), or ``Hidden``: a
count of persons too small to print in a published copy, shown « < 5 ». Plugins never
make a ``Hidden``; core's publication does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

# What a column holds, which says how it is printed and stored in a spreadsheet.
COLUMN_KINDS = ("text", "count", "number", "percent", "amount", "date")
ColumnKind = Literal["text", "count", "number", "percent", "amount", "date"]
SECTION_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


@dataclass(frozen=True, slots=True)
class Hidden:
    """A count of persons from 1 to ``below`` − 1 in a published copy (« < 5 »)."""

    below: int

    def __str__(self) -> str:
        return f"< {self.below}"


Cell = int | float | str | Hidden | None


def _as_tuples(record: object, *names: str) -> None:
    # A caller may pass lists; frozen records keep tuples (hashable, never mutated).
    for name in names:
        object.__setattr__(record, name, tuple(getattr(record, name)))


@dataclass(frozen=True, slots=True)
class KeyFigure:
    """A headline number with last year's beside it: « 49 enfants suivis, soit 10 de plus
    qu'en 2024 ». ``previous`` None: no figure for last year (nothing is said)."""

    label: str
    value: Cell
    unit: str = ""
    previous: Cell = None
    persons: bool = False

    @property
    def change(self) -> int | float | None:
        """This year minus last year, when both are numbers."""
        if isinstance(self.value, int | float) and isinstance(self.previous, int | float):
            delta = self.value - self.previous
            return round(delta, 4) if isinstance(delta, float) else delta
        return None


@dataclass(frozen=True, slots=True)
class KeyFigures:
    """A row of key figures at the top of a section."""

    figures: tuple[KeyFigure, ...]

    def __post_init__(self) -> None:
        _as_tuples(self, "figures")


@dataclass(frozen=True, slots=True)
class Column:
    """A table's column: its heading, what it holds (``COLUMN_KINDS``), and whether its
    numbers are counts of persons (hidden below the pole's threshold when published)."""

    title: str
    kind: ColumnKind = "count"
    persons: bool = False

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"colonne {self.title!r} : type inconnu {self.kind!r}")


@dataclass(frozen=True, slots=True)
class Table:
    """A table as the report prints it: headings, rows, and an optional totals row. The
    first column usually names the row (``kind="text"``). A percent is stored as a
    percent (12.5 for 12,5 %). Each table is a sheet of the spreadsheet."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    total: tuple[Cell, ...] | None = None
    note: str = ""

    def __post_init__(self) -> None:
        _as_tuples(self, "columns")
        object.__setattr__(self, "rows", tuple(tuple(row) for row in self.rows))
        if self.total is not None:
            object.__setattr__(self, "total", tuple(self.total))
        width = len(self.columns)
        for row in (*self.rows, *([self.total] if self.total is not None else [])):
            if len(row) != width:
                raise ValueError(
                    f"tableau {self.title!r} : une ligne a {len(row)} cases pour {width} colonnes"
                )


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: tuple[Cell, ...]

    def __post_init__(self) -> None:
        _as_tuples(self, "values")


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart drawn in SVG, with its data printed as a table beside it (the
    alternative for those who do not see it). ``kind="bars"``: one bar per category,
    one series; ``"lines"``: the categories are years, one line per series."""

    title: str
    description: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    kind: Literal["bars", "lines"] = "bars"
    unit: str = ""
    persons: bool = False

    def __post_init__(self) -> None:
        _as_tuples(self, "categories", "series")
        if self.kind not in ("bars", "lines"):
            raise ValueError(f"graphique {self.title!r} : type inconnu {self.kind!r}")
        for series in self.series:
            if len(series.values) != len(self.categories):
                raise ValueError(f"graphique {self.title!r} : série {series.name!r} incomplète")


@dataclass(frozen=True, slots=True)
class Area:
    """A commune (INSEE code) or an EPCI (SIREN) on a map, with its value."""

    code: str
    name: str
    value: Cell


@dataclass(frozen=True, slots=True)
class Map:
    """A map of the pole's département, each commune or EPCI coloured by its value,
    with the areas' table printed beside it."""

    title: str
    description: str
    areas: tuple[Area, ...]
    level: Literal["commune", "epci"] = "epci"
    unit: str = ""
    persons: bool = False

    def __post_init__(self) -> None:
        _as_tuples(self, "areas")
        if self.level not in ("commune", "epci"):
            raise ValueError(f"carte {self.title!r} : niveau inconnu {self.level!r}")


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A sentence or two of plain text (escaped, never HTML)."""

    text: str


@dataclass(frozen=True, slots=True)
class NarrativeSlot:
    """Where the team's written sections for the year go (« Nouveautés de l'année »,
    « Exemples d'accompagnement », « Perspectives », or the free ones): core fills it
    with the texts of that ``kind`` written for the report's year."""

    kind: Literal["news", "stories", "outlook", "free"]


Block = KeyFigures | Table | Chart | Map | Paragraph | NarrativeSlot
BLOCK_TYPES = (KeyFigures, Table, Chart, Map, Paragraph, NarrativeSlot)


@dataclass(frozen=True, slots=True)
class ReportSection:
    """A section of the annual report. ``key`` is unique in the report and, for a
    plugin, is its name or starts with it (``referent_charters`` or
    ``referent_charters.meetings``). Sections print by ``order`` (core's from 10 to 190,
    plugins' from 200 by convention), then key; ``annex=True`` puts the section in the
    annexes, after the narrative and the main sections."""

    key: str
    title: str
    order: int
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    annex: bool = False

    def __post_init__(self) -> None:
        _as_tuples(self, "blocks")
        if not SECTION_KEY.match(self.key):
            raise ValueError(
                f"section {self.key!r} : clé en minuscules, chiffres, _ et points seulement"
            )
        for block in self.blocks:
            if not isinstance(block, BLOCK_TYPES):
                raise TypeError(f"section {self.key} : bloc inconnu {type(block).__name__}")

    def tables(self) -> Sequence[Table]:
        """Every table of the section, the charts' and maps' data tables excluded."""
        return [block for block in self.blocks if isinstance(block, Table)]
