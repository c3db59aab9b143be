from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone

from pilote.accounts.enums import Role
from pilote.aids import calendar, matching, perms
from pilote.aids.models import AidScheme
from pilote.companies.models import Establishment
from pilote.core.dashboard import panel

ON_DASHBOARD = 5
CACHE_SECONDS = 24 * 3600


@panel(
    roles=[Role.TI_MANAGER, Role.EPCI_AGENT, Role.PARTNER],
    order=17,
    template="aids/_dashboard.html",
)
def calls_closing(request) -> dict:
    """Calls closing within 30 days, each with how many establishments of the territory it
    concerns (public data: SIRENE × catalogue, in bulk). The counts are cached, keyed by the
    day, the schemes' last change and the territory's establishments (how many, last
    change): loading a big territory's establishments once a day, not on every page."""
    today = timezone.localdate()
    entries = sorted(
        calendar.closing_within(AidScheme.objects.all(), today=today),
        key=lambda e: (e.window.closes_on, e.scheme.title),
    )[:ON_DASHBOARD]
    rows = []
    if entries:
        establishments = Establishment.objects.in_territory(request.membership.territory)
        stamp = establishments.aggregate(n=Count("pk"), last=Max("updated_at"))
        schemes = ",".join(f"{e.scheme.pk}.{e.scheme.updated_at.timestamp()}" for e in entries)
        key = (
            f"aids:closing:{request.membership.territory_id}:{today}:{stamp['n']}:"
            f"{stamp['last'] and stamp['last'].timestamp()}:{schemes}"
        )

        def counts() -> list[int]:
            population = matching.Population.from_queryset(establishments.active(), today)
            return [
                population.count(population.masks(matching.compile_rule(e.scheme, today))[0])
                for e in entries
            ]

        rows = list(zip(entries, cache.get_or_set(key, counts, CACHE_SECONDS), strict=True))
    return {"rows": rows, "can_edit": perms.can_edit_catalogue(request.user)}
