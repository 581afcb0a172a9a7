"""A release's tables as the protection engine reads them, checked and linked.

A *figure* (children followed, requests…) is published as one or more *tables*: the
figure alone (no dimension), broken down by one coarse dimension, or by two. Every table
carries its margins and the figure's grand total, and tables of the same figure share
them: « enfants suivis par tranche d'âge » and « enfants suivis par tranche d'âge et
public » publish the same age margins and the same total. Naming each cell by its figure
and its set of ``(dimension, category)`` pairs makes that sharing automatic: the age
margin ``{age: 3-5}`` is one cell whichever table shows it, and an attacker who reads
both tables gets one equation system, which is the one the engine protects.

Only interior cells are given; margins and totals are their sums (a breakdown is a
partition — a child in two categories would break every equation below, so the source
must count it once). A combination of categories absent from a two-way table is a zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product

from core.errors import ValidationError

MAX_DIMENSIONS = 2


@dataclass(frozen=True, order=True)
class CellKey:
    """One published number: a figure, and the category taken on each dimension it is
    broken down by (sorted by dimension; empty for the figure's grand total)."""

    figure: str
    coords: tuple[tuple[str, str], ...] = ()

    @property
    def is_total(self) -> bool:
        return not self.coords

    def label(self) -> str:
        """« enfants_suivis [age = 3-5, public = EAJE] », « enfants_suivis [total] »."""
        inside = ", ".join(f"{d} = {c}" for d, c in self.coords) if self.coords else "total"
        return f"{self.figure} [{inside}]"


@dataclass(frozen=True)
class Figure:
    """A figure of the release. ``persons``: its cells count persons (children,
    families, referents, participants), so counts in 1..k−1 are primary secrets; a
    figure of loans or sessions is published as computed."""

    code: str
    title: str
    persons: bool


@dataclass(frozen=True)
class Table:
    """One breakdown of a figure: ``cells`` maps a tuple of categories, in the order of
    ``dimensions``, to a count (``{(): 42}`` for the figure alone)."""

    figure: str
    dimensions: tuple[str, ...]
    cells: Mapping[tuple[str, ...], int]


@dataclass(frozen=True)
class Equation:
    """``total = Σ parts``: a margin (or the grand total) and the cells it adds up."""

    total: CellKey
    parts: tuple[CellKey, ...]


@dataclass(frozen=True)
class Layout:
    """The checked release: every cell's value, the additive equations linking them,
    and the figures they belong to."""

    figures: Mapping[str, Figure]
    values: Mapping[CellKey, int]
    equations: tuple[Equation, ...]
    tables: tuple[Table, ...] = field(default=())

    def persons(self, key: CellKey) -> bool:
        return self.figures[key.figure].persons


def _key(figure: str, dimensions: Sequence[str], categories: Sequence[str]) -> CellKey:
    return CellKey(figure, tuple(sorted(zip(dimensions, categories, strict=True))))


def _count(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(
            f"un comptage entier positif ou nul est attendu, reçu {value!r}", field=where
        )
    return value


def _table_cells(index: int, table: Table) -> tuple[dict[CellKey, int], list[Equation]]:
    """Interior cells, margins and total of one table, and its equations."""
    where = f"tables[{index}]"
    dims = table.dimensions
    if len(dims) > MAX_DIMENSIONS:
        raise ValidationError(
            f"au plus {MAX_DIMENSIONS} dimensions par tableau, reçu {len(dims)}",
            field=f"{where}.dimensions",
        )
    if len(set(dims)) != len(dims) or any(not d for d in dims):
        raise ValidationError("dimensions vides ou répétées", field=f"{where}.dimensions")
    if not table.cells:
        raise ValidationError("tableau sans case", field=f"{where}.cells")
    categories: list[list[str]] = [[] for _ in dims]
    given: dict[tuple[str, ...], int] = {}
    for coords, value in table.cells.items():
        if not isinstance(coords, tuple) or len(coords) != len(dims):
            raise ValidationError(
                f"la case {coords!r} doit nommer une catégorie par dimension {dims!r}",
                field=f"{where}.cells",
            )
        if any(not isinstance(c, str) or not c for c in coords):
            raise ValidationError(
                f"catégorie vide ou non textuelle dans {coords!r}", field=f"{where}.cells"
            )
        given[coords] = _count(value, f"{where}.cells[{', '.join(coords)}]")
        for axis, category in enumerate(coords):
            if category not in categories[axis]:
                categories[axis].append(category)
    values: dict[CellKey, int] = {}
    interior = list(product(*categories))
    for coords in interior:
        values[_key(table.figure, dims, coords)] = given.get(coords, 0)
    total = CellKey(table.figure)
    equations: list[Equation] = []
    if not dims:
        return values, equations
    values[total] = sum(given.values())
    if len(dims) == 1:
        equations.append(Equation(total, tuple(_key(table.figure, dims, c) for c in interior)))
        return values, equations
    for axis, dim in enumerate(dims):
        margins = []
        for category in categories[axis]:
            margin = CellKey(table.figure, ((dim, category),))
            parts = tuple(_key(table.figure, dims, c) for c in interior if c[axis] == category)
            values[margin] = sum(values[p] for p in parts)
            equations.append(Equation(margin, parts))
            margins.append(margin)
        equations.append(Equation(total, tuple(margins)))
    return values, equations


def build_layout(figures: Sequence[Figure], tables: Sequence[Table]) -> Layout:
    """Check a release's tables and link them; coded errors name the table at fault.

    Linked tables must agree on every cell they share (the same total, the same
    margins): a disagreement means the source did not count a partition, and no
    protection can be proven over numbers that do not add up.
    """
    by_code: dict[str, Figure] = {}
    for i, figure in enumerate(figures):
        if not figure.code or figure.code in by_code:
            raise ValidationError(
                f"code de chiffre vide ou en double : {figure.code!r}", field=f"figures[{i}].code"
            )
        by_code[figure.code] = figure
    values: dict[CellKey, int] = {}
    equations: list[Equation] = []
    shapes: set[tuple[str, frozenset[str]]] = set()
    for i, table in enumerate(tables):
        if table.figure not in by_code:
            raise ValidationError(
                f"chiffre inconnu : {table.figure!r}", field=f"tables[{i}].figure"
            )
        shape = (table.figure, frozenset(table.dimensions))
        if shape in shapes:
            raise ValidationError(
                f"{table.figure} est déjà ventilé par {', '.join(table.dimensions) or 'total'}",
                field=f"tables[{i}].dimensions",
            )
        shapes.add(shape)
        cells, table_equations = _table_cells(i, table)
        for key, value in cells.items():
            known = values.setdefault(key, value)
            if known != value:
                raise ValidationError(
                    f"{key.label()} vaut {value} dans ce tableau et {known} dans un autre "
                    "tableau du même chiffre : les ventilations doivent avoir les mêmes "
                    "marges et le même total",
                    field=f"tables[{i}].cells",
                )
        equations.extend(table_equations)
    unique = tuple(dict.fromkeys(equations))
    return Layout(by_code, values, unique, tuple(tables))
