"""Freezing a month's indicators (docs/indicators.md#snapshots).

`freeze(territory, month, acting_user=None, reason="")` freezes the facts of `month` as of
its last day into a new `Snapshot` version: the records known when it is made, each at its
state at the month's end (the monthly cron makes version 1 on the 1st). A correction
(version n+1, with its reason) is frozen again from the records of its day, so that late
entries and fixes are taken in. The figures of a frozen month never move afterwards; every
version stays readable, the latest is read.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from pilote.core import audit
from pilote.indicators.facts import Fact, live_facts, state_at, to_rows
from pilote.indicators.indicators import month_end, month_start
from pilote.indicators.models import FactKind, Snapshot, SnapshotFact

BATCH = 2000


class SnapshotRefused(ValueError):
    """A freeze that may not be made (month not ended, already frozen without a reason)."""


@dataclass
class Plan:
    """What a freeze would write."""

    territory: object
    month: dt.date
    as_of: dt.date
    version: int
    reason: str
    previous: Snapshot | None
    facts: list[Fact]

    @property
    def counts(self) -> dict[str, int]:
        counts = Counter(fact.kind for fact in self.facts)
        return {kind.label: counts.get(kind.value, 0) for kind in FactKind}


def plan(territory, month: dt.date, *, reason: str = "", today: dt.date | None = None) -> Plan:
    """What `freeze` would write, or `SnapshotRefused` saying why it may not."""
    month = month_start(month)
    as_of = month_end(month)
    today = today or timezone.localdate()
    if as_of >= today:
        raise SnapshotRefused(
            f"Le mois {month:%m/%Y} n'est pas terminé : il pourra être figé à partir du "
            f"{as_of + dt.timedelta(days=1):%d/%m/%Y}."
        )
    reason = (reason or "").strip()
    previous = Snapshot.objects.of_month(territory, month).latest_first().first()
    if previous is not None and not reason:
        raise SnapshotRefused(
            f"Le mois {month:%m/%Y} est déjà figé (version {previous.version} du "
            f"{timezone.localtime(previous.created_at):%d/%m/%Y à %H:%M}). Une correction "
            "crée une nouvelle version : donnez-en le motif."
        )
    # Every version freezes what is known when it is made (the records of today), each at its
    # state at the month's end: version 1 made on the 1st holds what was recorded by then;
    # a month frozen later (history entered afterwards, an imported spreadsheet) holds it.
    facts = []
    for fact in live_facts(territory, None, today=as_of):
        fact = state_at(fact, as_of)
        if fact is not None:
            facts.append(fact)
    version = 1 if previous is None else previous.version + 1
    return Plan(territory, month, as_of, version, reason, previous, facts)


@transaction.atomic
def freeze(
    territory, month: dt.date, acting_user=None, reason: str = "", *, today: dt.date | None = None
) -> Snapshot:
    """Freeze `month` (any day of it) of `territory`: a new version, audited. Refuses
    (`SnapshotRefused`) a month not ended, and a frozen month without a correction reason."""
    # One freeze at a time per territory: lock the territory's row.
    type(territory).objects.select_for_update().filter(pk=territory.pk).first()
    todo = plan(territory, month, reason=reason, today=today)
    last = Snapshot.objects.of_month(territory, todo.month).aggregate(v=Max("version"))["v"]
    snapshot = Snapshot.objects.create(
        territory=territory,
        month=todo.month,
        as_of=todo.as_of,
        version=(last or 0) + 1,
        reason=todo.reason,
        author=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        fact_count=len(todo.facts),
    )
    rows = to_rows(snapshot, todo.facts)
    for start in range(0, len(rows), BATCH):
        SnapshotFact.objects.bulk_create(rows[start : start + BATCH])
    audit.record(
        actor=acting_user,
        action="indicators.snapshot" if snapshot.version == 1 else "indicators.snapshot_correction",
        obj=snapshot,
        after=audit.snapshot(snapshot),
        extra={"faits": todo.counts},
    )
    return snapshot
