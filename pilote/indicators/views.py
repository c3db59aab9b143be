"""The programme's dashboard (`/programme/`, docs/indicators.md#tableau-de-bord-du-programme).

The indicators of the current territory as the reader may see them (`reader=request.user`):
live at a date (« au », default today), month by month over a period (« de » … « a »,
default the last 24 months; months with a frozen snapshot are marked « figé »), per EPCI,
and the pipeline as a funnel. « Versé » (paid) is computed here: the payments dated on or
before the date of the supported applications the reader may see.

The month-by-month charts are the State design system's `<line-chart>` and `<bar-chart>`
(static/vendor/dsfr-chart, patched for the CSP), their data as JSON in attributes; the funnels
are CSS bars (width classes of pilote.css, no inline style: CSP). Each chart is followed by its
data table.
"""

from __future__ import annotations

import datetime as dt
import json
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from pilote.accounts.enums import Role
from pilote.accounts.perms import is_ti_manager
from pilote.applications.models import Application, Payment
from pilote.core.money import to_cents
from pilote.indicators import extras, indicators
from pilote.indicators.indicators import LABELS, month_end, month_start, parse_month
from pilote.indicators.models import Snapshot
from pilote.linkedin import figures as linkedin_figures

DEFAULT_MONTHS = 24
MAX_MONTHS = 120
ZERO = Decimal("0.00")
MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)  # fmt: skip


# --- Parameters ---------------------------------------------------------------------------


def parse_day(text: str) -> dt.date:
    """« 30/11/2026 » or « 2026-11-30 » → the date; ValueError (in French) otherwise."""
    text = (text or "").strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a day, no time)
        except ValueError:
            pass
    raise ValueError(f"Date invalide : « {text} » (attendu JJ/MM/AAAA, par exemple 30/11/2026).")


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


@dataclass
class Params:
    as_of: dt.date
    first: dt.date
    last: dt.date
    errors: list[str]
    as_of_given: bool
    period_given: bool


def read_params(query, today: dt.date) -> Params:
    errors: list[str] = []
    as_of, as_of_given = today, bool(query.get("au"))
    if as_of_given:
        try:
            as_of = parse_day(query["au"])
        except ValueError as error:
            errors.append(str(error))
        else:
            if as_of > today:
                errors.append(
                    f"La date du {as_of:%d/%m/%Y} est à venir : les chiffres sont donnés "
                    f"au {today:%d/%m/%Y}."
                )
                as_of = today
            elif as_of.year < 2000:
                errors.append("Choisissez une date à partir de 2000.")
                as_of = today
    this_month = month_start(today)
    last = this_month
    if query.get("a"):
        try:
            last = min(parse_month(query["a"]), this_month)
        except ValueError as error:
            errors.append(str(error))
    first = add_months(last, -(DEFAULT_MONTHS - 1))
    if query.get("de"):
        try:
            first = parse_month(query["de"])
        except ValueError as error:
            errors.append(str(error))
    if first > last:
        errors.append("La période commence après sa fin : les deux mois ont été inversés.")
        first, last = last, first
    if len(months_between(first, last)) > MAX_MONTHS:
        errors.append(f"La période est limitée à {MAX_MONTHS} mois : elle a été raccourcie.")
        first = add_months(last, -(MAX_MONTHS - 1))
    if first.year < 2000:
        first = dt.date(2000, 1, 1)
    return Params(as_of, first, last, errors, as_of_given, bool(query.get("de") or query.get("a")))


# --- Formats and bars ---------------------------------------------------------------------


