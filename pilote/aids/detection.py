"""Detection: for a call, the establishments of a territory it concerns, grouped by EPCI.

Targeted (docs/aids.md#detection): only the TI's industrial perimeter (the sections of its
`TerritoryProfile`, `companies.directory.industrial_sections`), and only the eligible
establishments with a reason to be contacted — a known need or project on a theme of the
scheme (visible to the reader, through the access layer), an activity the scheme targets
specifically, or a headcount in the TI's core target bands. They are ranked by those
reasons (`POINTS`, explained on the page as `RANKING`).

Reads public data in bulk (`matching.Population`): every active establishment of the
perimeter in one query, the scheme's conditions as bitsets; the establishments themselves
are loaded only for the lines shown (a page) or exported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from django.http import HttpResponse
from django.utils import timezone

from pilote.aids import matching
from pilote.aids.adapters import THEMES_BY_NEED_THEME, THEMES_BY_PROJECT_KIND
from pilote.aids.enums import Theme
from pilote.aids.models import AidScheme
from pilote.companies.directory import industrial_sections
from pilote.companies.enums import CORE_TARGET_BANDS, HeadcountBand
from pilote.companies.models import Establishment
from pilote.core.enums import Visibility
from pilote.core.spreadsheet import Column, Sheet, xlsx_sheets_response

HEADER = [
    "EPCI", "SIRET", "Établissement", "Entreprise", "Adresse", "Code postal", "Commune",
    "Code NAF", "Effectif", "Catégorie", "À vérifier", "Raisons",
]  # fmt: skip

# Points of each reason to contact an establishment: the score that ranks the lines.
NEED, SECTOR, SIZE = "need", "sector", "size"
POINTS = {NEED: 3, SECTOR: 2, SIZE: 1}
RANKING = (
    "Classement : un besoin ou un projet connu sur un thème du dispositif compte 3 points, "
    "une activité que le dispositif vise précisément 2 points, un effectif de 20 à 199 "
    "salariés (la cible du territoire) 1 point. Les établissements sont classés par points, "
    "puis ceux dont tous les critères sont certains avant ceux « à vérifier », puis par "
    "effectif décroissant."
)
# Criteria identical for every establishment of a call: said once on the page, not per line.
SCHEME_LEVEL = {matching.TARGET, matching.DATES, matching.GEOGRAPHY}
CORE_BANDS = {str(b) for b in CORE_TARGET_BANDS}
BAND_LABELS = dict(HeadcountBand.choices)


@dataclass
class Line:
    """One establishment of a detection: why to contact it (`signals`), its `score`, and
    its non-blocking verdicts (computed when asked, for the lines shown or exported)."""

    facts: matching.Facts
    rule: matching.Rule
    today: dt.date
    to_check: bool
    signals: list[str] = field(default_factory=list)
    score: int = 0
    establishment: Establishment | None = None

    @cached_property
    def verdicts(self) -> list[matching.Verdict]:
        found = matching.verdicts(self.rule, matching.Criteria(self.facts), self.today)
        return [v for v in found if v.status != matching.BLOCK]

    @property
    def reason_list(self) -> list[str]:
        """A short list: the reasons to contact it, then the criteria proper to it."""
        own = [str(v) for v in self.verdicts if v.criterion not in SCHEME_LEVEL]
        to_check = [str(v) for v in self.verdicts if v.criterion in SCHEME_LEVEL and
                    v.status == matching.CHECK]  # fmt: skip
        return [*self.signals, *own, *to_check]

    @property
    def reasons(self) -> str:
        return " ; ".join(self.reason_list)

    def sort_key(self):
        band = self.facts.band
        rank = int(band) if band.isdigit() else -1
        return (-self.score, self.to_check, -rank, self.facts.key)


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
    sections: list[str] = field(default_factory=list)
    eligible: int = 0  # eligible in the perimeter, targeted or not

    @property
    def total(self) -> int:
        return sum(len(g.lines) for g in self.groups)

    def group_of(self, epci_id) -> Group | None:
        return next((g for g in self.groups if g.epci.pk == epci_id), None)

    @property
    def scheme_reasons(self) -> list[str]:
        """The criteria met the same way by every line (bénéficiaires, calendrier, zone)."""
        lines = [line for g in self.groups for line in g.lines[:1]]
        if not lines:
            return []
        return [str(v) for v in lines[0].verdicts if v.criterion in SCHEME_LEVEL]


def load(lines: list[Line]) -> list[Line]:
    """Attach their `Establishment` (company, commune, EPCI) to `lines`, in one query."""
    missing = [line for line in lines if line.establishment is None]
    if missing:
        by_pk = Establishment.objects.select_related("company", "commune", "epci").in_bulk(
            [line.facts.pk for line in missing]
        )
        for line in missing:
            line.establishment = by_pk[line.facts.pk]
    return lines


def _scheme_need_values(rule: matching.Rule) -> tuple[dict[str, list[str]], dict[str, list]]:
    """Need themes and project kinds whose catalogue themes meet the scheme's."""
    themes = set(rule.themes)
    needs = {k: [t for t in v if t in themes] for k, v in THEMES_BY_NEED_THEME.items()}
    projects = {k: [t for t in v if t in themes] for k, v in THEMES_BY_PROJECT_KIND.items()}
    return {k: v for k, v in needs.items() if v}, {k: v for k, v in projects.items() if v}


