"""The annual report as a Word file (python-docx), for a team that edits its report before
sending it: real headings (Word's « Titre 1/2 », so its navigation pane and table of contents
work), tables with a header row repeated on each page, the key figures as a list, each chart
and map as its title, description and data table (a Word file keeps no SVG; the PDF has
the drawings), the team's texts as paragraphs. Reads the section model only."""

from __future__ import annotations

import io
import re

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from core.domain.report.builder import ActivityReport
from core.domain.report.cells import cell_text, change_sentence, figure_value
from core.domain.report.document import chart_table, heading, map_table
from core.plugins.sections import (
    Chart,
    KeyFigures,
    Map,
    NarrativeSlot,
    Paragraph,
    ReportSection,
    Table,
)

_MARKUP = re.compile(r"[*_`#>]+")


def _repeat_header(row: object) -> None:
    properties = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


def _table(document: object, table: Table) -> None:
    document.add_paragraph(table.title, style="Caption")  # type: ignore[attr-defined]
    rows = [*table.rows, *([table.total] if table.total is not None else [])]
    grid = document.add_table(rows=1 + len(rows), cols=len(table.columns))  # type: ignore[attr-defined]
    grid.style = "Table Grid"
    for cell, column in zip(grid.rows[0].cells, table.columns, strict=True):
        cell.text = column.title
        cell.paragraphs[0].runs[0].bold = True
    _repeat_header(grid.rows[0])
    for index, row in enumerate(rows, 1):
        for cell, column, value in zip(grid.rows[index].cells, table.columns, row, strict=True):
            cell.text = cell_text(column, value)
            if table.total is not None and index == len(rows):
                cell.paragraphs[0].runs[0].bold = True
    if table.note:
        document.add_paragraph(table.note)  # type: ignore[attr-defined]


def _section(document: object, report: ActivityReport, section: ReportSection, level: int) -> None:
    document.add_heading(section.title, level=level)  # type: ignore[attr-defined]
    for block in section.blocks:
        if isinstance(block, KeyFigures):
            for figure in block.figures:
                said = change_sentence(figure, report.year)
                line = f"{figure_value(figure)} {figure.label}" + (f", {said}" if said else "")
                document.add_paragraph(line, style="List Bullet")  # type: ignore[attr-defined]
        elif isinstance(block, Table):
            _table(document, block)
        elif isinstance(block, Chart):
            document.add_paragraph(f"{block.title}. {block.description}")  # type: ignore[attr-defined]
            _table(document, chart_table(block))
        elif isinstance(block, Map):
            document.add_paragraph(f"{block.title}. {block.description}")  # type: ignore[attr-defined]
            _table(document, map_table(block))
        elif isinstance(block, Paragraph):
            document.add_paragraph(block.text)  # type: ignore[attr-defined]
        elif isinstance(block, NarrativeSlot):
            for text in report.narratives.get(block.kind, ()):
                if block.kind == "free" or text.title != section.title:
                    document.add_heading(text.title, level=level + 1)  # type: ignore[attr-defined]
                for part in re.split(r"\n\s*\n", text.body.strip()):
                    document.add_paragraph(_MARKUP.sub("", part).strip())  # type: ignore[attr-defined]


def render_docx(report: ActivityReport) -> bytes:
    document = Document()
    document.core_properties.title = heading(report)
    document.core_properties.author = report.pole
    document.core_properties.language = "fr-FR"
    document.styles["Normal"].font.size = Pt(11)
    document.add_heading(heading(report), level=0)
    document.add_paragraph(f"{report.pole} — {report.copy_label}")
    for section in report.main:
        _section(document, report, section, 1)
    if report.annexes:
        document.add_page_break()
        document.add_heading("Annexes", level=1)
        for section in report.annexes:
            _section(document, report, section, 2)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
