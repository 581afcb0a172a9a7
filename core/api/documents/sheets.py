"""Tables as spreadsheet sheets (openpyxl), for every feature's XLSX: the annual
report's (core/domain/report/xlsx.py) and the network's comparison. A sheet holds one
table under its title, numbers stored as numbers with their number format, so that a
team can compute from them; a cell the caller renders as text (a hidden count, « < 5 »,
« masquée : … ») stays text."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.plugins.sections import Cell, Column, Table

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
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

CellValue = Callable[[Column, Cell], object]


def _as_is(column: Column, value: Cell) -> object:
    return value


def sheet_name(title: str, index: int, taken: set[str]) -> str:
    base = _FORBIDDEN.sub(" ", title).strip() or "Tableau"
    name = f"{index} {base}"[:31].strip()
    while name in taken:
        name = name[:-1] + "_"
    taken.add(name)
    return name


def write_row(
    sheet: Worksheet,
    columns: tuple[Column, ...],
    row: tuple[Cell, ...],
    bold: bool,
    value: CellValue = _as_is,
) -> None:
    sheet.append([value(c, v) for c, v in zip(columns, row, strict=True)])
    for index, column in enumerate(columns, 1):
        cell = sheet.cell(row=sheet.max_row, column=index)
        if column.kind in FORMATS and not isinstance(cell.value, str):
            cell.number_format = FORMATS[column.kind]
        if bold:
            cell.font = BOLD


def table_sheet(sheet: Worksheet, subtitle: str, table: Table, value: CellValue = _as_is) -> None:
    """The table's title, a subtitle, its header, its rows, its total in bold, its note;
    the header frozen, the columns as wide as their content (within reason)."""
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([subtitle])
    sheet.append([])
    sheet.append([c.title for c in table.columns])
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    header_row = sheet.max_row
    for row in table.rows:
        write_row(sheet, table.columns, row, bold=False, value=value)
    if table.total is not None:
        write_row(sheet, table.columns, table.total, bold=True, value=value)
    if table.note:
        sheet.append([])
        sheet.append([table.note])
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
    for index, column in enumerate(table.columns, 1):
        width = max([len(column.title), *(len(str(r[index - 1] or "")) for r in table.rows)])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(10, width + 2))


def workbook(sheets: Sequence[tuple[str, str, Table]]) -> bytes:
    """A workbook of tables, one sheet each: ``(sheet's name, subtitle, table)``."""
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for index, (name, subtitle, table) in enumerate(sheets, 1):
        table_sheet(book.create_sheet(sheet_name(name, index, taken)), subtitle, table)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
