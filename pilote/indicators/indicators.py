"""The programme's indicators, defined once (docs/indicators.md), at any date and per EPCI.

Public API (the dashboard, the activity report and the commands use these):

- `compute(territory, as_of=None, reader=None) -> Figures` — live figures at a date;
- `series(territory, months, reader=None) -> list[Figures]` — live figures at the end of
  each month, the facts loaded once;
- `at_month(territory, month, reader=None) -> Figures` — the month's frozen figures (latest
  version of its snapshot) when it was frozen, else live figures at its last day;
- `to_json(figures) -> dict` — the JSON of `manage.py indicators --json`.

The confidentiality rule: `reader` is the user the figures are for; every follow-up record
is read through `visible_to(reader)` (live) or `visibility_q(reader)` (frozen facts), so a
reader's figures count only what they may see. `reader=None` is the operator (commands,
snapshots): every record of the territory.

One aggregation (`Book`) computes every figure from facts (`pilote.indicators.facts`),
whether they were read live or frozen: live and frozen figures are computed the same way.
Each indicator is a count or sum of the facts dated on or before the date, so `Book` sorts
each kind of fact once by date with prefix sums; a figure at a date is then a binary search
(a series of 60 months costs one load and a few thousand searches).
"""

from __future__ import annotations

import calendar
import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from operator import itemgetter
from typing import Any

from django.utils import timezone

from pilote.applications.enums import DECIDED, Status
from pilote.core.money import to_cents
from pilote.indicators.facts import Fact, frozen_facts, live_facts
from pilote.indicators.models import FactKind, Snapshot
from pilote.territories.models import Epci

ZERO = Decimal("0.00")
RATE = Decimal("0.0001")

# Applications the team supported (`supported=True`): overall and by EPCI.
APPLICATION_KEYS = (
    "filed", "in_review", "accepted", "refused", "withdrawn",
    "amount_requested", "amount_in_review", "amount_granted",
)  # fmt: skip
# Every application of the territory, supported or not.
TERRITORY_KEYS = (
    "laureate_companies", "accepted", "decided", "amount_granted", "investment_supported",
    "jobs", "acceptance_rate",
)  # fmt: skip
# Accompaniment activity: overall and by EPCI.
ACTIVITY_KEYS = (
    "establishments_met", "interactions", "interviews", "interaction_minutes",
    "needs", "needs_resolved", "projects", "projects_investment", "projects_jobs_created",
    "projects_jobs_kept", "diagnostics_offered", "diagnostics_done", "referrals",
)  # fmt: skip

LABELS = {
    "filed": "Dossiers déposés",
    "in_review": "Dossiers en instruction",
    "accepted": "Dossiers acceptés",
    "refused": "Dossiers refusés",
    "withdrawn": "Dossiers classés sans suite",
    "decided": "Dossiers décidés",
    "amount_requested": "Montant demandé (déposés)",
    "amount_in_review": "Montant demandé (en instruction)",
    "amount_granted": "Montant accordé (acceptés)",
    "laureate_companies": "Entreprises lauréates",
    "investment_supported": "Investissement soutenu (acceptés)",
    "jobs": "Emplois (acceptés)",
    "acceptance_rate": "Taux d'acceptation (acceptés ÷ décidés)",
    "establishments_met": "Établissements rencontrés",
    "interactions": "Échanges",
    "interviews": "Entretiens sur la trame",
    "interaction_minutes": "Temps passé en échanges (minutes)",
    "needs": "Besoins recueillis",
    "needs_resolved": "Besoins résolus",
    "projects": "Projets d'entreprise",
    "projects_investment": "Investissement des projets",
    "projects_jobs_created": "Emplois créés (projets)",
    "projects_jobs_kept": "Emplois maintenus (projets)",
    "diagnostics_offered": "Diagnostics proposés",
    "diagnostics_done": "Diagnostics réalisés",
    "referrals": "Mises en relation",
}


# --- Dates --------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def parse_month(text: str) -> dt.date:
    """« 2026-03 » → 1 March 2026; ValueError (in French) otherwise."""
    text = (text or "").strip()
    if len(text) == 7 and text[4] == "-":
        try:
            return dt.date.fromisoformat(f"{text}-01")
        except ValueError:
            pass
    raise ValueError(f"Mois invalide : « {text} » (attendu AAAA-MM, par exemple 2026-03).")


# --- The aggregation ----------------------------------------------------------------------


class _Cumul:
    """Facts sorted by date, with prefix sums of their values: `at(day)` gives the count
    and the sums of those dated on or before `day`."""

    __slots__ = ("dates", "sums")

    def __init__(self, rows: Iterable[tuple], zeros: tuple = ()):
        if not zeros:  # a count: the dates alone
            self.dates = sorted(r[0] for r in rows if r[0] is not None)
            self.sums = []
            return
        rows = sorted((r for r in rows if r[0] is not None), key=itemgetter(0))
        self.dates = [r[0] for r in rows]
        self.sums = []
        for column, zero in enumerate(zeros, start=1):
            prefix, total = [zero], zero
            for row in rows:
                value = row[column]
                if value is not None:
                    total += value
                prefix.append(total)
            self.sums.append(prefix)

    def at(self, day: dt.date) -> tuple[int, ...]:
        i = bisect_right(self.dates, day)
        return (i, *(prefix[i] for prefix in self.sums))

    def count(self, day: dt.date) -> int:
        return bisect_right(self.dates, day)


