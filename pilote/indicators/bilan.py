"""The bilan of a period (docs/indicators.md#bilan): a PDF in the spirit of a Territoire
d'industrie's semi-annual bilan, and an XLSX of its tables.

`build(territory, date_from, date_to, reader)` computes everything once into a `Bilan`:

- the indicators (`pilote.indicators.indicators`, one `Book` of the reader's facts) at the
  day before the period (D1 − 1), at its end (D2), and at each month's end in between; a
  figure « sur la période » is the figure at D2 minus the figure at D1 − 1 (what was added
  during the period; for a stock, such as the applications in review, its variation);
- the payments of the supported applications (« versé »), the establishments met during
  the period and the applications accepted during it (the highlights), read through
  `visible_to(reader)`;
- the territory's LinkedIn page (`pilote.linkedin.figures`, docs/linkedin.md): followers,
  impressions, clicks, reactions and posts at D1 − 1, at D2 and over the period, month by
  month, and the period's five best posts. Public-page statistics: the same for every reader;
  the section (and its two sheets) only when something is imported.

`reader` is the user the bilan is for: every follow-up record is read through
`visible_to(reader)`, so an EPCI agent's bilan never counts another EPCI's confidential
follow-up, and never names its companies. `reader=None` is the operator (the command
without `--as`): every record of the territory.

`render_html(bilan)` is the HTML WeasyPrint prints, `render_pdf(bilan)` the PDF (French
formats, page numbers, « Document interne » footer, nothing loaded but the fonts);
`xlsx_response(bilan)` / `write_xlsx(bilan, path)` the workbook of its tables (one sheet per
table, typed cells, through `pilote.core.spreadsheet`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from pilote.accompaniment.enums import MEETING_KINDS
from pilote.accompaniment.models import Interaction
from pilote.applications.enums import Status
from pilote.applications.models import Application, Payment
from pilote.core import spreadsheet
from pilote.core.money import to_cents
from pilote.core.spreadsheet import AMOUNT, DATE, INTEGER, TEXT, Column, Sheet
from pilote.indicators.facts import live_facts
from pilote.indicators.indicators import LABELS, Book, Figures, epcis_of, month_end
from pilote.linkedin import figures as linkedin_figures

RATE = "rate"  # a percentage (66.67): a plain number in the XLSX, « 66,7 % » in the PDF
ZERO = Decimal("0.00")
EARLIEST = dt.date(2000, 1, 1)
MAX_YEARS = 10
INPUT_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
COMPANIES_SHOWN = 50  # establishments met listed in the PDF (all of them in the XLSX)
ACCEPTED_SHOWN = 50  # accepted applications listed in the PDF (all of them in the XLSX)
LARGEST = 5  # the largest grants of the period
INDUSTRY = frozenset("BCDE")
# Sections later apps add to the bilan (the indicators app cannot import them): each is
# registered from its AppConfig.ready as `(territory, as_of, reader) -> dict | None`, the dict
# holding "template" (included at the end of the PDF, given `section`) and, optionally,
# "tables" (`Table`s, also sheets of the XLSX); None leaves the section out. A function with
# `takes_period = True` is also given the period's first day (`date_from=`).
EXTRA_SECTIONS: list = []
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")  # fmt: skip
NNBSP = "\u202f"  # narrow no-break space: thousands
NBSP = "\xa0"  # no-break space: before € and %


# --- French formats -------------------------------------------------------------------------


def _group(whole: str) -> str:
    sign = "−" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return sign + NNBSP.join(groups)


def fr_int(value) -> str:
    """12345 → « 12 345 » (narrow no-break space)."""
    if value is None:
        return "—"
    return _group(str(int(value)))


def fr_amount(value) -> str:
    """10833.333 → « 10 833,33 € »."""
    if value is None:
        return "—"
    whole, _, cents = f"{to_cents(value):.2f}".partition(".")
    return f"{_group(whole)},{cents}{NBSP}€"


def fr_rate(value) -> str:
    """A percentage: 50 → « 50 % », 66.67 → « 66,7 % »; None → « — »."""
    if value is None:
        return "—"
    text = f"{Decimal(value).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}"
    text = text.removesuffix(".0").replace(".", ",")
    return f"{text}{NBSP}%"


def fr_date(value: dt.date | None) -> str:
    return "—" if value is None else f"{value:%d/%m/%Y}"


def fr_month(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def fr_value(value, kind: str) -> str:
    if kind == INTEGER:
        return fr_int(value)
    if kind == AMOUNT:
        return fr_amount(value)
    if kind == RATE:
        return fr_rate(value)
    if kind == DATE:
        return fr_date(value)
    return "" if value is None else str(value)


def fr_delta(value, kind: str) -> str:
    """A change over the period, signed: « +3 », « −1 », « 0 », « +1 200,00 € »."""
    if value is None or kind == RATE:
        return fr_value(value, kind)
    text = fr_value(value, kind)
    return f"+{text}" if value > 0 else text


# --- Dates ----------------------------------------------------------------------------------


def parse_date(text: str) -> dt.date:
    """« 2026-06-30 » or « 30/06/2026 »; ValueError in French otherwise."""
    text = (text or "").strip()
    for pattern in INPUT_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    raise ValueError(f"Date invalide : « {text} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA).")


def period_error(date_from: dt.date, date_to: dt.date) -> str | None:
    """Why a period may not be a bilan's (in French), or None."""
    if date_from < EARLIEST or date_to < EARLIEST:
        return "Les dates doivent être postérieures au 01/01/2000."
    if date_from > date_to:
        return "La date de début doit précéder la date de fin."
    try:
        limit = date_from.replace(year=date_from.year + MAX_YEARS)
    except ValueError:  # 29 February
        limit = date_from.replace(year=date_from.year + MAX_YEARS, day=28)
    if date_to >= limit:
        return f"La période ne peut pas dépasser {MAX_YEARS} ans."
    return None


