"""Calls calendar and its feed, matching for an establishment, detection and dispatches."""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from pilote.accounts.access import get_visible_or_404
from pilote.accounts.enums import Role
from pilote.aids import calendar, detection, emails, matching, perms, services
from pilote.aids.enums import Theme
from pilote.aids.forms import CatalogueFilterForm, InformForm
from pilote.aids.models import AidFeed, AidScheme, Dispatch
from pilote.companies.models import Establishment
from pilote.core import feeds
from pilote.core.htmx import render_list
from pilote.core.list_sections import section_page, section_sort

CALENDAR_PAGE_SIZE = 25


def _territory(request: HttpRequest):
    """The current territory, for pages that read its establishments (members only)."""
    territory = request.territory
    if territory is None or not perms.is_member(request.user, territory):
        raise Http404("Aucun territoire n'est associé à votre compte.")
    return territory


# The calendar's sections: (key, title, page parameter, the order it opens in).
CALENDAR_SECTIONS = [
    ("closing_soon", "Clôture dans moins de 30 jours", "page_cloture", "cloture"),
    ("open", "Ouverts", "page_ouverts", "cloture"),
    ("upcoming", "Ouvertures à venir", "page_a_venir", "ouverture"),
    ("past", "Appels passés (12 derniers mois)", "page_passes", "-cloture"),
]
CALENDAR_EMPTY = {
    "closing_soon": "Aucun appel ne clôture dans les 30 jours.",
    "open": "Aucun autre appel ouvert.",
    "upcoming": "Aucune ouverture annoncée. Ajoutez les vagues et relèves connues aux dispositifs.",
    "past": "Aucun appel clos ces douze derniers mois.",
}
_NO_DATE = dt.date.max  # an open-ended window sorts after every date


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


# `?tri=`: the same columns in every section (the page's themes do not sort).
CALENDAR_SORTS = {
    "dispositif": lambda e: (_folded(e.scheme.title), e.scheme.pk),
    "fenetre": lambda e: _folded(e.window.label or ""),
    "ouverture": lambda e: e.window.opens_on or _NO_DATE,
    "cloture": lambda e: e.window.closes_on or _NO_DATE,
    "porteurs": lambda e: _folded(", ".join(e.scheme.carrier_names)),
}


@login_required
def calendar_view(request: HttpRequest) -> HttpResponse:
    """The four sections of the calendar, each sorted by the page's `?tri=` (else its own
    order) and paginated on its own (`?page_passes=2`), the filters kept."""
    if not perms.can_read_catalogue(request.user):
        raise Http404
    form = CatalogueFilterForm(request.GET or None, with_status=False)
    schemes = calendar.filtered(AidScheme.objects.all(), **form.values())
    agenda = calendar.agenda(schemes)
    page_params = [param for _, _, param, _ in CALENDAR_SECTIONS]
    sections = []
    for key, title, param, default in CALENDAR_SECTIONS:
        entries, sort = section_sort(
            request, getattr(agenda, key), CALENDAR_SORTS,
            default_sort=default, page_params=page_params,
        )  # fmt: skip
        setattr(agenda, key, entries)
        page = section_page(request, entries, param=param, page_size=CALENDAR_PAGE_SIZE)
        sections.append(
            {"key": key, "title": title, "page": page, "sort": sort, "empty": CALENDAR_EMPTY[key]}
        )
    return render(
        request,
        "aids/calendar.html",
        {
            "form": form,
            "agenda": agenda,
            "sections": sections,
            "today": timezone.localdate(),
        },
    )


@login_required
def feed_settings(request: HttpRequest) -> HttpResponse:
    if not perms.can_use_feed(request.user):
        raise Http404
    return feeds.settings_page(
        request, model=AidFeed, create_feed=services.feed_create,
        revoke_feed=services.feed_revoke,
        page="aids:feed", ics="aids:ics", template="aids/feed.html",
    )  # fmt: skip


@require_GET
@never_cache
def ics_feed(request: HttpRequest, token: str) -> HttpResponse:
    """No login: the secret address is the credential. Unknown, revoked, or its owner no
    longer a member → 404."""
    if not perms.can_use_feed(feeds.owner(AidFeed, token)):
        raise Http404
    body = calendar.calls_calendar(AidScheme.objects.all())
    return feeds.ics_response(body, "pilote-appels.ics")


