"""The calendar of calls: openings and closings of every window, and its iCalendar feed.

Catalogue data only (public to every member); the feed's address is a per-user secret
so that it can be revoked, like the visits feed of prospecting.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from pilote.aids.enums import CLOSING_SOON_DAYS, CallStatus
from pilote.aids.models import AidScheme, Window

PAST_DAYS = 365  # closed calls shown on the page and in the feed


@dataclass
class Entry:
    scheme: AidScheme
    window: Window
    status: str

    @property
    def closes_soon(self) -> bool:
        return self.window.closes_soon(timezone.localdate())

    @property
    def days_left(self) -> int | None:
        if not self.window.closes_on:
            return None
        return (self.window.closes_on - timezone.localdate()).days


def filtered(schemes, *, theme: str = "", level: str = "", carrier: str = "", q: str = ""):
    schemes = schemes.search(q)
    if theme:
        schemes = schemes.with_theme(theme)
    if level:
        schemes = schemes.filter(level=level)
    if carrier:
        schemes = schemes.with_carrier(carrier)
    return schemes


def entries(schemes, today: dt.date | None = None) -> list[Entry]:
    today = today or timezone.localdate()
    out = []
    for scheme in schemes.prefetch_related("windows"):
        for window in scheme.effective_windows():
            out.append(Entry(scheme, window, window.status(today)))
    return out


@dataclass
class Agenda:
    closing_soon: list[Entry]
    open: list[Entry]
    upcoming: list[Entry]
    past: list[Entry]


def agenda(schemes, today: dt.date | None = None) -> Agenda:
    """Open windows closing within 30 days (soonest first), other open windows (by closing),
    upcoming openings (soonest first), windows closed in the last year (latest first)."""
    today = today or timezone.localdate()
    far = dt.date.max
    found = entries(schemes, today)
    soon = [e for e in found if e.window.closes_soon(today)]
    open_ = [e for e in found if e.status == CallStatus.OPEN and e not in soon]
    upcoming = [e for e in found if e.status == CallStatus.UPCOMING]
    since = today - dt.timedelta(days=PAST_DAYS)
    past = [e for e in found if e.status == CallStatus.CLOSED and e.window.closes_on >= since]

    def key(date_of):
        return lambda e: (date_of(e) or far, e.scheme.title, e.scheme.pk)

    return Agenda(
        closing_soon=sorted(soon, key=key(lambda e: e.window.closes_on)),
        open=sorted(open_, key=key(lambda e: e.window.closes_on)),
        upcoming=sorted(upcoming, key=key(lambda e: e.window.opens_on)),
        past=sorted(past, key=key(lambda e: e.window.closes_on), reverse=True),
    )


def closing_within(schemes, days: int = CLOSING_SOON_DAYS, today: dt.date | None = None):
    today = today or timezone.localdate()
    return [e for e in entries(schemes, today) if e.window.closes_soon(today)]


def _event(uid: str, day: dt.date, summary: str, scheme: AidScheme, stamp: dt.datetime):
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    link = settings.SITE_URL + scheme.get_absolute_url()
    lines = [scheme.promise] if scheme.promise else []
    carriers = ", ".join(scheme.carrier_names)
    if carriers:
        lines.append(f"Porteurs : {carriers}")
    lines.append(link)
    event.add("description", "\n".join(lines))
    event.add("url", link)
    event.add("transp", "TRANSPARENT")
    return event


def calls_calendar(schemes, today: dt.date | None = None) -> bytes:
    """All-day events: « Ouverture » and « Clôture » of each window, past year onwards."""
    today = today or timezone.localdate()
    host = urlsplit(settings.SITE_URL).hostname or "pilote"
    calendar = Calendar()
    calendar.add("prodid", "-//Pilote//Calendrier des appels//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Pilote — appels à projets")
    since = today - dt.timedelta(days=PAST_DAYS)
    for entry in entries(schemes, today):
        scheme, window = entry.scheme, entry.window
        stamp = scheme.updated_at.astimezone(dt.UTC)
        ident = f"{scheme.pk}-{window.pk or 'periode'}"
        name = scheme.title + (f" ({window.label})" if window.label else "")
        if window.opens_on and window.opens_on >= since:
            calendar.add_component(
                _event(
                    f"pilote-appel-{ident}-ouverture@{host}",
                    window.opens_on,
                    f"Ouverture : {name}",
                    scheme,
                    stamp,
                )
            )
        if window.closes_on and window.closes_on >= since:
            calendar.add_component(
                _event(
                    f"pilote-appel-{ident}-cloture@{host}",
                    window.closes_on,
                    f"Clôture : {name}",
                    scheme,
                    stamp,
                )
            )
    return calendar.to_ical()
