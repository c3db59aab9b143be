"""Detection: for a call, the establishments of a territory it concerns, grouped by EPCI.

Targeted (docs/aids.md#detection): only the TI's industrial perimeter (the sections of its
`TerritoryProfile`, `companies.directory.industrial_sections`), and only the eligible
establishments with a reason to be contacted — a known need or project on a theme of the
scheme (visible to the reader, through the access layer), an activity the scheme targets
specifically, or a headcount in the TI's core target bands. They are ranked by those
reasons (`POINTS`, explained on the page as `RANKING`).

Reads public data in bulk (`matching.Population`): every active establishment of the
perimeter in one query, the scheme's conditions as bitsets. That public part — the
eligible establishments, their points and signals without a known need, in the ranking's
order — is the same for every reader: it is cached (`candidates`, keyed by the call's
conditions, the day, the perimeter and `establishments_stamp`). What depends on the reader
(their visible needs and projects) is read on every request and never cached. Lines are
made only when read (`RankedLines`), and their establishments and facts loaded only for
the lines shown (a page) or exported (`load`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from functools import cached_property

from django.core.cache import cache
from django.db.models import Max
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
LOAD_BATCH = 500  # establishments read per query by `load` (SQLite's parameters limit)
CACHE_SECONDS = 24 * 3600  # the day is in the key anyway
CACHE_VERSION = 2  # bump when `Candidates` or how it is computed changes


@dataclass
class Line:
    """One establishment of a detection: why to contact it (`signals`), its `score`, and
    its non-blocking verdicts (computed when asked, for the lines shown or exported). Its
    `facts` and `establishment` are read by `load`, for the lines shown or exported only."""

    pk: int
    rule: matching.Rule
    today: dt.date
    to_check: bool
    signals: list[str] = field(default_factory=list)
    score: int = 0
    establishment: Establishment | None = None
    loaded_facts: matching.Facts | None = None

    @property
    def facts(self) -> matching.Facts:
        if self.loaded_facts is None:
            load([self])
        return self.loaded_facts

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
        return (-self.score, *_tie_break(self.to_check, self.facts))


def _tie_break(to_check: bool, facts: matching.Facts) -> tuple:
    """Between lines of equal points: certain before « à vérifier », bigger first, SIRET."""
    band = facts.band
    return (to_check, -(int(band) if band.isdigit() else -1), facts.key)


@dataclass
class Group:
    epci: object
    lines: Sequence[Line] = field(default_factory=list)


class RankedLines(Sequence):
    """The ranked lines of one EPCI (`Candidates` positions), made into `Line` objects only
    when read: a page reads 25 of thousands. A line read twice is the same object (what
    `load` attached to it stays)."""

    def __init__(self, positions, make):
        self.positions = positions
        self.make = make
        self.made: dict[int, Line] = {}

    def __len__(self) -> int:
        return len(self.positions)

    def _line(self, index: int) -> Line:
        line = self.made.get(index)
        if line is None:
            line = self.made[index] = self.make(self.positions[index])
        return line

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._line(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._line(index)

    def __iter__(self):
        return (self._line(i) for i in range(len(self)))


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
    """Attach their `Establishment` (company, commune, EPCI) and their matching `Facts` to
    `lines`: two queries per thousand lines."""
    missing = [line for line in lines if line.establishment is None or line.loaded_facts is None]
    for start in range(0, len(missing), LOAD_BATCH):
        batch = missing[start : start + LOAD_BATCH]
        pks = [line.pk for line in batch]
        by_pk = Establishment.objects.select_related("company", "commune", "epci").in_bulk(pks)
        rows = Establishment.objects.filter(pk__in=pks).values_list(*matching.FACT_FIELDS)
        facts = {f.pk: f for f in map(matching._facts_from_row, rows)}
        for line in batch:
            line.establishment = by_pk[line.pk]
            line.loaded_facts = facts[line.pk]
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


@dataclass
class Candidates:
    """What a detection owes to public data only — SIRENE × the call's conditions, the same
    for every reader: the eligible establishments of the perimeter, each with its points
    and signals without a known need. Cached (`candidates`); the reader's known needs are
    added on each request (`detect`), never cached.

    Compact, so that reading it from the cache costs next to nothing and leaves no
    thousands of objects behind (a page then triggers no full garbage collection): the
    establishments are *positions* in the ranking's tie-breakers' order (`_tie_break`), as
    columns of machine integers."""

    scanned: int
    epci_ids: list  # the EPCIs, indexed by `epci`
    signal_sets: list[tuple[str, ...]]  # the distinct public signals, indexed by `signals`
    pks: array  # by position: the establishment
    epci: array
    to_check: array
    scores: array  # points without a known need
    signals: array
    sorted_pks: array  # the pks in increasing order, and their positions: a pk's position
    sorted_positions: array  # by bisection
    ranked: dict  # {EPCI index: positions of points > 0, ranked (points, then position)}

    @property
    def eligible(self) -> int:
        return len(self.pks)

    def position_of(self, pk: int) -> int | None:
        i = bisect_left(self.sorted_pks, pk)
        if i < len(self.sorted_pks) and self.sorted_pks[i] == pk:
            return self.sorted_positions[i]
        return None


def _compute_candidates(rule, territory, sections, epci_ids, today) -> Candidates:
    establishments = (
        Establishment.objects.in_territory(territory).active().filter(naf_section__in=sections)
    )
    if epci_ids is not None:
        establishments = establishments.filter(epci_id__in=epci_ids)
    population = matching.Population.from_queryset(establishments, today)
    eligible, check = population.masks(rule)
    found = population.members(eligible)
    to_check_pks = {f.pk for f in population.members(check)}
    naf_specs = _specific_naf(rule)
    core_bands = {  # the core bands the scheme's headcount limits surely include
        band
        for band in CORE_BANDS
        if (v := matching.headcount_verdict(*rule.headcount, band)) is None or v.status == "ok"
    }
    rows = []
    for facts in found:
        signals, score = (), 0
        spec = next(
            (s for s in naf_specs if matching.naf_matches(s, facts.naf_code, facts.naf_section)),
            None,
        )
        if spec:
            signals += (f"Activité visée : {facts.naf_code} ({spec})",)
            score += POINTS[SECTOR]
        if facts.band in core_bands:
            signals += (f"Effectif cible : {BAND_LABELS.get(facts.band, facts.band)}",)
            score += POINTS[SIZE]
        checked = facts.pk in to_check_pks
        rows.append((_tie_break(checked, facts), facts.pk, facts.epci, checked, score, signals))
    rows.sort(key=lambda row: row[0])
    epci_index: dict = {}
    signal_index: dict = {(): 0}
    codes = {"pks": "q", "epci": "I", "to_check": "B", "scores": "B", "signals": "I"}
    columns = {name: array(code) for name, code in codes.items()}
    ranked: dict[int, list[int]] = {}
    for position, (_, pk, epci, checked, score, signals) in enumerate(rows):
        e = epci_index.setdefault(epci, len(epci_index))
        columns["pks"].append(pk)
        columns["epci"].append(e)
        columns["to_check"].append(checked)
        columns["scores"].append(score)
        columns["signals"].append(signal_index.setdefault(signals, len(signal_index)))
        if score:
            ranked.setdefault(e, []).append(position)
    by_pk = sorted(range(len(rows)), key=lambda position: rows[position][1])
    scores = columns["scores"]
    return Candidates(
        scanned=population.size,
        epci_ids=list(epci_index),
        signal_sets=list(signal_index),
        **columns,
        sorted_pks=array("q", (rows[position][1] for position in by_pk)),
        sorted_positions=array("I", by_pk),
        ranked={
            e: array("I", sorted(positions, key=lambda p: (-scores[p], p)))
            for e, positions in ranked.items()
        },
    )


def _rule_fingerprint(rule: matching.Rule) -> tuple:
    """Every condition of the compiled call (not its scheme object nor its names' cache)."""
    return tuple(
        getattr(rule, f.name)
        for f in fields(rule)
        if f.name not in {"scheme", "scheme_level", "names"}
    )


def establishments_stamp() -> tuple:
    """What changes when any establishment is created, deleted or updated — by a service,
    the admin or a SIRENE import (which also stamps the establishments of a company whose
    headcount, category or creation date changed). Two cheap queries: the count (a b-tree
    count) and the latest `updated_at` (its index)."""
    last = Establishment.objects.aggregate(last=Max("updated_at"))["last"]
    return Establishment.objects.count(), last and last.isoformat()


def candidates(rule, territory, sections, epci_ids, today, territory_epcis=None) -> Candidates:
    """`Candidates` of `rule` over the perimeter, cached by what they are computed from:
    the call's conditions (any edit of the scheme or its windows changes them), the day,
    the territory, its EPCIs and industrial sections, and `establishments_stamp`. Nothing
    the reader may or may not see is in them: they are the same for every reader."""
    if territory_epcis is None:
        territory_epcis = territory.epcis.values_list("pk", flat=True)
    parts = (
        CACHE_VERSION, _rule_fingerprint(rule), today.isoformat(), territory.pk,
        sorted(str(pk) for pk in territory_epcis), list(sections),
        sorted(epci_ids) if epci_ids is not None else None,
        establishments_stamp(),
    )  # fmt: skip
    key = "aids:detection:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = _compute_candidates(rule, territory, sections, epci_ids, today)
        cache.set(key, found, CACHE_SECONDS)
    return found


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
    name), ranked. `reader`: whose visible needs and projects count (none without), read
    on every call; `load_all=False` leaves the establishments to `load` (the page loads
    only its own)."""
    today = today or timezone.localdate()
    rule = matching.compile_rule(scheme, today)
    sections = industrial_sections(territory)
    territory_epcis = {e.pk: e for e in territory.epcis.all()}
    public = candidates(rule, territory, sections, epci_ids, today, territory_epcis)
    needs: dict[int, str] = {}  # {position: reason}
    for pk, reason in _known_needs(rule, list(territory_epcis), reader, shareable).items():
        position = public.position_of(pk)
        if position is not None:  # eligible
            needs[position] = reason
    with_need: dict[int, list[int]] = {}
    for position in needs:
        with_need.setdefault(public.epci[position], []).append(position)

    def points(position: int) -> int:
        return public.scores[position] + (POINTS[NEED] if position in needs else 0)

    def make(position: int) -> Line:
        signals = public.signal_sets[public.signals[position]]
        if position in needs:
            signals = (needs[position], *signals)
        return Line(
            public.pks[position], rule, today, bool(public.to_check[position]),
            list(signals), points(position),
        )  # fmt: skip

    groups: dict[str, Group] = {}
    for e in sorted({*public.ranked, *with_need}):
        ranked = public.ranked.get(e, ())
        if e in with_need:  # both in the order (points, then position): merged
            ranked = array(
                "I",
                heapq.merge(
                    sorted(with_need[e], key=lambda p: (-points(p), p)),
                    (p for p in ranked if p not in needs),
                    key=lambda p: (-points(p), p),
                ),
            )
        epci = public.epci_ids[e]
        groups[epci] = Group(territory_epcis.get(epci), RankedLines(ranked, make))
    ordered = sorted(groups.values(), key=lambda g: g.epci.name)
    if load_all:
        load([line for g in ordered for line in g.lines])
    return Detection(
        scheme=scheme, rule=rule, groups=ordered, scanned=public.scanned,
        sections=list(sections), eligible=public.eligible,
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