def _themes(request: HttpRequest) -> frozenset[str]:
    return frozenset(t for t in request.GET.getlist("theme") if t in Theme.values)


def render_match(request, *, criteria, establishment, subject: str, back_url: str, extra=None):
    result = matching.explain(matching.load_rules(), criteria)
    return render(
        request,
        "aids/match.html",
        {
            "establishment": establishment,
            "subject": subject,
            "back_url": back_url,
            "result": result,
            "themes": Theme.choices,
            "chosen": criteria.themes,
            "chosen_labels": [label for value, label in Theme.choices if value in criteria.themes],
            "can_pick_themes": extra is None,
            **(extra or {}),
        },
    )


@login_required
def establishment_match(request: HttpRequest, siret: str) -> HttpResponse:
    """The schemes an establishment of the territory is eligible for, with their reasons;
    for the others, the criterion that blocks. Public data only."""
    territory = _territory(request)
    establishment = get_object_or_404(
        Establishment.objects.in_territory(territory).select_related("company", "commune", "epci"),
        siret=siret,
    )
    criteria = matching.Criteria(matching.facts_of(establishment), themes=_themes(request))
    return render_match(
        request,
        criteria=criteria,
        establishment=establishment,
        subject=establishment.display_name,
        back_url=establishment.get_absolute_url(),
    )


PER_PAGE = 25


def _detection(request: HttpRequest, pk: int, **options):
    """The detection of a call over the current territory, as the reader sees it (their
    visible needs and projects count among the reasons)."""
    territory = _territory(request)
    scheme = get_object_or_404(AidScheme.objects.prefetch_related("windows"), pk=pk)
    found = detection.detect(scheme, territory, reader=request.user, **options)
    return territory, scheme, found


@login_required
def detection_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The targeted establishments of the territory a call concerns, one EPCI at a time
    (numbered pages). An EPCI agent sees their EPCI first; dispatches (follow-up) appear
    only as `visible_to` allows."""
    territory, scheme, found = _detection(request, pk, load_all=False)
    membership = request.membership
    own_epci = membership.organisation.epci_id if membership.role == Role.EPCI_AGENT else None
    groups = sorted(found.groups, key=lambda g: (g.epci.pk != own_epci, g.epci.name))
    wanted = request.GET.get("epci")
    group = next((g for g in groups if str(g.epci.pk) == wanted), groups[0] if groups else None)
    page = None
    if group is not None:
        paginator = Paginator(group.lines, PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        detection.load(page.object_list)
    dispatches = (
        Dispatch.objects.visible_to(request.user)
        .filter(scheme=scheme, territory=territory)
        .select_related("epci", "author")
    )
    can_inform = perms.can_inform_epcis(request.user, territory)
    return render(
        request,
        "aids/detection.html",
        {
            "scheme": scheme,
            "detection": found,
            "groups": groups,
            "group": group,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number) if page else [],
            "ranking": detection.RANKING,
            "dispatches": dispatches,
            "can_inform": can_inform,
            "recipients": services.epci_recipients(territory, group.epci)
            if can_inform and group
            else None,
        },
    )


@login_required
def detection_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The same establishments as the page (targeted and ranked), all of them."""
    _, _, found = _detection(request, pk)
    return detection.xlsx_response(found)


