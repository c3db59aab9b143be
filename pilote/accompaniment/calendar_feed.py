"""What accompaniment adds to the visits feed (`prospecting.ical.visit_sources`): the visits
and rendez-vous (meeting-like interactions) the user may see, planned or held — at their
time (`Interaction.start_time`) when it is known, all day otherwise. The company summaries
stay out: a calendar is often synced to services outside Pilote."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from pilote.accompaniment.enums import MEETING_KINDS, InteractionKind
from pilote.accompaniment.models import Interaction
from pilote.prospecting.ical import FeedVisit


def feed_visits(user, since: dt.date) -> list[FeedVisit]:
    interactions = (
        Interaction.objects.visible_to(user)
        .filter(kind__in=MEETING_KINDS, occurred_on__gte=since)
        .select_related("epci", "establishment__company", "establishment__commune")
        .prefetch_related("participants")
        .order_by("occurred_on", "start_time", "pk")
    )
    visits = []
    for i in interactions:
        label = "Visite" if i.kind == InteractionKind.SITE_VISIT else i.get_kind_display()
        lines = [f"Échange : {i.get_kind_display()} ({i.epci.name})"]
        if team := ", ".join(str(p) for p in i.participants.all()):
            lines.append(f"Pour le territoire : {team}")
        lines.append(f"SIRET : {i.establishment.siret}")
        visits.append(
            FeedVisit(
                uid=f"pilote-echange-{i.pk}",
                establishment=i.establishment,
                day=i.occurred_on,
                time=i.start_time,
                summary=f"{label} : {i.establishment.display_name}",
                lines=lines,
                url=settings.SITE_URL + i.get_absolute_url(),
                updated_at=i.updated_at,
            )
        )
    return visits
