from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import number_format
from django.utils.functional import cached_property

from pilote.accounts import perms
from pilote.accounts.scope import get_scope
from pilote.companies import directory, exports, jobs, services
from pilote.companies.forms import (
    DirectoryFilterForm,
    ImportJobForm,
    IndustrialScopeForm,
    SectorForm,
)
from pilote.companies.models import Establishment, ImportJob, Sector, TerritoryProfile
from pilote.companies.naf import labels
from pilote.companies.registry import (
    actions,
    directory_actions_for,
    directory_orderings,
    timeline,
)
from pilote.core.htmx import PAGE_PARAM, SORT_PARAM, is_htmx, paginate
from pilote.core.locking import StaleEdit

PAGE_SIZE = 50
COUNT_CAP = 10_000  # beyond: « plus de 10 000 », an exact count reads every match
# Sorts computed on every matching row (no index can serve them): not beyond COUNT_CAP rows.
SORTS_ON_FEW_ROWS = {"-score"}


def capped_count(qs) -> int:
    """The number of rows of `qs`, counting no further than COUNT_CAP + 1."""
    return qs.order_by()[: COUNT_CAP + 1].count()


class DirectoryPaginator(Paginator):
    """The directory's pages, on a million establishments.

    - The count stops at COUNT_CAP + 1 rows instead of reading every match.
    - A page's rows are fetched by their ids ("deferred join"): the filtered, sorted and
      offset query reads the establishment table (its indexes) alone; only the page's rows
      are joined to their company, commune and EPCI.
    """

    @cached_property
    def count(self) -> int:
        return capped_count(self.object_list)

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if directory.sorted_by_name(self.object_list):  # those without a public name last
            total = None if self.capped else self.count
            rows = directory.page_by_name(self.object_list, bottom, self.per_page, total)
            return self._get_page(rows, number, self)
        ids = self.object_list.values("pk")[bottom : bottom + self.per_page]
        rows = directory.with_display(self.object_list.filter(pk__in=ids))
        return self._get_page(rows, number, self)


# The columns that sort, by their `sort=` value (the « Trier par » choices, one direction
# each, as their indexes serve them) and that direction. Their headers link with `?tri=`, as
# every other list's (core.htmx.SORT_PARAM): `?tri=commune`, `?tri=-headcount`.
SORTED_COLUMNS = {
    "name": "ascending",
    "commune": "ascending",
    "-headcount": "descending",
    "-created": "descending",
    "-score": "descending",
}


@dataclass(frozen=True)
class SortHeader:
    """A column header's link (for `includes/sort_header.html`): the same filters, sorted by
    this column, back to page 1; `aria_sort` set on the column the list is sorted by."""

    url: str
    aria_sort: str
    direction: str

    @property
    def next_label(self) -> str:
        return "croissant" if self.direction == "ascending" else "décroissant"


def sort_headers(data, current: str) -> dict[str, SortHeader]:
    """Each sortable column's header, by its sort value without the `-` (`sort.headcount`)."""
    headers = {}
    for key, direction in SORTED_COLUMNS.items():
        query = QueryDict(mutable=True)
        for name, values in data.lists():
            if name not in {PAGE_PARAM, "sort", SORT_PARAM}:
                query.setlist(name, values)
        query[SORT_PARAM] = key
        aria_sort = direction if key == current else ""
        headers[key.lstrip("-")] = SortHeader(f"?{query.urlencode()}", aria_sort, direction)
    return headers


def _territory(request: HttpRequest):
    if request.territory is None:
        raise Http404("Aucun territoire n'est associé à votre compte.")
    return request.territory


def _sort_from_tri(value: str) -> str:
    """The « Trier par » value a column header's `?tri=` names: the sort itself (`-headcount`)
    or its column (`headcount`), in the one direction its index serves; "" when unknown."""
    known = {*SORTED_COLUMNS, *directory_orderings}
    for key in known:
        if value in {key, key.lstrip("-")}:
            return key
    return ""


def _data(request: HttpRequest) -> QueryDict:
    """The filters asked for: the defaults when the query holds none (a page number alone,
    from the pagination of the default list, keeps them). A header's `?tri=` (whitelisted,
    an unknown one ignored) stands for the « Trier par » select's `sort`."""
    given = request.GET
    if SORT_PARAM in given:
        given = given.copy()
        sort = _sort_from_tri(given.pop(SORT_PARAM)[-1])
        if sort:
            given["sort"] = sort
    if set(given) - {PAGE_PARAM}:
        return given
    data = QueryDict(mutable=True)
    data.update(directory.DEFAULTS)
    if PAGE_PARAM in given:
        data[PAGE_PARAM] = given[PAGE_PARAM]
    return data


def _filtered(request: HttpRequest):
    """The form, the filtered queryset, its capped count and a notice for the reader.

    The prospecting score is computed for every matching row before the first page can be
    known (seconds on hundreds of thousands of rows): beyond COUNT_CAP matches the list is
    sorted by name instead, and the notice says to narrow the filters.
    """
    territory = _territory(request)
    form = DirectoryFilterForm(_data(request), territory=territory)
    # The communes, read once: the « Commune » choices and the communes `q` may name (the
    # same number of queries for a SIRET as for a word).
    field = form.fields["commune"]
    communes = list(field.queryset.values_list("pk", "name"))
    field.choices = [("", field.empty_label), *communes]
    filters = form.cleaned_data if form.is_valid() else dict(directory.DEFAULTS)
    qs = directory.establishments(territory, request.user, filters, communes)
    count, notice = None, ""
    if filters.get("sort") in SORTS_ON_FEW_ROWS:
        # Counted without the sort's annotations (a score per row would be computed).
        by_name = directory.establishments(
            territory, request.user, {**filters, "sort": "name"}, communes
        )
        count = capped_count(by_name)
        if count > COUNT_CAP:
            label = directory_orderings[filters["sort"]].label.lower()
            cap = number_format(COUNT_CAP, force_grouping=True)
            notice = (
                f"Le tri par {label} évalue chaque établissement : il s'applique à {cap} "
                "établissements au plus, la liste est donc triée par nom. Affinez les filtres "
                "(EPCI, filière, taille…) pour la trier par score."
            )
            qs = by_name
    return form, qs, count, notice


