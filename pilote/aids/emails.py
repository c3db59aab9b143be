"""Emails of this app, from `templates/aids/emails/<name>-subject.txt`, `-body.txt`,
`-body.html`; sent by `core.tasks.send_email` once the transaction commits, like
`core.emails.queue_email` (whose templates live in `templates/emails/`)."""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from pilote.core.tasks import send_email


def render(name: str, context: dict) -> dict[str, str]:
    context = {"site_url": settings.SITE_URL, "site_name": settings.SITE_NAME, **context}
    subject = render_to_string(f"aids/emails/{name}-subject.txt", context)
    return {
        "subject": " ".join(subject.split()),
        "text": render_to_string(f"aids/emails/{name}-body.txt", context),
        "html": render_to_string(f"aids/emails/{name}-body.html", context),
    }


def queue(name: str, *, to: list[str], context: dict) -> None:
    message = render(name, context)
    transaction.on_commit(lambda: send_email.enqueue(to=to, **message))
