"""Explained, deterministic matching of aid schemes with establishments, projects and needs.

The input is a `Criteria`: the `Facts` of an establishment (where it is, what it does, its
size and age, its legal form) and, for a project or a need, the themes it is about. Each
scheme is compiled once into a `Rule`; each criterion gives a `Verdict`:

- ``ok``     the scheme's condition is met (shown as a reason);
- ``check``  cannot be decided from SIRENE data (unknown headcount, a band straddling the
  threshold…): eligible, « à vérifier », ranked after the certain ones;
- ``block``  the condition is not met: not eligible, and this is the criterion shown.

Two ways to run the same rules:

- `explain(rules, criteria)`: one establishment (or project, need) against every scheme,
  with every reason — the establishment page, `manage.py match`;
- `Population` + `masks(rule)`: every establishment of a territory against schemes, in bulk.
  Facts are read in one query and indexed as bitsets (Python integers, one bit per
  establishment) per value; a scheme's condition is then a few OR/AND of bitsets, memoised
  across schemes that share it. The detection of a call and the benchmark use it; a test
  checks that both ways agree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache, cached_property

from django.db import connections
from django.utils import formats, timezone

from pilote.aids.enums import CallStatus, Theme
from pilote.aids.models import ALL_SECTORS, AidScheme, call_status
from pilote.companies.enums import HeadcountBand

OK, CHECK, BLOCK = "ok", "check", "block"

# Criteria, in the order a blocking one is reported.
TARGET, DATES, GEOGRAPHY, NAF, HEADCOUNT, SIZE, AGE, LEGAL_FORM, THEME = (
    "bénéficiaires", "calendrier", "zone géographique", "activité", "effectif",
    "catégorie d'entreprise", "ancienneté", "forme juridique", "thème",
)  # fmt: skip
CRITERIA = [TARGET, DATES, GEOGRAPHY, NAF, HEADCOUNT, SIZE, AGE, LEGAL_FORM, THEME]

BAND_RANGES: dict[str, tuple[int, int | None]] = {
    "NN": (0, 0), "00": (0, 0), "01": (1, 2), "02": (3, 5), "03": (6, 9), "11": (10, 19),
    "12": (20, 49), "21": (50, 99), "22": (100, 199), "31": (200, 249), "32": (250, 499),
    "41": (500, 999), "42": (1000, 1999), "51": (2000, 4999), "52": (5000, 9999),
    "53": (10000, None),
}  # fmt: skip
MICRO_BANDS = {"NN", "00", "01", "02", "03"}
KNOWN_GEO_KINDS = {"PAYS", "REG", "DEP", "EPCI", "COM"}
FRANCE = "PAYS-99100"

# Sector labels of `ciblage_secteur_activite`, read when a scheme gives no NAF code.
_SERVICES = ["H", "I", "J", "K", "L", "M", "N", "P", "Q", "R", "S"]
SECTOR_NAF = {
    "industrie": ["B", "C", "D", "E"],
    "agriculture": ["A"],
    "iaa": ["10", "11"],
    "agroalimentaire": ["10", "11"],
    "services": _SERVICES,
    "commerce": ["G"],
    "btp": ["F"],
    "construction": ["F"],
    "batiment": ["F"],
    "transport": ["H"],
    "transports": ["H"],
    "energie": ["D"],
    "tourisme": ["I"],
    "numerique": ["J"],
}


def _plain(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def legal_form_of(code: str) -> str:
    """The schema's legal-form label of an INSEE « catégorie juridique » code ('' unknown)."""
    code = code or ""
    if code == "1000":
        return "EI"
    if code in {"5432", "5532", "6532"}:
        return "SICA"
    if code == "5498":
        return "EURL"
    if code.startswith("54"):
        return "SARL"
    if code == "5720":
        return "SASU"
    if code.startswith("57"):
        return "SAS"
    if code[:2] in {"55", "56"}:
        return "SA"
    if code.startswith("52"):
        return "SNC"
    if code in {"5306", "5307"}:
        return "SCS"
    if code in {"5308", "5309"}:
        return "SCA"
    if code == "6533":
        return "GAEC"
    if code == "6220":
        return "GIE"
    return ""


def size_of(size_category: str, band: str) -> str:
    """MIC, PME, ETI, GE or ''. SIRENE counts micro-enterprises among PME: a PME of fewer than
    ten employees is taken as MIC."""
    if size_category == "PME" and band in MICRO_BANDS:
        return "MIC"
    return size_category or ""


BAND_LABELS = dict(HeadcountBand.choices)


def band_label(band: str) -> str:
    return BAND_LABELS.get(band, "non renseigné")


