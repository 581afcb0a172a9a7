"""The annual report as a spreadsheet (openpyxl): a first sheet « Sommaire » with the key
figures and the list of tables, then one sheet per table — the sections' tables and the
maps' data — numbers stored as numbers (percentages, amounts and dates with their number
format), so that a team can compute from them. A hidden count of the published copy is the
text « < 5 ». Reads the section model only."""

from __future__ import annotations

import datetime as dt
import io
import re

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.domain.report.builder import ActivityReport
from core.domain.report.cells import printed
from core.domain.report.document import map_table
from core.plugins.sections import Cell, Column, Hidden, KeyFigures, Map, Table

FORMATS = {
    "count": "#,##0",
    "number": "#,##0.##",
    "percent": '0.0" %"',
    "amount": '#,##0.00" €"',
    "date": "DD/MM/YYYY",
}
# Excel refuses these in a sheet's name, and names longer than 31 characters.
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
BOLD = Font(bold=True)


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


def _sheet_name(title: str, index: int, taken: set[str]) -> str:
    base = _FORBIDDEN.sub(" ", title).strip() or "Tableau"
    name = f"{index} {base}"[:31].strip()
    while name in taken:
        name = name[:-1] + "_"
    taken.add(name)
    return name


def _value(column: Column, value: Cell) -> object:
    if isinstance(value, Hidden):
        return printed(value, column.kind)
    if column.kind == "date" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _write_row(
    sheet: Worksheet, columns: tuple[Column, ...], row: tuple[Cell, ...], bold: bool
) -> None:
    sheet.append([_value(c, v) for c, v in zip(columns, row, strict=True)])
    for index, column in enumerate(columns, 1):
        cell = sheet.cell(row=sheet.max_row, column=index)
        if column.kind in FORMATS and not isinstance(cell.value, str):
            cell.number_format = FORMATS[column.kind]
        if bold:
            cell.font = BOLD


def _table_sheet(sheet: Worksheet, section: str, table: Table) -> None:
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([section])
    sheet.append([])
    sheet.append([c.title for c in table.columns])
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    header_row = sheet.max_row
    for row in table.rows:
        _write_row(sheet, table.columns, row, bold=False)
    if table.total is not None:
        _write_row(sheet, table.columns, table.total, bold=True)
    if table.note:
        sheet.append([])
        sheet.append([table.note])
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
    for index, column in enumerate(table.columns, 1):
        width = max([len(column.title), *(len(str(r[index - 1] or "")) for r in table.rows)])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(10, width + 2))


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
        name = _sheet_name(table.title, index, taken)
        summary.append([name, table.title, section])
        _table_sheet(book.create_sheet(name), section, table)
    summary.column_dimensions["A"].width = 50
    summary.column_dimensions["B"].width = 50
    summary.column_dimensions["C"].width = 40
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
