"""Background work of the accompaniment app (django-tasks): the weekly digests are queued
here, one task per user, and each task builds its digest when it runs (`digest.py`)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from pilote.accompaniment import digest


@task()
def send_digest(*, user_id: int, day: str) -> str:
    """The weekly digest of one user, built when the task runs (`day`: ISO date of the week's
    first day covered). Sending it twice in the same week sends nothing the second time."""
    return digest.digest_send(user_id=user_id, today=dt.date.fromisoformat(day))


def send_digests(*, today: dt.date | None = None, dry_run: bool = True) -> dict[str, int]:
    """Queue one digest task per recipient with something to say this week (after commit).
    A dry run only counts them."""
    today = today or timezone.localdate()
    week = digest.week_key(today)
    counts = {"recipients": 0, "queued": 0, "empty": 0, "already_sent": 0}
    for user in digest.recipients():
        counts["recipients"] += 1
        if digest.already_sent(user, week):
            counts["already_sent"] += 1
            continue
        if digest.digest_for(user, today=today).is_empty:
            counts["empty"] += 1
            continue
        counts["queued"] += 1
        if not dry_run:
            user_id, day = user.pk, today.isoformat()
            transaction.on_commit(lambda u=user_id, d=day: send_digest.enqueue(user_id=u, day=d))
    return counts
