"""What a section of the annual report is computed from, and the collection of sections.

``maillage_report_sections(report)`` gets a :class:`ReportScope`: the year, the pole's
scoped session, the owner's settings, and helpers that turn the pole's **figure
definitions** (``IndicatorSpec`` with facts) into the section model's tables, key figures,
maps and charts. A section built with them prints exactly what the ``figure`` query and
the national network's releases compute, from the same definition (ARCHITECTURE: figures
are defined once). A section may also read its own rows through ``report.session``
(the pole filter applies to every statement, as everywhere).

Figures are computed once per report (name, dimensions, year) however many sections
ask for them: the number of statements depends on the sections, never on the data.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.contributions import IndicatorSpec, Period
from core.errors import MaillageError
from core.plugins.figures import FigureTable
from core.plugins.host import CORE, PluginHost
from core.plugins.indicators import available_indicators, compute_figure_table, find_indicator
from core.plugins.sections import (
    Area,
    Cell,
    Chart,
    Column,
    ColumnKind,
    KeyFigure,
    Map,
    Paragraph,
    ReportSection,
    Series,
    Table,
)

log = logging.getLogger("maillage.report")

HOOK = "maillage_report_sections"
TOTAL = "Total"
FAILED = "Cette partie du rapport n'a pas pu être calculée ; l'équipe technique est prévenue."


def _column_kind(spec: IndicatorSpec) -> ColumnKind:
    if spec.measure == "count" or spec.counts_persons:
        return "count"
    if spec.measure == "mean" and spec.unit == "%":
        return "percent"
    return "number"


def _lower(title: str) -> str:
    # « Tranche d'âge » → « tranche d'âge », « EPCI » stays « EPCI ».
    if len(title) > 1 and title[1].isupper():
        return title
    return title[:1].lower() + title[1:]


def _percent(value: float | None, total: float | None) -> float | None:
    if value is None or not total:
        return None
    return round(100 * value / total, 1)


@dataclass
class ReportScope:
    """The year a report is built for, in one pole (``maillage_report_sections``).

    ``settings``: the section owner's settings (a plugin's own, defaults included; for
    core's features, the pole's). ``session``: the pole's scoped session, for a section
    that reads rows of its own. ``departement``: the pole's département code (maps)."""

    year: int
    session: AsyncSession
    departement: str
    settings: Mapping[str, Any]
    host: PluginHost = field(repr=False)
    enabled: frozenset[str] = field(repr=False)
    pole_settings: Mapping[str, Any] = field(repr=False, default_factory=dict)
    _figures: dict[tuple[str, tuple[str, ...], int], FigureTable] = field(
        repr=False, default_factory=dict
    )

    @property
    def period(self) -> Period:
        """The calendar year [1 January, next 1 January)."""
        return Period.year(self.year)

    def spec(self, name: str) -> IndicatorSpec:
        """The definition of figure ``name`` (core's or an enabled plugin's)."""
        return find_indicator(available_indicators(self.host, self.enabled), name, "name")[1]

    async def figure(
        self, name: str, dimensions: Sequence[str] = (), *, year: int | None = None
    ) -> FigureTable:
        """Figure ``name`` for the report's year (or ``year``), broken down by up to
        three of its dimensions: cells, margins and total, each value labelled."""
        key = (name, tuple(dimensions), self.year if year is None else year)
        if key not in self._figures:
            self._figures[key] = await compute_figure_table(
                self.host,
                self.session,
                self.enabled,
                name,
                Period.year(key[2]),
                key[1],
                settings=self.pole_settings,
            )
        return self._figures[key]

    async def key_figure(
        self, name: str, *, label: str | None = None, unit: str | None = None
    ) -> KeyFigure:
        """The figure's total this year, with last year's for the change."""
        now = await self.figure(name)
        before = await self.figure(name, year=self.year - 1)
        spec = now.spec
        return KeyFigure(
            label=label or spec.title,
            value=now.total,
            unit=spec.unit if unit is None else unit,
            previous=before.total,
            persons=spec.counts_persons,
        )

    async def table(
        self,
        name: str,
        dimensions: Sequence[str],
        *,
        title: str | None = None,
        percent: bool = False,
        note: str = "",
    ) -> Table:
        """The figure as a table: by one dimension, a row per value (with its share of
        the total when ``percent``) and the total; by two, a cross table (rows by the
        first, columns by the second) with the totals of both; by three, rows by the
        first two and columns by the third, with a subtotal for each value of the first,
        a row « Ensemble » for each value of the second, and the total (the figure's
        margins, so a subtotal counts each unit once as the total does). A dimension
        where one unit sits in several values says so in the note: its rows do not add
        up."""
        if len(dimensions) not in (1, 2, 3):
            raise ValueError("un tableau se ventile selon une, deux ou trois dimensions")
        figure = await self.figure(name, dimensions)
        spec = figure.spec
        kind = _column_kind(spec)
        persons = spec.counts_persons
        first = figure.dimensions[0]
        notes = [note] if note else []
        if any(d.multiple for d in figure.dimensions):
            notes.append(
                "Une même unité peut relever de plusieurs lignes : le total la compte une fois."
            )
        if len(dimensions) == 1:
            columns = [Column(first.title, "text"), Column(spec.unit.capitalize(), kind, persons)]
            if percent:
                columns.append(Column("%", "percent", persons))
            rows: list[tuple[Cell, ...]] = []
            for cell in figure.cells:
                row: list[Cell] = [cell.values[0].label, cell.value]
                if percent:
                    row.append(_percent(cell.value, figure.total))
                rows.append(tuple(row))
            total: list[Cell] = [TOTAL, figure.total]
            if percent:
                total.append(100.0 if figure.total else None)
            return Table(
                title or f"{spec.title} par {_lower(first.title)}",
                tuple(columns),
                tuple(rows),
                tuple(total),
                " ".join(notes),
            )
        if len(dimensions) == 3:
            return _three_way(figure, kind, title, " ".join(notes))
        second = figure.dimensions[1]
        across = [v for v in _values(figure, second.code)]
        down = [v for v in _values(figure, first.code)]
        grid = {(c.values[0].code, c.values[1].code): c.value for c in figure.cells}
        margins = {(m.values[0].dimension, m.values[0].code): m.value for m in figure.margins}
        columns = [
            Column(first.title, "text"),
            *(Column(label, kind, persons) for _code, label in across),
            Column(TOTAL, kind, persons),
        ]
        rows = [
            (
                label,
                *(grid.get((code, other), 0 if kind == "count" else None) for other, _ in across),
                margins.get((first.code, code)),
            )
            for code, label in down
        ]
        total_row = (
            TOTAL,
            *(margins.get((second.code, code)) for code, _label in across),
            figure.total,
        )
        return Table(
            title or f"{spec.title} par {_lower(first.title)} et {_lower(second.title)}",
            tuple(columns),
            tuple(rows),
            total_row,
            " ".join(notes),
        )

    async def map(
        self,
        name: str,
        level: str = "epci",
        *,
        title: str | None = None,
        description: str = "",
    ) -> Map:
        """The figure by commune or EPCI (the dimension named ``level``) on the map of
        the pole's département. Values recorded without a place are left out of the map
        (the table beside it says how many)."""
        figure = await self.figure(name, [level])
        spec = figure.spec
        areas = tuple(
            Area(cell.values[0].code, cell.values[0].label, cell.value)
            for cell in figure.cells
            if cell.values[0].code is not None
        )
        where = "commune" if level == "commune" else "intercommunalité (EPCI)"
        return Map(
            title=title or f"{spec.title} par {where}, {self.year}",
            description=description or f"Carte du département : {spec.title.lower()} par {where}.",
            areas=areas,
            level="commune" if level == "commune" else "epci",
            unit=spec.unit,
            persons=spec.counts_persons,
        )

    def bars(
        self, table: Table, *, column: int = 1, title: str | None = None, description: str = ""
    ) -> Chart:
        """A bar chart of one column of a table by row (the totals row left out)."""
        heading = table.columns[column]
        return Chart(
            title=title or table.title,
            description=description or f"Diagramme en barres : {_lower(table.title)}.",
            categories=tuple(str(row[0]) for row in table.rows),
            series=(Series(heading.title, tuple(row[column] for row in table.rows)),),
            kind="bars",
            unit=heading.title if heading.kind != "percent" else "%",
            persons=heading.persons,
        )

    async def evolution(
        self, names: Sequence[str], *, years: int = 5, title: str = "", description: str = ""
    ) -> Chart:
        """The totals of ``names`` over the last ``years`` years (the report's included),
        one line each."""
        span = list(range(self.year - years + 1, self.year + 1))
        series = []
        persons = False
        for name in names:
            totals = [(await self.figure(name, year=y)).total for y in span]
            spec = self.spec(name)
            persons = persons or spec.counts_persons
            series.append(Series(spec.title, tuple(totals)))
        return Chart(
            title=title or f"Évolution sur {years} ans",
            description=description
            or "Graphique en courbes : " + ", ".join(s.name.lower() for s in series) + ".",
            categories=tuple(str(y) for y in span),
            series=tuple(series),
            kind="lines",
            persons=persons,
        )


