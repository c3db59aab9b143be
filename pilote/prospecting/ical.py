"""The iCalendar feed of a user's visits: one VEVENT per visit the user may see — each
campaign target with a rendez-vous (`planned_at`), and the visits other capabilities record,
given by the functions of `visit_sources` (appended in their app's `ready()`; accompaniment:
its visits and rendez-vous, planned or held, `accompaniment.calendar_feed`). Such a visit is
a timed event in Europe/Paris when its time is known, an all-day event otherwise. A visit
that is also a target of the feed (same establishment, same day: « Planifier une visite »
with a campaign) appears once, as the target."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from pilote.prospecting.models import CampaignTarget

# Visits already held stay in the feed this long; later ones all appear.
PAST_DAYS = 180
VISIT_DURATION = dt.timedelta(hours=1, minutes=30)


@dataclass(frozen=True)
class FeedVisit:
    """A visit another capability puts in the feed, already filtered by what the user may see."""

    uid: str  # unique and stable, e.g. "pilote-echange-12"
    establishment: object
    day: dt.date
    time: dt.time | None  # local time (settings.TIME_ZONE); None: an all-day event
    summary: str
    lines: list[str]  # the description, one line each
    url: str  # absolute
    updated_at: dt.datetime


# Functions `(user, since: dt.date) -> list[FeedVisit]`, appended in their app's ready().
visit_sources: list[Callable[[object, dt.date], list[FeedVisit]]] = []


def visits(user, *, now: dt.datetime | None = None):
    since = (now or timezone.now()) - dt.timedelta(days=PAST_DAYS)
    return (
        CampaignTarget.objects.visible_to(user)
        .visits()
        .filter(planned_at__gte=since)
        .select_related(
            "campaign__epci", "establishment__company", "establishment__commune", "assigned_to"
        )
        .order_by("planned_at", "pk")
    )


def address_of(establishment) -> str:
    town = f"{establishment.postcode} {establishment.city or establishment.commune.name}".strip()
    parts = [establishment.address, establishment.address_complement, town]
    return ", ".join(part for part in parts if part)


def event_for(target: CampaignTarget, *, tz: ZoneInfo, host: str) -> Event:
    establishment, campaign = target.establishment, target.campaign
    link = settings.SITE_URL + target.get_absolute_url()
    lines = [
        f"Campagne : {campaign.name} ({campaign.epci.name})",
        f"Statut : {target.get_status_display()}",
        f"SIRET : {establishment.siret}",
    ]
    if target.assigned_to:
        lines.append(f"Suivi par : {target.assigned_to}")
    if target.note:
        lines.append(f"Commentaire : {target.note}")
    lines.append(link)
    start = target.planned_at.astimezone(tz)
    event = Event()
    event.add("uid", f"pilote-cible-{target.pk}@{host}")
    event.add("dtstamp", target.updated_at.astimezone(dt.UTC))
    event.add("last-modified", target.updated_at.astimezone(dt.UTC))
    event.add("dtstart", start)
    event.add("dtend", start + VISIT_DURATION)
    event.add("summary", f"Visite : {establishment.display_name}")
    event.add("location", address_of(establishment))
    event.add("description", "\n".join(lines))
    event.add("url", link)
    event.add("status", "CONFIRMED")
    return event


def feed_visit_event(visit: FeedVisit, *, tz: ZoneInfo, host: str) -> Event:
    """A timed event when the visit's time is known, an all-day one otherwise."""
    event = Event()
    event.add("uid", f"{visit.uid}@{host}")
    event.add("dtstamp", visit.updated_at.astimezone(dt.UTC))
    event.add("last-modified", visit.updated_at.astimezone(dt.UTC))
    if visit.time is not None:
        start = dt.datetime.combine(visit.day, visit.time, tzinfo=tz)
        event.add("dtstart", start)
        event.add("dtend", start + VISIT_DURATION)
    else:
        event.add("dtstart", visit.day)  # VALUE=DATE: all day
        event.add("dtend", visit.day + dt.timedelta(days=1))
    event.add("summary", visit.summary)
    event.add("location", address_of(visit.establishment))
    event.add("description", "\n".join([*visit.lines, visit.url]))
    event.add("url", visit.url)
    event.add("status", "CONFIRMED")
    return event


def visits_calendar(user, *, now: dt.datetime | None = None) -> bytes:
    tz = ZoneInfo(settings.TIME_ZONE)
    host = urlsplit(settings.SITE_URL).hostname or "pilote"
    calendar = Calendar()
    calendar.add("prodid", "-//Pilote//Visites de prospection//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Pilote — visites de prospection")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    targets = list(visits(user, now=now))
    events = [(t.planned_at.astimezone(tz), event_for(t, tz=tz, host=host)) for t in targets]
    seen = {(t.establishment_id, t.planned_at.astimezone(tz).date()) for t in targets}
    since = timezone.localdate(now or timezone.now()) - dt.timedelta(days=PAST_DAYS)
    for source in visit_sources:
        for visit in source(user, since):
            if (visit.establishment.pk, visit.day) in seen:
                continue
            start = dt.datetime.combine(visit.day, visit.time or dt.time.min, tzinfo=tz)
            events.append((start, feed_visit_event(visit, tz=tz, host=host)))
    events.sort(key=lambda pair: pair[0])
    for _, event in events:
        calendar.add_component(event)
    if events:
        first, last = events[0][0].date(), events[-1][0].date()
        calendar.add_missing_timezones(
            first_date=first - dt.timedelta(days=366), last_date=last + dt.timedelta(days=366)
        )
    return calendar.to_ical()
