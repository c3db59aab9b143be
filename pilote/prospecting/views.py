"""Campaigns, their targets and the score's settings. Calendar pages are in `agenda.py`."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from pilote.accounts import access
from pilote.accounts.access import get_visible_or_404
from pilote.accounts.models import User
from pilote.companies import directory
from pilote.companies.models import Establishment
from pilote.core.csv import csv_response
from pilote.core.htmx import is_htmx, list_context, render_list
from pilote.core.locking import StaleEdit
from pilote.prospecting import perms, services
from pilote.prospecting.enums import TargetStatus
from pilote.prospecting.forms import (
    CampaignFilterForm,
    CampaignForm,
    PastedSearchForm,
    TargetFilterForm,
    TargetStatusForm,
    WeightsForm,
    campaign_workers,
)
from pilote.prospecting.models import Campaign, CampaignTarget
from pilote.prospecting.scoring import NOT_MET_MONTHS, RECENT_YEARS, Reason, Scorer, weights_for

PAGE_SIZE = 50
# The sortable columns of the campaigns list (`?tri=`), by their public name.
CAMPAIGN_SORTS = {
    "campagne": ("name",),
    "epci": ("epci__name",),
    "periode": ("starts_on", "ends_on"),
    "responsable": ("owner__last_name", "owner__first_name"),
    "cibles": ("n_targets",),
    "a_contacter": ("n_to_contact",),
    "rendez_vous": ("n_meeting_planned",),
    "rencontrees": ("n_met",),
}
# The sortable columns of a campaign's targets (`?tri=`); by default the best scores first.
TARGET_SORTS = {
    "score": ("score",),
    "etablissement": ("establishment__search_text",),
    "statut": ("status_rank",),  # in the funnel's order (TargetStatus), not alphabetical
}
NEXT_TARGETS = 10
PREVIEW_SIZE = 20


def _territory(request: HttpRequest):
    if request.territory is None:
        raise Http404("Aucun territoire n'est associé à votre compte.")
    return request.territory


def _current_territory(request: HttpRequest):
    """The territory shown, or None for an account without membership (empty lists)."""
    return request.territory


def _campaign(request: HttpRequest, pk: int, *, editable: bool = False) -> Campaign:
    """The campaign if the user may see it (404 otherwise) and, when `editable`, work it (403
    otherwise)."""
    fetch = access.get_editable_or_404 if editable else get_visible_or_404
    return fetch(
        Campaign.objects.select_related("epci", "territory", "owner", "author_organisation"),
        request.user,
        pk=pk,
    )


def _people(campaign: Campaign) -> list[tuple[int, str]]:
    return [(u.pk, str(u)) for u in campaign_workers(campaign.territory, campaign.epci)]


@dataclass
class TargetRow:
    target: CampaignTarget
    reasons: list[Reason]
    can_edit: bool
    form: TargetStatusForm | None = None  # the row in edit mode


def _scored_targets(campaign: Campaign, scorer: Scorer):
    targets = campaign.targets.select_related(
        "establishment__company", "establishment__commune", "assigned_to"
    )
    return scorer.annotate(targets, prefix="establishment__", with_met=True).order_by(
        "-score", "establishment__search_text", "pk"
    )


def _rows(targets, scorer: Scorer, *, can_edit: bool) -> list[TargetRow]:
    """Rows in display mode: the status form is fetched on demand (`target_status`), which
    keeps a page of 50 targets light."""
    return [
        TargetRow(t, scorer.explain(t.establishment, met=t.met_recently), can_edit) for t in targets
    ]


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    territory = _current_territory(request)
    form = CampaignFilterForm(request.GET or None, territory=territory)
    by_status = {
        f"n_{status}": Count("targets", filter=Q(targets__status=status))
        for status in (TargetStatus.TO_CONTACT, TargetStatus.MEETING_PLANNED, TargetStatus.MET)
    }
    campaigns = (
        form.filter(Campaign.objects.visible_to(request.user).in_territory(territory))
        .select_related("epci", "owner")
        .annotate(n_targets=Count("targets"), **by_status)
        .order_by(*Campaign._meta.ordering)  # an aggregate drops Meta.ordering
    )
    return render_list(
        request, campaigns, template="prospecting/list.html",
        results="prospecting/_campaigns.html", page_size=25, sorts=CAMPAIGN_SORTS,
        default_sort="-periode",
        form=form, can_create=access.can_write_on(request.user),
    )  # fmt: skip


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    territory = _territory(request)
    if not access.can_write_on(request.user):
        raise Http404
    initial = {"epci": request.GET.get("epci")} if request.GET.get("epci") else {}
    form = CampaignForm(
        request.POST or None, user=request.user, territory=territory, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(
                acting_user=request.user, territory=territory, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "La campagne est créée. Ajoutez-lui des cibles.")
            return redirect("prospecting:add_targets", pk=campaign.pk)
    return render(request, "prospecting/form.html", {"form": form})


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk, editable=True)
    form = CampaignForm(
        request.POST or None, instance=campaign, user=request.user, territory=campaign.territory
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(
                acting_user=request.user,
                campaign=Campaign.objects.get(pk=pk),  # the form changed `campaign` in place
                version=form.version,
                **form.changes(),
            )
        except StaleEdit as stale:
            form.refuse(stale)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "La campagne est modifiée.")
            return redirect("prospecting:detail", pk=pk)
    return render(request, "prospecting/form.html", {"form": form, "campaign": campaign})


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    can_edit = access.can_edit(request.user, campaign)
    scorer = Scorer(territory=campaign.territory, user=request.user)
    status = request.GET.get("statut", "")
    targets = _scored_targets(campaign, scorer)
    if status in TargetStatus.values:
        targets = targets.filter(status=status)
    funnel = [When(status=value, then=Value(rank)) for rank, value in enumerate(TargetStatus)]
    targets = targets.alias(status_rank=Case(*funnel, output_field=IntegerField()))
    listing = list_context(
        request, targets, page_size=PAGE_SIZE, sorts=TARGET_SORTS, default_sort="-score"
    )
    page = listing["page"]
    counts = dict(campaign.targets.values_list("status").annotate(n=Count("pk")))
    return render(
        request,
        "prospecting/detail.html",
        {
            "campaign": campaign,
            "can_edit": can_edit,
            "page": page,
            "sort": listing["sort"],
            "rows": _rows(page.object_list, scorer, can_edit=can_edit),
            "status": status,
            "statuses": [(s, counts.get(s.value, 0)) for s in TargetStatus],
            "total": sum(counts.values()),
        },
    )


@login_required
def next_targets(request: HttpRequest, pk: int) -> HttpResponse:
    """The next targets to phone: the best scores still « à contacter »."""
    campaign = _campaign(request, pk)
    can_edit = access.can_edit(request.user, campaign)
    scorer = Scorer(territory=campaign.territory, user=request.user)
    targets = _scored_targets(campaign, scorer).to_contact()[:NEXT_TARGETS]
    return render(
        request,
        "prospecting/next.html",
        {
            "campaign": campaign,
            "can_edit": can_edit,
            "rows": _rows(targets, scorer, can_edit=can_edit),
        },
    )


@login_required
def targets_export(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    scorer = Scorer(territory=campaign.territory, user=request.user)

    def rows():
        for t in _scored_targets(campaign, scorer).iterator(chunk_size=500):
            e = t.establishment
            planned = (
                timezone.localtime(t.planned_at).strftime("%d/%m/%Y %H:%M") if t.planned_at else ""
            )
            yield (
                t.score,
                " ; ".join(str(r) for r in scorer.explain(e, met=t.met_recently)),
                e.siret,
                e.display_name,
                e.address,
                e.postcode,
                e.city or e.commune.name,
                e.naf_code,
                e.get_headcount_band_display(),
                t.get_status_display(),
                planned,
                str(t.assigned_to or ""),
                t.note,
                timezone.localtime(t.status_changed_at).strftime("%d/%m/%Y"),
                campaign.name,
            )

    header = [
        "Score",
        "Raisons",
        "SIRET",
        "Établissement",
        "Adresse",
        "Code postal",
        "Commune",
        "NAF",
        "Effectif",
        "Statut",
        "Rendez-vous",
        "Suivi par",
        "Commentaire",
        "Statut depuis le",
        "Campagne",
    ]
    return csv_response(f"cibles-campagne-{campaign.pk}", header, rows())


@login_required
def target_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The status form of one target: a table row in edit mode for htmx, a page otherwise.
    Saved, htmx gets the row back in display mode; without htmx, the campaign page."""
    target = get_visible_or_404(
        CampaignTarget.objects.select_related("campaign"), request.user, pk=pk
    )
    campaign = _campaign(request, target.campaign_id, editable=True)
    people = _people(campaign)
    form = TargetStatusForm(request.POST or None, target=target, people=people)
    saved = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        assignee = User.objects.filter(pk=data["assigned_to"]).first()
        try:
            services.target_update_status(
                acting_user=request.user,
                target=target,
                status=data["status"],
                planned_at=data["planned_at"],
                note=data["note"],
                assigned_to=assignee,
                version=form.version,
            )
        except StaleEdit as stale:
            form.refuse(stale)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            saved = True
            if not is_htmx(request):
                messages.success(request, "Le statut de la cible est enregistré.")
                return redirect(target.get_absolute_url())
    scorer = Scorer(territory=campaign.territory, user=request.user)
    row = _rows([_scored_targets(campaign, scorer).get(pk=pk)], scorer, can_edit=True)[0]
    if not saved and not request.GET.get("lecture"):  # « Annuler » asks for display mode
        row.form = form  # edit mode, with what was typed and its errors
    template = "prospecting/_target_row.html" if is_htmx(request) else "prospecting/target.html"
    return render(request, template, {"row": row, "campaign": campaign, "saved": saved})


