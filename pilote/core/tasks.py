from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def send_email(*, to: list[str], subject: str, text: str, html: str) -> None:
    """Legacy: only runs emails queued, already rendered, by versions before references
    (tasks still waiting in the queue at the upgrade). Never enqueue it: use
    `core.emails.queue_email`."""
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(html, "text/html")
    message.send()
