"""Exports of the directory: exactly the filtered list, in XLSX and French-Excel CSV."""

from collections.abc import Iterator

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from pilote.core.csv import csv_response
from pilote.core.spreadsheet import xlsx_row

HEADER = [
    "SIRET", "Nom", "Entreprise", "SIREN", "Siège", "Adresse", "Code postal", "Commune",
    "EPCI", "Code NAF", "Tranche d'effectif", "Catégorie", "Création", "État",
]  # fmt: skip


def rows(queryset) -> Iterator[list]:
    for e in queryset.iterator(chunk_size=2000):
        yield [
            e.siret,
            e.display_name,
            e.company.display_name,
            e.company.siren,
            "oui" if e.is_head_office else "non",
            " ".join(p for p in (e.address, e.address_complement) if p),
            e.postcode,
            e.commune.name,
            e.epci.name if e.epci else "",
            e.naf_code,
            e.get_headcount_band_display(),
            e.company.size_category,
            e.created_on,
            e.get_state_display(),
        ]


def _stamp() -> str:
    return timezone.localtime().strftime("%Y-%m-%d")


def xlsx_response(basename: str, data: Iterator[list]) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Établissements")
    sheet.append(HEADER)
    for row in data:
        sheet.append(xlsx_row(sheet, row))
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{basename}-{_stamp()}.xlsx"'
    workbook.save(response)
    return response


def csv_response_for(basename: str, data: Iterator[list]) -> HttpResponse:
    def french(row):
        return [v.strftime("%d/%m/%Y") if hasattr(v, "strftime") else v for v in row]

    return csv_response(basename, HEADER, (french(row) for row in data))
