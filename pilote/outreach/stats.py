"""The statistics of each issue (docs/outreach.md#statistiques), read from its `Delivery`
rows and the list's subscribers:

- recipients: the issue's delivery rows;
- delivered: rows `sent` (accepted by the SMTP server);
- bounced: rows `failed` (permanent failure) and `retry` (temporary failure, still to be
  sent again);
- unsubscribed: recipients of the issue (a delivery row) who unsubscribed after it went
  out — from its `sending_started_at` (else `sent_at`) — and before the next issue of the
  list went out: whatever link or request they used, the issue is the last they received.
  An erased subscriber is no longer counted (the row is gone);
- opened, clicks, clickers: only when the list's tracking is on (`tracking.py`).

And the clicks tied to the company: the subscriber's establishment (else their contact's
main establishment), its EPCI, and what followed — the first interaction, need or
application of that establishment created within `FOLLOW_UP_DAYS` after the click, read
through the access layer (`visible_to(reader)`), so that a reader never sees follow-up they
may not see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, DateTimeField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from pilote.outreach.enums import DeliveryStatus
from pilote.outreach.models import Click, Delivery, Issue, Subscriber

FOLLOW_UP_DAYS = 90
BOUNCED = (DeliveryStatus.FAILED, DeliveryStatus.RETRY)
NEVER = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)  # no next issue yet


def annotate_list(issues):
    """`delivered`, `bounced` and `unsubscribed` (see above) on each issue, in SQL."""
    start = Coalesce("sending_started_at", "sent_at")
    next_start = (
        Issue.objects.filter(
            mailing_list_id=OuterRef("mailing_list_id"), number__gt=OuterRef("number")
        )
        .annotate(start=Coalesce("sending_started_at", "sent_at"))
        .filter(start__isnull=False)
        .order_by("number")
        .values("start")[:1]
    )
    unsubscribed = (
        Delivery.objects.filter(
            issue_id=OuterRef("pk"),
            subscriber__unsubscribed_at__isnull=False,
            subscriber__unsubscribed_at__gte=OuterRef("stats_start"),
        )
        .filter(
            subscriber__unsubscribed_at__lt=Coalesce(
                OuterRef("stats_next_start"), Value(NEVER, output_field=DateTimeField())
            )
        )
        .order_by()
        .values("issue_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return issues.annotate(
        delivered=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.SENT)),
        bounced=Count("deliveries", filter=Q(deliveries__status__in=BOUNCED)),
        stats_start=start,
        stats_next_start=Subquery(next_start),
        unsubscribed=Coalesce(Subquery(unsubscribed), 0),
    )


def unsubscribed_since(issue: Issue) -> int:
    return (
        annotate_list(Issue.objects.filter(pk=issue.pk))
        .values_list("unsubscribed", flat=True)
        .get()
    )


def issue_stats(issue: Issue) -> dict[str, int | None]:
    """The counts of one issue; `opened`, `clicks`, `clickers` are None when the list does
    not measure them."""
    counts = Delivery.objects.filter(issue=issue).aggregate(
        recipients=Count("pk"),
        delivered=Count("pk", filter=Q(status=DeliveryStatus.SENT)),
        bounced=Count("pk", filter=Q(status__in=BOUNCED)),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
    )
    stats: dict[str, int | None] = {**counts, "unsubscribed": unsubscribed_since(issue)}
    if issue.mailing_list.tracking:
        clicks = Click.objects.filter(delivery__issue=issue)
        stats["clicks"] = clicks.count()
        stats["clickers"] = clicks.values("delivery_id").distinct().count()
    else:
        stats.update(opened=None, clicks=None, clickers=None)
    return stats


@dataclass
class ClickRow:
    clicked_at: dt.datetime
    url: str
    who: str
    establishment: object | None
    epci: object | None
    followed: list[dict]


def _establishment_of(subscriber: Subscriber | None):
    if subscriber is None:
        return None
    if subscriber.establishment_id:
        return subscriber.establishment
    if subscriber.contact_id and subscriber.contact is not None:
        return subscriber.contact.main_establishment
    return None


def follow_up(establishment, after: dt.datetime, reader) -> list[dict]:
    """The first interaction, need and application of `establishment` created within
    `FOLLOW_UP_DAYS` after `after`, among those `reader` may see."""
    from pilote.accompaniment.models import Interaction, Need
    from pilote.applications.models import Application

    window = {
        "establishment": establishment,
        "created_at__gte": after,
        "created_at__lt": after + dt.timedelta(days=FOLLOW_UP_DAYS),
    }
    found = []
    for label, model in (("Échange", Interaction), ("Besoin", Need), ("Dossier", Application)):
        record = model.objects.visible_to(reader).filter(**window).order_by("created_at").first()
        if record is not None:
            found.append(
                {
                    "label": label,
                    "text": str(record),
                    "url": record.get_absolute_url(),
                    "created_at": record.created_at,
                }
            )
    found.sort(key=lambda item: item["created_at"])
    return found


def click_rows(issue: Issue, reader) -> list[ClickRow]:
    """Each click of the issue, by the subscriber's establishment and its EPCI, with what
    followed (read as `reader`). Only while the list measures clicks."""
    if not issue.mailing_list.tracking:
        return []
    clicks = (
        Click.objects.filter(delivery__issue=issue)
        .select_related(
            "delivery__subscriber__establishment__company",
            "delivery__subscriber__establishment__epci",
            "delivery__subscriber__contact__main_establishment__company",
            "delivery__subscriber__contact__main_establishment__epci",
        )
        .order_by("clicked_at", "pk")
    )
    rows = []
    for click in clicks:
        subscriber = click.delivery.subscriber
        establishment = _establishment_of(subscriber)
        rows.append(
            ClickRow(
                clicked_at=click.clicked_at,
                url=click.url,
                who=(subscriber.organisation or str(subscriber)) if subscriber else "—",
                establishment=establishment,
                epci=establishment.epci if establishment is not None else None,
                followed=(
                    follow_up(establishment, click.clicked_at, reader)
                    if establishment is not None
                    else []
                ),
            )
        )
    return rows
