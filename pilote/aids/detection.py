"""Detection: for a call, the establishments of a territory it concerns, grouped by EPCI.

Reads public data only (SIRENE and the catalogue), in bulk (`matching.Population`): every
active establishment of the territory in one query, the scheme's conditions as bitsets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.http import HttpResponse
from django.utils import timezone

from pilote.aids import matching
from pilote.aids.models import AidScheme
from pilote.companies.models import Establishment
from pilote.core.spreadsheet import Column, Sheet, xlsx_sheets_response

HEADER = [
    "EPCI", "SIRET", "Établissement", "Entreprise", "Adresse", "Code postal", "Commune",
    "Code NAF", "Effectif", "Catégorie", "À vérifier", "Raisons",
]  # fmt: skip


@dataclass
class Line:
    establishment: Establishment
    verdicts: list[matching.Verdict]

    @property
    def to_check(self) -> bool:
        return any(v.status == matching.CHECK for v in self.verdicts)

    @property
    def reasons(self) -> str:
        return " ; ".join(str(v) for v in self.verdicts)


@dataclass
class Group:
    epci: object
    lines: list[Line] = field(default_factory=list)


@dataclass
class Detection:
    scheme: AidScheme
    rule: matching.Rule
    groups: list[Group]
    scanned: int

    @property
    def total(self) -> int:
        return sum(len(g.lines) for g in self.groups)

    def group_of(self, epci_id: str) -> Group | None:
        return next((g for g in self.groups if g.epci.pk == epci_id), None)


def detect(scheme: AidScheme, territory, *, epci_ids=None, today: dt.date | None = None):
    """The active establishments of `territory` (or of `epci_ids`) eligible to `scheme`,
    grouped by EPCI (by name), each with its reasons."""
    today = today or timezone.localdate()
    rule = matching.compile_rule(scheme, today)
    establishments = Establishment.objects.in_territory(territory).active()
    if epci_ids is not None:
        establishments = establishments.filter(epci_id__in=epci_ids)
    population = matching.Population.from_queryset(establishments, today)
    eligible, _ = population.masks(rule)
    found = population.members(eligible)
    by_pk = {
        e.pk: e
        for e in Establishment.objects.filter(pk__in=[f.pk for f in found]).select_related(
            "company", "commune", "epci"
        )
    }
    groups: dict[str, Group] = {}
    for facts in found:
        establishment = by_pk[facts.pk]
        verdicts = matching.verdicts(rule, matching.Criteria(facts), today)
        group = groups.setdefault(establishment.epci_id, Group(establishment.epci))
        group.lines.append(Line(establishment, [v for v in verdicts if v.status != "block"]))
    ordered = sorted(groups.values(), key=lambda g: g.epci.name)
    for group in ordered:
        group.lines.sort(key=lambda line: (line.to_check, line.establishment.search_text))
    return Detection(scheme=scheme, rule=rule, groups=ordered, scanned=population.size)


def rows(detection: Detection):
    for group in detection.groups:
        for line in group.lines:
            e = line.establishment
            yield [
                group.epci.name,
                e.siret,
                e.display_name,
                e.company.display_name,
                " ".join(p for p in (e.address, e.address_complement) if p),
                e.postcode,
                e.commune.name,
                e.naf_code,
                e.get_headcount_band_display(),
                e.company.size_category,
                "oui" if line.to_check else "non",
                line.reasons,
            ]


def xlsx_response(detection: Detection) -> HttpResponse:
    """One sheet per EPCI, plus the whole list: exactly the detected establishments, each
    sheet formatted by `core.spreadsheet` (bold frozen header, auto-filter, fitted widths)."""
    columns = [Column(title) for title in HEADER]
    sheets = [Sheet("Tous les EPCI", columns, rows(detection))]
    for group in detection.groups:
        one_group = Detection(detection.scheme, detection.rule, [group], 0)
        sheets.append(Sheet(_sheet_title(group.epci.name), columns, rows(one_group)))
    return xlsx_sheets_response(f"detection-dispositif-{detection.scheme.pk}", sheets)


def _sheet_title(name: str) -> str:
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in name)
    return cleaned[:31]
