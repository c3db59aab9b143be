"""CSV in the French-Excel dialect: `;` separator, UTF-8 with BOM, CRLF line endings."""

import csv
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from django.utils import timezone


class FrenchExcel(csv.excel):
    delimiter = ";"


def csv_response(basename: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{basename}-{stamp}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, dialect=FrenchExcel)
    writer.writerow(header)
    writer.writerows(rows)
    return response
