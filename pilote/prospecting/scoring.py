"""The transparent priority score of an establishment (docs/rules.md, roadmap « Prospection »).

Each criterion gives the points of its weight (`ScoringWeights`, per territory):

- industrial sector: the NAF section is in the territory's industrial scope;
- size: a PME of 30 to 200 people (the roadmap's core target), or, for fewer points,
  10 to 19 or 200 to 249 employees;
- strategic sector: the activity belongs to a filière marked strategic;
- not met: never met, or not for 18 months, as far as the user's visible follow-up says;
- recent creation: created less than 3 years ago;
- head office.

The score is computed twice, on purpose: in SQL (`annotate_score`) so that a million rows
sort in the database, and in Python (`explain`) to show the reasons next to each target.
`tests/prospecting/test_scoring.py` checks that both agree.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import add

from django.db.models import BooleanField, Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import ExpressionWrapper
from django.utils import timezone

from pilote.companies.directory import industrial_sections
from pilote.companies.enums import CORE_TARGET_BANDS, HeadcountBand
from pilote.companies.models import Establishment, Sector
from pilote.prospecting.enums import TargetStatus
from pilote.prospecting.models import ScoringWeights

NOT_MET_MONTHS = 18
RECENT_YEARS = 3
# Bands next to the core target: « 10 à 19 salariés » and « 200 à 249 salariés ».
NEAR_TARGET_BANDS = [HeadcountBand.B11, HeadcountBand.B31]


@dataclass(frozen=True)
class Reason:
    label: str
    points: int

    def __str__(self) -> str:
        return f"{self.label} : +{self.points}"


def weights_for(territory) -> ScoringWeights:
    """The territory's weights, or the defaults (an unsaved row) when it has none."""
    return ScoringWeights.objects.filter(territory=territory).first() or ScoringWeights(
        territory=territory
    )


# Other records that prove a meeting: functions `(user, since) -> QuerySet of establishment
# ids` that the user may see, met between `since` and today (accompaniment's interactions).
met_sources: list[Callable] = []


def met_recently_q(user, since: dt.datetime) -> Q:
    """Establishments `user` knows were met since `since`.

    A meeting is a campaign target marked « rencontré » (dated by its status change) in a
    campaign the user may see, or what another capability registers in `met_sources`;
    notes and contacts are follow-up but not meetings. This is the one place to change
    what counts as met.
    """
    from pilote.prospecting.models import CampaignTarget

    targets = (
        CampaignTarget.objects.visible_to(user)
        .filter(status=TargetStatus.MET, status_changed_at__gte=since)
        .values("establishment_id")
    )
    return reduce(
        lambda q, source: q | Q(pk__in=source(user, since)), met_sources, Q(pk__in=targets)
    )


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def prefix_q(q: Q, prefix: str) -> Q:
    """The same condition, seen from a model that points to Establishment through `prefix`."""
    if not prefix:
        return q
    clone = Q()
    clone.connector, clone.negated = q.connector, q.negated
    clone.children = [
        prefix_q(child, prefix) if isinstance(child, Q) else (prefix + child[0], child[1])
        for child in q.children
    ]
    return clone


