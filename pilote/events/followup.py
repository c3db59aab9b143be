"""What events add to the other pages, through their registries (never imported by them):
the establishment's timeline and the directory's « suivi » filter (the `Attendance`
follow-up, read through `visible_to`), « Ma semaine » (the coming events) and the
newsletter's agenda (public information: published events only)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from pilote.accompaniment.week import WeekSection
from pilote.accounts.scope import get_scope
from pilote.companies.registry import TimelineEntry
from pilote.events import perms
from pilote.events.models import Attendance, Event

WEEK_DAYS = 7


def followed_establishments(user):
    return Attendance.objects.visible_to(user).filter(present=True).values("establishment_id")


def timeline_entries(user, establishment) -> list[TimelineEntry]:
    rows = (
        Attendance.objects.visible_to(user)
        .filter(establishment=establishment)
        .select_related("event")
    )
    entries = []
    for a in rows:
        event = a.event
        when = timezone.localtime(event.starts_at)
        detail = f"{event.get_kind_display()} · {event.place}"
        entries.append(TimelineEntry(when, "Événement", a.label, event.get_absolute_url(), detail))
    return entries


def upcoming_for(user, *, start: dt.datetime, end: dt.datetime | None = None, territory=None):
    """The published events `user` reads, not yet over at `start` and starting before `end`."""
    rows = (
        Event.objects.filter(perms.readable_q(user))
        .published()
        .filter(ends_at__gte=start)
        .select_related("epci")
        .with_counts()
        .order_by("starts_at", "pk")
    )
    if end is not None:
        rows = rows.filter(starts_at__lt=end)
    if territory is not None:
        rows = rows.filter(territory=territory)
    return rows


def week_section(user, today: dt.date) -> WeekSection | None:
    if not get_scope(user).territory_ids:
        return None
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    rows = list(upcoming_for(user, start=start, end=start + dt.timedelta(days=WEEK_DAYS)))
    return WeekSection(
        title="Événements à venir",
        template="events/_week.html",
        context={"rows": rows, "list_url": reverse("events:list")},
    )


def _territory_of(subject):
    """A territory, from itself, a mailing list or a newsletter issue."""
    if hasattr(subject, "mailing_list"):
        subject = subject.mailing_list
    if hasattr(subject, "territory"):
        subject = subject.territory
    return subject


def newsletter_agenda(subject, today: dt.date) -> list[tuple[dt.date, str, str, str]]:
    """The published events of a territory (or of a mailing list's, or an issue's) not over
    on `today`, as (date, title, place, public registration URL), soonest first."""
    territory = _territory_of(subject)
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    rows = (
        Event.objects.published()
        .filter(Q(territory=territory), ends_at__gte=start)
        .order_by("starts_at", "pk")
    )
    return [(timezone.localtime(e.starts_at).date(), e.title, e.place, e.public_url) for e in rows]


def newsletter_lines(issue, today: dt.date) -> list[str]:
    """The newsletter's « agenda des événements » (`outreach.sections.event_sources`): one
    Markdown line per event, with its public registration link while registrations are open."""
    from django.utils import dateformat, translation

    lines = []
    events = {
        e.public_url: e for e in Event.objects.published().filter(territory=_territory_of(issue))
    }
    for day, title, place, url in newsletter_agenda(issue, today):
        with translation.override("fr"):
            when = dateformat.format(day, "l j F Y")
        line = f"- **{when}** — {title}, {place}"
        event = events.get(url)
        if event is not None and event.accepts_registrations:
            line += f" ([s'inscrire]({url}))"
        lines.append(line)
    return lines
