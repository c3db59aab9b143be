from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from pilote.territories.models import Commune, Epci, Territory


def _territory_of(request: HttpRequest, slug: str) -> Territory:
    territory = get_object_or_404(Territory, slug=slug)
    if territory.pk not in request.territory_ids:  # set by accounts' middleware
        raise Http404
    return territory


@login_required
def territory_detail(request: HttpRequest, slug: str) -> HttpResponse:
    territory = _territory_of(request, slug)
    epcis = (
        Epci.objects.in_territory(territory)
        .annotate(commune_count=Count("communes"), commune_population=Sum("communes__population"))
        .order_by("name")
    )
    totals = epcis.aggregate(communes=Sum("commune_count"), population=Sum("commune_population"))
    return render(
        request,
        "territories/detail.html",
        {"territory": territory, "epcis": epcis, "totals": totals},
    )


@login_required
def epci_detail(request: HttpRequest, slug: str, siren: str) -> HttpResponse:
    territory = _territory_of(request, slug)
    epci = get_object_or_404(Epci.objects.in_territory(territory), siren=siren)
    communes = Commune.objects.filter(epci=epci).order_by("name")
    return render(
        request,
        "territories/epci.html",
        {"territory": territory, "epci": epci, "communes": communes},
    )
