from django.db.models import Count

from pilote.core.dashboard import panel
from pilote.territories.models import Epci


@panel(roles=None, order=90, template="territories/_dashboard.html")
def territory_summary(request) -> dict:
    territory = request.territory
    epcis = Epci.objects.in_territory(territory).annotate(commune_count=Count("communes"))
    return {"territory": territory, "epcis": epcis}