@login_required
def directory_view(request: HttpRequest) -> HttpResponse:
    form, qs, count, notice = _filtered(request)

    def paginator(rows, per_page) -> DirectoryPaginator:
        paginator = DirectoryPaginator(rows, per_page)
        if count is not None:
            paginator.__dict__["count"] = count  # already counted (cached_property)
        return paginator

    page = paginate(request, qs, PAGE_SIZE, paginator_class=paginator)
    query = request.GET.copy()
    query.pop("page", None)
    naf_labels = labels(e.naf_code for e in page.object_list)
    sorted_by_score = not notice and form.is_valid() and form.cleaned_data.get("sort") == "-score"
    current = (form.cleaned_data.get("sort") if form.is_valid() else "") or "name"
    template = (
        "companies/_directory_results.html" if is_htmx(request) else "companies/directory.html"
    )
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "querystring": query.urlencode(),
            "naf_labels": naf_labels,
            "count_cap": COUNT_CAP,
            "sort_notice": notice,
            "directory_actions": directory_actions_for(request.user),
            "sorted_by_score": sorted_by_score,
            "sort": sort_headers(form.data, "name" if notice else current),
        },
    )


@login_required
def directory_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in {"xlsx", "csv"}:
        raise Http404("Format d'export inconnu.")
    _, qs, _, _ = _filtered(request)
    # The reader's own score and follow-up state, as the page shows them (access rule applies).
    rows = exports.rows(directory.with_display(qs), user=request.user, territory=request.territory)
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


def _managed_territory(request: HttpRequest):
    territory = _territory(request)
    if not perms.is_ti_manager(request.user, territory):
        raise Http404
    return territory


@login_required
def sector_list(request: HttpRequest) -> HttpResponse:
    territory = _territory(request)
    scope_form = None
    if perms.is_ti_manager(request.user, territory):
        scope_form = IndustrialScopeForm(
            request.POST or None,
            initial={"sections": directory.industrial_sections(territory)},
            record=TerritoryProfile.objects.filter(territory=territory).first(),
        )
        if request.method == "POST" and scope_form.is_valid():
            try:
                services.industrial_sections_set(
                    acting_user=request.user,
                    territory=territory,
                    sections=scope_form.cleaned_data["sections"],
                    version=scope_form.version,
                )
            except StaleEdit as stale:
                scope_form.refuse(stale)
            else:
                messages.success(request, "Le périmètre industriel est enregistré.")
                return redirect("companies:sectors")
    sectors = Sector.objects.filter(territory=territory)
    return render(
        request,
        "companies/sectors.html",
        {
            "sectors": sectors,
            "scope_form": scope_form,
            "sections": directory.industrial_sections(territory),
            "can_edit": scope_form is not None,
        },
    )


@login_required
def sector_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    territory = _managed_territory(request)
    sector = get_object_or_404(Sector, pk=pk, territory=territory) if pk else None
    form = SectorForm(request.POST or None, instance=sector, territory=territory)
    if request.method == "POST":
        if "delete" in request.POST and sector is not None:
            services.sector_delete(acting_user=request.user, sector=sector)
            messages.success(request, f"La filière « {sector.name} » est supprimée.")
            return redirect("companies:sectors")
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                saved = services.sector_save(
                    acting_user=request.user,
                    territory=territory,
                    sector=Sector.objects.get(pk=sector.pk) if sector else None,
                    version=form.version,
                    **values,
                )
            except StaleEdit as stale:
                form.refuse(stale)
                return render(
                    request, "companies/sector_form.html", {"form": form, "sector": sector}
                )
            messages.success(request, f"La filière « {saved.name} » est enregistrée.")
            return redirect("companies:sectors")
    return render(request, "companies/sector_form.html", {"form": form, "sector": sector})


def _admin_territory(request: HttpRequest):
    if not perms.is_platform_admin(request.user):
        raise Http404
    return _territory(request)


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    territory = _admin_territory(request)
    files = jobs.import_files()
    form = ImportJobForm(request.POST or None, files=files)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = jobs.job_create(
            acting_user=request.user,
            etablissements=Path(data["etablissements"]),
            unites_legales=Path(data["unites_legales"]) if data["unites_legales"] else None,
            territory=territory,
            wet_run=data["wet_run"],
            whole_file=data["whole_file"],
        )
        messages.success(request, f"Import n° {job.pk} lancé.")
        return redirect("companies:imports")
    recent = ImportJob.objects.filter(territory=territory)[:20]
    return render(
        request,
        "companies/imports.html",
        {
            "form": form,
            "files": files,
            "jobs": recent,
            "import_dir": settings.SIRENE_IMPORT_DIR,
        },
    )


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    territory = _admin_territory(request)
    job = get_object_or_404(ImportJob, pk=pk, territory=territory)
    return render(
        request,
        "companies/_import_job.html",
        {"job": job, "progress": jobs.progress_of(job)},
    )
