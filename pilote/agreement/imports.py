"""Import of the statement of actual expenses (« import_depenses », docs/agreement.md).

A CSV (`;` or `,`, UTF-8) or an XLSX with the columns `date;nature;libelle;montant`, one
expense a row. Each row goes to the agreement year containing its date; it is keyed by date,
nature and label: a new key is created, a known one with another amount is updated, the same
is kept. A row is rejected, with its line (the header is line 1) and the reason in French, when
its date is not a date or falls outside the agreement, its nature is unknown, its label empty
or its amount unreadable. Without `wet_run` the same work is done and rolled back.

The file reading, dates and amounts are those of the applications import.
"""

from __future__ import annotations

from typing import BinaryIO

from django.db import transaction

from pilote.agreement.enums import Nature
from pilote.agreement.models import ActualExpense, Agreement
from pilote.applications.imports import (
    _OLE_MAGIC,
    _XLSX_MAGIC,
    ImportFileError,
    ImportReport,
    Rejection,
    _column,
    _csv_rows,
    _shown,
    _text,
    _xlsx_rows,
    check_size,
    parse_amount,
    parse_date,
)
from pilote.core.money import to_cents

COLUMNS = ("date", "nature", "libelle", "montant")

__all__ = ["COLUMNS", "ImportFileError", "import_expenses"]


def _rows(stream: BinaryIO, filename: str):
    start = stream.read(4)
    stream.seek(0)
    if start.startswith(_OLE_MAGIC) or filename.lower().endswith(".xls"):
        raise ImportFileError(
            "Le format .xls (Excel 97-2003) n'est pas pris en charge : enregistrez le fichier "
            "en .xlsx ou en CSV UTF-8."
        )
    if start.startswith(_XLSX_MAGIC):
        rows = _xlsx_rows(stream)
    elif filename.lower().endswith(".xlsx"):
        raise ImportFileError("Ce fichier .xlsx n'est pas un classeur Excel valide.")
    else:
        rows = _csv_rows(stream)
    header_cells = next(rows, None)
    if header_cells is None or not any(_text(c) for c in header_cells):
        raise ImportFileError("Le fichier est vide : l'en-tête (ligne 1) manque.")
    header = [_column(c) for c in header_cells]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise ImportFileError(
            f"En-tête (ligne 1) : colonne(s) obligatoire(s) absente(s) : {', '.join(missing)}. "
            f"Colonnes attendues : {';'.join(COLUMNS)}."
        )
    index = {name: header.index(name) for name in COLUMNS}
    return index, rows


def _cell(cells: list, index: dict, name: str):
    position = index[name]
    return cells[position] if position < len(cells) else None


def import_expenses(
    stream: BinaryIO, *, filename: str, agreement: Agreement, wet_run: bool = False,
    size: int | None = None,
) -> ImportReport:  # fmt: skip
    """Import the actual expenses of `stream` into `agreement`. Raises `ImportFileError` for a
    file that cannot be read (nothing is written); otherwise returns the report."""
    check_size(size)
    years = list(agreement.years.order_by("start"))
    if not years:
        raise ImportFileError(f"La convention « {agreement} » n'a aucune année.")
    first, last = years[0].start, years[-1].end
    natures = {value: value for value in Nature.values}
    report = ImportReport(filename=filename, wet_run=wet_run)
    with transaction.atomic():
        index, rows = _rows(stream, filename)
        for line, cells in enumerate(rows, start=2):
            cells = list(cells)
            if not any(_text(c) for c in cells):
                continue
            report.read += 1
            errors = []
            raw_date = _cell(cells, index, "date")
            year = day = None
            try:
                day = parse_date(raw_date)
            except ValueError:
                errors.append(f"la date « {_shown(raw_date)} » n'est pas une date (JJ/MM/AAAA)")
            else:
                if day is None:
                    errors.append("la date manque")
                else:
                    year = next((y for y in years if y.start <= day <= y.end), None)
                    if year is None:
                        errors.append(
                            f"le {day:%d/%m/%Y} est hors de la convention "
                            f"(du {first:%d/%m/%Y} au {last:%d/%m/%Y})"
                        )
            raw_nature = _text(_cell(cells, index, "nature"))
            nature = natures.get(raw_nature.casefold())
            if nature is None:
                errors.append(
                    f"la nature « {_shown(raw_nature)} » est inconnue "
                    f"(attendu : {', '.join(Nature.values)})"
                )
            label = " ".join(_text(_cell(cells, index, "libelle")).split())
            if not label:
                errors.append("le libellé manque")
            elif len(label) > 250:
                errors.append("le libellé dépasse 250 caractères")
            raw_amount = _cell(cells, index, "montant")
            amount = None
            try:
                amount = parse_amount(raw_amount)
            except ValueError:
                errors.append(f"le montant « {_shown(raw_amount)} » est illisible")
            else:
                if amount is None:
                    errors.append("le montant manque")
                elif abs(amount) >= 10**10:
                    errors.append(f"le montant « {_shown(raw_amount)} » est invraisemblable")
                else:
                    amount = to_cents(amount)
            if errors:
                report.rejections.append(Rejection(line, " ; ".join(errors)))
                continue
            existing = ActualExpense.objects.filter(
                agreement=agreement, date=day, nature=nature, label=label
            ).first()
            if existing is None:
                ActualExpense.objects.create(agreement=agreement, year=year, date=day,
                                             nature=nature, label=label, amount=amount)  # fmt: skip
                report.created += 1
            elif existing.amount != amount or existing.year_id != year.pk:
                existing.amount, existing.year = amount, year
                existing.save(update_fields=["amount", "year", "updated_at"])
                report.updated += 1
            else:
                report.kept += 1
        if not wet_run:
            transaction.set_rollback(True)
    return report