def _first_dates(pairs: Iterable[tuple[Any, dt.date | None]]) -> _Cumul:
    """Distinct keys by the first date they appear: counts distinct keys on or before a day."""
    first: dict[Any, dt.date] = {}
    for key, day in pairs:
        if key is None or day is None:
            continue
        if key not in first or day < first[key]:
            first[key] = day
    return _Cumul((day,) for day in first.values())


class _Applications:
    def __init__(self, facts: list[Fact]):
        decided = [f for f in facts if f.status in DECIDED and f.decided_on is not None]
        accepted = [f for f in decided if f.status == Status.ACCEPTED]
        self.filed = _Cumul(((f.filed_on, f.amount_requested) for f in facts), (ZERO,))
        # Decided applications that were filed: a decision never precedes the filing, so
        # those decided by a day were filed by it, and `in_review` = filed − these.
        self.decided_filed = _Cumul(
            ((f.decided_on, f.amount_requested) for f in decided if f.filed_on is not None),
            (ZERO,),
        )
        self.accepted = _Cumul(
            ((f.decided_on, f.amount_granted, f.investment, f.jobs) for f in accepted),
            (ZERO, ZERO, 0),
        )
        self.refused = _Cumul((f.decided_on,) for f in decided if f.status == Status.REFUSED)
        self.withdrawn = _Cumul((f.decided_on,) for f in decided if f.status == Status.WITHDRAWN)
        self.laureates = _first_dates((f.siren or None, f.decided_on) for f in accepted)

    def supported_at(self, day: dt.date) -> dict[str, Any]:
        filed, requested = self.filed.at(day)
        decided_filed, decided_requested = self.decided_filed.at(day)
        accepted, granted, _, _ = self.accepted.at(day)
        return {
            "filed": filed,
            "in_review": filed - decided_filed,
            "accepted": accepted,
            "refused": self.refused.count(day),
            "withdrawn": self.withdrawn.count(day),
            "amount_requested": to_cents(requested),
            "amount_in_review": to_cents(requested - decided_requested),
            "amount_granted": to_cents(granted),
        }

    def territory_at(self, day: dt.date) -> dict[str, Any]:
        accepted, granted, investment, jobs = self.accepted.at(day)
        decided = accepted + self.refused.count(day) + self.withdrawn.count(day)
        rate = None
        if decided:
            rate = (Decimal(accepted) / Decimal(decided)).quantize(RATE, rounding=ROUND_HALF_UP)
        return {
            "laureate_companies": self.laureates.count(day),
            "accepted": accepted,
            "decided": decided,
            "amount_granted": to_cents(granted),
            "investment_supported": to_cents(investment),
            "jobs": jobs,
            "acceptance_rate": rate,
        }


class _Activity:
    def __init__(self, by_kind: dict[str, list[Fact]]):
        interactions = by_kind[FactKind.INTERACTION]
        needs = by_kind[FactKind.NEED]
        diagnostics = by_kind[FactKind.DIAGNOSTIC]
        self.interactions = _Cumul(((f.held_on, f.minutes) for f in interactions), (0,))
        self.interviews = _Cumul((f.held_on,) for f in interactions if f.on_guide)
        self.met = _first_dates((f.establishment_pk, f.held_on) for f in interactions if f.met)
        self.needs = _Cumul((f.held_on,) for f in needs)
        self.needs_resolved = _Cumul((f.done_on,) for f in needs if f.held_on is not None)
        self.projects = _Cumul(
            ((f.held_on, f.investment, f.jobs, f.jobs_kept) for f in by_kind[FactKind.PROJECT]),
            (ZERO, 0, 0),
        )
        self.diagnostics_offered = _Cumul((f.held_on,) for f in diagnostics)
        self.diagnostics_done = _Cumul((f.done_on,) for f in diagnostics)
        self.referrals = _Cumul((f.held_on,) for f in by_kind[FactKind.REFERRAL])

    def at(self, day: dt.date) -> dict[str, Any]:
        interactions, minutes = self.interactions.at(day)
        projects, investment, jobs_created, jobs_kept = self.projects.at(day)
        return {
            "establishments_met": self.met.count(day),
            "interactions": interactions,
            "interviews": self.interviews.count(day),
            "interaction_minutes": minutes,
            "needs": self.needs.count(day),
            "needs_resolved": self.needs_resolved.count(day),
            "projects": projects,
            "projects_investment": to_cents(investment),
            "projects_jobs_created": jobs_created,
            "projects_jobs_kept": jobs_kept,
            "diagnostics_offered": self.diagnostics_offered.count(day),
            "diagnostics_done": self.diagnostics_done.count(day),
            "referrals": self.referrals.count(day),
        }


