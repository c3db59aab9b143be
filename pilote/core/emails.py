"""Emails from a template triplet `emails/<name>-subject.txt`, `-body.txt`, `-body.html`.

`queue_email` never sends inside a transaction: the task is enqueued once the surrounding
transaction commits, so a rolled-back write sends nothing.
"""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from pilote.core.tasks import send_email


def render_email(name: str, context: dict) -> dict[str, str]:
    context = {"site_url": settings.SITE_URL, "site_name": settings.SITE_NAME, **context}
    subject = render_to_string(f"emails/{name}-subject.txt", context)
    return {
        "subject": " ".join(subject.split()),
        "text": render_to_string(f"emails/{name}-body.txt", context),
        "html": render_to_string(f"emails/{name}-body.html", context),
    }


def queue_email(name: str, *, to: list[str], context: dict) -> None:
    message = render_email(name, context)
    transaction.on_commit(lambda: send_email.enqueue(to=to, **message))
