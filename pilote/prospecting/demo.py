"""Demo prospecting: one campaign per EPCI of the demo territory, with its best targets.

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

YEAR = 2027
TARGETS_PER_CAMPAIGN = 15
# Rank of the target (by score) → (days after this Monday, hour, minute) of its visit.
VISITS = {0: (3, 10, 0), 1: (8, 14, 0), 2: (10, 9, 30)}
CONTACTED = {3: "Rappeler après le salon", 4: "Intéressé, attend la plaquette"}


def _at(monday: dt.date, days: int, hour: int, minute: int) -> dt.datetime:
    day = monday + dt.timedelta(days=days)
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
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    ends_on = max(dt.date(YEAR, 12, 31), monday + dt.timedelta(days=365))
    created = 0
    for epci in territory.epcis.order_by("name"):
        name = f"Campagne de prospection {YEAR} — {epci.name}"
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
            starts_on=monday,
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
            if rank in VISITS:
                services.target_update_status(
                    acting_user=user,
                    target=target,
                    status=TargetStatus.MEETING_PLANNED,
                    planned_at=_at(monday, *VISITS[rank]),
                    assigned_to=user,
                )
            elif rank in CONTACTED:
                services.target_update_status(
                    acting_user=user,
                    target=target,
                    status=TargetStatus.CONTACTED,
                    note=CONTACTED[rank],
                )
    return created
