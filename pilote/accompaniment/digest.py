"""The weekly digest of each user: their follow-up actions due (or overdue), their planned
prospecting visits and the interactions they take part in, for the week ahead.

Everything in it is read through `visible_to(user)` at the moment it is built: an action still
owned by someone who may no longer see it (visibility narrowed, membership ended) is left out.
`manage.py send_digests --wet-run` (cron, Monday morning) queues one task per user with
something to say (`accompaniment.tasks.send_digests`); each task builds the digest again
when it runs, records that it was sent (one audit event per user and week, so a second run of
the same week sends nothing) and queues the email once its transaction commits. Neither task carries
anything but the user's id and the date: the email is built again when it is sent
(`accompaniment.emails`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from pilote.accompaniment.models import Action, Interaction
from pilote.accounts.enums import Role
from pilote.accounts.models import User
from pilote.core import audit
from pilote.core.emails import queue_email
from pilote.core.models import AuditEvent

DAYS_AHEAD = 7
SENT_ACTION = "accompaniment.digest.sent"
# Roles that may see follow-up: administrators never get a digest (they see no follow-up).
FOLLOW_UP_ROLES = (Role.TI_MANAGER, Role.EPCI_AGENT, Role.PARTNER)


def week_key(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-S{week:02d}"


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass
class Digest:
    user: object
    start: dt.date
    end: dt.date  # last day covered, inclusive
    overdue: list = field(default_factory=list)
    due: list = field(default_factory=list)
    visits: list = field(default_factory=list)
    interactions: list = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.overdue or self.due or self.visits or self.interactions)

    @property
    def agenda(self) -> list[tuple[str, object]]:
        """The interactions ("interaction") and the campaign visits ("visit") in one list,
        by day then time (an interaction without a time first in its day)."""

        def key(item):
            kind, obj = item
            if kind == "visit":
                at = timezone.localtime(obj.planned_at)
                return (at.date(), 1, at.time(), obj.pk)
            has_time = obj.start_time is not None
            return (obj.occurred_on, int(has_time), obj.start_time or dt.time.min, obj.pk)

        items = [("interaction", i) for i in self.interactions]
        items += [("visit", t) for t in self.visits]
        return sorted(items, key=key)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "overdue": len(self.overdue),
            "due": len(self.due),
            "visits": len(self.visits),
            "interactions": len(self.interactions),
        }


def digest_for(user, *, today: dt.date | None = None) -> Digest:
    """What `user` has to do and whom they meet from `today` for DAYS_AHEAD days."""
    from pilote.prospecting.enums import TargetStatus
    from pilote.prospecting.models import CampaignTarget

    start = today or timezone.localdate()
    end = start + dt.timedelta(days=DAYS_AHEAD - 1)
    actions = list(
        Action.objects.visible_to(user)
        .owned_by(user)
        .open()
        .filter(due_date__lte=end)
        .select_related("establishment__company", "epci")
        .order_by("due_date", "pk")
    )
    visits = list(
        CampaignTarget.objects.visible_to(user)
        .filter(
            assigned_to=user,
            status=TargetStatus.MEETING_PLANNED,
            planned_at__gte=_midnight(start),
            planned_at__lt=_midnight(end + dt.timedelta(days=1)),
        )
        .select_related("campaign__epci", "establishment__company", "establishment__commune")
        .order_by("planned_at", "pk")
    )
    interactions = list(
        Interaction.objects.visible_to(user)
        .filter(participants=user, occurred_on__gte=start, occurred_on__lte=end)
        .select_related("establishment__company", "epci")
        .order_by("occurred_on", F("start_time").asc(nulls_first=True), "pk")
        .distinct()
    )
    # A visit planned from the establishment page is ONE interaction plus, with a campaign,
    # its target « rendez-vous fixé » the same day: it is listed once, as the interaction
    # (the meeting-to-be); the target stays on the prospecting calendar.
    planned = {(i.establishment_id, i.occurred_on) for i in interactions}
    visits = [
        t for t in visits if (t.establishment_id, timezone.localdate(t.planned_at)) not in planned
    ]
    return Digest(
        user=user,
        start=start,
        end=end,
        overdue=[a for a in actions if a.due_date < start],
        due=[a for a in actions if a.due_date >= start],
        visits=visits,
        interactions=interactions,
    )


def recipients():
    """Active accounts with an active membership through which they may see follow-up."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__role__in=FOLLOW_UP_ROLES,
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def already_sent(user, week: str) -> bool:
    events = AuditEvent.objects.filter(
        action=SENT_ACTION,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(user.pk),
    ).values_list("changes", flat=True)
    return any((changes.get("week") or [None, None])[1] == week for changes in events)


@transaction.atomic
def digest_send(*, user_id: int, today: dt.date | None = None) -> str:
    """Send `user_id` their digest of the week of `today`, once: "sent", "empty",
    "already_sent" or "inactive". The email leaves after the transaction commits."""
    today = today or timezone.localdate()
    week = week_key(today)
    # Lock the recipient: two workers on the same user and week send one email.
    user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
    if user is None or not recipients().filter(pk=user_id).exists():
        return "inactive"
    if already_sent(user, week):
        return "already_sent"
    digest = digest_for(user, today=today)
    if digest.is_empty:
        return "empty"
    queue_email("accompaniment.digest", user_id=user.pk, day=today.isoformat())
    audit.record(
        actor=None,
        action=SENT_ACTION,
        obj=user,
        extra={"week": week, **digest.counts},
    )
    return "sent"
