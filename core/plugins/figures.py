"""Figures with dimensions: one definition, every breakdown computed from it in SQL.

A figure (an ``IndicatorSpec`` with ``facts``) is asked for a period and up to three of
its dimensions. Core wraps the figure's facts in one statement: a ``UNION ALL`` with a
branch per grouping set — the full breakdown, each margin, the total — each a
``GROUP BY`` over the facts made distinct per counted unit. The total of a breakdown is
therefore the undimensioned figure by construction, and the statement count does not
depend on the data: one for the cells, one per dimension whose labels live in the
database. Every table read goes through the pole's scoped session, so the pole filter
applies to the facts like to any other query.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from sqlalchemy import String, cast, func, literal, null, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from core.contributions import Dimension, FigureScope, IndicatorSpec, Period
from core.errors import ValidationError
from core.tenancy.guard import session_tenant
from core.territory.names import normalize_name

# More axes than this make tables nobody reads, and 2^n grouping sets.
MAX_DIMENSIONS = 3
UNKNOWN_LABEL = "Non renseigné"


@dataclass(frozen=True)
class DimensionValue:
    """Where a cell sits on one axis: the code (None: not recorded) and its label."""

    dimension: str
    code: str | None
    label: str


@dataclass(frozen=True)
class FigureCell:
    """One cell: its place on each grouped axis and the figure's value there. A margin
    has fewer values than the table has dimensions; the total has none."""

    values: tuple[DimensionValue, ...]
    value: float | None


@dataclass(frozen=True)
class FigureTable:
    owner: str
    spec: IndicatorSpec
    period: Period
    dimensions: tuple[Dimension, ...]
    # The full breakdown (every dimension grouped), in the vocabularies' order.
    cells: tuple[FigureCell, ...]
    # Each partial grouping (for two or three dimensions), then nothing more.
    margins: tuple[FigureCell, ...]
    total: float | None


def wanted_dimensions(spec: IndicatorSpec, codes: Sequence[str]) -> tuple[Dimension, ...]:
    """The spec's dimensions named by ``codes``, or VALIDATION on ``dimensions``."""
    if len(set(codes)) != len(codes):
        raise ValidationError("dimension demandée deux fois", field="dimensions")
    if len(codes) > MAX_DIMENSIONS:
        raise ValidationError(f"au plus {MAX_DIMENSIONS} dimensions à la fois", field="dimensions")
    found = []
    for code in codes:
        dimension = spec.dimension(code)
        if dimension is None:
            known = ", ".join(d.code for d in spec.dimensions) or "aucune"
            raise ValidationError(
                f"dimension inconnue pour {spec.name} : {code} (possibles : {known})",
                field="dimensions",
            )
        found.append(dimension)
    return tuple(found)


def facts_problem(spec: IndicatorSpec) -> str | None:
    """Why a figure's facts cannot be aggregated (a missing column, a function that
    fails), found at startup rather than by the first person who asks for it."""
    if spec.facts is None:
        return None
    try:
        names = set(spec.facts(FigureScope(Period.year(2000))).selected_columns.keys())
    except Exception as exc:  # a plugin's bug, reported with its name at startup
        return f"indicateur {spec.name} : facts échoue ({type(exc).__name__}: {exc})"
    needed = {"unit", *(d.code for d in spec.dimensions)}
    if spec.measure != "count":
        needed.add("value")
    missing = sorted(needed - names)
    if missing:
        return f"indicateur {spec.name} : colonne(s) absente(s) des faits : {', '.join(missing)}"
    return None


def _aggregate(spec: IndicatorSpec, inner: Any) -> Any:
    if spec.measure == "count":
        return func.count()
    if spec.measure == "sum":
        return func.coalesce(func.sum(inner.c.value), 0)
    return func.avg(inner.c.value)


