"""The weekly email of a saved search: new schemes since the last one, calls closing soon.

Run by cron (`manage.py send_aid_alerts`, weekly). Only confirmed, not unsubscribed
addresses; catalogue data only; each email has its one-click unsubscribe link.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from pilote.aids import calendar, services
from pilote.aids.models import AidScheme, Subscription
from pilote.core.emails import queue_email

FIRST_DIGEST_DAYS = 7  # the first email covers the last week


@dataclass
class Digest:
    new: list[AidScheme]
    closing: list[calendar.Entry]

    @property
    def is_empty(self) -> bool:
        return not self.new and not self.closing


def since_for(subscription: Subscription, now: dt.datetime) -> dt.datetime:
    return subscription.last_sent_at or now - dt.timedelta(days=FIRST_DIGEST_DAYS)


def digest_for(
    subscription: Subscription, now: dt.datetime, *, since: dt.datetime | None = None
) -> Digest:
    """What is new since `since` (by default, the last email) and what closes soon."""
    search = subscription.search
    since = since or since_for(subscription, now)
    schemes = search.filter(AidScheme.objects.all())
    new = (
        list(schemes.filter(created_at__gt=since).order_by("title", "pk"))
        if search.notify_new
        else []
    )
    closing = (
        sorted(
            calendar.closing_within(schemes, today=timezone.localdate(now)),
            key=lambda e: (e.window.closes_on, e.scheme.title),
        )
        if search.notify_closing
        else []
    )
    return Digest(new=new, closing=closing)


def send_alerts(*, now: dt.datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """One email per confirmed address with something to say; `last_sent_at` moves on."""
    now = now or timezone.now()
    sent = skipped = 0
    subscriptions = (
        Subscription.objects.confirmed()
        .select_related("search", "search__owner")
        .filter(search__owner__is_active=True)
        .order_by("pk")
    )
    for subscription in subscriptions:
        digest = digest_for(subscription, now)
        if digest.is_empty:
            skipped += 1
            continue
        if not dry_run:
            # The email is built again when its task runs, from these references only.
            queue_email(
                "aids.alert",
                subscription_id=subscription.pk,
                since=since_for(subscription, now).isoformat(),
                now=now.isoformat(),
            )
            services.alert_sent(subscription=subscription, at=now)
        sent += 1
    return {"sent": sent, "skipped": skipped}
