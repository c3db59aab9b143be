"""The one XLSX helper (`core.spreadsheet.xlsx_response`): typed cells, bold frozen header,
auto-filter over the data, fitted widths, and still no formula."""

import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

from pilote.core import spreadsheet
from pilote.core.spreadsheet import AMOUNT, DATE, DATETIME, INTEGER, Column, Sheet

COLUMNS = [
    Column("Nom"), Column("Montant", AMOUNT), Column("Effectif", INTEGER),
    Column("Création", DATE), Column("Rendez-vous", DATETIME),
]  # fmt: skip


def read(response):
    return load_workbook(io.BytesIO(response.content))


def test_cells_are_typed_and_shown_the_french_way():
    meeting = dt.datetime(2026, 3, 4, 13, 30, tzinfo=dt.UTC)  # 14:30 in Paris
    rows = [
        ['=HYPERLINK("x")', Decimal("-1250.50"), 42, dt.date(2026, 1, 2), meeting],
        ["Forges", 3, None, None, ""],
    ]
    response = spreadsheet.xlsx_response("essai", COLUMNS, rows, title="Feuille")
    assert response["Content-Type"].endswith("spreadsheetml.sheet")
    assert 'filename="essai-' in response["Content-Disposition"]
    sheet = read(response)["Feuille"]
    name, amount, headcount, created, at = next(sheet.iter_rows(min_row=2, max_row=2))
    assert (name.data_type, name.value, name.quotePrefix) == ("s", '=HYPERLINK("x")', True)
    assert (amount.data_type, amount.value) == ("n", -1250.5)
    assert "€" in amount.number_format
    assert (headcount.data_type, headcount.value) == ("n", 42)
    assert isinstance(headcount.value, int)
    assert headcount.number_format == "#,##0"
    assert created.is_date
    assert created.value.isoformat() == "2026-01-02T00:00:00"
    assert created.number_format == "dd/mm/yyyy"
    # Local time, as the page shows it (Excel has no time zones).
    assert at.is_date
    assert at.value.isoformat() == "2026-03-04T14:30:00"
    assert at.number_format == "dd/mm/yyyy hh:mm"
    second = [cell.value for cell in next(sheet.iter_rows(min_row=3, max_row=3))]
    assert second == ["Forges", 3, None, None, None]
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_the_header_is_bold_frozen_and_filtered_over_exactly_the_data():
    rows = [["a", 1, 2, None, None]] * 7
    sheet = read(spreadsheet.xlsx_response("essai", COLUMNS, rows)).active
    header = next(sheet.iter_rows(max_row=1))
    assert [c.value for c in header] == [c.title for c in COLUMNS]
    assert all(c.font.b for c in header)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E8"


def test_an_empty_export_still_has_its_header_and_filter():
    sheet = read(spreadsheet.xlsx_response("essai", COLUMNS, [])).active
    assert sheet.max_row == 1
    assert sheet.auto_filter.ref == "A1:E1"


def test_widths_fit_the_content_within_bounds():
    rows = [["x" * 300, Decimal("1234567.89"), 5, dt.date(2026, 1, 1), None]]
    sheet = read(spreadsheet.xlsx_response("essai", COLUMNS, rows)).active
    widths = {letter: dim.width for letter, dim in sheet.column_dimensions.items()}
    assert widths["A"] == spreadsheet.MAX_WIDTH  # bounded
    assert widths["B"] >= len("1,234,567.89 €")
    assert spreadsheet.MIN_WIDTH <= widths["C"] < 20
    assert widths["D"] >= len("01/01/2026")


def test_widths_come_from_a_sample_of_the_first_rows(monkeypatch):
    monkeypatch.setattr(spreadsheet, "SAMPLE_ROWS", 2)
    rows = [["court", 1, 1, None, None]] * 2 + [["y" * 50, 1, 1, None, None]]
    sheet = read(spreadsheet.xlsx_response("essai", COLUMNS, iter(rows))).active
    assert sheet.column_dimensions["A"].width < 20
    assert sheet.max_row == 4  # every row written, the sampled ones once


def test_several_sheets_are_each_formatted():
    sheets = [
        Sheet("Un", COLUMNS, [["a", 1, 1, dt.date(2026, 1, 1), None]]),
        Sheet("Deux", [Column("Seul")], [["b"], ["c"]]),
    ]
    workbook = read(spreadsheet.xlsx_sheets_response("essai", sheets))
    assert workbook.sheetnames == ["Un", "Deux"]
    assert [s.freeze_panes for s in workbook.worksheets] == ["A2", "A2"]
    assert [s.auto_filter.ref for s in workbook.worksheets] == ["A1:E2", "A1:A3"]
