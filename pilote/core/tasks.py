from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def send_queued_email(*, kind: str, refs: dict) -> str:
    """Build and send one email from its references (`core.emails`): "sent", or
    "not sent: <why>" when what it was about is gone."""
    from pilote.core import emails

    return emails.send(kind, **refs)


@task()
def send_email(*, to: list[str], subject: str, text: str, html: str) -> None:
    """Legacy: only runs emails queued, already rendered, by versions before references
    (tasks still waiting in the queue at the upgrade). Never enqueue it: use
    `core.emails.queue_email`."""
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(html, "text/html")
    message.send()
