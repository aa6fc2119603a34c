"""Shared pieces of the Excel downloads (openpyxl): the Dutch number formats, cents as euros, a
table sheet with a title block, header row, frozen panes, autofilter and column widths, and the
HTTP response. Used by the settlement workbooks (settlement_excel) and the screen exports (exports).

Excel stores numbers, not text: a Dutch Excel shows `€ #,##0.00` as "€ 1.234,56" and `0.0%` as
"12,5%". Euros are written as cents / 100, whose shortest decimal form (what openpyxl writes) is
the amount to the cent."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.worksheet.worksheet import Worksheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY = "€ #,##0.00"
PERCENT = "0.0%"
COUNT = "#,##0"
DATE = "dd-mm-yyyy"
BOLD = Font(bold=True)


def euros(cents: int | float | None) -> float | None:
    """Cents as euros; a float of cents (a forecast) is rounded to the cent first."""
    return None if cents is None else round(cents) / 100


def number(value: int | float) -> int | float:
    """A number as Excel keeps it: 15 significant digits (openpyxl would write 16, which Excel
    drops on reading anyway)."""
    return value if isinstance(value, int) else float(f"{value:.15g}")


@dataclass(frozen=True)
class Cell:
    """A value with its own number format (a column may mix units, like the KPI table)."""

    value: Any
    format: str | None = None


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 14
    format: str | None = None  # for the numbers and dates in this column


def money(cents: int | float | None, shown_as: str = "-") -> Cell | str:
    return shown_as if cents is None else Cell(euros(cents), MONEY)


def count(n: int | None, shown_as: str = "-") -> Cell | str:
    return shown_as if n is None else Cell(number(n), COUNT)


def percent(fraction: float | None, shown_as: str = "-") -> Cell | str:
    return shown_as if fraction is None else Cell(number(float(fraction)), PERCENT)


def table(
    wb: Workbook,
    name: str,
    title: str,
    data_date: dt.date | None,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    notes: Sequence[str] = (),
) -> Worksheet:
    """A sheet: the title (what, which filters, which role) in A1, the date of the data in B2,
    notes below, then the header row (frozen, with an autofilter) and the rows. A value may be a
    `Cell` with its own format; else the column's format applies to numbers and dates."""
    ws = wb.create_sheet(name[:31])
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = "Gegevens tot en met"
    if data_date is not None:
        ws["B2"] = data_date
        ws["B2"].number_format = DATE
        ws["B2"].alignment = Alignment(horizontal="left")
    for i, note in enumerate(notes, start=3):
        ws.cell(row=i, column=1, value=note)
    head = 4 + len(notes)
    header_row(ws, [c.header for c in columns], [c.width for c in columns], head)
    row_number = head
    for row in rows:
        row_number += 1
        for col, (value, column) in enumerate(zip(row, columns, strict=True), start=1):
            fmt = column.format
            if isinstance(value, Cell):
                value, fmt = value.value, value.format
            cell = ws.cell(row=row_number, column=col, value=value)
            if fmt and isinstance(value, int | float | dt.date):
                cell.number_format = fmt
    ws.freeze_panes = f"A{head + 1}"  # a string: ws.cell() would add an empty row
    ws.auto_filter.ref = f"A{head}:{get_column_letter(len(columns))}{max(row_number, head)}"
    return ws


def header_row(ws: Worksheet, headers: Sequence[str], widths: Sequence[int], row: int = 1) -> None:
    """Bold, wrapped headers in `row` and the column widths."""
    for i, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
        cell = ws.cell(row=row, column=i, value=text)
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def header_row_index(ws: Worksheet) -> int:
    """The header row of a `table` sheet: the row above the frozen panes."""
    return coordinate_from_string(ws.freeze_panes)[1] - 1  # ws[...] would add the cell


def new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def to_bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def response(workbook_bytes: bytes, filename: str) -> HttpResponse:
    result = HttpResponse(workbook_bytes, content_type=XLSX)
    result["Content-Disposition"] = f'attachment; filename="{filename}"'
    return result
