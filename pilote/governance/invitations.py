"""The invitation to a meeting (docs/governance.md#invitations): an RFC 5545 `.ics` and the
e-mail that carries it to every attendee with an address.

`meeting_ics(meeting)` is one VEVENT, METHOD:REQUEST, whose UID is stable for the meeting
(`governance-meeting-<pk>@<host of SITE_URL>`: a later invitation updates the same calendar
entry) and whose SEQUENCE is `meeting.sequence`; DTSTART/DTEND with TZID Europe/Paris and its
VTIMEZONE; an RRULE for a recurring meeting; METHOD:CANCEL and STATUS:CANCELLED once the
meeting is cancelled.

`invitations_send(acting_user=…, meeting=…)` queues one e-mail per attendee with an address
(the task table carries the attendee's id only; the e-mail and its `.ics` are built when the
task runs), records when, and bumps SEQUENCE when the meeting or its agenda changed since
the last sending.
"""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from pilote.core import audit
from pilote.core.emails import queue_email
from pilote.governance.enums import MeetingStatus, Recurrence
from pilote.governance.minutes import _check_manage
from pilote.governance.models import Attendee, Meeting

DEFAULT_DURATION = dt.timedelta(hours=2)
# Recurrence → RRULE parts (COUNT added from `recurrence_count`).
RRULES = {
    Recurrence.MONTHLY: {"FREQ": "MONTHLY"},
    Recurrence.QUARTERLY: {"FREQ": "MONTHLY", "INTERVAL": 3},
    Recurrence.HALF_YEARLY: {"FREQ": "MONTHLY", "INTERVAL": 6},
    Recurrence.YEARLY: {"FREQ": "YEARLY"},
}


def uid_of(meeting: Meeting) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "pilote"
    return f"governance-meeting-{meeting.pk}@{host}"


def filename(meeting: Meeting) -> str:
    return f"invitation-{timezone.localtime(meeting.starts_at):%Y-%m-%d}.ics"


def address_of(attendee: Attendee) -> str:
    """The attendee's e-mail: the one written down, else their member's account's."""
    if attendee.email:
        return attendee.email
    user = attendee.member.user if attendee.member_id and attendee.member else None
    return user.email if user is not None and user.is_active else ""


def recipients(meeting: Meeting) -> list[tuple[Attendee, str]]:
    """(attendee, address) of each attendee with an e-mail, each address once."""
    found, seen = [], set()
    for attendee in meeting.attendees.select_related("member__user").order_by("pk"):
        address = address_of(attendee)
        if address and address.lower() not in seen:
            seen.add(address.lower())
            found.append((attendee, address))
    return found


def rrule_of(meeting: Meeting) -> dict | None:
    rule = RRULES.get(meeting.recurrence)
    if rule is None:
        return None
    rule = dict(rule)
    if meeting.recurrence_count:
        rule["COUNT"] = meeting.recurrence_count
    return rule


def meeting_ics(meeting: Meeting) -> bytes:
    tz = ZoneInfo(settings.TIME_ZONE)
    cancelled = meeting.status == MeetingStatus.CANCELLED
    territory = meeting.body.territory
    calendar = Calendar()
    calendar.add("prodid", "-//Pilote//Gouvernance du territoire//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", uid_of(meeting))
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("last-modified", meeting.updated_at.astimezone(dt.UTC))
    event.add("sequence", meeting.sequence)
    start = meeting.starts_at.astimezone(tz)
    end = meeting.ends_at if meeting.ends_at and meeting.ends_at > meeting.starts_at else None
    event.add("dtstart", start)
    event.add("dtend", (end or meeting.starts_at + DEFAULT_DURATION).astimezone(tz))
    rule = rrule_of(meeting)
    if rule and not cancelled:
        event.add("rrule", rule)
    event.add("summary", f"{meeting.body.name} — {meeting.title}")
    if meeting.place:
        event.add("location", meeting.place)
    lines = [f"{meeting.body.name} — Territoire d'industrie {territory.name}"]
    items = list(meeting.agenda_items.order_by("position", "pk"))
    if items:
        lines.append("Ordre du jour :")
        lines += [f"{n}. {item.title}" for n, item in enumerate(items, start=1)]
    link = settings.SITE_URL + meeting.get_absolute_url()
    lines.append(f"Dans Pilote : {link}")
    event.add("description", "\n".join(lines))
    event.add("url", link)
    organiser = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
    organiser.params["cn"] = vText(f"Territoire d'industrie {territory.name}")
    event.add("organizer", organiser)
    for attendee, address in recipients(meeting):
        line = vCalAddress(f"mailto:{address}")
        if attendee.display_name:
            line.params["cn"] = vText(attendee.display_name)
        line.params["role"] = vText("REQ-PARTICIPANT")
        line.params["partstat"] = vText("NEEDS-ACTION")
        line.params["rsvp"] = vText("FALSE")
        event.add("attendee", line)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def changed_since_sent(meeting: Meeting) -> bool:
    """Whether the meeting or its agenda changed after the invitations were last sent."""
    sent = meeting.invitations_sent_at
    if sent is None:
        return False
    return meeting.updated_at > sent or meeting.agenda_items.filter(updated_at__gt=sent).exists()


@transaction.atomic
def invitations_send(*, acting_user, meeting: Meeting) -> int:
    """E-mail the invitation (or, for a cancelled meeting invited before, the cancellation)
    to every attendee with an address; the number of e-mails queued."""
    meeting = (
        Meeting.objects.select_for_update().select_related("body__territory").get(pk=meeting.pk)
    )
    _check_manage(acting_user, meeting)
    if meeting.status == MeetingStatus.CANCELLED and meeting.invitations_sent_at is None:
        raise ValidationError("Cette réunion est annulée : il n'y a pas d'invitation à envoyer.")
    targets = recipients(meeting)
    if not targets:
        raise ValidationError("Aucun participant n'a d'adresse électronique : ajoutez-en.")
    before = audit.snapshot(meeting, ["sequence", "invitations_sent_at"])
    sequence = meeting.sequence + 1 if changed_since_sent(meeting) else meeting.sequence
    now = timezone.now()
    # `update()`: sending is not an edit of the meeting — its version (`updated_at`, the
    # meeting form's optimistic lock) stays, and a later edit shows as a change since `now`.
    Meeting.objects.filter(pk=meeting.pk).update(sequence=sequence, invitations_sent_at=now)
    meeting.sequence, meeting.invitations_sent_at = sequence, now
    for attendee, _ in targets:
        queue_email("governance.invitation", attendee_id=attendee.pk)
    audit.record(
        actor=acting_user, action="governance_meeting.invitations", obj=meeting, before=before,
        after=audit.snapshot(meeting, ["sequence", "invitations_sent_at"]),
        extra={"attendees": [attendee.pk for attendee, _ in targets]},
    )  # fmt: skip
    return len(targets)
