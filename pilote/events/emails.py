"""Emails of the events app (`core.emails`), from `templates/emails/events_*`: queued with
ids, built when sent. The self-cancel link is signed then (`cancel_token`): no link sits in
the task table, and the database alone cannot forge one."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from pilote.core import emails
from pilote.events import ics
from pilote.events.enums import EventStatus, RegistrationStatus
from pilote.events.models import FollowUpMessage, Registration

_SALT = "pilote.events.cancel"


def cancel_token(registration: Registration) -> str:
    return signing.Signer(salt=_SALT).sign(registration.key.hex)


def registration_for_token(token: str) -> Registration | None:
    try:
        key = signing.Signer(salt=_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Registration.objects.select_related("event__territory").filter(key=key).first()


def cancel_url(registration: Registration) -> str:
    return settings.SITE_URL + reverse(
        "events:cancel", kwargs={"token": cancel_token(registration)}
    )


def _registration(registration_id: int, *statuses) -> Registration:
    registration = (
        Registration.objects.select_related("event__territory")
        .filter(pk=registration_id, status__in=statuses)
        .exclude(email="")
        .first()
    )
    if registration is None:
        raise emails.NotSent(f"registration {registration_id} is no longer {'/'.join(statuses)}")
    if registration.event.status == EventStatus.CANCELLED:
        raise emails.NotSent(f"the event of registration {registration_id} is cancelled")
    return registration


def _with_invitation(registration: Registration, context: dict) -> emails.Envelope:
    return emails.Envelope(
        to=[registration.email],
        context={
            "registration": registration,
            "event": registration.event,
            "cancel_url": cancel_url(registration),
            **context,
        },
        attachments=[
            (
                ics.filename(registration.event),
                ics.invitation(registration),
                "text/calendar; charset=utf-8; method=PUBLISH",
            )
        ],
    )


@emails.register("events.confirmation", template="emails/events_confirmation")
def confirmation(*, registration_id: int) -> emails.Envelope:
    """The confirmation of a registration (a seat: with the invitation; the waiting list:
    the position, no invitation yet)."""
    registration = _registration(
        registration_id, RegistrationStatus.REGISTERED, RegistrationStatus.WAITING
    )
    if registration.status == RegistrationStatus.WAITING:
        return emails.Envelope(
            to=[registration.email],
            context={
                "registration": registration,
                "event": registration.event,
                "cancel_url": cancel_url(registration),
                "position": registration.waiting_position,
            },
        )
    return _with_invitation(registration, {})


@emails.register("events.promoted", template="emails/events_promoted")
def promoted(*, registration_id: int) -> emails.Envelope:
    """A seat freed: the first person waiting now has one."""
    return _with_invitation(_registration(registration_id, RegistrationStatus.REGISTERED), {})


@emails.register("events.reminder", template="emails/events_reminder")
def reminder(*, registration_id: int) -> emails.Envelope:
    """The day before."""
    return _with_invitation(_registration(registration_id, RegistrationStatus.REGISTERED), {})


@emails.register("events.followup", template="emails/events_followup")
def followup(*, message_id: int, registration_id: int) -> emails.Envelope:
    """The team's text after the event, to one attendee or absentee."""
    message = (
        FollowUpMessage.objects.select_related("event__territory").filter(pk=message_id).first()
    )
    registration = (
        message and message.recipients.filter(pk=registration_id).exclude(email="").first()
    )
    if registration is None:
        raise emails.NotSent(f"registration {registration_id} is not a recipient of {message_id}")
    return emails.Envelope(
        to=[registration.email],
        context={"registration": registration, "event": message.event, "message": message},
    )