class Scorer:
    """The score for one territory and one reader: the weights, scope and cut-off dates are
    read once, then `annotate` and `explain` apply the same rules."""

    def __init__(self, *, territory, user, now: dt.datetime | None = None):
        now = now or timezone.now()
        self.user = user
        self.weights = weights_for(territory)
        self.sections = list(industrial_sections(territory))
        self.strategic = list(Sector.objects.filter(territory=territory, strategic=True))
        self.recent_since = years_before(timezone.localdate(now), RECENT_YEARS)
        self.met_since = months_before(now, NOT_MET_MONTHS)

    # --- SQL ---------------------------------------------------------------------------
    def met_q(self) -> Q:
        return met_recently_q(self.user, self.met_since)

    def _strategic_q(self) -> Q:
        return reduce(lambda a, b: a | b, (s.naf_q() for s in self.strategic), Q(pk__in=[]))

    def _terms(self, prefix: str) -> list:
        w = self.weights
        p = lambda q: prefix_q(q, prefix)  # noqa: E731
        terms = [
            Case(When(p(Q(naf_section__in=self.sections)), then=Value(w.industrial)),
                 default=Value(0)),
            Case(When(p(Q(headcount_band__in=CORE_TARGET_BANDS)), then=Value(w.core_size)),
                 When(p(Q(headcount_band__in=NEAR_TARGET_BANDS)), then=Value(w.near_size)),
                 default=Value(0)),
            Case(When(p(self.met_q()), then=Value(0)), default=Value(w.not_met)),
            Case(When(p(Q(created_on__gte=self.recent_since)), then=Value(w.recent)),
                 default=Value(0)),
            Case(When(p(Q(is_head_office=True)), then=Value(w.head_office)), default=Value(0)),
        ]  # fmt: skip
        if self.strategic:
            terms.append(
                Case(When(p(self._strategic_q()), then=Value(w.strategic)), default=Value(0))
            )
        return terms

    def annotate(self, queryset: QuerySet, *, prefix: str = "", with_met: bool = False):
        """Add an integer `score` (and the boolean `met_recently` for `explain`).

        `prefix` reaches the establishment from another model: "establishment__" for targets.
        """
        score = ExpressionWrapper(reduce(add, self._terms(prefix)), output_field=IntegerField())
        queryset = queryset.annotate(score=score)
        if with_met:
            queryset = queryset.annotate(
                met_recently=Case(
                    When(prefix_q(self.met_q(), prefix), then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                )
            )
        return queryset

    # --- Python ------------------------------------------------------------------------
    def is_met(self, establishment) -> bool:
        return Establishment.objects.filter(self.met_q(), pk=establishment.pk).exists()

    def explain(self, establishment, *, met: bool | None = None) -> list[Reason]:
        """The reasons of the score, each with its points; they add up to `score`.

        `met` may come from the `met_recently` annotation; otherwise it is queried.
        """
        w, e = self.weights, establishment
        reasons = []
        if e.naf_section and e.naf_section in self.sections:
            reasons.append(Reason(f"Secteur industriel (section {e.naf_section})", w.industrial))
        if e.headcount_band in CORE_TARGET_BANDS:
            reasons.append(Reason("PME de 30 à 200 personnes", w.core_size))
        elif e.headcount_band in NEAR_TARGET_BANDS:
            band = HeadcountBand(e.headcount_band).label
            reasons.append(Reason(f"Effectif voisin du cœur de cible ({band})", w.near_size))
        sectors = [s.name for s in self.strategic if e.naf_code and s.matches(e.naf_code)]
        if sectors:
            names = ", ".join(name[:1].lower() + name[1:] for name in sectors)
            reasons.append(Reason(f"Filière stratégique {names}", w.strategic))
        if not (self.is_met(e) if met is None else met):
            reasons.append(Reason(f"Jamais rencontré, ou pas depuis {NOT_MET_MONTHS} mois",
                                  w.not_met))  # fmt: skip
        if e.created_on and e.created_on >= self.recent_since:
            reasons.append(Reason(f"Créé il y a moins de {RECENT_YEARS} ans", w.recent))
        if e.is_head_office:
            reasons.append(Reason("Siège de l'entreprise", w.head_office))
        return [r for r in reasons if r.points]


def annotate_score(queryset: QuerySet, *, territory, user) -> QuerySet:
    """Establishments with an integer `score` computed in SQL, ready to `order_by("-score")`."""
    return Scorer(territory=territory, user=user).annotate(queryset)


def explain(establishment, *, territory, user) -> list[Reason]:
    """Why `establishment` scores what it scores, criterion by criterion."""
    return Scorer(territory=territory, user=user).explain(establishment)


def order_directory_by_score(queryset: QuerySet, *, territory, user) -> QuerySet:
    """The directory's « Score de prospection » sort (wired by pilote.companies.directory)."""
    return annotate_score(queryset, territory=territory, user=user).order_by(
        "-score", "search_text"
    )
