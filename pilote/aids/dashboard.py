from django.utils import timezone

from pilote.accounts.enums import Role
from pilote.aids import calendar, matching, perms
from pilote.aids.models import AidScheme
from pilote.companies.models import Establishment
from pilote.core.dashboard import panel

ON_DASHBOARD = 5


@panel(
    roles=[Role.TI_MANAGER, Role.EPCI_AGENT, Role.PARTNER],
    order=17,
    template="aids/_dashboard.html",
)
def calls_closing(request) -> dict:
    """Calls closing within 30 days, each with how many establishments of the territory it
    concerns (public data: SIRENE × catalogue, in bulk)."""
    today = timezone.localdate()
    entries = sorted(
        calendar.closing_within(AidScheme.objects.all(), today=today),
        key=lambda e: (e.window.closes_on, e.scheme.title),
    )[:ON_DASHBOARD]
    rows = []
    if entries:
        territory = request.membership.territory
        population = matching.Population.from_queryset(
            Establishment.objects.in_territory(territory).active(), today
        )
        for entry in entries:
            eligible, _ = population.masks(matching.compile_rule(entry.scheme, today))
            rows.append((entry, population.count(eligible)))
    return {"rows": rows, "can_edit": perms.can_edit_catalogue(request.user)}
