"""Emails of the accompaniment app (`core.emails`): queued with ids, built when sent."""

import datetime as dt

from django.urls import reverse

from pilote.accompaniment import digest
from pilote.core import emails


@emails.register("accompaniment.digest", template="emails/accompaniment_digest")
def weekly_digest(*, user_id: int, day: str) -> emails.Envelope:
    """The digest of `user_id` for the week from `day` (ISO date), read through what they
    may see when it is sent."""
    user = digest.recipients().filter(pk=user_id).first()
    if user is None:
        raise emails.NotSent(f"user {user_id} no longer receives the digest")
    built = digest.digest_for(user, today=dt.date.fromisoformat(day))
    if built.is_empty:
        raise emails.NotSent(f"the digest of user {user_id} for {day} is now empty")
    return emails.Envelope(
        to=[user.email],
        context={
            "digest": built,
            "actions_path": reverse("accompaniment:my_actions"),
            "calendar_path": reverse("prospecting:calendar"),
        },
    )