def _date(value: dt.date | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


@dataclass(frozen=True)
class Verdict:
    """`text` is the compact, machine-stable form (codes: « REG-32 couvert »); `label` the
    French sentence shown in pages, exports and e-mails (« Région Hauts-de-France, zone
    couverte par le dispositif »), `text` when the two are the same."""

    criterion: str
    status: str
    text: str
    label: str = ""

    @property
    def sentence(self) -> str:
        return self.label or self.text

    def __str__(self) -> str:
        suffix = " (à vérifier)" if self.status == CHECK else ""
        return f"{self.criterion.capitalize()} : {self.sentence}{suffix}"

    def as_json(self) -> dict:
        return {
            "criterion": self.criterion,
            "status": self.status,
            "text": self.text,
            "label": self.sentence,
        }


@dataclass(frozen=True)
class Facts:
    """What SIRENE says about an establishment and its company."""

    key: str  # SIRET, or any identifier
    commune: str = ""
    epci: str = ""
    department: str = ""
    region: str = ""
    naf_code: str = ""
    naf_section: str = ""
    band: str = ""  # the company's headcount band, else the establishment's
    size: str = ""  # MIC, PME, ETI, GE
    created_on: dt.date | None = None
    legal_category: str = ""
    name: str = ""
    pk: int | None = None

    @property
    def geo_codes(self) -> frozenset[str]:
        return frozenset(geo_codes_of(self.commune, self.epci, self.department, self.region))


def geo_codes_of(commune: str, epci: str, department: str, region: str) -> list[str]:
    codes = [FRANCE]
    for kind, value in (("COM", commune), ("EPCI", epci), ("DEP", department), ("REG", region)):
        if value:
            codes.append(f"{kind}-{value}")
    return codes


# -- French names of the codes the reasons mention --------------------------------------------

NBSP = "\xa0"  # the thousands separator of config/formats/fr
SIZE_LABELS = {"MIC": "microentreprise", "PME": "PME", "ETI": "ETI", "GE": "grande entreprise"}
FORM_LABELS = {"EI": "entreprise individuelle", "Microentrepreneur": "microentrepreneur"}
TARGET_LABELS = {"collectivites": "collectivités", "etablissements": "établissements"}
SECTOR_LABELS = {
    "iaa": "IAA", "btp": "BTP", "batiment": "bâtiment", "energie": "énergie",
    "numerique": "numérique",
}  # fmt: skip
NAF_LEVELS = {1: "la section", 2: "la division", 4: "le groupe", 5: "la classe",
              6: "la sous-classe"}  # fmt: skip


def number(value: int) -> str:
    """4999 → « 4 999 » (no-break space, as the French formats of the project)."""
    return f"{value:,}".replace(",", NBSP)


def _plural(count: int, word: str) -> str:
    return f"{number(count)} {word}{'s' if count > 1 else ''}"


def _unknown_geo(code: str) -> str:
    kind, _, value = code.partition("-")
    if code == FRANCE:
        return "France entière"
    if kind == "PAYS":
        return f"pays (code COG {value})"
    if kind == "REG":
        name = _static_geo("regions").get(value)
        return f"Région {name}" if name else f"région {value}"
    if kind == "DEP":
        name = _static_geo("departements").get(value)
        return f"{name} ({value})" if name else f"département {value}"
    if kind == "EPCI":
        return f"EPCI de SIREN {value}"
    if kind == "COM":
        return f"commune de code INSEE {value}"
    return f"zone « {code} »"


@cache
def _static_geo(name: str) -> dict[str, str]:
    """Names of the régions and départements from data/geo, when the database lacks one."""
    import csv

    from django.conf import settings

    path = settings.DATA_DIR / "geo" / f"{name}.csv"
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return {row["code"]: row["nom"] for row in csv.DictReader(f)}
    except (OSError, KeyError):
        return {}


class Names:
    """The French names of the territory (COG) and NAF codes that reasons mention.

    Read in bulk and kept for a whole page or command: the rules of `load_rules` share one,
    so a page costs at most one query per kind of territory code (for every code its rules
    and facts mention, gathered with `want`) and one for the NAF labels (the whole table,
    some 1,700 short rows, read on the first label asked). Nothing is read by the bulk path,
    which needs no label."""

    def __init__(self):
        self._geo: dict[str, str] = {FRANCE: "France entière"}
        self._pending: set[str] = set()
        self._naf: dict[str, str] | None = None

    def want(self, codes: Iterable[str]) -> None:
        """Codes to read with the next lookup (one query per kind for all of them)."""
        self._pending.update(c for c in codes if c not in self._geo)

    def geo(self, code: str) -> str:
        """« Région Hauts-de-France », « Nord (59) », « CA de Cambrai », « Cambrai (59) »,
        « France entière »."""
        if code not in self._geo:
            self._pending.add(code)
            self._read_geo()
        return self._geo[code]

    def _read_geo(self) -> None:
        from pilote.territories.models import Commune, Department, Epci, Region

        pending, self._pending = self._pending, set()
        wanted: dict[str, set[str]] = defaultdict(set)
        for code in pending:
            kind, _, value = code.partition("-")
            wanted[kind].add(value)
        found: dict[str, str] = {}
        if wanted["REG"]:
            rows = Region.objects.filter(code__in=wanted["REG"]).values_list("code", "name")
            found.update((f"REG-{c}", f"Région {n}") for c, n in rows)
        if wanted["DEP"]:
            rows = Department.objects.filter(code__in=wanted["DEP"]).values_list("code", "name")
            found.update((f"DEP-{c}", f"{n} ({c})") for c, n in rows)
        if wanted["EPCI"]:
            rows = Epci.objects.filter(siren__in=wanted["EPCI"]).values_list("siren", "name")
            found.update((f"EPCI-{c}", n) for c, n in rows)
        if wanted["COM"]:
            rows = Commune.objects.filter(code__in=wanted["COM"]).values_list(
                "code", "name", "department_id"
            )
            found.update((f"COM-{c}", f"{n} ({d})") for c, n, d in rows)
        for code in pending:
            self._geo[code] = found.get(code) or _unknown_geo(code)

    def naf(self, code: str) -> str:
        """« 29.32Z Fabrication d'autres équipements automobiles » (the code alone if the
        nomenclature is not loaded)."""
        if self._naf is None:
            from pilote.companies.models import Naf

            self._naf = dict(Naf.objects.values_list("code", "label"))
        label = self._naf.get(code)
        return f"{code} {label}" if label else code

    def naf_spec(self, spec: str) -> str:
        """A NAF code of a scheme with its level: « la section C Industrie manufacturière »."""
        level = NAF_LEVELS.get(len(spec), "le code")
        return f"{level} {self.naf(spec)}"


FACT_FIELDS = [
    "pk", "siret", "commune_id", "epci_id", "commune__department_id", "commune__region_id",
    "naf_code", "naf_section", "headcount_band", "company__headcount_band",
    "company__size_category", "company__created_on", "company__legal_category",
]  # fmt: skip


def _facts_from_row(row) -> Facts:
    pk, siret, commune, epci, dep, reg, naf, section, band, company_band, size, created, cat = row
    band = company_band or band or ""
    if isinstance(created, str):  # SQLite, read without Django's converters
        created = dt.date.fromisoformat(created[:10])
    return Facts(
        key=siret,
        pk=pk,
        commune=commune or "",
        epci=epci or "",
        department=dep or "",
        region=reg or "",
        naf_code=naf or "",
        naf_section=section or "",
        band=band,
        size=size_of(size or "", band),
        created_on=created,
        legal_category=cat or "",
    )


def facts_of(establishment) -> Facts:
    """The facts of one establishment (reads its commune and company)."""
    from pilote.companies.models import Establishment

    row = Establishment.objects.filter(pk=establishment.pk).values_list(*FACT_FIELDS).get()
    return replace(_facts_from_row(row), name=establishment.display_name)


@dataclass(frozen=True)
class Criteria:
    """What is matched: an establishment's facts, and the themes of a project or a need."""

    facts: Facts
    themes: frozenset[str] = frozenset()
    label: str = ""


# -- rules -------------------------------------------------------------------------------------


@dataclass
class Rule:
    """A scheme compiled for matching: every condition in a hashable, comparable form."""

    pk: int
    etalab_id: str
    title: str
    targets_pros: bool
    target_labels: tuple[str, ...]
    status: str
    next_closing: dt.date | None
    next_opening: dt.date | None
    last_closing: dt.date | None
    geo_in: tuple[str, ...]
    geo_out: tuple[str, ...]
    naf_in: tuple[str, ...]
    naf_out: tuple[str, ...]
    sectors: tuple[str, ...]
    headcount: tuple[int | None, int | None]
    sizes: tuple[str, ...]
    min_years: int | None
    forms_in: tuple[str, ...]
    forms_out: tuple[str, ...]
    themes: tuple[str, ...]
    scheme: AidScheme | None = None
    scheme_level: tuple | None = None
    names: Names | None = None  # French names of the codes, shared by the rules of a page

    @property
    def is_live(self) -> bool:
        return self.status != CallStatus.CLOSED


def compile_rule(scheme: AidScheme, today: dt.date, names: Names | None = None) -> Rule:
    """`names`: shared by the rules of a page (`compile_rules`); a rule compiled alone (a
    detection) gets its own. Reads nothing yet: the names are read when a reason is worded."""
    names = names or Names()
    names.want((*scheme.geo_included, *scheme.geo_excluded))
    windows = scheme.effective_windows()
    closings = sorted(w.closes_on for w in windows if w.closes_on)
    future_closings = [d for d in closings if d >= today]
    openings = sorted(w.opens_on for w in windows if w.opens_on and w.opens_on > today)
    return Rule(
        pk=scheme.pk,
        etalab_id=scheme.etalab_id,
        title=scheme.title,
        targets_pros="professionnels" in scheme.targets,
        target_labels=tuple(scheme.targets),
        status=call_status(windows, today),
        next_closing=future_closings[0] if future_closings else None,
        next_opening=openings[0] if openings else None,
        last_closing=closings[-1] if closings else None,
        geo_in=tuple(sorted(scheme.geo_included)),
        geo_out=tuple(sorted(scheme.geo_excluded)),
        naf_in=tuple(sorted(scheme.naf_codes)),
        naf_out=tuple(sorted(scheme.naf_excluded)),
        sectors=tuple(sorted(_plain(s) for s in scheme.sectors)),
        headcount=(scheme.headcount_min, scheme.headcount_max),
        sizes=tuple(sorted(scheme.size_categories)),
        min_years=scheme.min_years,
        forms_in=tuple(sorted(scheme.legal_forms)),
        forms_out=tuple(sorted(scheme.legal_forms_excluded)),
        themes=tuple(scheme.themes),
        scheme=scheme,
        names=names,
    )


def compile_rules(schemes: Iterable[AidScheme], today: dt.date | None = None) -> list[Rule]:
    today = today or timezone.localdate()
    names = Names()
    return [compile_rule(s, today, names) for s in schemes]


def load_rules(queryset=None, today: dt.date | None = None) -> list[Rule]:
    queryset = AidScheme.objects.all() if queryset is None else queryset
    schemes = queryset.defer("description", "eligibility", "legal_basis")
    return compile_rules(schemes.prefetch_related("windows").order_by("title", "pk"), today)


# -- one criterion at a time (the single definition of each condition) -------------------


def target_verdict(rule: Rule) -> Verdict | None:
    if rule.targets_pros:
        return None
    targets = ", ".join(TARGET_LABELS.get(t, t) for t in rule.target_labels)
    return Verdict(
        TARGET,
        BLOCK,
        f"réservé aux {', '.join(rule.target_labels)}",
        f"réservé aux {targets}, pas aux entreprises",
    )


def dates_verdict(rule: Rule) -> Verdict:
    if rule.status == CallStatus.PERMANENT:
        return Verdict(DATES, OK, "dispositif permanent")
    if rule.status == CallStatus.CLOSED:
        return Verdict(DATES, BLOCK, f"clos depuis le {_date(rule.last_closing)}")
    if rule.status == CallStatus.UPCOMING:
        return Verdict(DATES, OK, f"ouvre le {_date(rule.next_opening)}")
    if rule.next_closing:
        return Verdict(DATES, OK, f"ouvert, clôture le {_date(rule.next_closing)}")
    return Verdict(DATES, OK, "ouvert, sans date de clôture")


GEO_PRECISION = {"COM": 0, "EPCI": 1, "DEP": 2, "REG": 3, "PAYS": 4}


def _most_precise(codes) -> list[str]:
    return sorted(codes, key=lambda c: (GEO_PRECISION.get(c.split("-", 1)[0], 5), c))


def geo_verdict(geo_in, geo_out, codes: frozenset[str], names: Names | None = None) -> Verdict:
    names = names or Names()
    excluded = sorted(codes.intersection(geo_out))
    if excluded:
        zones = ", ".join(names.geo(c) for c in _most_precise(excluded))
        plural = "s" if len(excluded) > 1 else ""
        return Verdict(
            GEOGRAPHY,
            BLOCK,
            f"{', '.join(excluded)} exclu",
            f"{zones}, zone{plural} exclue{plural} par le dispositif",
        )
    covered = sorted(codes.intersection(geo_in))
    if covered:
        zone = names.geo(_most_precise(covered)[0])
        return Verdict(
            GEOGRAPHY, OK, f"{covered[-1]} couvert", f"{zone}, zone couverte par le dispositif"
        )
    scheme_zones = ", ".join(names.geo(c) for c in geo_in) or "aucune"
    if any(code.split("-", 1)[0] not in KNOWN_GEO_KINDS for code in geo_in):
        return Verdict(
            GEOGRAPHY,
            CHECK,
            f"zone {', '.join(geo_in)} non interprétée",
            f"zone du dispositif non interprétée automatiquement : {scheme_zones}",
        )
    where = ", ".join(sorted(c for c in codes if c.startswith(("REG-", "DEP-"))))
    return Verdict(
        GEOGRAPHY,
        BLOCK,
        f"réservé à {', '.join(geo_in)} ; l'établissement est en {where}",
        f"hors de la zone du dispositif ({scheme_zones}) ; {_located(codes, names)}",
    )


def _located(codes: frozenset[str], names: Names) -> str:
    """« l'établissement est à Cambrai (59), en Région Hauts-de-France »."""
    by_kind = {c.split("-", 1)[0]: c for c in codes}
    parts = []
    if "COM" in by_kind:
        parts.append(f"à {names.geo(by_kind['COM'])}")
    elif "DEP" in by_kind:
        parts.append(
            f"dans le département {names.geo(by_kind['DEP']).removeprefix('département ')}"
        )
    if "REG" in by_kind:
        parts.append(f"en {names.geo(by_kind['REG'])}")
    return f"l'établissement est {', '.join(parts)}" if parts else "localisation inconnue"


def naf_matches(spec: str, naf_code: str, section: str) -> bool:
    if len(spec) == 1 and spec.isalpha():
        return section == spec
    return bool(naf_code) and naf_code.startswith(spec)


def _sectors_label(labels) -> str:
    return ", ".join(SECTOR_LABELS.get(s, s) for s in labels)


def naf_verdict(
    naf_in, naf_out, sectors, naf_code: str, section: str, names: Names | None = None
) -> Verdict | None:
    if not naf_code:
        if naf_in or naf_out or _sector_sections(sectors) is not None:
            return Verdict(NAF, CHECK, "code NAF inconnu", "code NAF non renseigné dans SIRENE")
        return None
    names = names or Names()
    excluded = [s for s in naf_out if naf_matches(s, naf_code, section)]
    if excluded:
        specs = " ; ".join(names.naf_spec(s) for s in excluded)
        return Verdict(
            NAF,
            BLOCK,
            f"{naf_code} exclu ({', '.join(excluded)})",
            f"{names.naf(naf_code)}, activité exclue par le dispositif ({specs})",
        )
    if naf_in:
        matched = [s for s in naf_in if naf_matches(s, naf_code, section)]
        if matched:
            precise = max(matched, key=lambda s: (len(s), s))
            where = (
                "code visé par le dispositif" if precise == naf_code
                else f"dans {names.naf_spec(precise)}"
            )  # fmt: skip
            return Verdict(
                NAF, OK, f"{naf_code} dans {', '.join(matched)}", f"{names.naf(naf_code)}, {where}"
            )
        specs = " ; ".join(names.naf_spec(s) for s in naf_in)
        return Verdict(
            NAF,
            BLOCK,
            f"{naf_code} hors des codes ciblés ({', '.join(naf_in)})",
            f"{names.naf(naf_code)}, hors des activités visées ({specs})",
        )
    known = _sector_sections(sectors)
    if known is None:
        return None
    specs, unknown = known
    matched = sorted({label for label, spec in specs if naf_matches(spec, naf_code, section)})
    if matched:
        return Verdict(
            NAF,
            OK,
            f"{naf_code}, secteur {', '.join(matched)}",
            f"{names.naf(naf_code)}, dans le secteur visé : {_sectors_label(matched)}",
        )
    if unknown:
        return Verdict(
            NAF,
            CHECK,
            f"secteur(s) {', '.join(unknown)} non interprété(s)",
            f"secteur visé non reconnu automatiquement : {_sectors_label(unknown)}",
        )
    return Verdict(
        NAF,
        BLOCK,
        f"{naf_code} hors des secteurs visés ({', '.join(sectors)})",
        f"{names.naf(naf_code)}, hors des secteurs visés ({_sectors_label(sectors)})",
    )


def _sector_sections(sectors) -> tuple[list[tuple[str, str]], list[str]] | None:
    """([(label, NAF spec)], [unknown labels]), or None when the scheme covers every sector."""
    if not sectors or any(s.startswith("tous") for s in sectors) or _plain(ALL_SECTORS) in sectors:
        return None
    specs, unknown = [], []
    for label in sectors:
        if label in SECTOR_NAF:
            specs.extend((label, spec) for spec in SECTOR_NAF[label])
        else:
            unknown.append(label)
    return specs, unknown


def _headcount_wanted(low: int | None, high: int | None) -> str:
    """« de 20 à 249 salariés requis », « au moins 250 salariés requis », « jusqu'à 4 999
    salariés »."""
    if low is not None and high is not None:
        return f"de {number(low)} à {_plural(high, 'salarié')} requis"
    if low is not None:
        return f"au moins {_plural(low, 'salarié')} requis"
    return f"jusqu'à {_plural(high, 'salarié')}"


def headcount_verdict(low: int | None, high: int | None, band: str) -> Verdict | None:
    if low is None and high is None:
        return None
    wanted = (
        f"de {low} à {high}" if low is not None and high is not None
        else f"au moins {low}" if low is not None
        else f"au plus {high}"
    )  # fmt: skip
    sentence = _headcount_wanted(low, high)
    if band not in BAND_RANGES:
        return Verdict(
            HEADCOUNT,
            CHECK,
            f"effectif non renseigné, {wanted} salariés requis",
            f"effectif non renseigné dans SIRENE ({sentence})",
        )
    lo, hi = BAND_RANGES[band]
    label = band_label(band)
    if low is not None and hi is not None and hi < low:
        return Verdict(HEADCOUNT, BLOCK, f"{label}, minimum requis {low}", f"{label} ({sentence})")
    if high is not None and lo > high:
        return Verdict(HEADCOUNT, BLOCK, f"{label}, maximum {high}", f"{label} ({sentence})")
    if (low is not None and lo < low) or (high is not None and (hi is None or hi > high)):
        return Verdict(
            HEADCOUNT,
            CHECK,
            f"{label}, {wanted} salariés requis",
            f"{label}, une tranche à cheval sur le seuil ({sentence})",
        )
    return Verdict(HEADCOUNT, OK, f"{label}, {wanted} salariés requis", f"{label} ({sentence})")


def _sizes_label(sizes) -> str:
    return ", ".join(SIZE_LABELS.get(s, s) for s in sizes)


def size_verdict(sizes, size: str) -> Verdict | None:
    if not sizes:
        return None
    visees = (
        f"catégorie visée : {_sizes_label(sizes)}" if len(sizes) == 1
        else f"catégories visées : {_sizes_label(sizes)}"
    )  # fmt: skip
    if not size:
        return Verdict(
            SIZE,
            CHECK,
            f"catégorie inconnue, {', '.join(sizes)} visées",
            f"catégorie d'entreprise non renseignée dans SIRENE ({visees})",
        )
    name = SIZE_LABELS.get(size, size)
    if size in sizes:
        return Verdict(SIZE, OK, f"{size} parmi {', '.join(sizes)}", f"{name} ({visees})")
    if size == "MIC" and "PME" in sizes:
        return Verdict(
            SIZE,
            OK,
            f"{size} parmi {', '.join(sizes)}",
            f"{name}, comptée parmi les PME ({visees})",
        )
    return Verdict(
        SIZE, BLOCK, f"{size}, seules {', '.join(sizes)} sont visées", f"{name} ({visees})"
    )


def years_between(start: dt.date, today: dt.date) -> int:
    return today.year - start.year - ((today.month, today.day) < (start.month, start.day))


def _years(years: int) -> str:
    return "moins d'un an" if years < 1 else _plural(years, "an")


def age_verdict(min_years: int | None, years: int | None) -> Verdict | None:
    if min_years is None:
        return None
    wanted = f"au moins {_plural(min_years, 'an')} requis"
    if years is None:
        return Verdict(
            AGE,
            CHECK,
            f"date de création inconnue, {min_years} an(s) requis",
            f"date de création non renseignée dans SIRENE ({wanted})",
        )
    status = OK if years >= min_years else BLOCK
    return Verdict(
        AGE,
        status,
        f"{years} an(s), {min_years} requis",
        f"entreprise de {_years(years)} ({wanted})",
    )


def _forms_label(forms) -> str:
    return ", ".join(FORM_LABELS.get(f, f) for f in forms)


def legal_form_verdict(forms_in, forms_out, legal_category: str) -> Verdict | None:
    if not forms_in and not forms_out:
        return None
    form = legal_form_of(legal_category)
    if not form:
        code = legal_category or "inconnue"
        label = (
            f"catégorie juridique INSEE {legal_category} non reconnue" if legal_category
            else "catégorie juridique non renseignée dans SIRENE"
        )  # fmt: skip
        return Verdict(LEGAL_FORM, CHECK, f"catégorie juridique {code} non reconnue", label)
    name = FORM_LABELS.get(form, form)
    if form in forms_out:
        return Verdict(
            LEGAL_FORM, BLOCK, f"{form} exclue", f"{name}, forme exclue par le dispositif"
        )
    if form == "EI" and "Microentrepreneur" in forms_out:
        return Verdict(
            LEGAL_FORM,
            CHECK,
            "EI, les microentrepreneurs sont exclus",
            f"{name}, mais les microentrepreneurs sont exclus",
        )
    if not forms_in:
        return Verdict(LEGAL_FORM, OK, form, f"{name}, forme non exclue")
    if form in forms_in:
        return Verdict(LEGAL_FORM, OK, form, f"{name}, forme visée ({_forms_label(forms_in)})")
    if form == "EI" and "Microentrepreneur" in forms_in:
        return Verdict(
            LEGAL_FORM,
            CHECK,
            "EI, seuls les microentrepreneurs sont visés",
            f"{name}, mais seuls les microentrepreneurs sont visés",
        )
    return Verdict(
        LEGAL_FORM,
        BLOCK,
        f"{form}, formes visées : {', '.join(forms_in)}",
        f"{name}, hors des formes visées ({_forms_label(forms_in)})",
    )


def theme_verdict(rule: Rule, themes: frozenset[str]) -> Verdict | None:
    if not themes:
        return None
    labels = {t: Theme(t).label.lower() for t in Theme.values}
    if not rule.themes:
        return Verdict(THEME, CHECK, "thèmes du dispositif non renseignés")
    common = [t for t in rule.themes if t in themes]
    if common:
        return Verdict(THEME, OK, ", ".join(labels[t] for t in common))
    wanted = ", ".join(labels[t] for t in sorted(themes) if t in labels)
    offered = ", ".join(labels[t] for t in rule.themes if t in labels)
    return Verdict(THEME, BLOCK, f"{wanted} ; le dispositif porte sur {offered}")


def verdicts(rule: Rule, criteria: Criteria, today: dt.date) -> list[Verdict]:
    f = criteria.facts
    years = years_between(f.created_on, today) if f.created_on else None
    if rule.scheme_level is None:  # the same for every establishment: computed once
        rule.scheme_level = (target_verdict(rule), dates_verdict(rule))
    if rule.names is None:
        rule.names = Names()
        rule.names.want((*rule.geo_in, *rule.geo_out))
    names = rule.names
    found = [
        *rule.scheme_level,
        geo_verdict(rule.geo_in, rule.geo_out, f.geo_codes, names),
        naf_verdict(rule.naf_in, rule.naf_out, rule.sectors, f.naf_code, f.naf_section, names),
        headcount_verdict(*rule.headcount, f.band),
        size_verdict(rule.sizes, f.size),
        age_verdict(rule.min_years, years),
        legal_form_verdict(rule.forms_in, rule.forms_out, f.legal_category),
        theme_verdict(rule, criteria.themes),
    ]
    return [v for v in found if v is not None]


# -- explained results -------------------------------------------------------------------------


@dataclass
class Match:
    rule: Rule
    verdicts: list[Verdict]

    @cached_property
    def blocking(self) -> Verdict | None:
        return next((v for v in self.verdicts if v.status == BLOCK), None)

    @property
    def eligible(self) -> bool:
        return self.blocking is None

    @property
    def to_check(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.status == CHECK]

    @property
    def reasons(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.status != BLOCK]

    def rank_key(self):
        """Certain before « à vérifier »; then the more conditions met (a targeted scheme
        before a general one); then the sooner it closes; then by title."""
        met = sum(1 for v in self.verdicts if v.status == OK)
        closing = self.rule.next_closing or dt.date.max
        return (len(self.to_check), -met, closing, self.rule.title, self.rule.pk)


@dataclass
class MatchResult:
    eligible: list[Match] = field(default_factory=list)
    not_eligible: list[Match] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "eligible": [
                {
                    "id": m.rule.etalab_id,
                    "titre": m.rule.title,
                    "reasons": [str(v) for v in m.reasons],
                    "details": [v.as_json() for v in m.reasons],
                }
                for m in self.eligible
            ],
            "not_eligible": [
                {
                    "id": m.rule.etalab_id,
                    "titre": m.rule.title,
                    "criterion": m.blocking.criterion,
                    "blocking": str(m.blocking),
                    "detail": m.blocking.as_json(),
                }
                for m in self.not_eligible
            ],
        }


