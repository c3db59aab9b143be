"""Demo prospecting: one campaign per EPCI of the demo territory, with its best targets.

The campaign is the current year's (« Campagne de prospection 2026 » runs from 1 January to
31 December 2026), and its visits are spread over this week's and next week's working days,
at office hours: everything relative to `timezone.localdate()`, so the demo stays credible on
the day it is loaded. A visit already past is « rencontré ».

Needs the demo establishments (SIRENE demo import): without them, it creates nothing.
"""

import datetime as dt

from django.utils import timezone

from pilote.accounts.enums import Role
from pilote.accounts.models import Membership
from pilote.companies.models import Establishment
from pilote.prospecting import services
from pilote.prospecting.enums import TargetStatus
from pilote.prospecting.models import Campaign
from pilote.prospecting.scoring import annotate_score
from pilote.territories.demo import HDC_SLUG
from pilote.territories.models import Territory

TARGETS_PER_CAMPAIGN = 15
# Ranks of the targets (by score) visited this week, then next week.
VISITS_THIS_WEEK, VISITS_NEXT_WEEK = (0, 1), (2,)
# Office hours a visit may start at (the last one ends by 17:00).
HOURS = [(9, 0), (14, 0), (10, 30), (15, 30), (9, 30), (11, 0), (14, 30), (16, 0)]
CONTACTED = {3: "Rappeler après le salon", 4: "Intéressé, attend la plaquette"}


def campaign_name(year: int, epci) -> str:
    return f"Campagne de prospection {year} — {epci.name}"


def visit_at(monday: dt.date, epci_index: int, rank: int) -> dt.datetime | None:
    """When the target of `rank` of the `epci_index`-th campaign is visited: a working day of
    this week (or next week), at office hours, varied from one campaign and rank to another."""
    if rank in VISITS_THIS_WEEK:
        week = 0
    elif rank in VISITS_NEXT_WEEK:
        week = 1
    else:
        return None
    weekday = (2 * epci_index + 3 * rank) % 5  # Monday to Friday
    hour, minute = HOURS[(3 * epci_index + 5 * rank) % len(HOURS)]
    day = monday + dt.timedelta(weeks=week, days=weekday)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def load(*, out) -> int:
    territory = Territory.objects.filter(slug=HDC_SLUG).first()
    if territory is None:
        return 0
    if not Establishment.objects.in_territory(territory).exists():
        out.write(
            "Prospection : aucun établissement dans le territoire (import SIRENE de "
            "démonstration absent) : pas de campagne de démonstration."
        )
        return 0
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    starts_on, ends_on = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    created = 0
    for index, epci in enumerate(territory.epcis.order_by("name")):
        name = campaign_name(today.year, epci)
        if Campaign.objects.filter(territory=territory, epci=epci, name=name).exists():
            continue
        agent = (
            Membership.objects.active()
            .filter(territory=territory, role=Role.EPCI_AGENT, organisation__epci=epci)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if agent is None:
            continue
        user = agent.user
        campaign = services.campaign_create(
            acting_user=user,
            territory=territory,
            epci=epci,
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            description="Établissements industriels les mieux classés par le score de "
            "prospection, à rencontrer avec le chef de projet TI.",
        )
        best = list(
            annotate_score(
                Establishment.objects.active().filter(epci=epci), territory=territory, user=user
            ).order_by("-score", "search_text")[:TARGETS_PER_CAMPAIGN]
        )
        added = services.targets_add(acting_user=user, campaign=campaign, establishments=best)
        created += 1 + added.added
        targets = {t.establishment_id: t for t in campaign.targets.select_related("campaign")}
        for rank, establishment in enumerate(best):
            target = targets[establishment.pk]
            planned_at = visit_at(monday, index, rank)
            if planned_at is not None and starts_on <= planned_at.date() <= ends_on:
                services.target_update_status(
                    acting_user=user,
                    target=target,
                    status=TargetStatus.MEETING_PLANNED,
                    planned_at=planned_at,
                    assigned_to=user,
                )
                if planned_at < timezone.now():  # already held
                    services.target_update_status(
                        acting_user=user, target=target, status=TargetStatus.MET
                    )
            elif rank in CONTACTED:
                services.target_update_status(
                    acting_user=user,
                    target=target,
                    status=TargetStatus.CONTACTED,
                    note=CONTACTED[rank],
                )
    return created
