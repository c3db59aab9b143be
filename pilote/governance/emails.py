"""E-mails of the governance app (`core.emails`), from `templates/governance/emails/`:
queued with ids, built when sent.

- `governance.invitation`: the invitation to a meeting (or its cancellation), with the
  `.ics` attached (`invitations.meeting_ics`, built at send time: the latest SEQUENCE);
- `governance.minutes_circulated`: to an attendee's account, the minutes are open for
  comments (a link to the meeting, never the text)."""

from __future__ import annotations

from django.conf import settings

from pilote.core import emails
from pilote.governance import invitations
from pilote.governance.enums import MeetingStatus, MinutesStatus
from pilote.governance.minutes import circulation_recipients
from pilote.governance.models import Attendee, Minutes


@emails.register("governance.invitation", template="governance/emails/invitation")
def invitation(*, attendee_id: int) -> emails.Envelope:
    attendee = (
        Attendee.objects.select_related("meeting__body__territory", "member__user")
        .filter(pk=attendee_id)
        .first()
    )
    address = invitations.address_of(attendee) if attendee else ""
    if not address:
        raise emails.NotSent(f"attendee {attendee_id} is gone or has no address")
    meeting = attendee.meeting
    cancelled = meeting.status == MeetingStatus.CANCELLED
    method = "CANCEL" if cancelled else "REQUEST"
    return emails.Envelope(
        to=[address],
        context={
            "attendee": attendee,
            "meeting": meeting,
            "cancelled": cancelled,
            "items": list(meeting.agenda_items.order_by("position", "pk")),
            "meeting_url": settings.SITE_URL + meeting.get_absolute_url(),
        },
        attachments=[
            (
                invitations.filename(meeting),
                invitations.meeting_ics(meeting),
                f"text/calendar; charset=utf-8; method={method}",
            )
        ],
    )


@emails.register("governance.minutes_circulated", template="governance/emails/minutes_circulated")
def minutes_circulated(*, minutes_id: int, user_id: int) -> emails.Envelope:
    minutes = (
        Minutes.objects.select_related("meeting__body__territory").filter(pk=minutes_id).first()
    )
    if minutes is None or minutes.status != MinutesStatus.CIRCULATED:
        raise emails.NotSent(f"minutes {minutes_id} are no longer circulated")
    user = next((u for u in circulation_recipients(minutes) if u.pk == user_id), None)
    if user is None:
        raise emails.NotSent(f"user {user_id} no longer reads minutes {minutes_id}")
    meeting = minutes.meeting
    return emails.Envelope(
        to=[user.email],
        context={
            "user": user,
            "meeting": meeting,
            "minutes": minutes,
            "meeting_url": settings.SITE_URL + meeting.get_absolute_url(),
        },
    )
