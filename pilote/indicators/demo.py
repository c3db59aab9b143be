"""Demo snapshots: the months the roadmap's bilan quotes (April and June 2022) and the last
twelve complete months, frozen as the monthly cron would have (version 1, by the system).
Idempotent: a month already frozen is left as it is."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pilote.indicators import snapshots
from pilote.indicators.models import Snapshot
from pilote.territories.models import Territory

HDC_SLUG = "hainaut-douaisis-cambresis"
BILAN_MONTHS = [dt.date(2022, 4, 1), dt.date(2022, 6, 1)]
RECENT_MONTHS = 12


def months(today: dt.date) -> list[dt.date]:
    """The bilan's months and the last `RECENT_MONTHS` complete months, oldest first."""
    first = today.replace(day=1)
    recent = []
    for _ in range(RECENT_MONTHS):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        recent.append(first)
    return sorted(set(BILAN_MONTHS) | set(recent))


def load(*, out) -> int:
    territory = Territory.objects.filter(slug=HDC_SLUG).first()
    if territory is None:
        return 0
    frozen = set(Snapshot.objects.filter(territory=territory).values_list("month", flat=True))
    created = 0
    for month in months(timezone.localdate()):
        if month in frozen:
            continue
        snapshot = snapshots.freeze(territory, month)
        created += 1 + snapshot.facts.count()
    return created
