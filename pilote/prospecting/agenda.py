"""The visits calendar: a page by week, and the secret iCalendar feed of each user."""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from pilote.accounts.enums import Role
from pilote.core import feeds
from pilote.prospecting import ical, perms, services
from pilote.prospecting.models import CalendarFeed, CampaignTarget

WEEKS_SHOWN = 4
# The years the calendar shows: far wider than any visit, and narrow enough that every date
# computed from a week (the pages before and after, midnight in UTC) is a valid date.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def week_visits(user, *, territory, start: dt.date, weeks: int = 1, epci_id: str | None = None):
    """The visits `user` may see in `territory`, from Monday `start` for `weeks` weeks."""
    visits = (
        CampaignTarget.objects.visible_to(user)
        .visits()
        .filter(
            campaign__territory=territory,
            planned_at__gte=local_midnight(start),
            planned_at__lt=local_midnight(start + dt.timedelta(weeks=weeks)),
        )
        .select_related(
            "campaign__epci", "establishment__company", "establishment__commune", "assigned_to"
        )
        .order_by("planned_at", "pk")
    )
    return visits.filter(campaign__epci=epci_id) if epci_id else visits


def _start(request: HttpRequest) -> dt.date:
    """Monday of the week asked for (?semaine=AAAA-MM-JJ), else of this week: a bad link
    (not a date, or out of the calendar's years) shows this week with a message."""
    asked = request.GET.get("semaine", "")
    this_week = monday_of(timezone.localdate())
    if not asked:
        return this_week
    try:
        day = dt.date.fromisoformat(asked)
    except ValueError:
        shown = asked if len(asked) <= 20 else asked[:20] + "…"
        messages.warning(
            request,
            f"« {shown} » n'est pas une date (AAAA-MM-JJ) : voici la semaine en cours.",
        )
        return this_week
    if not FIRST_DAY <= day <= LAST_DAY:
        messages.warning(
            request,
            f"La semaine du {day.isoformat()} est en dehors de l'agenda (années "
            f"{FIRST_DAY.year} à {LAST_DAY.year}) : voici la semaine en cours.",
        )
        return this_week
    return monday_of(day)


@login_required
def calendar_view(request: HttpRequest) -> HttpResponse:
    """Planned visits by week: an agent's own EPCI (or all they may see, on demand), the
    whole territory for the TI manager, what is shared with them for partners."""
    membership = request.membership
    start = _start(request)
    is_agent = membership is not None and membership.role == Role.EPCI_AGENT
    everything = request.GET.get("perimetre") == "tout"
    epci_id = membership.organisation.epci_id if is_agent and not everything else None
    visits = (
        week_visits(
            request.user,
            territory=membership.territory,
            start=start,
            weeks=WEEKS_SHOWN,
            epci_id=epci_id,
        )
        if membership is not None
        else CampaignTarget.objects.none()
    )
    weeks = []
    for week_start, items in groupby(visits, key=lambda t: monday_of(_local_day(t))):
        days = [(day, list(group)) for day, group in groupby(items, key=_local_day)]
        weeks.append({"start": week_start, "end": week_start + dt.timedelta(days=6), "days": days})
    return render(
        request,
        "prospecting/calendar.html",
        {
            "weeks": weeks,
            "start": start,
            "end": start + dt.timedelta(weeks=WEEKS_SHOWN, days=-1),
            "previous": start - dt.timedelta(weeks=WEEKS_SHOWN),
            "next": start + dt.timedelta(weeks=WEEKS_SHOWN),
            "is_agent": is_agent,
            "everything": everything,
        },
    )


def _local_day(target: CampaignTarget) -> dt.date:
    return timezone.localtime(target.planned_at).date()


@login_required
def feed_settings(request: HttpRequest) -> HttpResponse:
    """Create (and see once), replace or revoke one's secret calendar address."""
    if not perms.can_use_calendar(request.user):
        raise Http404
    return feeds.settings_page(
        request, model=CalendarFeed, create_feed=services.feed_create,
        revoke_feed=services.feed_revoke,
        page="prospecting:feed", ics="prospecting:ics", template="prospecting/feed.html",
    )  # fmt: skip


@require_GET
@never_cache
def ics_feed(request: HttpRequest, token: str) -> HttpResponse:
    """No login: the secret address is the credential. Unknown or revoked → 404."""
    user = feeds.owner(CalendarFeed, token)
    return feeds.ics_response(ical.visits_calendar(user), "pilote-visites.ics")
