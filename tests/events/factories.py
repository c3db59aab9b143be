"""Events for the tests: an event of territory A run by an actor of tests/world.py."""

import datetime as dt

from django.utils import timezone

from pilote.events import services
from pilote.events.enums import EventKind, EventStatus


def at(days: int, hour: int = 9) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def event_of(world, author="manager", *, epci=None, days=10, **fields):
    """An event `days` from today (negative: past), published, created through the service.
    `days=0` is an event in progress whatever the hour the suite runs: started an hour ago,
    ending in two (registrations still open, attendance already markable)."""
    fields.setdefault("kind", EventKind.WORKSHOP)
    fields.setdefault("title", "Atelier décarbonation")
    fields.setdefault("place", "CCI, salle Watteau")
    fields.setdefault("status", EventStatus.PUBLISHED)
    if days == 0:
        now = timezone.now().replace(microsecond=0)
        fields.setdefault("starts_at", now - dt.timedelta(hours=1))
        fields.setdefault("ends_at", now + dt.timedelta(hours=2))
    fields.setdefault("starts_at", at(days, 9))
    fields.setdefault("ends_at", at(days, 12))
    return services.event_create(
        acting_user=world.users[author],
        territory=world.territory_a,
        epci=world.epcis[epci] if isinstance(epci, str) else epci,
        **fields,
    )


def register(event, n=1, *, acting_user=None, **fields):
    """Register `n` people through the public path (consent given)."""
    out = []
    for i in range(n):
        data = {
            "first_name": f"Prénom{i}",
            "last_name": f"Nom{i}",
            "email": f"p{i}-{event.pk}@exemple.fr",
            "consent": True,
            **fields,
        }
        registration, _ = services.registration_create(acting_user=acting_user, event=event, **data)
        out.append(registration)
    return out