def _known_needs(rule, epci_ids, reader, shareable: bool) -> dict[int, str]:
    """{establishment pk: reason} for the open needs and active projects on a theme of the
    scheme that `reader` may see (`visible_to`); `shareable`: only those the EPCI's agents
    see too (not « Mon organisation seulement », filed under the establishment's EPCI)."""
    from django.db.models import F

    from pilote.accompaniment.models import Need, Project

    if reader is None:
        return {}
    need_themes, project_kinds = _scheme_need_values(rule)
    label = dict(Theme.choices)
    found: dict[int, str] = {}
    sources = [
        (Need.objects.open(), "theme", need_themes, "Besoin connu"),
        (Project.objects.active(), "kind", project_kinds, "Projet connu"),
    ]
    for queryset, name, values, prefix in sources:
        if not values:
            continue
        queryset = queryset.visible_to(reader).filter(
            **{f"{name}__in": list(values)}, establishment__epci_id__in=epci_ids
        )
        if shareable:
            queryset = queryset.exclude(visibility=Visibility.PRIVATE).filter(
                epci_id=F("establishment__epci_id")
            )
        for pk, value in queryset.order_by("pk").values_list("establishment_id", name):
            themes = ", ".join(label[t].lower() for t in values[value])
            found.setdefault(pk, f"{prefix} : {themes}")
    return found


def _specific_naf(rule: matching.Rule) -> list[str]:
    """The activities the scheme targets more precisely than a whole NAF section."""
    specs = [s for s in rule.naf_in if not (len(s) == 1 and s.isalpha())]
    if not rule.naf_in:
        sectors = matching._sector_sections(rule.sectors)
        if sectors is not None:
            specs = [s for _, s in sectors[0] if not (len(s) == 1 and s.isalpha())]
    return specs


def detect(
    scheme: AidScheme,
    territory,
    *,
    reader=None,
    shareable: bool = False,
    epci_ids=None,
    today: dt.date | None = None,
    load_all: bool = True,
) -> Detection:
    """The active establishments of the industrial perimeter of `territory` (or of
    `epci_ids`) eligible to `scheme` with a reason to be contacted, grouped by EPCI (by
    name), ranked. `reader`: whose visible needs and projects count (none without);
    `load_all=False` leaves the establishments to `load` (the page loads only its own)."""
    today = today or timezone.localdate()
    rule = matching.compile_rule(scheme, today)
    sections = industrial_sections(territory)
    establishments = (
        Establishment.objects.in_territory(territory).active().filter(naf_section__in=sections)
    )
    if epci_ids is not None:
        establishments = establishments.filter(epci_id__in=epci_ids)
    population = matching.Population.from_queryset(establishments, today)
    eligible, check = population.masks(rule)
    found = population.members(eligible)
    to_check = {f.pk for f in population.members(check)}
    territory_epcis = {e.pk: e for e in territory.epcis.all()}
    needs = _known_needs(rule, list(territory_epcis), reader, shareable)
    naf_specs = _specific_naf(rule)
    core_bands = {  # the core bands the scheme's headcount limits surely include
        band
        for band in CORE_BANDS
        if (v := matching.headcount_verdict(*rule.headcount, band)) is None or v.status == "ok"
    }
    groups: dict[str, Group] = {}
    for facts in found:
        signals, score = [], 0
        if facts.pk in needs:
            signals.append(needs[facts.pk])
            score += POINTS[NEED]
        spec = next(
            (s for s in naf_specs if matching.naf_matches(s, facts.naf_code, facts.naf_section)),
            None,
        )
        if spec:
            signals.append(f"Activité visée : {facts.naf_code} ({spec})")
            score += POINTS[SECTOR]
        if facts.band in core_bands:
            signals.append(f"Effectif cible : {BAND_LABELS.get(facts.band, facts.band)}")
            score += POINTS[SIZE]
        if not score:
            continue
        line = Line(facts, rule, today, facts.pk in to_check, signals, score)
        group = groups.setdefault(facts.epci, Group(territory_epcis.get(facts.epci)))
        group.lines.append(line)
    ordered = sorted(groups.values(), key=lambda g: g.epci.name)
    for group in ordered:
        group.lines.sort(key=Line.sort_key)
    if load_all:
        load([line for g in ordered for line in g.lines])
    return Detection(
        scheme=scheme, rule=rule, groups=ordered, scanned=population.size,
        sections=list(sections), eligible=len(found),
    )  # fmt: skip


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