@login_required
def inform(request: HttpRequest, pk: int) -> HttpResponse:
    """« Informer les EPCI », in two steps. GET, or POST without confirmation: the preview —
    for each EPCI its recipients, its count and the email it would receive, or « Déjà
    informé le … ». POST with `confirm` and the digest of the previewed plan: the sending
    (`services.inform_epcis`, idempotent per call window). Nothing is sent otherwise."""
    territory = _territory(request)
    if not perms.can_inform_epcis(request.user, territory):
        raise Http404
    scheme = get_object_or_404(AidScheme.objects.prefetch_related("windows"), pk=pk)
    # What the EPCIs' agents may see: needs and projects « Mon organisation seulement » of
    # the reader are not reasons an email may give.
    found = detection.detect(scheme, territory, reader=request.user, shareable=True)
    form = InformForm(request.POST or None)
    plan = services.inform_plan(detection=found, territory=territory)
    if request.method == "POST" and form.is_valid() and request.POST.get("confirm") == "oui":
        if request.POST.get("plan") != plan.key:
            messages.warning(
                request,
                "La liste a changé depuis l'aperçu : vérifiez ce nouvel aperçu avant de "
                "confirmer. Rien n'a été envoyé.",
            )
        else:
            report = services.inform_epcis(
                acting_user=request.user,
                detection=found,
                territory=territory,
                message=form.cleaned_data["message"],
            )
            _report_messages(request, report)
            return redirect("aids:detection", pk=pk)
    message = form.cleaned_data["message"] if form.is_bound and form.is_valid() else ""
    previews = [
        (
            item,
            emails.preview(
                scheme=scheme,
                epci=item.epci,
                lines=item.lines,
                message=message,
                previous_on=item.already_on,
                sender=request.user,
            )
            if item.sends
            else None,
        )
        for item in plan.items
    ]
    return render(
        request,
        "aids/inform_preview.html",
        {
            "scheme": scheme,
            "detection": found,
            "form": form,
            "plan": plan,
            "previews": previews,
        },
    )


def _report_messages(request: HttpRequest, report) -> None:
    if report.dispatches:
        names = ", ".join(
            f"{d.epci.name} ({d.lines.count()} établissement{'s' if d.lines.count() > 1 else ''})"
            for d in report.dispatches
        )
        messages.success(request, f"Courriel envoyé à : {names}. Chacun ne reçoit que sa liste.")
    for item in report.already:
        messages.info(
            request,
            f"{item.epci.name} : déjà informé le {item.already_on:%d/%m/%Y}, aucun nouvel "
            "établissement depuis : rien n'a été envoyé.",
        )
    if report.without_recipient:
        messages.warning(
            request,
            "Sans agent inscrit dans Pilote, pas de courriel pour : "
            + ", ".join(report.without_recipient)
            + ". Invitez un agent de ces EPCI, ou transmettez-leur l'export.",
        )
    if not (report.dispatches or report.already or report.without_recipient):
        messages.error(request, "Aucun établissement détecté : aucun EPCI n'a été informé.")


DISPATCH_SORTS = {
    "date": ("created_at",),
    "dispositif": ("scheme__title",),
    "epci": ("epci__name",),
    "par": ("author__last_name", "author__first_name"),
}


@login_required
def dispatch_list(request: HttpRequest) -> HttpResponse:
    """What the reader may see of the EPCIs informed, latest first, sortable and paginated."""
    dispatches = (
        Dispatch.objects.visible_to(request.user)
        .select_related("scheme", "epci", "author")
        .order_by("-created_at", "-pk")
    )
    return render_list(
        request,
        dispatches,
        template="aids/dispatches.html",
        results="aids/_dispatch_results.html",
        page_size=PER_PAGE,
        sorts=DISPATCH_SORTS,
        default_sort="-date",
    )


@login_required
def dispatch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dispatch = get_visible_or_404(
        Dispatch.objects.select_related("scheme", "epci", "author", "author_organisation"),
        request.user,
        pk=pk,
    )
    lines = dispatch.lines.select_related("establishment__company", "establishment__commune")
    return render(request, "aids/dispatch.html", {"dispatch": dispatch, "lines": lines})


def _record_match(request: HttpRequest, model_path: str, pk: int, adapt, kind_label: str):
    """A project or a need the user may see (404 otherwise), matched on its establishment
    and its themes."""
    from django.apps import apps

    model = apps.get_model(model_path)
    record = get_visible_or_404(
        model.objects.select_related("establishment__company", "establishment__commune"),
        request.user,
        pk=pk,
    )
    criteria = adapt(record)
    return render_match(
        request,
        criteria=criteria,
        establishment=record.establishment,
        subject=f"{kind_label} « {record} »",
        back_url=record.get_absolute_url(),
        extra={"record": record},
    )


@login_required
def project_match(request: HttpRequest, pk: int) -> HttpResponse:
    from pilote.aids.adapters import criteria_for_project

    return _record_match(request, "accompaniment.Project", pk, criteria_for_project, "Projet")


@login_required
def need_match(request: HttpRequest, pk: int) -> HttpResponse:
    from pilote.aids.adapters import criteria_for_need

    return _record_match(request, "accompaniment.Need", pk, criteria_for_need, "Besoin")
