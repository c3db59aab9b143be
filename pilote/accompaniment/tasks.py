"""Background work of the accompaniment app (django-tasks)."""

import datetime as dt

from django_tasks import task

from pilote.accompaniment import digest


@task()
def send_digest(*, user_id: int, day: str) -> str:
    """The weekly digest of one user, built when the task runs (`day`: ISO date of the week's
    first day covered). Sending it twice in the same week sends nothing the second time."""
    return digest.digest_send(user_id=user_id, today=dt.date.fromisoformat(day))