def last_semester(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last complete semester before `today` (1 January – 30 June, 1 July – 31 December)."""
    today = today or timezone.localdate()
    if today.month >= 7:
        return dt.date(today.year, 1, 1), dt.date(today.year, 6, 30)
    return dt.date(today.year - 1, 7, 1), dt.date(today.year - 1, 12, 31)


def months_of(date_from: dt.date, date_to: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The months of the period, cut to it: [(first day, last day), …]."""
    spans, day = [], date_from
    while day <= date_to:
        end = min(month_end(day), date_to)
        spans.append((day, end))
        day = end + dt.timedelta(days=1)
    return spans


# --- What the bilan shows -------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    kind: str = INTEGER


def _m(key: str, kind: str = INTEGER, label: str | None = None) -> Measure:
    return Measure(key, label or LABELS[key], kind)


ACTIVITY = (
    _m("establishments_met"), _m("interactions"), _m("interviews"),
    _m("interaction_minutes"), _m("diagnostics_offered"), _m("diagnostics_done"),
    _m("referrals"), _m("needs"), _m("needs_resolved"), _m("projects"),
    _m("projects_investment", AMOUNT), _m("projects_jobs_created"), _m("projects_jobs_kept"),
)  # fmt: skip
PIPELINE = (
    _m("filed"), _m("in_review"), _m("accepted"), _m("refused"), _m("withdrawn"),
    _m("amount_requested", AMOUNT), _m("amount_in_review", AMOUNT),
    _m("amount_granted", AMOUNT), _m("amount_paid", AMOUNT, "Montant versé"),
)  # fmt: skip
RESULTS = (
    _m("laureate_companies"), _m("accepted"), _m("decided"), _m("amount_granted", AMOUNT),
    _m("investment_supported", AMOUNT), _m("jobs"), _m("acceptance_rate", RATE),
)  # fmt: skip
# The per-EPCI and month-by-month tables: the period's figures.
EPCI_ACTIVITY = (
    _m("establishments_met", label="Établissements rencontrés (nouveaux)"),
    _m("interactions"), _m("interviews"), _m("needs"), _m("projects"),
    _m("projects_investment", AMOUNT), _m("diagnostics_done"), _m("referrals"),
)  # fmt: skip
EPCI_PIPELINE = (
    _m("filed"), _m("accepted"), _m("refused"), _m("amount_requested", AMOUNT),
    _m("amount_granted", AMOUNT), _m("amount_paid", AMOUNT, "Montant versé"),
    _m("in_review", label="En instruction à la fin"),
)  # fmt: skip
MONTHLY = (
    _m("establishments_met", label="Étab. rencontrés (nouveaux)"), _m("interactions"),
    _m("interviews"), _m("needs"), _m("projects"), _m("diagnostics_done"), _m("referrals"),
    _m("filed"), _m("accepted"), _m("amount_granted", AMOUNT),
)  # fmt: skip
STOCKS = frozenset({"in_review", "amount_in_review"})  # « sur la période » is a variation


@dataclass
class SummaryRow:
    label: str
    start: str
    end: str
    period: str


@dataclass
class Summary:
    """A key-value table of the PDF: each indicator at D1 − 1, at D2 and over the period."""

    title: str
    rows: list[SummaryRow]


@dataclass
class Table:
    """A table of the bilan: a sheet of the XLSX, a table of the PDF (its first `shown` rows)."""

    sheet: str  # the sheet's name (≤ 31 characters)
    title: str
    columns: list[Column]
    rows: list[list]
    total: list | None = None
    shown: int | None = None

    @property
    def head(self) -> list[tuple[str, bool]]:
        return [(c.title, c.kind != TEXT) for c in self.columns]

    def _cells(self, row) -> list[tuple[str, bool]]:
        return [
            (fr_value(v, c.kind), c.kind != TEXT) for c, v in zip(self.columns, row, strict=True)
        ]

    @property
    def body(self) -> list[list[tuple[str, bool]]]:
        rows = self.rows if self.shown is None else self.rows[: self.shown]
        return [self._cells(row) for row in rows]

    @property
    def foot(self) -> list[tuple[str, bool]] | None:
        return None if self.total is None else self._cells(self.total)

    @property
    def hidden(self) -> int:
        return 0 if self.shown is None else max(0, len(self.rows) - self.shown)

    @property
    def hidden_text(self) -> str:
        return fr_int(self.hidden)

    def sheet_rows(self) -> list[list]:
        return [*self.rows, *([self.total] if self.total is not None else [])]


@dataclass
class Bar:
    label: str
    value: str
    width: str  # « 42.0% »: a CSS width, never localised
    percent: int = 0  # the width rounded, for the class `w-<percent>` (no inline style)


@dataclass
class Chart:
    title: str
    bars: list[Bar]


@dataclass
class Bilan:
    territory: Any
    date_from: dt.date
    date_to: dt.date
    reader: Any
    issued_on: dt.date
    start: dict[str, Any]  # every figure at D1 − 1 (keys of ACTIVITY, PIPELINE, RESULTS)
    end: dict[str, Any]  # … at D2
    period: dict[str, Any]  # end − start (the period's rate from the period's decisions)
    summaries: list[Summary] = field(default_factory=list)
    met_count: int = 0  # establishments met during the period
    met_first: int = 0  # … for the first time
    met_industry: int = 0  # … of industry (NAF sections B to E)
    meetings: int = 0  # meetings held during the period
    companies: Table | None = None
    largest: Table | None = None
    accepted: Table | None = None
    epci_activity: Table | None = None
    epci_pipeline: Table | None = None
    monthly: Table | None = None
    charts: list[Chart] = field(default_factory=list)
    summary_tables: list[Table] = field(default_factory=list)
    linkedin: Summary | None = None  # None: nothing imported from LinkedIn
    linkedin_top: Table | None = None
    linkedin_monthly: Table | None = None
    extras: list[dict] = field(default_factory=list)  # EXTRA_SECTIONS' sections

    @property
    def day_before(self) -> dt.date:
        return self.date_from - dt.timedelta(days=1)

    @property
    def reader_label(self) -> str:
        if self.reader is None:
            return "l'exploitant de Pilote (tout le suivi du territoire)"
        name = self.reader.get_full_name()
        return f"{name} ({self.reader.email})" if name else self.reader.email

    @property
    def period_label(self) -> str:
        return f"du {fr_date(self.date_from)} au {fr_date(self.date_to)}"

    @property
    def met_count_text(self) -> str:
        return fr_int(self.met_count)

    @property
    def met_first_text(self) -> str:
        return fr_int(self.met_first)

    @property
    def met_industry_text(self) -> str:
        return fr_int(self.met_industry)

    @property
    def meetings_text(self) -> str:
        return fr_int(self.meetings)

    @property
    def accepted_count_text(self) -> str:
        return fr_int(self.period["accepted"])

    @property
    def granted_text(self) -> str:
        return fr_amount(self.period["amount_granted"])

    @property
    def footer_css(self) -> str:
        """The footer's text as the inside of a CSS string (quotes and backslashes escaped)."""
        text = f"Document interne — {self.territory.name} — bilan {self.period_label}"
        text = " ".join(text.split())
        return text.replace("\\", "\\5c ").replace('"', "\\22 ")

    @property
    def filename_stem(self) -> str:
        return f"bilan-{self.territory.slug}-{self.date_from:%Y%m%d}-{self.date_to:%Y%m%d}"

    @property
    def tables(self) -> list[Table]:
        """Every table, in the order of the XLSX's sheets."""
        return [
            *self.summary_tables,
            *(t for t in (self.companies, self.largest, self.accepted, self.epci_activity,
                          self.epci_pipeline, self.monthly, self.linkedin_monthly,
                          self.linkedin_top) if t is not None),
            *(t for section in self.extras for t in section.get("tables", ())),
        ]  # fmt: skip


# --- Building -------------------------------------------------------------------------------


class _Payments:
    """The payments of the supported applications the reader sees: sums paid by a date."""

    def __init__(self, rows: list[tuple[dt.date, Decimal, str]]):
        self.rows = rows

    def paid(self, day: dt.date, epci: str | None = None) -> Decimal:
        total = ZERO
        for paid_on, amount, epci_id in self.rows:
            if paid_on <= day and (epci is None or epci_id == epci):
                total += amount
        return to_cents(total)


def _visible(model, territory_epcis, reader):
    queryset = model.objects.filter(epci_id__in=territory_epcis)
    return queryset if reader is None else queryset.visible_to(reader)


def _flat(figures: Figures, payments: _Payments) -> dict[str, Any]:
    """Every figure of the bilan at one date, in one dict; the territory's results keep
    their own keys under `t_…` where they collide with the supported applications'."""
    values: dict[str, Any] = {**figures.activity, **figures.applications}
    values["amount_paid"] = payments.paid(figures.as_of)
    for key, value in figures.territory_wide.items():
        values[f"t_{key}"] = value
    return values


def _epci_flat(figures: Figures, siren: str, payments: _Payments) -> dict[str, Any]:
    values = {**figures.activity_by_epci[siren], **figures.by_epci[siren]}
    values["amount_paid"] = payments.paid(figures.as_of, siren)
    return values


def _difference(end: dict[str, Any], start: dict[str, Any]) -> dict[str, Any]:
    period = {}
    for key, value in end.items():
        if key.endswith("acceptance_rate"):
            continue
        period[key] = value - start[key]
    if "t_decided" in end:
        decided = period["t_decided"]
        period["t_acceptance_rate"] = (
            None if decided <= 0 else Decimal(period["t_accepted"]) / Decimal(decided)
        )
    return period


def _percent(rate) -> Decimal | None:
    if rate is None:
        return None
    return (Decimal(rate) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _summary(title, measures, start, end, period, prefix="") -> Summary:
    rows = []
    for m in measures:
        key = prefix + m.key
        if m.kind == RATE:
            values = [_percent(start[key]), _percent(end[key]), _percent(period[key])]
            rows.append(SummaryRow(m.label, *(fr_rate(v) for v in values)))
            continue
        rows.append(
            SummaryRow(
                m.label, fr_value(start[key], m.kind), fr_value(end[key], m.kind),
                fr_delta(period[key], m.kind),
            )
        )  # fmt: skip
    return Summary(title, rows)


def _summary_table(sheet, title, measures, bilan: Bilan, prefix="") -> Table:
    """The wide version of a summary, for the XLSX: one column per indicator."""
    columns = [Column("Chiffres", TEXT)]
    for m in measures:
        columns.append(Column(m.label + (" (%)" if m.kind == RATE else ""), m.kind))
    rows = []
    for label, values in (
        (f"Au {fr_date(bilan.day_before)}", bilan.start),
        (f"Au {fr_date(bilan.date_to)}", bilan.end),
        (f"Sur la période ({bilan.period_label})", bilan.period),
    ):
        row: list[Any] = [label]
        for m in measures:
            value = values[prefix + m.key]
            row.append(_percent(value) if m.kind == RATE else value)
        rows.append(row)
    return Table(sheet, title, columns, rows)


def _met(territory_epcis, reader, date_from, date_to, today) -> tuple[list[list], int, int, int]:
    """The establishments met (a meeting, not a call or an email) during the period."""
    last = min(date_to, today)
    rows = (
        _visible(Interaction, territory_epcis, reader)
        .filter(kind__in=MEETING_KINDS, occurred_on__gte=date_from, occurred_on__lte=last)
        .order_by()
        .values_list("establishment_id", "occurred_on")
    )
    meetings: dict[int, list[dt.date]] = defaultdict(list)
    for establishment_id, day in rows:
        meetings[establishment_id].append(day)
    from pilote.companies.models import Establishment

    info = (
        Establishment.objects.filter(pk__in=list(meetings))
        .order_by()
        .values_list("pk", "siret", "own_name", "company__name", "company__siren", "city",
                     "commune__name", "epci__name", "naf_code", "naf_section")
    )  # fmt: skip
    table, industry = [], 0
    for pk, siret, own, company, siren, city, commune, epci, naf, section in info.iterator():
        days = meetings[pk]
        industry += section in INDUSTRY
        name = own or company or f"SIREN {siren}"
        table.append([name, siret, city or commune or "", epci or "", naf, len(days), max(days)])
    table.sort(key=lambda r: (r[0].casefold(), r[1]))
    return table, len(meetings), industry, sum(len(d) for d in meetings.values())


def _accepted(territory_epcis, reader, date_from, date_to) -> list[Application]:
    return list(
        _visible(Application, territory_epcis, reader)
        .filter(status=Status.ACCEPTED, decided_on__gte=date_from, decided_on__lte=date_to)
        .select_related("establishment__company", "epci", "scheme")
        .order_by("decided_on", "pk")
    )


def _application_row(a: Application) -> list:
    e = a.establishment
    return [
        e.company.display_name, a.epci.name, a.title or a.scheme_label, a.reference,
        a.decided_on,
        a.amount_requested, a.amount_granted, a.investment, a.jobs,
        "oui" if a.supported else "non",
    ]  # fmt: skip


APPLICATION_COLUMNS = [
    Column("Entreprise", TEXT), Column("EPCI", TEXT), Column("Dossier", TEXT),
    Column("Référence", TEXT), Column("Décidé le", DATE), Column("Montant demandé", AMOUNT),
    Column("Montant accordé", AMOUNT), Column("Investissement", AMOUNT),
    Column("Emplois", INTEGER), Column("Accompagné", TEXT),
]  # fmt: skip


def _chart(title: str, labels: list[str], values: list, kind: str) -> Chart:
    top = max((v for v in values if v), default=0)
    bars = []
    for label, value in zip(labels, values, strict=True):
        width = 0.0 if not top or not value or value < 0 else float(value) / float(top) * 100
        bars.append(Bar(label, fr_value(value, kind), f"{width:.1f}%", round(width)))
    return Chart(title, bars)


def build(territory, date_from: dt.date, date_to: dt.date, reader=None) -> Bilan:
    """The bilan of `territory` from `date_from` to `date_to` (both included), counting
    only what `reader` may see (None: the operator, everything of the territory)."""
    error = period_error(date_from, date_to)
    if error:
        raise ValueError(error)
    today = timezone.localdate()
    epcis = epcis_of(territory)
    territory_epcis = list(epcis)
    book = Book(live_facts(territory, reader, today=today), epcis)
    supported = _visible(Application, territory_epcis, reader).filter(supported=True)
    payments = _Payments(
        list(
            Payment.objects.filter(application__in=supported.values("pk"))
            .order_by()
            .values_list("paid_on", "amount", "application__epci_id")
        )
    )
    day_before = date_from - dt.timedelta(days=1)
    start_figures = book.figures(territory, day_before)
    end_figures = book.figures(territory, date_to)
    start, end = _flat(start_figures, payments), _flat(end_figures, payments)
    bilan = Bilan(
        territory=territory, date_from=date_from, date_to=date_to, reader=reader,
        issued_on=today, start=start, end=end, period=_difference(end, start),
    )  # fmt: skip
    bilan.summaries = [
        _summary("Activité d'accompagnement", ACTIVITY, start, end, bilan.period),
        _summary("Dossiers accompagnés par l'équipe", PIPELINE, start, end, bilan.period),
        _summary("Résultats du territoire (tous les dossiers, accompagnés ou non)", RESULTS,
                 start, end, bilan.period, prefix="t_"),
    ]  # fmt: skip
    bilan.summary_tables = [
        _summary_table("Activité", "Activité d'accompagnement", ACTIVITY, bilan),
        _summary_table("Dossiers accompagnés", "Dossiers accompagnés", PIPELINE, bilan),
        _summary_table("Résultats du territoire", "Résultats du territoire", RESULTS, bilan,
                       prefix="t_"),
    ]  # fmt: skip

    # Companies met.
    companies, bilan.met_count, bilan.met_industry, bilan.meetings = _met(
        territory_epcis, reader, date_from, date_to, today
    )
    bilan.met_first = bilan.period["establishments_met"]
    bilan.companies = Table(
        "Entreprises rencontrées", "Établissements rencontrés pendant la période",
        [Column("Établissement", TEXT), Column("SIRET", TEXT), Column("Commune", TEXT),
         Column("EPCI", TEXT), Column("Code NAF", TEXT), Column("Rencontres", INTEGER),
         Column("Dernière rencontre", DATE)],
        companies, shown=COMPANIES_SHOWN,
    )  # fmt: skip

    # Highlights.
    accepted = _accepted(territory_epcis, reader, date_from, date_to)
    largest = sorted(
        (a for a in accepted if a.amount_granted),
        key=lambda a: (-a.amount_granted, a.decided_on, a.pk),
    )[:LARGEST]
    bilan.largest = Table(
        "Plus fortes aides", "Les plus fortes aides accordées pendant la période",
        APPLICATION_COLUMNS, [_application_row(a) for a in largest],
    )  # fmt: skip
    rows = [_application_row(a) for a in accepted]
    total = None
    if rows:
        total = ["Total", "", f"{len(rows)} dossiers", "", None,
                 to_cents(sum((a.amount_requested or ZERO for a in accepted), ZERO)),
                 to_cents(sum((a.amount_granted or ZERO for a in accepted), ZERO)),
                 to_cents(sum((a.investment or ZERO for a in accepted), ZERO)),
                 sum(a.jobs or 0 for a in accepted), ""]  # fmt: skip
    bilan.accepted = Table(
        "Dossiers acceptés", "Les dossiers acceptés pendant la période", APPLICATION_COLUMNS,
        rows, total=total, shown=ACCEPTED_SHOWN,
    )  # fmt: skip

    # Per EPCI: the period's figures.
    epci_rows_activity, epci_rows_pipeline = [], []
    for siren, name in epcis.items():
        e_start = _epci_flat(start_figures, siren, payments)
        e_end = _epci_flat(end_figures, siren, payments)
        e_period = _difference(e_end, e_start)
        epci_rows_activity.append([name, *(e_period[m.key] for m in EPCI_ACTIVITY)])
        epci_rows_pipeline.append(
            [name, *(e_end[m.key] if m.key in STOCKS else e_period[m.key] for m in EPCI_PIPELINE)]
        )
    activity_total = ["Total", *(bilan.period[m.key] for m in EPCI_ACTIVITY)]
    pipeline_total = [
        "Total", *(end[m.key] if m.key in STOCKS else bilan.period[m.key] for m in EPCI_PIPELINE)
    ]  # fmt: skip
    bilan.epci_activity = Table(
        "Par EPCI — activité", "Activité par EPCI sur la période",
        [Column("EPCI", TEXT), *(Column(m.label, m.kind) for m in EPCI_ACTIVITY)],
        epci_rows_activity, total=activity_total,
    )  # fmt: skip
    bilan.epci_pipeline = Table(
        "Par EPCI — dossiers", "Dossiers accompagnés par EPCI sur la période",
        [Column("EPCI", TEXT), *(Column(m.label, m.kind) for m in EPCI_PIPELINE)],
        epci_rows_pipeline, total=pipeline_total,
    )  # fmt: skip

    # Month by month.
    spans = months_of(date_from, date_to)
    monthly_rows, previous = [], start
    for first, last in spans:
        current = end if last == date_to else _flat(book.figures(territory, last), payments)
        change = _difference(current, previous)
        monthly_rows.append([fr_month(first), first, last, *(change[m.key] for m in MONTHLY)])
        previous = current
    bilan.monthly = Table(
        "Mois par mois", "Mois par mois",
        [Column("Mois", TEXT), Column("Du", DATE), Column("Au", DATE),
         *(Column(m.label, m.kind) for m in MONTHLY)],
        monthly_rows,
        total=["Période", date_from, date_to, *(bilan.period[m.key] for m in MONTHLY)],
    )  # fmt: skip
    labels = [row[0] for row in monthly_rows]
    interactions_at = 3 + [m.key for m in MONTHLY].index("interactions")
    granted_at = 3 + [m.key for m in MONTHLY].index("amount_granted")
    bilan.charts = [
        _chart("Échanges par mois", labels, [r[interactions_at] for r in monthly_rows], INTEGER),
        _chart("Montant accordé aux dossiers accompagnés, par mois", labels,
               [r[granted_at] for r in monthly_rows], AMOUNT),
    ]  # fmt: skip
    _linkedin(bilan, territory, spans)
    bilan.extras = [
        section for extra in EXTRA_SECTIONS
        if (section := extra(territory, date_to, reader,
                             **({"date_from": date_from}
                                if getattr(extra, "takes_period", False) else {}))) is not None
    ]  # fmt: skip
    return bilan


LINKEDIN_MEASURES = (
    ("followers", "Abonnés de la page"), ("impressions", "Impressions des publications"),
    ("clicks", "Clics"), ("reactions", "Réactions"), ("posts", "Publications"),
)  # fmt: skip
POST_COLUMNS = [
    Column("Publication", TEXT), Column("Publiée le", DATE), Column("Impressions", INTEGER),
    Column("Clics", INTEGER), Column("Réactions", INTEGER), Column("Commentaires", INTEGER),
    Column("Republications", INTEGER), Column("Interactions", INTEGER),
]  # fmt: skip


def _linkedin(bilan: Bilan, territory, spans: list[tuple[dt.date, dt.date]]) -> None:
    """The LinkedIn section (docs/linkedin.md): nothing when nothing is imported."""
    if not linkedin_figures.has_data(territory):
        return
    followers = linkedin_figures.Followers(territory)

    def at(day: dt.date) -> dict[str, int | None]:
        content = linkedin_figures.content_between(territory, EARLIEST, day)
        return {"followers": followers.at(day), **content,
                "posts": linkedin_figures.posts_between(territory, EARLIEST, day)}  # fmt: skip

    start, end = at(bilan.day_before), at(bilan.date_to)
    rows = []
    for key, label in LINKEDIN_MEASURES:
        change = None if start[key] is None or end[key] is None else end[key] - start[key]
        if key == "followers" and change is None and end[key] is not None:
            change = end[key]
        rows.append(SummaryRow(label, fr_int(start[key]), fr_int(end[key]),
                               fr_delta(change, INTEGER)))  # fmt: skip
    bilan.linkedin = Summary("Page LinkedIn du territoire", rows)
    top = linkedin_figures.top_posts(territory, bilan.date_from, bilan.date_to)
    bilan.linkedin_top = Table(
        "LinkedIn — publications", "Les 5 publications LinkedIn de la période qui ont le mieux "
        "marché (interactions : clics, réactions, commentaires, republications)", POST_COLUMNS,
        [[p.title or p.link or "(sans titre)", p.created_on, p.impressions, p.clicks,
          p.reactions, p.comments, p.reposts, linkedin_figures.engagement_of(p)] for p in top],
    )  # fmt: skip
    monthly = []
    for first, last in spans:
        content = linkedin_figures.content_between(territory, first, last)
        monthly.append([fr_month(first), first, last, followers.at(last),
                        followers.gained(first, last), content["impressions"],
                        content["clicks"]])  # fmt: skip
    period = linkedin_figures.content_between(territory, bilan.date_from, bilan.date_to)
    bilan.linkedin_monthly = Table(
        "LinkedIn — mois par mois", "LinkedIn mois par mois",
        [Column("Mois", TEXT), Column("Du", DATE), Column("Au", DATE),
         Column("Abonnés en fin de mois", INTEGER), Column("Nouveaux abonnés", INTEGER),
         Column("Impressions", INTEGER), Column("Clics", INTEGER)],
        monthly,
        total=["Période", bilan.date_from, bilan.date_to, end["followers"],
               followers.gained(bilan.date_from, bilan.date_to), period["impressions"],
               period["clicks"]],
    )  # fmt: skip


# --- Output ---------------------------------------------------------------------------------


def render_html(bilan: Bilan, fonts: dict[str, str] | None = None) -> str:
    """The HTML WeasyPrint prints (every figure already in French format)."""
    return render_to_string("indicators/bilan.html", {"bilan": bilan, "fonts": fonts or {}})


def render_pdf(bilan: Bilan) -> bytes:
    from weasyprint import CSS, HTML

    from pilote.accompaniment.report import _font_urls, _url_fetcher

    fonts = _font_urls()
    context = {"bilan": bilan, "fonts": fonts, "bar_percents": range(101)}
    fetcher = _url_fetcher(set(fonts.values()))
    stylesheet = CSS(string=render_to_string("indicators/bilan.css", context), url_fetcher=fetcher)
    html = render_html(bilan, fonts)
    return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[stylesheet])


def sheets(bilan: Bilan) -> list[Sheet]:
    return [Sheet(t.sheet, t.columns, t.sheet_rows()) for t in bilan.tables]


def xlsx_response(bilan: Bilan):
    return spreadsheet.xlsx_sheets_response(bilan.filename_stem, sheets(bilan))


def write_xlsx(bilan: Bilan, path) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for sheet in sheets(bilan):
        spreadsheet.write_sheet(workbook, sheet.title, sheet.columns, sheet.rows)
    workbook.save(path)