def _values(figure: FigureTable, code: str) -> list[tuple[str | None, str]]:
    """The distinct values of one axis in the figure's order (from its one-axis margins)."""
    seen: dict[str | None, str] = {}
    for margin in figure.margins:
        if len(margin.values) != 1:
            continue
        value = margin.values[0]
        if value.dimension == code and value.code not in seen:
            seen[value.code] = value.label
    return list(seen.items())


ALL = "Ensemble"


def _three_way(figure: FigureTable, kind: ColumnKind, title: str | None, note: str) -> Table:
    """Rows by the first two axes (only the pairs with something), columns by the third;
    after each value of the first, its subtotal; then « Ensemble » by the second axis;
    then the total. Every total is one of the figure's margins, never a sum of cells."""
    spec = figure.spec
    persons = spec.counts_persons
    first, second, third = figure.dimensions
    absent = 0 if kind == "count" else None
    across = _values(figure, third.code)
    # Margins by the axes they group: (dimension codes) → (value codes) → value.
    margins: dict[tuple[str, ...], dict[tuple[str | None, ...], float | None]] = {}
    for m in figure.margins:
        axes = tuple(v.dimension for v in m.values)
        margins.setdefault(axes, {})[tuple(v.code for v in m.values)] = m.value
    pairs: dict[str | None, list[tuple[str | None, str]]] = {}
    grid: dict[tuple[str | None, ...], float | None] = {}
    for cell in figure.cells:
        a, b, c = cell.values
        grid[(a.code, b.code, c.code)] = cell.value
        if (b.code, b.label) not in pairs.setdefault(a.code, []):
            pairs[a.code].append((b.code, b.label))
    by_first_third = margins.get((first.code, third.code), {})
    by_second_third = margins.get((second.code, third.code), {})
    by_pair = margins.get((first.code, second.code), {})
    rows: list[tuple[Cell, ...]] = []
    for code, label in _values(figure, first.code):
        # The cells come in the vocabularies' order, so the pairs do too.
        for other, other_label in pairs.get(code, []):
            rows.append(
                (
                    label,
                    other_label,
                    *(grid.get((code, other, t), absent) for t, _ in across),
                    by_pair.get((code, other)),
                )
            )
        rows.append(
            (
                label,
                TOTAL,
                *(by_first_third.get((code, t), absent) for t, _ in across),
                margins.get((first.code,), {}).get((code,)),
            )
        )
    for other, other_label in _values(figure, second.code):
        rows.append(
            (
                ALL,
                other_label,
                *(by_second_third.get((other, t), absent) for t, _ in across),
                margins.get((second.code,), {}).get((other,)),
            )
        )
    total_row = (
        TOTAL,
        None,
        *(margins.get((third.code,), {}).get((t,)) for t, _ in across),
        figure.total,
    )
    return Table(
        title
        or f"{spec.title} par {_lower(first.title)}, {_lower(second.title)} "
        f"et {_lower(third.title)}",
        (
            Column(first.title, "text"),
            Column(second.title, "text"),
            *(Column(label, kind, persons) for _code, label in across),
            Column(TOTAL, kind, persons),
        ),
        tuple(rows),
        total_row,
        note,
    )


