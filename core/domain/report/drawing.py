"""The report's charts and maps as SVG, from the section model (core/api/documents/charts.py
and core/territory/maps.py draw; this module only translates). Every drawing has a title
and a description that states its figures; the data table is printed beside it."""

from __future__ import annotations

from core.api.documents.charts import Bar, bar_chart, line_chart, sentence
from core.domain.report.cells import printed
from core.plugins.sections import Chart, Hidden, Map
from core.territory.geo import UnknownPlace
from core.territory.maps import choropleth


def chart_svg(chart: Chart, element_id: str) -> str:
    if chart.kind == "bars":
        values = chart.series[0].values if chart.series else ()
        bars = [
            Bar(
                label,
                float(value) if isinstance(value, int | float) else 0.0,
                None if isinstance(value, int | float) else printed(value),
            )
            for label, value in zip(chart.categories, values, strict=True)
        ]
        unit = "%" if chart.unit == "%" else ""
        return bar_chart(
            bars,
            title=chart.title,
            description=f"{chart.description} {sentence(bars, unit)}",
            unit=unit,
            element_id=element_id,
        )
    series = {
        s.name: {
            int(year): float(value)
            for year, value in zip(chart.categories, s.values, strict=True)
            if isinstance(value, int | float)
        }
        for s in chart.series
    }
    said = "; ".join(
        f"{s.name} : "
        + ", ".join(f"{y} : {printed(v)}" for y, v in zip(chart.categories, s.values, strict=True))
        for s in chart.series
    )
    return line_chart(
        series,
        title=chart.title,
        description=f"{chart.description} {said}.",
        unit=chart.unit,
        element_id=element_id,
    )


def map_svg(block: Map, departement: str, element_id: str) -> str:
    """The map, or an empty string when the département has no shipped shapes (the
    table beside it still says everything)."""
    values: dict[str, int] = {}
    threshold = None
    for area in block.areas:
        if isinstance(area.value, Hidden):
            values[area.code], threshold = 1, area.value.below
        elif isinstance(area.value, int | float):
            values[area.code] = int(area.value)
    described = "; ".join(f"{a.name} : {printed(a.value)}" for a in block.areas)
    try:
        return choropleth(
            departement,
            values,
            title=block.title,
            description=f"{block.description} {described or 'Aucune donnée.'}",
            names={a.code: a.name for a in block.areas},
            level=block.level,
            unit=block.unit,
            threshold=threshold,
            element_id=element_id,
        )
    except UnknownPlace:
        return ""
