"""What applications add to the other pages, through their registries (never imported by
them): the establishment's timeline and buttons, the directory's « suivi » filter, « Ma
semaine » (deadlines), the global search. Each reads through `visible_to`."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse

from pilote.accompaniment.week import WeekSection
from pilote.accounts import access
from pilote.applications.models import Application
from pilote.companies.registry import TimelineEntry
from pilote.search.registry import Hit, SearchSource

WEEK_DAYS = 7


def followed_establishments(user):
    return Application.objects.visible_to(user).values("establishment_id")


def timeline_entries(user, establishment) -> list[TimelineEntry]:
    entries = []
    applications = (
        Application.objects.visible_to(user)
        .filter(establishment=establishment)
        .select_related("scheme")
    )
    for a in applications:
        detail = a.get_status_display().lower()
        if a.amount_granted is not None:
            from pilote.core.templatetags.pilote import euros

            detail += f", {euros(a.amount_granted)} accordés"
        at = a.decided_on or a.filed_on or a.created_at
        entries.append(TimelineEntry(at, "Dossier", a.label, a.get_absolute_url(), detail))
    return entries


def establishment_actions(user, establishment) -> list[tuple[str, str]]:
    if establishment.epci is None or not access.can_write_on(user, establishment.epci):
        return []
    url = f"{reverse('applications:create')}?etablissement={establishment.siret}"
    return [("Nouveau dossier de candidature", url)]


def deadlines(user, today: dt.date, days: int = WEEK_DAYS):
    """The open applications `user` sees with a call closing or documents due between
    `today` and `days` later, as (day, what, application), by day."""
    end = today + dt.timedelta(days=days)
    rows = (
        Application.objects.visible_to(user)
        .open()
        .filter(
            Q(closes_on__gte=today, closes_on__lt=end)
            | Q(documents_due_on__gte=today, documents_due_on__lt=end)
        )
        .select_related("establishment", "scheme")
    )
    found = []
    for a in rows:
        if a.closes_on and today <= a.closes_on < end:
            found.append((a.closes_on, "clôture de l'appel", a))
        if a.documents_due_on and today <= a.documents_due_on < end:
            found.append((a.documents_due_on, "pièces attendues", a))
    return sorted(found, key=lambda row: (row[0], row[2].pk))


def week_section(user, today: dt.date) -> WeekSection | None:
    if not access.can_write_on(user) and not Application.objects.visible_to(user).exists():
        return None
    return WeekSection(
        title=f"Échéances des dossiers dans les {WEEK_DAYS} jours",
        template="applications/_week_deadlines.html",
        context={"rows": deadlines(user, today)},
    )


def _find(request, text):
    territory = request.territory
    if territory is None:
        return Application.objects.none()
    return (
        Application.objects.visible_to(request.user)
        .in_territory(territory)
        .search(text)
        .select_related("establishment__company", "scheme")
        .distinct()
    )


def _hit(application: Application) -> Hit:
    detail = f"{application.establishment.display_name} · {application.get_status_display()}"
    return Hit(application.label, application.get_absolute_url(), detail)


search_source = SearchSource(
    key="dossiers",
    label="Dossiers de candidature",
    order=55,
    covers="les dossiers que vous pouvez lire (référence, intitulé, dispositif, établissement)",
    find=_find,
    hit=_hit,
    list_name="applications:list",
)


def feed_deadlines(user, since: dt.date):
    """The deadlines of the open applications `user` sees, as all-day events of their
    calendar feed (prospecting's iCal feed, `visit_sources`)."""
    from django.conf import settings

    from pilote.prospecting.ical import FeedVisit

    rows = (
        Application.objects.visible_to(user)
        .open()
        .filter(Q(closes_on__gte=since) | Q(documents_due_on__gte=since))
        .select_related("establishment__company", "establishment__commune", "scheme")
    )
    events = []
    for a in rows:
        for day, what, key in (
            (a.closes_on, "Clôture de l'appel", "cloture"),
            (a.documents_due_on, "Pièces attendues", "pieces"),
        ):
            if day is None or day < since:
                continue
            events.append(
                FeedVisit(
                    uid=f"pilote-dossier-{a.pk}-{key}",
                    establishment=a.establishment,
                    day=day,
                    time=None,
                    summary=f"{what} — {a.establishment.display_name}",
                    lines=[a.label, f"Statut : {a.get_status_display()}"],
                    url=settings.SITE_URL + a.get_absolute_url(),
                    updated_at=a.updated_at,
                )
            )
    return events