@dataclass
class Figures:
    """The indicators of a territory at a date, as one reader may see them."""

    territory: Any
    as_of: dt.date
    applications: dict[str, Any]
    territory_wide: dict[str, Any]
    by_epci: dict[str, dict[str, Any]]
    activity: dict[str, Any]
    activity_by_epci: dict[str, dict[str, Any]]
    epci_names: dict[str, str] = field(default_factory=dict)
    frozen: bool = False
    snapshot: Snapshot | None = None


class Book:
    """The aggregation: every indicator of a set of facts, at any date. Built once from the
    facts (live or frozen alike), asked for as many dates as needed."""

    def __init__(self, facts: Iterable[Fact], epcis: dict[str, str]):
        by_epci: dict[str, dict[str, list[Fact]]] = defaultdict(lambda: defaultdict(list))
        by_kind: dict[str, list[Fact]] = defaultdict(list)
        for fact in facts:
            by_kind[fact.kind].append(fact)
            by_epci[fact.epci_id][fact.kind].append(fact)
        self.epci_names = dict(epcis)
        missing = set(by_epci) - set(self.epci_names)
        if missing:  # facts of an EPCI that has since left the territory (frozen months)
            self.epci_names.update(Epci.objects.filter(pk__in=missing).values_list("pk", "name"))
        applications = by_kind[FactKind.APPLICATION]
        self.all_applications = _Applications(applications)
        self.supported = _Applications([f for f in applications if f.supported])
        self.activity = _Activity(by_kind)
        self.epcis = {}
        for siren in self.epci_names:
            kinds = by_epci.get(siren) or defaultdict(list)
            supported = [f for f in kinds[FactKind.APPLICATION] if f.supported]
            self.epcis[siren] = (_Applications(supported), _Activity(kinds))

    def figures(self, territory, day: dt.date, *, snapshot: Snapshot | None = None) -> Figures:
        return Figures(
            territory=territory,
            as_of=day,
            applications=self.supported.supported_at(day),
            territory_wide=self.all_applications.territory_at(day),
            by_epci={siren: apps.supported_at(day) for siren, (apps, _) in self.epcis.items()},
            activity=self.activity.at(day),
            activity_by_epci={siren: act.at(day) for siren, (_, act) in self.epcis.items()},
            epci_names=self.epci_names,
            frozen=snapshot is not None,
            snapshot=snapshot,
        )


def epcis_of(territory) -> dict[str, str]:
    return dict(territory.epcis.order_by("name", "siren").values_list("siren", "name"))


# --- The public API -----------------------------------------------------------------------


def compute(territory, as_of: dt.date | None = None, reader=None) -> Figures:
    """Live figures of `territory` at `as_of` (default: today, Europe/Paris), counting only
    what `reader` may see (None: the operator, everything of the territory)."""
    as_of = as_of or timezone.localdate()
    return Book(live_facts(territory, reader), epcis_of(territory)).figures(territory, as_of)


def series(territory, months: Iterable[dt.date], reader=None) -> list[Figures]:
    """Live figures at the last day of each month of `months` (any day of the month), the
    facts loaded once. Frozen snapshots are not read: see `at_month`."""
    book = Book(live_facts(territory, reader), epcis_of(territory))
    return [book.figures(territory, month_end(month)) for month in months]


def latest_snapshot(territory, month: dt.date) -> Snapshot | None:
    return Snapshot.objects.of_month(territory, month).latest_first().first()


def at_month(territory, month: dt.date, reader=None) -> Figures:
    """The figures of `month` (any day of it): frozen (the latest version of its snapshot)
    when it was frozen, else live at its last day."""
    snapshot = latest_snapshot(territory, month)
    if snapshot is None:
        return compute(territory, month_end(month), reader)
    return frozen(snapshot, reader)


def frozen(snapshot: Snapshot, reader=None) -> Figures:
    """The figures of one snapshot version (older versions stay readable)."""
    book = Book(frozen_facts(snapshot, reader), epcis_of(snapshot.territory))
    return book.figures(snapshot.territory, snapshot.as_of, snapshot=snapshot)


def _json(values: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()}


def to_json(figures: Figures) -> dict[str, Any]:
    """JSON-ready: money as strings with two decimals (« 1234.50 »), `acceptance_rate` as a
    string with four decimals (« 0.6667 », null when nothing is decided), EPCIs by SIREN."""
    snapshot = figures.snapshot
    return {
        "territory_name": figures.territory.name,
        "territory_slug": figures.territory.slug,
        "as_of": figures.as_of.isoformat(),
        "frozen": figures.frozen,
        "snapshot": None
        if snapshot is None
        else {
            "version": snapshot.version,
            "month": snapshot.month.strftime("%Y-%m"),
            "created_at": timezone.localtime(snapshot.created_at).isoformat(),
            "reason": snapshot.reason,
        },
        "applications": _json(figures.applications),
        "territory": _json(figures.territory_wide),
        "by_epci": {siren: _json(v) for siren, v in figures.by_epci.items()},
        "activity": _json(figures.activity),
        "activity_by_epci": {siren: _json(v) for siren, v in figures.activity_by_epci.items()},
        "epci_names": dict(figures.epci_names),
    }
