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
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.functional import Promise
from openpyxl.cell import WriteOnlyCell

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
