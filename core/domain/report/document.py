"""The annual report as a document: HTML on the documents' pipeline (core.api.documents),
whose same HTML is the PDF — a cover, a table of contents with page numbers, the sections,
then the annexes. Reads the section model only (core/plugins/sections.py)."""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup

from core.domain.report.builder import ActivityReport
from core.domain.report.cells import cell_text, change_sentence, figure_value
from core.domain.report.drawing import chart_svg, map_svg
from core.plugins.sections import Block, Chart, Column, Map, ReportSection, Table

TEMPLATES_DIR = Path(__file__).with_name("templates")


def heading(report: ActivityReport) -> str:
    return f"Rapport d'activité {report.year}"


def anchor(section: ReportSection) -> str:
    return "section-" + section.key.replace(".", "-").replace("_", "-")


def chart_table(chart: Chart) -> Table:
    """A chart's data as a table (its text alternative)."""
    first = "Année" if chart.kind == "lines" else "Catégorie"
    kind = "percent" if chart.unit == "%" else "count"
    return Table(
        f"Données : {chart.title}",
        (Column(first, "text"), *(Column(s.name, kind, chart.persons) for s in chart.series)),
        tuple(
            (category, *(s.values[i] for s in chart.series))
            for i, category in enumerate(chart.categories)
        ),
    )


def chart_source(section: ReportSection, index: int) -> Table | None:
    """The table a chart draws, when it is printed just before it (``report.bars``):
    that table is the chart's text alternative, not printed twice."""
    if index == 0:
        return None
    before, chart = section.blocks[index - 1], section.blocks[index]
    if not isinstance(before, Table) or not isinstance(chart, Chart):
        return None
    if tuple(str(row[0]) for row in before.rows) != chart.categories:
        return None
    return before


def map_source(section: ReportSection, index: int) -> Table | None:
    """The table of the section, printed before the map, that holds the map's areas and
    values (« Enfants suivis par commune » before its map): that table is the map's text
    alternative, not printed twice — its rows are the PDF's heaviest work (decision 203)."""
    block = section.blocks[index]
    if not isinstance(block, Map):
        return None
    drawn = {area.name: area.value for area in block.areas}
    for before in reversed(section.blocks[:index]):
        if (
            isinstance(before, Table)
            and len(before.columns) >= 2
            and {str(row[0]): row[1] for row in before.rows} == drawn
        ):
            return before
    return None


def map_table(block: Map) -> Table:
    where = "Commune" if block.level == "commune" else "EPCI"
    return Table(
        f"Données : {block.title}",
        (Column(where, "text"), Column(block.unit or "valeur", "count", block.persons)),
        tuple((area.name, area.value) for area in block.areas),
    )


def _templates() -> object:
    from core.api.documents import DocumentTemplates

    templates = DocumentTemplates(TEMPLATES_DIR)
    templates.env.globals.update(
        anchor=anchor,
        block_kind=lambda block: type(block).__name__,
        cell=cell_text,
        figure_value=figure_value,
        change_sentence=change_sentence,
        chart_svg=lambda block, element_id: Markup(chart_svg(block, element_id)),
        map_svg=lambda block, dep, element_id: Markup(map_svg(block, dep, element_id)),
        chart_table=chart_table,
        chart_source=chart_source,
        map_table=map_table,
        map_source=map_source,
    )
    return templates


TEMPLATES = _templates()


def render_html(report: ActivityReport) -> str:
    """The report's HTML document (its PDF is this HTML, core.api.documents.pdf)."""
    return TEMPLATES.render(  # type: ignore[attr-defined]
        "documents/activity_report.html",
        letterhead=report.letterhead,
        report=report,
        heading=heading(report),
    )


__all__ = ["Block", "render_html"]
