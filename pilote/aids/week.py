"""What aids adds to « Ma semaine » (through `pilote.accompaniment.week.sections`): the calls
closing within seven days — catalogue data, read by every signed-in account."""

from __future__ import annotations

import datetime as dt

from pilote.accompaniment.week import WeekSection
from pilote.aids import calendar, perms
from pilote.aids.enums import CallStatus
from pilote.aids.models import AidScheme

DAYS = 7


def calls_closing(user, today: dt.date) -> WeekSection | None:
    if not perms.can_read_catalogue(user):
        return None
    end = today + dt.timedelta(days=DAYS)
    entries = sorted(
        (
            e
            for e in calendar.entries(AidScheme.objects.all(), today)
            if e.status == CallStatus.OPEN
            and e.window.closes_on
            and today <= e.window.closes_on < end
        ),
        key=lambda e: (e.window.closes_on, e.scheme.title, e.scheme.pk),
    )
    return WeekSection(
        title=f"Appels qui ferment dans les {DAYS} jours",
        template="aids/_week_calls.html",
        context={"entries": entries},
    )
