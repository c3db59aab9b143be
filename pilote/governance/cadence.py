"""The cadence check: for each body of a territory, in a calendar year, the meetings held,
those still planned and those missing against the required frequency.

- ``held``: meetings marked held, dated in the year;
- ``planned``: meetings still planned, dated in the year and from `today` on (a planned
  meeting whose date has passed counts for nothing until it is marked held);
- ``missing``: ``max(0, required - held - planned)``; 0 for a body that meets « selon les
  besoins » (``required`` None).

Cancelled meetings count for nothing. With `user`, only the meetings they read count
(bilateral meetings with an EPCI: its members and the TI managers, perms.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from pilote.governance import perms
from pilote.governance.enums import MeetingStatus
from pilote.governance.models import Body


@dataclass(frozen=True)
class BodyCadence:
    body: Body
    required: int | None
    held: int
    planned: int

    @property
    def name(self) -> str:
        return self.body.name

    @property
    def missing(self) -> int:
        if self.required is None:
            return 0
        return max(0, self.required - self.held - self.planned)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "required": self.required,
            "held": self.held,
            "planned": self.planned,
            "missing": self.missing,
        }


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def cadence(territory, year: int, today: dt.date | None = None, *, user=None) -> list[BodyCadence]:
    """Each body of `territory`, in order, with its cadence for `year`."""
    today = today or timezone.localdate()
    in_year = Q(
        meetings__starts_at__gte=_start_of(dt.date(year, 1, 1)),
        meetings__starts_at__lt=_start_of(dt.date(year + 1, 1, 1)),
    )
    if user is not None:
        in_year &= perms.meetings_q(user, prefix="meetings__")
    held = in_year & Q(meetings__status=MeetingStatus.HELD)
    planned = (
        in_year
        & Q(meetings__status=MeetingStatus.PLANNED)
        & Q(meetings__starts_at__gte=_start_of(today))
    )
    bodies = (
        Body.objects.filter(territory=territory)
        .annotate(
            n_held=Count("meetings", filter=held), n_planned=Count("meetings", filter=planned)
        )
        .order_by("position", "name")
    )
    return [BodyCadence(b, b.required_per_year, b.n_held, b.n_planned) for b in bodies]
