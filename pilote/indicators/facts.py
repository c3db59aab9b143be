"""The facts the indicators are computed from: one `Fact` per follow-up record.

Live facts are read from the models through `visible_to(reader)` (`live_facts`); frozen
facts from a snapshot's `SnapshotFact` rows through `visibility_q(reader)`
(`frozen_facts`). Both give the same tuples, so one aggregation computes every figure
(`pilote.indicators.indicators`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Q
from django.utils import timezone

from pilote.accompaniment.enums import MEETING_KINDS
from pilote.accompaniment.models import Diagnostic, Interaction, Need, Project, Referral
from pilote.accounts.access import visibility_q
from pilote.applications.enums import DECIDED, Status
from pilote.applications.models import Application
from pilote.core.money import to_cents
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
    held: it is left out.

    Each model is read in one query through `visible_to(reader)` (the access rule is the
    queryset's), but the rows are fetched with a raw cursor: Django's per-row converters
    (dates and decimals on SQLite, every column on any backend) would cost more than the
    aggregation; `_date`, `_money` and `_local_date` convert what the backend gives."""
    epci_ids = territory_epci_ids(territory)
    today = today or timezone.localdate()

    def rows(model, *fields, extra: Q | None = None):
        queryset = model.objects.filter(epci_id__in=epci_ids)
        if reader is not None:
            queryset = queryset.visible_to(reader)
        if extra is not None:
            queryset = queryset.filter(extra)
        return _raw(queryset.order_by().values_list("pk", *ACCESS, *fields))

    facts: list[Fact] = []
    add = facts.append
    app = FactKind.APPLICATION
    date, money = _date, _money
    new = tuple.__new__  # positional, without NamedTuple's keyword handling (see FACT_FIELDS)
    need = FactKind.NEED
    for row in rows(
        Application,
        "establishment_id", "establishment__company__siren", "supported", "status", "filed_on",
        "decided_on", "amount_requested", "amount_granted", "investment", "jobs",
    ):  # fmt: skip
        pk, epci, vis, org, est, siren, sup, status, filed, decided, req, granted, inv, jobs = row
        add(new(Fact, (app, pk, epci, vis, org, est, siren or "", bool(sup), status,
                       date(filed), date(decided), None, None, False, False, money(req),
                       money(granted), money(inv), jobs, None, None)))  # fmt: skip
    kind = FactKind.INTERACTION
    for pk, epci, vis, org, est, held, guide, ikind, minutes in rows(
        Interaction, "establishment_id", "occurred_on", "guide_version_id", "kind",
        "time_spent_minutes", extra=Q(occurred_on__lte=today),
    ):  # fmt: skip
        add(new(Fact, (kind, pk, epci, vis, org, est, "", None, "", None, None, date(held),
                       None, guide is not None, ikind in MEETING_KINDS, None, None, None,
                       None, None, minutes)))  # fmt: skip
    for pk, epci, vis, org, est, occurred, created, resolved in rows(
        Need, "establishment_id", "interaction__occurred_on", "created_at", "resolved_on"
    ):
        held = date(occurred) if occurred is not None else _local_date(created)
        add(new(Fact, (need, pk, epci, vis, org, est, "", None, "", None, None, held,
                       date(resolved), False, False, None, None, None, None, None,
                       None)))  # fmt: skip
    kind = FactKind.PROJECT
    for pk, epci, vis, org, est, occurred, created, inv, created_jobs, kept in rows(
        Project, "establishment_id", "interaction__occurred_on", "created_at",
        "investment_amount", "jobs_created", "jobs_kept",
    ):  # fmt: skip
        held = date(occurred) if occurred is not None else _local_date(created)
        add(new(Fact, (kind, pk, epci, vis, org, est, "", None, "", None, None, held, None,
                       False, False, None, None, money(inv), created_jobs, kept,
                       None)))  # fmt: skip
    kind = FactKind.DIAGNOSTIC
    for pk, epci, vis, org, est, status, offered, done in rows(
        Diagnostic, "establishment_id", "status", "offered_on", "done_on"
    ):
        add(new(Fact, (kind, pk, epci, vis, org, est, "", None, status, None, None,
                       date(offered), date(done), False, False, None, None, None, None, None,
                       None)))  # fmt: skip
    kind = FactKind.REFERRAL
    for pk, epci, vis, org, est, outcome, referred in rows(
        Referral, "establishment_id", "outcome", "referred_on"
    ):
        add(new(Fact, (kind, pk, epci, vis, org, est, "", None, outcome, None, None,
                       date(referred), None, False, False, None, None, None, None, None,
                       None)))  # fmt: skip
    return facts


def _raw(values_list) -> Iterator[tuple]:
    """The rows of a `values_list` queryset, fetched without Django's converters."""
    try:
        sql, params = values_list.query.sql_with_params()
    except EmptyResultSet:  # a reader who may see nothing (`pk__in=[]`)
        return
    with connections[values_list.db].cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(5000):
            yield from chunk


@lru_cache(maxsize=8192)
def _iso_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text[:10])


def _date(value) -> dt.date | None:
    """A date column as the backend gives it: a date (PostgreSQL) or a text (SQLite)."""
    if value is None or isinstance(value, dt.date):
        return value
    return _iso_date(value)


def _money(value) -> Decimal | None:
    """A decimal column: a Decimal (PostgreSQL), an int or a float (SQLite's NUMERIC)."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return to_cents(repr(value))
    return to_cents(value)


def _local_date(value) -> dt.date:
    """The day (Europe/Paris) of a stored moment: aware (PostgreSQL) or a UTC text (SQLite)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(timezone.get_current_timezone()).date()


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