def figure_statement(
    spec: IndicatorSpec, scope: FigureScope, dimensions: Sequence[Dimension]
) -> tuple[Any, list[tuple[str, ...]]]:
    """The one SELECT that computes every grouping set of the figure: columns
    ``grouping`` (the index of the set), one per dimension (as text), ``value``."""
    assert spec.facts is not None
    # A CTE read by every branch: the database computes the facts once (PostgreSQL and
    # SQLite materialise a CTE referenced more than once), not once per grouping set.
    facts = spec.facts(scope).cte("facts")
    codes = [d.code for d in dimensions]
    sets = [subset for size in range(len(codes), -1, -1) for subset in combinations(codes, size)]
    branches = []
    for index, subset in enumerate(sets):
        # A unit counts once per cell: a child followed twice in the year, or sitting
        # in several values of a dimension the table does not group by, is one child.
        columns = [facts.c.unit, *(cast(facts.c[c], String).label(c) for c in subset)]
        if spec.measure != "count":
            columns.append(facts.c.value)
        inner = select(*columns).distinct().subquery(f"g{index}")
        branches.append(
            select(
                literal(index).label("grouping"),
                *(inner.c[c] if c in subset else cast(null(), String).label(c) for c in codes),
                _aggregate(spec, inner).label("value"),
            )
            .select_from(inner)
            .group_by(*(inner.c[c] for c in subset))
        )
    return union_all(*branches), sets


async def _labels(
    session: AsyncSession, dimension: Dimension, codes: Sequence[str]
) -> Mapping[str, str]:
    if not codes:
        return {}
    if isinstance(dimension.labels, Mapping):
        return dimension.labels
    return await dimension.labels(session, sorted(set(codes)))


def _order(dimension: Dimension, value: DimensionValue) -> tuple[int, int, str]:
    # The vocabulary's own order (the form's), else by label or by code (a leading
    # number compared as a number); « non renseigné » last.
    if value.code is None:
        return (2, 0, "")
    if isinstance(dimension.labels, Mapping) and value.code in dimension.labels:
        return (0, list(dimension.labels).index(value.code), "")
    if dimension.order == "code":
        number = re.match(r"\d+", value.code)
        return (1, int(number[0]) if number else -1, value.code)
    # By the label as a French reader orders it: « Béthune » before « Bully », « Étaples »
    # among the E (the code point order put accented letters after z).
    return (1, 0, f"{normalize_name(value.label)}\x00{value.label.casefold()}")


async def compute_figure(
    session: AsyncSession,
    owner: str,
    spec: IndicatorSpec,
    period: Period,
    dimensions: Sequence[str] = (),
    *,
    settings: Mapping[str, Any] | None = None,
) -> FigureTable:
    """The figure for ``period``, broken down by ``dimensions`` (codes), with margins
    and total, each value labelled."""
    if session_tenant(session.sync_session) is None:
        # A figure is a pole's: only its scoped session may compute it, so the pole
        # filter (and PostgreSQL's row-level security) applies to every table it reads.
        raise RuntimeError(f"{spec.name} : un chiffre se calcule dans la session d'un pôle")
    wanted = wanted_dimensions(spec, dimensions)
    dialect = session.get_bind().dialect.name
    scope = FigureScope(period=period, settings=dict(settings or {}), dialect=dialect)
    statement, sets = figure_statement(spec, scope, wanted)
    rows = (await session.execute(statement)).all()
    by_code = {d.code: d for d in wanted}
    labels = {
        d.code: await _labels(
            session, d, [r._mapping[d.code] for r in rows if r._mapping[d.code] is not None]
        )
        for d in wanted
    }
    grouped: dict[int, list[FigureCell]] = {}
    for row in rows:
        mapping = row._mapping
        subset = sets[mapping["grouping"]]
        values = tuple(
            DimensionValue(
                code,
                mapping[code],
                UNKNOWN_LABEL
                if mapping[code] is None
                else labels[code].get(mapping[code], mapping[code]),
            )
            for code in subset
        )
        value = mapping["value"]
        cell = FigureCell(values, None if value is None else _number(value))
        grouped.setdefault(mapping["grouping"], []).append(cell)
    for cells in grouped.values():
        cells.sort(key=lambda c: [_order(by_code[v.dimension], v) for v in c.values])
    total_cells = grouped.get(len(sets) - 1, [])
    total = total_cells[0].value if total_cells else None
    if total is None and spec.measure != "mean":
        total = 0
    return FigureTable(
        owner=owner,
        spec=spec,
        period=period,
        dimensions=wanted,
        cells=tuple(grouped.get(0, [])) if wanted else (),
        margins=tuple(cell for index in range(1, len(sets) - 1) for cell in grouped.get(index, [])),
        total=total,
    )


def _number(value: Any) -> float:
    # Integers stay integers (counts); averages are rounded to what a report prints.
    number = float(value)
    return int(number) if number.is_integer() else round(number, 4)
