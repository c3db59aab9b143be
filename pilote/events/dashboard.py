"""The dashboard's « Événements à venir » panel: the next published events of the current
territory (public information), with their registrations for who runs them."""

import datetime as dt

from django.utils import timezone

from pilote.core.dashboard import panel
from pilote.events import followup, perms


@panel(roles=None, order=22, template="events/_dashboard.html")
def next_events(request) -> dict | None:
    territory = request.membership.territory
    now = timezone.now()
    rows = list(followup.upcoming_for(request.user, start=now, territory=territory)[:5])
    return {
        "rows": rows,
        "can_create": perms.can_create(request.user, territory),
        "horizon": now + dt.timedelta(days=60),
    }