def explain(rules: list[Rule], criteria: Criteria, today: dt.date | None = None) -> MatchResult:
    """Every scheme for one establishment, project or need: the eligible ones ranked with
    their reasons, the others (by title) with the criterion that blocks."""
    today = today or timezone.localdate()
    codes = criteria.facts.geo_codes
    for names in {id(r.names): r.names for r in rules if r.names is not None}.values():
        names.want(codes)  # read with the rules' codes, in the same queries
    result = MatchResult()
    for rule in rules:
        match = Match(rule, verdicts(rule, criteria, today))
        (result.eligible if match.eligible else result.not_eligible).append(match)
    result.eligible.sort(key=Match.rank_key)
    result.not_eligible.sort(key=lambda m: (m.rule.title, m.rule.pk))
    return result


# -- in bulk -----------------------------------------------------------------------------------


def _bits(positions: list[int], size: int) -> int:
    buffer = bytearray((size + 7) // 8)
    for i in positions:
        buffer[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(buffer, "little")


class Population:
    """Establishments' facts, indexed by value as bitsets (bit i = `facts[i]`)."""

    def __init__(self, facts: list[Facts], today: dt.date | None = None):
        self.facts = facts
        self.today = today or timezone.localdate()
        self.size = len(facts)
        self.all = (1 << self.size) - 1
        names = ("commune", "epci", "department", "region", "naf", "section", "band", "size",
                 "years", "legal")  # fmt: skip
        index: dict[str, dict] = {name: defaultdict(list) for name in names}
        today, ages = self.today, {}
        for i, f in enumerate(facts):
            index["commune"][f.commune].append(i)
            index["epci"][f.epci].append(i)
            index["department"][f.department].append(i)
            index["region"][f.region].append(i)
            index["naf"][f.naf_code].append(i)
            index["section"][f.naf_section].append(i)
            index["band"][f.band].append(i)
            index["size"][f.size].append(i)
            created = f.created_on
            if created not in ages:
                ages[created] = years_between(created, today) if created else None
            index["years"][ages[created]].append(i)
            index["legal"][f.legal_category].append(i)
        bits = {
            name: {value: _bits(pos, self.size) for value, pos in index[name].items()}
            for name in names
        }
        geo = {FRANCE: self.all}
        for name, kind in (("commune", "COM"), ("epci", "EPCI"), ("department", "DEP"),
                           ("region", "REG")):  # fmt: skip
            geo.update({f"{kind}-{value}": b for value, b in bits.pop(name).items() if value})
        self.index = {"geo": geo, **bits}
        self._memo: dict = {}

    @classmethod
    def from_queryset(cls, queryset, today: dt.date | None = None) -> Population:
        """One query: the facts of every establishment of `queryset`."""
        # A raw cursor: Django's per-row converters would cost more than the matching.
        rows = queryset.order_by("pk").values_list(*FACT_FIELDS)
        sql, params = rows.query.sql_with_params()
        facts = []
        with connections[rows.db].cursor() as cursor:
            cursor.execute(sql, params)
            while chunk := cursor.fetchmany(5000):
                facts.extend(_facts_from_row(row) for row in chunk)
        return cls(facts, today)

    def _union(self, name: str, values) -> int:
        mask, index = 0, self.index[name]
        for value in values:
            mask |= index.get(value, 0)
        return mask

    def _by_value(self, name: str, evaluate) -> tuple[int, int]:
        """(ok mask, check mask) of a criterion decided value by value."""
        ok = check = 0
        for value, bits in self.index[name].items():
            verdict = evaluate(value)
            if verdict is None or verdict.status == OK:
                ok |= bits
            elif verdict.status == CHECK:
                check |= bits
        return ok, check

    def _memoised(self, key, compute) -> tuple[int, int]:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def _naf_spec(self, spec: str) -> int:
        def compute():
            if len(spec) == 1 and spec.isalpha():
                return self.index["section"].get(spec, 0), 0
            return self._union("naf", [c for c in self.index["naf"] if c and c.startswith(spec)]), 0

        return self._memoised(("naf-spec", spec), compute)[0]

    def geo(self, rule: Rule) -> tuple[int, int]:
        def compute():
            excluded = self._union("geo", rule.geo_out)
            ok = self._union("geo", rule.geo_in) & ~excluded
            unknown_kind = any(c.split("-", 1)[0] not in KNOWN_GEO_KINDS for c in rule.geo_in)
            check = (self.all & ~excluded & ~ok) if unknown_kind else 0
            return ok, check

        return self._memoised(("geo", rule.geo_in, rule.geo_out), compute)

    def naf(self, rule: Rule) -> tuple[int, int]:
        def compute():
            unknown = self.index["naf"].get("", 0)
            known = self.all & ~unknown
            excluded = 0
            for spec in rule.naf_out:
                excluded |= self._naf_spec(spec)
            if rule.naf_in:
                wanted = 0
                for spec in rule.naf_in:
                    wanted |= self._naf_spec(spec)
                return wanted & known & ~excluded, unknown
            sectors = _sector_sections(rule.sectors)
            if sectors is None:
                return (known & ~excluded, unknown) if rule.naf_out else (self.all, 0)
            specs, unknown_labels = sectors
            wanted = 0
            for _, spec in specs:
                wanted |= self._naf_spec(spec)
            ok = wanted & known & ~excluded
            check = (known & ~excluded & ~ok) if unknown_labels else 0
            return ok, check | unknown

        return self._memoised(("naf", rule.naf_in, rule.naf_out, rule.sectors), compute)

    def masks(self, rule: Rule, themes: frozenset[str] = frozenset()) -> tuple[int, int]:
        """(eligible, of which « à vérifier ») bitsets of `rule` over the population."""
        scheme_level = [target_verdict(rule), dates_verdict(rule), theme_verdict(rule, themes)]
        if any(v is not None and v.status == BLOCK for v in scheme_level):
            return 0, 0
        check = self.all if any(v is not None and v.status == CHECK for v in scheme_level) else 0
        eligible = self.all
        parts = [
            self.geo(rule),
            self.naf(rule),
            self._memoised(
                ("band", rule.headcount),
                lambda: self._by_value("band", lambda b: headcount_verdict(*rule.headcount, b)),
            ),
            self._memoised(
                ("size", rule.sizes),
                lambda: self._by_value("size", lambda s: size_verdict(rule.sizes, s)),
            ),
            self._memoised(
                ("years", rule.min_years),
                lambda: self._by_value("years", lambda y: age_verdict(rule.min_years, y)),
            ),
            self._memoised(
                ("legal", rule.forms_in, rule.forms_out),
                lambda: self._by_value(
                    "legal", lambda c: legal_form_verdict(rule.forms_in, rule.forms_out, c)
                ),
            ),
        ]
        for ok, maybe in parts:
            eligible &= ok | maybe
            check |= maybe
        return eligible, eligible & check

    def members(self, mask: int) -> list[Facts]:
        out, i = [], 0
        while mask:
            low = mask & -mask
            i = low.bit_length() - 1
            out.append(self.facts[i])
            mask ^= low
        return out

    def count(self, mask: int) -> int:
        return mask.bit_count()


def match_all(rules: list[Rule], population: Population) -> dict[int, int]:
    """Every live scheme against every establishment: {scheme pk: eligible bitset}."""
    return {rule.pk: population.masks(rule)[0] for rule in rules if rule.is_live}


__all__ = [
    "BLOCK", "CHECK", "CRITERIA", "OK", "Criteria", "Facts", "Match", "MatchResult",
    "Population", "Rule", "Verdict", "compile_rule", "compile_rules", "explain", "facts_of",
    "load_rules", "match_all",
]  # fmt: skip
