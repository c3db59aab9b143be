"""The iCalendar feed of a user's visits: one VEVENT per visit the user may see."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from pilote.prospecting.models import CampaignTarget

# Visits already held stay in the feed this long; later ones all appear.
PAST_DAYS = 180
VISIT_DURATION = dt.timedelta(hours=1, minutes=30)


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
    for target in targets:
        calendar.add_component(event_for(target, tz=tz, host=host))
    if targets:
        first, last = targets[0].planned_at.date(), targets[-1].planned_at.date()
        calendar.add_missing_timezones(
            first_date=first - dt.timedelta(days=366), last_date=last + dt.timedelta(days=366)
        )
    return calendar.to_ical()
