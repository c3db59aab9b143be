from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from pilote.accounts.scope import get_scope
from pilote.companies import directory, exports
from pilote.companies.forms import DirectoryFilterForm
from pilote.companies.models import Establishment, Sector
from pilote.companies.naf import labels
from pilote.companies.registry import actions, timeline
from pilote.core.htmx import is_htmx

PAGE_SIZE = 50


def _territory(request: HttpRequest):
    if request.membership is None:
        raise Http404("Aucun territoire n'est associé à votre compte.")
    return request.membership.territory


def _filtered(request: HttpRequest):
    territory = _territory(request)
    data = request.GET if request.GET else directory.DEFAULTS
    form = DirectoryFilterForm(data, territory=territory)
    filters = form.cleaned_data if form.is_valid() else dict(directory.DEFAULTS)
    return form, directory.establishments(territory, request.user, filters)


@login_required
def directory_view(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered(request)
    page = Paginator(directory.with_display(qs), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    naf_labels = labels(e.naf_code for e in page.object_list)
    template = (
        "companies/_directory_results.html" if is_htmx(request) else "companies/directory.html"
    )
    return render(
        request,
        template,
        {"form": form, "page": page, "querystring": query.urlencode(), "naf_labels": naf_labels},
    )


@login_required
def directory_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in {"xlsx", "csv"}:
        raise Http404("Format d'export inconnu.")
    _, qs = _filtered(request)
    rows = exports.rows(directory.with_display(qs))
    if fmt == "xlsx":
        return exports.xlsx_response("annuaire-etablissements", rows)
    return exports.csv_response_for("annuaire-etablissements", rows)


@login_required
def establishment_detail(request: HttpRequest, siret: str) -> HttpResponse:
    territory = _territory(request)
    establishment = get_object_or_404(
        Establishment.objects.select_related("company", "commune", "epci"),
        siret=siret,
        epci__in=territory.epcis.all(),
    )
    if territory.pk not in get_scope(request.user).territory_ids:
        raise Http404
    siblings = (
        Establishment.objects.filter(company=establishment.company, epci__in=territory.epcis.all())
        .exclude(pk=establishment.pk)
        .select_related("commune")
        .order_by("-is_head_office", "siret")
    )
    sectors = [
        s for s in Sector.objects.filter(territory=territory) if s.matches(establishment.naf_code)
    ]
    return render(
        request,
        "companies/establishment.html",
        {
            "establishment": establishment,
            "company": establishment.company,
            "siblings": siblings,
            "sectors": sectors,
            "naf_label": labels([establishment.naf_code]).get(establishment.naf_code, ""),
            "timeline": timeline(request.user, establishment),
            "actions": actions(request.user, establishment),
        },
    )