def percent(rate: Decimal | None) -> str:
    """0.5 → « 50 % », 0.6667 → « 66,7 % »; « — » when nothing is decided."""
    if rate is None:
        return "—"
    value = (rate * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = f"{value:.0f}" if value == value.to_integral_value() else f"{value}".replace(".", ",")
    return f"{text}\xa0%"


def month_label(month: dt.date) -> str:
    return f"{MONTHS_FR[month.month - 1]} {month.year}"


STEPS = (0, 2, *range(5, 101, 5))


def bar_class(value, top) -> int:
    """The width (or height) class of a bar, in % of the largest: 0, 2, 5, 10 … 100 (a value
    above zero always shows)."""
    if not value or not top or value <= 0:
        return 0
    share = float(value) / float(top) * 100
    step = int(round(share / 5) * 5)
    return max(2, min(100, step))


# --- Payments (« versé »), computed here ----------------------------------------------------


class Paid:
    """The payments of the supported applications `reader` may see, summed at any date,
    overall and per EPCI (one query)."""

    def __init__(self, territory, reader):
        epci_ids = list(territory.epcis.values_list("siren", flat=True))
        applications = (
            Application.objects.filter(epci_id__in=epci_ids, supported=True)
            .visible_to(reader)
            .values("pk")
        )
        rows = sorted(
            Payment.objects.filter(application__in=applications)
            .order_by()
            .values_list("paid_on", "amount", "application__epci_id")
        )
        self.dates = [row[0] for row in rows]
        self.sums = [ZERO, *accumulate(row[1] for row in rows)]
        by_epci = defaultdict(list)
        for day, amount, epci in rows:
            by_epci[epci].append((day, amount))
        self.by_epci = {
            epci: ([d for d, _ in r], [ZERO, *accumulate(a for _, a in r)])
            for epci, r in by_epci.items()
        }

    def at(self, day: dt.date) -> Decimal:
        return to_cents(self.sums[bisect_right(self.dates, day)])

    def epci_at(self, epci: str, day: dt.date) -> Decimal:
        dates, sums = self.by_epci.get(epci, ([], [ZERO]))
        return to_cents(sums[bisect_right(dates, day)])


# --- The page -----------------------------------------------------------------------------

EPCI_APPLICATION_COLUMNS = ("filed", "in_review", "accepted", "amount_requested",
                            "amount_granted")  # fmt: skip
EPCI_ACTIVITY_COLUMNS = ("establishments_met", "interviews", "needs", "projects",
                         "diagnostics_done", "referrals")  # fmt: skip
MONEY_KEYS = {"amount_requested", "amount_in_review", "amount_granted"}


def funnel(steps: list[tuple[str, object]], money: bool) -> list[dict]:
    top = max((value for _, value in steps), default=0)
    return [
        {"label": label, "value": value, "money": money, "width": bar_class(value, top)}
        for label, value in steps
    ]


def chart(
    caption: str, series: list[tuple[str, str, list]], months: list[dict], money: bool,
    kind: str = "bar",
):  # fmt: skip
    """A chart over months (`kind`: "line" or "bar", the dsfr-chart element), `series` =
    (label, values per month); `x`, `y`, `names`: its attributes, as JSON; `columns`: the
    rows of its data table."""
    top = max((v for _, values in series for v in values), default=0)
    columns = [
        {"month": month, "bars": [{"label": label, "value": values[i]} for label, values in series]}
        for i, month in enumerate(months)
    ]
    legend = [{"label": label} for label, _ in series]
    number = float if money else int
    return {"caption": caption, "legend": legend, "columns": columns, "money": money,
            "empty": not top, "kind": kind,
            "x": json.dumps([[month["label"] for month in months]], ensure_ascii=False),
            "y": json.dumps([[number(v) for v in values] for _, values in series]),
            "names": json.dumps([label for label, _ in series], ensure_ascii=False)}  # fmt: skip


def increments(values: list[int], before: int) -> list[int]:
    return [
        value - previous for value, previous in zip(values, [before, *values[:-1]], strict=True)
    ]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    if membership is None or membership.role == Role.ADMIN:
        raise Http404
    territory = request.territory
    user = request.user
    today = timezone.localdate()
    params = read_params(request.GET, today)

    live = indicators.compute(territory, params.as_of, reader=user)
    months = months_between(params.first, params.last)
    previous_month = add_months(params.first, -1)
    figures = indicators.series(territory, [previous_month, *months], reader=user)
    before, figures = figures[0], figures[1:]
    paid = Paid(territory, user)
    frozen = dict(
        Snapshot.objects.filter(territory=territory, month__in=months)
        .order_by("month", "version")
        .values_list("month", "version")
    )  # the latest version of each frozen month

    month_rows = []
    for month, f in zip(months, figures, strict=True):
        month_rows.append(
            {
                "month": month,
                "label": month_label(month),
                "short": f"{month:%m/%y}",
                "as_of": min(month_end(month), today),
                "current": month == month_start(today),
                "tick": len(months) <= 36 or month.month == 1 or month == months[0],
                "frozen_version": frozen.get(month),
                "figures": f,
                "paid": paid.at(month_end(month)),
            }
        )

    def applications(key):
        return [row["figures"].applications[key] for row in month_rows]

    def new_each_month(key):  # cumulative figures → what each month added
        totals = [row["figures"].activity[key] for row in month_rows]
        return increments(totals, before.activity[key])

    paid_values = [row["paid"] for row in month_rows]
    charts = [
        chart("Dossiers accompagnés en fin de mois", [
            ("Déposés", applications("filed")),
            ("En instruction", applications("in_review")),
            ("Acceptés", applications("accepted")),
        ], month_rows, money=False, kind="line"),
        chart("Montants des dossiers accompagnés en fin de mois", [
            ("Demandé", applications("amount_requested")),
            ("Accordé", applications("amount_granted")),
            ("Versé", paid_values),
        ], month_rows, money=True, kind="line"),
        chart("Activité d'accompagnement de chaque mois", [
            ("Nouveaux établissements rencontrés", new_each_month("establishments_met")),
            ("Entretiens sur la trame", new_each_month("interviews")),
            ("Échanges", new_each_month("interactions")),
        ], month_rows, money=False),
    ]  # fmt: skip

    apps = live.applications
    paid_now = paid.at(params.as_of)
    funnels = [
        ("Dossiers : déposés → en instruction → acceptés", funnel([
            ("Déposés", apps["filed"]), ("En instruction", apps["in_review"]),
            ("Acceptés", apps["accepted"]),
        ], money=False), "dossiers"),
        ("Montants : demandé → accordé → versé", funnel([
            ("Demandé", apps["amount_requested"]), ("Accordé", apps["amount_granted"]),
            ("Versé", paid_now),
        ], money=True), "montants"),
    ]  # fmt: skip
    epci_rows = []
    for siren, name in sorted(live.epci_names.items(), key=lambda item: (item[1], item[0])):
        by_epci = live.by_epci.get(siren, {})
        activity = live.activity_by_epci.get(siren, {})
        epci_rows.append(
            {
                "siren": siren,
                "name": name,
                "applications": [(key, by_epci.get(key, 0)) for key in EPCI_APPLICATION_COLUMNS],
                "paid": paid.epci_at(siren, params.as_of),
                "activity": [activity.get(key, 0) for key in EPCI_ACTIVITY_COLUMNS],
            }
        )
    has_applications = (
        Application.objects.filter(epci__in=territory.epcis.all()).visible_to(user).exists()
    )
    return render(
        request,
        "indicators/dashboard.html",
        {
            "params": params,
            "today": today,
            "live": live,
            "apps": apps,
            "wide": live.territory_wide,
            "activity": live.activity,
            "acceptance_rate": percent(live.territory_wide["acceptance_rate"]),
            "paid": paid_now,
            "funnels": funnels,
            "charts": charts,
            "month_rows": month_rows,
            "any_frozen": bool(frozen),
            "frozen_labels": [row["label"] for row in month_rows if row["frozen_version"]],
            "epci_rows": epci_rows,
            "epci_application_labels": [LABELS[k] for k in EPCI_APPLICATION_COLUMNS],
            "epci_activity_labels": [LABELS[k] for k in EPCI_ACTIVITY_COLUMNS],
            "epci_totals": {
                "applications": [(k, apps[k]) for k in EPCI_APPLICATION_COLUMNS],
                "paid": paid_now,
                "activity": [live.activity[k] for k in EPCI_ACTIVITY_COLUMNS],
            },
            "money_keys": MONEY_KEYS,
            "has_applications": has_applications,
            "can_import": is_ti_manager(user, territory),
            "is_agent": membership.role == Role.EPCI_AGENT,
            "is_partner": membership.role == Role.PARTNER,
            "de": f"{params.first:%Y-%m}",
            "a": f"{params.last:%Y-%m}",
            # The territory's LinkedIn page: public statistics, the same for every reader.
            "linkedin": linkedin_figures.dashboard(territory, params.as_of, months, today),
            # Later capabilities' panels (territory projects…), for this reader.
            "panels": extras.panels(territory, params.as_of, user),
        },
    )
