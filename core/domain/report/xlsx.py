"""The annual report as a spreadsheet (openpyxl): a first sheet « Sommaire » with the key
figures and the list of tables, then one sheet per table — the sections' tables and the
maps' data — numbers stored as numbers (percentages, amounts and dates with their number
format), so that a team can compute from them. A hidden count of the published copy is the
text « < 5 ». Reads the section model only."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from core.api.documents.sheets import BOLD, sheet_name, table_sheet
from core.domain.report.builder import ActivityReport
from core.domain.report.cells import printed
from core.domain.report.document import map_table
from core.plugins.sections import Cell, Column, Hidden, KeyFigures, Map, Table


def tables(report: ActivityReport) -> list[tuple[str, Table]]:
    """Every table of the report with its section's title, in print order (maps' data
    included): the sheets of the workbook, and what a test compares with the PDF."""
    found: list[tuple[str, Table]] = []
    for section in (*report.main, *report.annexes):
        for block in section.blocks:
            if isinstance(block, Table):
                found.append((section.title, block))
            elif isinstance(block, Map):
                found.append((section.title, map_table(block)))
    return found


def _value(column: Column, value: Cell) -> object:
    if isinstance(value, Hidden):
        return printed(value, column.kind)
    if column.kind == "date" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def render_xlsx(report: ActivityReport) -> bytes:
    book = Workbook()
    summary = book.active
    summary.title = "Sommaire"
    summary.append([f"Rapport d'activité {report.year} — {report.pole}"])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([report.copy_label])
    summary.append([])
    summary.append(["Chiffres clés", f"{report.year}", f"{report.year - 1}"])
    for cell in summary[summary.max_row]:
        cell.font = BOLD
    for section in report.main:
        for block in section.blocks:
            if isinstance(block, KeyFigures):
                for figure in block.figures:
                    summary.append(
                        [
                            f"{figure.label} ({section.title})",
                            _value(Column("", "count"), figure.value),
                            _value(Column("", "count"), figure.previous),
                        ]
                    )
    summary.append([])
    summary.append(["Feuille", "Tableau", "Section"])
    for cell in summary[summary.max_row]:
        cell.font = BOLD
    taken = {"Sommaire"}
    for index, (section, table) in enumerate(tables(report), 1):
        name = sheet_name(table.title, index, taken)
        summary.append([name, table.title, section])
        table_sheet(book.create_sheet(name), section, table, value=_value)
    summary.column_dimensions["A"].width = 50
    summary.column_dimensions["B"].width = 50
    summary.column_dimensions["C"].width = 40
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
