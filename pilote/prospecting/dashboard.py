from django.utils import timezone

from pilote.accounts import access
from pilote.accounts.enums import Role
from pilote.core.dashboard import panel
from pilote.prospecting.agenda import monday_of, week_visits
from pilote.prospecting.models import CampaignTarget
from pilote.prospecting.scoring import Scorer

NEXT_ON_DASHBOARD = 5


@panel(roles=[Role.TI_MANAGER, Role.EPCI_AGENT], order=15, template="prospecting/_dashboard.html")
def prospecting(request) -> dict:
    """This week's visits and the next targets to phone: the agent's EPCI, or the whole
    territory for the TI manager; only campaigns the user may see."""
    membership = request.membership
    territory = membership.territory
    epci_id = membership.organisation.epci_id if membership.role == Role.EPCI_AGENT else None
    visits = week_visits(
        request.user, territory=territory, start=monday_of(timezone.localdate()), epci_id=epci_id
    )
    targets = (
        CampaignTarget.objects.visible_to(request.user)
        .to_contact()
        .in_open_campaigns()
        .filter(campaign__territory=territory)
        .select_related("campaign", "establishment__company", "establishment__commune")
    )
    if epci_id:
        targets = targets.filter(campaign__epci=epci_id)
    scorer = Scorer(territory=territory, user=request.user)
    best = scorer.annotate(targets, prefix="establishment__").order_by(
        "-score", "establishment__search_text", "pk"
    )[:NEXT_ON_DASHBOARD]
    return {
        "visits": list(visits),
        "targets": list(best),
        "can_create": access.can_write_on(request.user),
    }