def _owner_of(host: PluginHost, obj: object) -> str:
    for name, loaded in host.plugins.items():
        if loaded.obj is obj:
            return name
    return CORE


def _check(owner: str, section: object, seen: set[str]) -> ReportSection:
    if not isinstance(section, ReportSection):
        raise TypeError(f"{owner} : une section doit être un ReportSection, reçu {section!r}")
    if owner != CORE and not (section.key == owner or section.key.startswith(owner + ".")):
        raise ValueError(f"{owner} : la clé de section {section.key!r} doit commencer par {owner}")
    if section.key in seen:
        raise ValueError(f"{owner} : section {section.key!r} en double")
    return section


async def collect_sections(
    host: PluginHost,
    session: AsyncSession,
    *,
    year: int,
    departement: str,
    enabled: Iterable[str],
    pole_settings: Mapping[str, Any],
    plugin_settings: Mapping[str, Mapping[str, Any]],
) -> list[ReportSection]:
    """Every section of the pole's report for ``year``: core's features', then those of
    the plugins the pole enabled (a disabled plugin is never called), in print order.

    A contribution that fails is logged with its owner and replaced by a section that
    says so: the rest of the report still builds. A coded error (a pole's setting that
    no longer validates) stops the report with its code."""
    enabled = frozenset(enabled)
    caller = host.tenant_caller(HOOK, enabled)
    figures: dict[tuple[str, tuple[str, ...], int], FigureTable] = {}
    sections: list[ReportSection] = []
    seen: set[str] = set()
    # pluggy lists implementations last registered first: core's features came first.
    for impl in reversed(caller.get_hookimpls()):
        owner = _owner_of(host, impl.plugin)
        scope = ReportScope(
            year=year,
            session=session,
            departement=departement,
            settings=pole_settings if owner == CORE else plugin_settings.get(owner, {}),
            host=host,
            enabled=enabled,
            pole_settings=pole_settings,
            _figures=figures,
        )
        try:
            given = {"report": scope}
            result = impl.function(**{name: given[name] for name in impl.argnames})
            if inspect.isawaitable(result):
                result = await result
            mine = [_check(owner, section, seen) for section in result or ()]
        except MaillageError:
            raise
        except Exception:
            log.exception(
                "report section failed",
                extra={"event": "report_section", "plugin": owner, "year": year},
            )
            key = owner if owner != CORE else f"core.{impl.plugin_name.rsplit('.', 1)[-1]}"
            title = (
                host.plugins[owner].manifest.title if owner in host.plugins else "Section du cœur"
            )
            mine = [ReportSection(key, title, 999, (Paragraph(FAILED),))]
        for section in mine:
            seen.add(section.key)
        sections.extend(mine)
    return sorted(sections, key=lambda s: (s.annex, s.order, s.key))
