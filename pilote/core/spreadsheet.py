"""Cells of exported spreadsheets (CSV and XLSX) that a spreadsheet never runs as formulas.

A text a user typed (a note's title, an establishment's name read from SIRENE…) may start
with `=`, `+`, `-`, `@`, a tab or a carriage return: Excel and LibreOffice would run it as a
formula when the export is opened (`=HYPERLINK(…)` sending data elsewhere, `@SUM(…)`,
`-2+3`). Every export goes through this module:

- CSV (`safe_cell`, applied by `core.csv.csv_response` to every cell): such a text is written
  with a leading `'`, the OWASP advice for CSV injection; a CSV has no types, so the
  spreadsheet would otherwise parse the text.
- XLSX (`xlsx_row`): the text is kept exactly and stored as a string cell (`t="inlineStr"`)
  with the « quote prefix » style, which is what Excel itself stores when someone types
  `'=1+1`: shown as text, and still text if the cell is edited. openpyxl would otherwise turn
  a str starting with `=` into a formula. A `'` prefix is not used in XLSX because there it
  would become part of the value (visible, sorted, filtered).

Numbers, dates and booleans are never touched: a negative amount stays a negative number.

Every XLSX export is written by `xlsx_response` (one sheet) or `xlsx_sheets_response`, from
typed `Column`s: dates are date cells shown `jj/mm/aaaa`, amounts numbers shown in euros,
counts integers; the header row is bold and frozen, an auto-filter covers the data, and the
column widths fit the header and the first rows (bounded). The workbook is write-only, so a
large export is streamed row by row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain, islice
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# The characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    """True for a text a spreadsheet would run as a formula."""
    if isinstance(value, Promise):
        value = str(value)
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def safe_cell(value: Any) -> Any:
    """A CSV cell: a formula-like text gets a leading `'`; anything else is unchanged."""
    if isinstance(value, Promise):
        value = str(value)
    return "'" + value if is_formula_like(value) else value


def xlsx_row(sheet, values: Iterable[Any]) -> list:
    """An XLSX row for `sheet.append` (write-only workbook): formula-like texts become
    string cells with the quote prefix, every other value is appended as it is."""
    row = []
    for value in values:
        if isinstance(value, Promise):
            value = str(value)
        if is_formula_like(value):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # not "f": openpyxl guessed a formula from the leading "="
            cell.quotePrefix = True
            row.append(cell)
        else:
            row.append(value)
    return row


# -- typed XLSX exports ------------------------------------------------------------------------
# Every XLSX export of the site goes through `xlsx_response` (or `xlsx_sheets_response`): typed
# columns (real dates, numbers with their format), bold and frozen header row, an auto-filter
# over the data, column widths fitted to the content (from a sample: exports may be large),
# and the formula neutralisation above for every text cell.

TEXT = "text"
INTEGER = "integer"  # a count, a headcount: an integer with thousands grouping
AMOUNT = "amount"  # euros, to the cent
DATE = "date"
DATETIME = "datetime"  # an aware datetime is written in local time (Excel has no time zones)

NUMBER_FORMATS = {
    INTEGER: "#,##0",
    AMOUNT: '#,##0.00 "€"',
    DATE: "dd/mm/yyyy",
    DATETIME: "dd/mm/yyyy hh:mm",
}
# Widths, in characters: fitted to the header and the first SAMPLE_ROWS rows, within bounds.
SAMPLE_ROWS = 500
MIN_WIDTH, MAX_WIDTH = 6, 60
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_HEADER_FONT = Font(bold=True)


@dataclass(frozen=True)
class Column:
    """A column of an XLSX export: its header and the kind of its values."""

    title: str
    kind: str = TEXT


@dataclass
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]


def xlsx_response(
    basename: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *, title="Export"
) -> HttpResponse:
    """A one-sheet XLSX download `<basename>-<date>.xlsx`."""
    return xlsx_sheets_response(basename, [Sheet(title, columns, rows)])


def xlsx_sheets_response(basename: str, sheets: Iterable[Sheet]) -> HttpResponse:
    """An XLSX download with one formatted sheet per `Sheet` (write-only: rows are streamed)."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        write_sheet(workbook, sheet.title, sheet.columns, sheet.rows)
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{basename}-{stamp}.xlsx"'
    workbook.save(response)
    return response


def write_sheet(workbook, title: str, columns: Sequence[Column], rows: Iterable[Sequence]):
    """Add a formatted sheet to a write-only `workbook`; `rows` are read once."""
    sheet = workbook.create_sheet(title)
    rows = iter(rows)
    sample = list(islice(rows, SAMPLE_ROWS))
    # Write-only: widths and the frozen pane are written before the first row.
    for index, width in enumerate(_widths(columns, sample), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = _text_cell(sheet, column.title)
        cell.font = _HEADER_FONT
        header.append(cell)
    sheet.append(header)
    count = 0
    kinds = [column.kind for column in columns]
    for row in chain(sample, rows):
        sheet.append([_typed(sheet, kind, value) for kind, value in zip(kinds, row, strict=True)])
        count += 1
    # The auto-filter is written after the rows: it can cover exactly the data.
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(columns), 1))}{count + 1}"
    return sheet


def _text_cell(sheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if is_formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _excel_datetime(value: dt.datetime) -> dt.datetime:
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


def _typed(sheet, kind: str, value: Any) -> Any:
    """The cell of `value` in a column of `kind`: a value openpyxl writes as it is, or a
    styled cell. A value of another type than the column's is written like a text column's."""
    if isinstance(value, Promise):
        value = str(value)
    if value is None or value == "":
        return None
    number_format = None
    if kind in (DATE, DATETIME) and isinstance(value, dt.date):
        if isinstance(value, dt.datetime):
            value = _excel_datetime(value)
            if kind == DATE:
                value = value.date()
        number_format = NUMBER_FORMATS[kind]
    elif kind in (INTEGER, AMOUNT) and _is_number(value):
        number_format = NUMBER_FORMATS[kind]
    elif isinstance(value, dt.datetime):
        value, number_format = _excel_datetime(value), NUMBER_FORMATS[DATETIME]
    elif isinstance(value, dt.date):
        number_format = NUMBER_FORMATS[DATE]
    if number_format:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = number_format
        return cell
    if is_formula_like(value):
        return _text_cell(sheet, value)
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _shown_length(kind: str, value: Any) -> int:
    """About how many characters the cell shows."""
    if isinstance(value, Promise):
        value = str(value)
    if value is None:
        return 0
    if isinstance(value, dt.datetime) and kind != DATE:
        return 16
    if isinstance(value, dt.date):
        return 10
    if _is_number(value):
        if kind == AMOUNT:
            return len(f"{value:,.2f}") + 2
        if kind == INTEGER:
            return len(f"{value:,.0f}")
        return len(str(value))
    return max((len(line) for line in str(value).splitlines()), default=0)


def _widths(columns: Sequence[Column], sample: list[Sequence]) -> list[float]:
    widths = []
    for index, column in enumerate(columns):
        longest = len(column.title) + 2  # bold, and the filter button
        for row in sample:
            longest = max(longest, _shown_length(column.kind, row[index]))
        widths.append(min(max(longest + 1, MIN_WIDTH), MAX_WIDTH))
    return widths
