"""CSV in the French-Excel dialect: `;` separator, UTF-8 with BOM, CRLF line endings.

Every cell goes through `core.spreadsheet.safe_cell`: a text starting like a formula is
written with a leading `'`, so that opening the export never runs it.
"""

import csv
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from django.utils import timezone

from pilote.core.spreadsheet import safe_cell


class FrenchExcel(csv.excel):
    delimiter = ";"


def csv_response(basename: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{basename}-{stamp}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, dialect=FrenchExcel)
    writer.writerow([safe_cell(value) for value in header])
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return response
