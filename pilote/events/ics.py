"""The `.ics` invitation attached to a registration's emails (RFC 5545): one VEVENT whose
UID is stable for the registration (a later email updates the same calendar entry, with a
higher SEQUENCE), DTSTART/DTEND with TZID Europe/Paris and their VTIMEZONE, ORGANIZER,
ATTENDEE, LOCATION. METHOD:PUBLISH — an entry to add, no answer expected; METHOD:CANCEL
with STATUS:CANCELLED once the registration or the event is cancelled."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from pilote.events.enums import EventStatus, RegistrationStatus


def uid_of(registration) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "pilote"
    return f"pilote-inscription-{registration.key}@{host}"


def invitation(registration) -> bytes:
    event = registration.event
    tz = ZoneInfo(settings.TIME_ZONE)
    cancelled = (
        registration.status == RegistrationStatus.CANCELLED or event.status == EventStatus.CANCELLED
    )
    calendar = Calendar()
    calendar.add("prodid", "-//Pilote//Evenements du territoire//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    vevent = Event()
    vevent.add("uid", uid_of(registration))
    vevent.add("dtstamp", timezone.now().astimezone(dt.UTC))
    vevent.add("last-modified", max(event.updated_at, registration.updated_at).astimezone(dt.UTC))
    vevent.add("sequence", int(max(event.updated_at, registration.updated_at).timestamp()) // 60)
    vevent.add("dtstart", event.starts_at.astimezone(tz))
    vevent.add("dtend", event.ends_at.astimezone(tz))
    vevent.add("summary", event.title)
    vevent.add("location", ", ".join(part for part in (event.place, event.address) if part))
    lines = [event.get_kind_display()]
    if event.description:
        lines.append(event.description)
    lines.append(f"Inscription : {event.public_url}")
    vevent.add("description", "\n\n".join(lines))
    vevent.add("url", event.public_url)
    organiser = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL.split('<')[-1].strip('> ')}")
    organiser.params["cn"] = vText(f"Territoire d'industrie {event.territory.name}")
    vevent.add("organizer", organiser)
    if registration.email:
        attendee = vCalAddress(f"mailto:{registration.email}")
        attendee.params["cn"] = vText(registration.full_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("DECLINED" if cancelled else "ACCEPTED")
        vevent.add("attendee", attendee)
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    calendar.add_component(vevent)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def filename(event) -> str:
    return "invitation.ics"
