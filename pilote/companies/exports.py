"""Exports of the directory: exactly the filtered list, in XLSX and French-Excel CSV.

The columns are the list's (identity, place, activity with its NAF label, headcount band,
creation date…) and, when the export knows its reader (`rows(…, user=, territory=)`), the
two columns the directory computes for that reader:

- « Score de prospection »: the score the « Score de prospection » sort gives on the page
  (the registry's `directory_orderings["-score"]`, when prospecting provides it), computed
  for this reader: its « jamais rencontré » criterion reads only follow-up they may see;
- « Suivi »: « suivi » or « jamais rencontré », as the directory's « Suivi » filter says for
  this reader (`registry.followed_q`): follow-up they may not see changes neither column.

The XLSX is written by `core.spreadsheet.xlsx_response` (typed cells, frozen and filtered
header, fitted widths, formula-like texts kept as text).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import BooleanField, Case, QuerySet, Value, When
from django.http import HttpResponse

from pilote.companies.models import Naf
from pilote.companies.registry import directory_orderings, followed_q
from pilote.core import spreadsheet
from pilote.core.csv import csv_response
from pilote.core.spreadsheet import DATE, INTEGER, Column

SCORE_SORT = "-score"
FOLLOWED, NEVER_MET = "suivi", "jamais rencontré"

COLUMNS = [
    Column("SIRET"), Column("Nom"), Column("Entreprise"), Column("SIREN"), Column("Siège"),
    Column("Adresse"), Column("Code postal"), Column("Commune"), Column("EPCI"),
    Column("Code NAF"), Column("Activité (NAF)"), Column("Tranche d'effectif"),
    Column("Catégorie"), Column("Création", DATE), Column("État"),
]  # fmt: skip
SCORE_COLUMN = Column("Score de prospection", INTEGER)
FOLLOWED_COLUMN = Column("Suivi")
HEADER = [column.title for column in COLUMNS]


class DirectoryRows:
    """The export's rows (iterated once, in chunks) and their `columns`."""

    def __init__(self, queryset: QuerySet, *, user=None, territory=None):
        self.columns = list(COLUMNS)
        self.with_score = self.with_followed = False
        if user is not None and territory is not None:
            ordering = directory_orderings.get(SCORE_SORT)
            if ordering is not None:
                queryset = _with_score(queryset, ordering, territory=territory, user=user)
                self.columns.append(SCORE_COLUMN)
                self.with_score = True
            queryset = queryset.annotate(
                followed=Case(
                    When(followed_q(user), then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                )
            )
            self.columns.append(FOLLOWED_COLUMN)
            self.with_followed = True
        self.queryset = queryset

    @property
    def header(self) -> list[str]:
        return [column.title for column in self.columns]

    def __iter__(self) -> Iterator[list]:
        naf_labels = dict(Naf.objects.values_list("code", "label"))
        for e in self.queryset.iterator(chunk_size=2000):
            row = [
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
                naf_labels.get(e.naf_code, ""),
                e.get_headcount_band_display(),
                e.company.size_category,
                e.created_on,
                e.get_state_display(),
            ]
            if self.with_score:
                row.append(e.score)
            if self.with_followed:
                row.append(FOLLOWED if e.followed else NEVER_MET)
            yield row


def _with_score(queryset: QuerySet, ordering, *, territory, user) -> QuerySet:
    """`queryset` with the page's `score` annotation, still in the list's order."""
    if "score" in queryset.query.annotations:  # already sorted by score
        return queryset
    order = queryset.query.order_by or queryset.model._meta.ordering
    return ordering.apply(queryset, territory=territory, user=user).order_by(*order)


def rows(queryset: QuerySet, *, user=None, territory=None) -> DirectoryRows:
    """The rows of `queryset`; with `user` and `territory`, the reader's score and follow-up."""
    return DirectoryRows(queryset, user=user, territory=territory)


def xlsx_response(basename: str, data: DirectoryRows) -> HttpResponse:
    return spreadsheet.xlsx_response(basename, data.columns, data, title="Établissements")


def csv_response_for(basename: str, data: DirectoryRows) -> HttpResponse:
    def french(row):
        return [v.strftime("%d/%m/%Y") if hasattr(v, "strftime") else v for v in row]

    return csv_response(basename, data.header, (french(row) for row in data))