def _directory_defaults() -> QueryDict:
    data = QueryDict(mutable=True)
    data.update(directory.DEFAULTS)
    return data


def _directory_filters(campaign: Campaign, data):
    """The directory's search (`data`: its query parameters) within the campaign's EPCI."""
    form = TargetFilterForm(data, territory=campaign.territory, epci=campaign.epci)
    filters = dict(form.cleaned_data) if form.is_valid() else dict(directory.DEFAULTS)
    filters["epci"] = campaign.epci
    return form, filters


@login_required
def targets_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add targets from a directory search: its filters, or a pasted directory address."""
    campaign = _campaign(request, pk, editable=True)
    if "adresse" in request.GET:
        pasted = PastedSearchForm(request.GET)
        if pasted.is_valid():
            url = reverse("prospecting:add_targets", kwargs={"pk": pk})
            return redirect(f"{url}?{pasted.querystring()}")
    else:
        pasted = PastedSearchForm()
    if request.method == "POST":
        data = QueryDict(request.POST.get("filtres", ""))
    else:
        data = request.GET if request.GET else _directory_defaults()
    form, filters = _directory_filters(campaign, data)
    scorer = Scorer(territory=campaign.territory, user=request.user)
    already = campaign.targets.values("establishment_id")
    found = directory.establishments(campaign.territory, request.user, filters).filter(
        epci=campaign.epci
    )
    candidates = scorer.annotate(found.exclude(pk__in=already)).order_by("-score", "search_text")
    if request.method == "POST":
        result = services.targets_add(
            acting_user=request.user, campaign=campaign, establishments=candidates
        )
        (messages.warning if result.truncated else messages.success)(request, result.message)
        return redirect(campaign)
    return render(
        request,
        "prospecting/add_targets.html",
        {
            "campaign": campaign,
            "form": form,
            "pasted": pasted,
            "count": candidates.count(),
            "already": found.filter(pk__in=already).count(),
            "preview": directory.with_display(candidates)[:PREVIEW_SIZE],
            "filters_query": data.urlencode(),
            "limit": services.MAX_TARGETS_PER_ADD,
        },
    )


@login_required
def from_directory(request: HttpRequest) -> HttpResponse:
    """From a directory search, choose the campaign that receives its establishments."""
    territory = _territory(request)
    if not access.can_write_on(request.user):
        raise Http404
    query = request.GET.copy()
    epci = query.pop("epci", [None])[-1]
    for name in ("page", "sort", "tri"):  # the campaign orders its targets by score
        query.pop(name, None)
    campaigns = (
        Campaign.objects.visible_to(request.user)
        .in_territory(territory)
        .open()
        .select_related("epci")
        .order_by("epci__name", "name")
    )
    if epci:
        campaigns = campaigns.filter(epci=epci)
    campaigns = [c for c in campaigns if access.can_edit(request.user, c)]
    return render(
        request,
        "prospecting/from_directory.html",
        {"campaigns": campaigns, "querystring": query.urlencode()},
    )


@login_required
def target_establishment(request: HttpRequest, siret: str) -> HttpResponse:
    """« Ajouter à une campagne » from an establishment page."""
    territory = _territory(request)
    establishment = get_object_or_404(
        Establishment.objects.select_related("company", "epci"),
        siret=siret,
        epci__territories=territory,
    )
    if not access.can_write_on(request.user, establishment.epci):
        raise Http404
    campaigns = [
        c
        for c in Campaign.objects.visible_to(request.user)
        .filter(epci=establishment.epci, territory=territory)
        .open()
        .annotate(has_it=Count("targets", filter=Q(targets__establishment=establishment)))
        if access.can_edit(request.user, c)
    ]
    if request.method == "POST":
        chosen = next((c for c in campaigns if str(c.pk) == request.POST.get("campaign")), None)
        if chosen is None:
            raise Http404
        result = services.targets_add(
            acting_user=request.user, campaign=chosen, establishments=[establishment]
        )
        if result.added:
            messages.success(request, f"{establishment.display_name} est ajouté à « {chosen} ».")
        else:
            messages.info(request, f"{establishment.display_name} est déjà dans « {chosen} ».")
        return redirect(chosen)
    return render(
        request,
        "prospecting/target_establishment.html",
        {"establishment": establishment, "campaigns": campaigns},
    )


@login_required
def weights(request: HttpRequest) -> HttpResponse:
    """The score's criteria and weights: shown to every member, edited by the TI manager."""
    territory = _territory(request)
    can_edit = perms.can_edit_weights(request.user, territory)
    current = weights_for(territory)
    form = WeightsForm(request.POST or None, instance=current) if can_edit else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                services.weights_update(
                    acting_user=request.user, territory=territory, version=form.version,
                    **{k: v for k, v in form.cleaned_data.items() if k != "version"},
                )  # fmt: skip
            except StaleEdit as stale:
                form.refuse(stale)
            else:
                messages.success(request, "Les pondérations du score sont enregistrées.")
                return redirect("prospecting:weights")
    return render(
        request,
        "prospecting/weights.html",
        {
            "territory": territory,
            "weights": current,
            "form": form,
            "sections": directory.industrial_sections(territory),
            "strategic": territory.sectors.filter(strategic=True),
            "not_met_months": NOT_MET_MONTHS,
            "recent_years": RECENT_YEARS,
        },
    )
