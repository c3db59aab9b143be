"""The facts the indicators are computed from: one `Fact` per follow-up record.

Live facts are read from the models through `visible_to(reader)` (`live_facts`); frozen
facts from a snapshot's `SnapshotFact` rows through `visibility_q(reader)`
(`frozen_facts`). Both give the same tuples, so one aggregation computes every figure
(`pilote.indicators.indicators`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone

from pilote.accompaniment.enums import MEETING_KINDS
from pilote.accompaniment.models import Diagnostic, Interaction, Need, Project, Referral
from pilote.accounts.access import visibility_q
from pilote.applications.enums import DECIDED, Status
from pilote.applications.models import Application
from pilote.indicators.models import FactKind, SnapshotFact


class Fact(NamedTuple):
    kind: str
    record_id: int
    epci_id: str
    visibility: str
    author_organisation_id: int
    establishment_pk: int | None = None
    siren: str = ""
    supported: bool | None = None
    status: str = ""
    filed_on: dt.date | None = None
    decided_on: dt.date | None = None
    held_on: dt.date | None = None
    done_on: dt.date | None = None
    on_guide: bool = False
    met: bool = False
    amount_requested: Decimal | None = None
    amount_granted: Decimal | None = None
    investment: Decimal | None = None
    jobs: int | None = None
    jobs_kept: int | None = None
    minutes: int | None = None


FACT_FIELDS = Fact._fields
ACCESS = ("epci_id", "visibility", "author_organisation_id")


def territory_epci_ids(territory) -> list[str]:
    return list(territory.epcis.values_list("siren", flat=True))


def live_facts(territory, reader=None, *, today: dt.date | None = None) -> list[Fact]:
    """The facts of `territory`'s follow-up records that `reader` may see (None: the
    operator, every record of the territory). A visit dated after `today` is planned, not
    held: it is left out."""
    epci_ids = territory_epci_ids(territory)
    today = today or timezone.localdate()

    def rows(model, *fields, extra: Q | None = None):
        queryset = model.objects.filter(epci_id__in=epci_ids)
        if reader is not None:
            queryset = queryset.visible_to(reader)
        if extra is not None:
            queryset = queryset.filter(extra)
        return queryset.order_by().values_list("pk", *ACCESS, *fields).iterator(chunk_size=5000)

    facts: list[Fact] = []
    add = facts.append
    app = FactKind.APPLICATION
    for row in rows(
        Application,
        "establishment_id", "establishment__company__siren", "supported", "status", "filed_on",
        "decided_on", "amount_requested", "amount_granted", "investment", "jobs",
    ):  # fmt: skip
        pk, epci, vis, org, est, siren, sup, status, filed, decided, req, granted, inv, jobs = row
        add(Fact(app, pk, epci, vis, org, est, siren or "", sup, status, filed, decided,
                 amount_requested=req, amount_granted=granted, investment=inv,
                 jobs=jobs))  # fmt: skip
    kind = FactKind.INTERACTION
    for pk, epci, vis, org, est, held, guide, ikind, minutes in rows(
        Interaction, "establishment_id", "occurred_on", "guide_version_id", "kind",
        "time_spent_minutes", extra=Q(occurred_on__lte=today),
    ):  # fmt: skip
        add(Fact(kind, pk, epci, vis, org, est, held_on=held, on_guide=guide is not None,
                 met=ikind in MEETING_KINDS, minutes=minutes))  # fmt: skip
    local = timezone.get_current_timezone()
    for pk, epci, vis, org, est, occurred, created, resolved in rows(
        Need, "establishment_id", "interaction__occurred_on", "created_at", "resolved_on"
    ):
        held = occurred or created.astimezone(local).date()
        add(Fact(FactKind.NEED, pk, epci, vis, org, est, held_on=held, done_on=resolved))
    kind = FactKind.PROJECT
    for pk, epci, vis, org, est, occurred, created, inv, created_jobs, kept in rows(
        Project, "establishment_id", "interaction__occurred_on", "created_at",
        "investment_amount", "jobs_created", "jobs_kept",
    ):  # fmt: skip
        held = occurred or created.astimezone(local).date()
        add(Fact(kind, pk, epci, vis, org, est, held_on=held, investment=inv,
                 jobs=created_jobs, jobs_kept=kept))  # fmt: skip
    kind = FactKind.DIAGNOSTIC
    for pk, epci, vis, org, est, status, offered, done in rows(
        Diagnostic, "establishment_id", "status", "offered_on", "done_on"
    ):
        add(Fact(kind, pk, epci, vis, org, est, status=status, held_on=offered, done_on=done))
    kind = FactKind.REFERRAL
    for pk, epci, vis, org, est, outcome, referred in rows(
        Referral, "establishment_id", "outcome", "referred_on"
    ):
        add(Fact(kind, pk, epci, vis, org, est, status=outcome, held_on=referred))
    return facts


def state_at(fact: Fact, day: dt.date) -> Fact | None:
    """`fact` as it stood at the end of `day` (by the indicators' definitions), or None when
    it counts for nothing then: dates after `day` are unknown, an application decided after
    `day` was still in review (or not filed), a record dated after `day` did not exist."""
    if fact.kind == FactKind.APPLICATION:
        filed_on = fact.filed_on if fact.filed_on and fact.filed_on <= day else None
        decided = fact.status in DECIDED and fact.decided_on is not None and fact.decided_on <= day
        if decided:
            return fact._replace(filed_on=filed_on)
        if filed_on is None:
            return None
        return fact._replace(
            filed_on=filed_on, decided_on=None, status=Status.REVIEW, amount_granted=None
        )
    if fact.held_on is None or fact.held_on > day:
        return None
    if fact.done_on is not None and fact.done_on > day:
        return fact._replace(done_on=None)
    return fact


def frozen_facts(snapshot, reader=None) -> list[Fact]:
    """The facts of `snapshot` that `reader` may see (None: all of them), under the same
    access rule as the live records."""
    queryset = SnapshotFact.objects.filter(snapshot=snapshot)
    if reader is not None:
        queryset = queryset.filter(visibility_q(reader))
    rows = queryset.order_by().values_list(*FACT_FIELDS).iterator(chunk_size=5000)
    return [Fact._make(row) for row in rows]


def to_rows(snapshot, facts: list[Fact]) -> list[SnapshotFact]:
    return [SnapshotFact(snapshot=snapshot, **fact._asdict()) for fact in facts]
