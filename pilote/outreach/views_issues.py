"""The team's pages of the issues: the list (with each issue's compact statistics), the
list's settings (tracking), create, the issue's page (statistics, sections, status, sending
panel), edit (every section on one form), preview, status change (draft ↔ ready).

Only the TI managers of the current territory reach them (`services.mailing_list_of`): 404 for
everyone else, and for an issue of another list.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from pilote.core.htmx import render_list
from pilote.core.locking import StaleEdit, version_of
from pilote.outreach import forms, services, stats
from pilote.outreach.enums import IssueStatus, SubscriberStatus
from pilote.outreach.models import Issue, Subscriber
from pilote.outreach.views_subscribers import form_errors

PAGE_SIZE = 25
SORTS = {
    "numero": ("number",),
    "titre": ("title",),
    "statut": ("status",),
    "parution": ("published_on",),
}
SEND_PANEL = "outreach/_send_panel.html"


def _issue(request: HttpRequest, pk: int) -> Issue:
    mailing_list = services.mailing_list_of(request)
    return get_object_or_404(
        Issue.objects.select_related("mailing_list__territory", "author"),
        pk=pk,
        mailing_list_id=mailing_list.pk,
    )


def _has_send_panel() -> bool:
    """The sending engine's panel, once it is written (`templates/outreach/_send_panel.html`)."""
    try:
        get_template(SEND_PANEL)
    except TemplateDoesNotExist:
        return False
    return True


@login_required
def issue_list(request: HttpRequest) -> HttpResponse:
    mailing_list = services.mailing_list_of(request)
    rows = (
        Issue.objects.filter(mailing_list_id=mailing_list.pk)
        .annotate(recipients=Count("deliveries"))
        .order_by("-number")
    )
    rows = stats.annotate_list(rows)
    response = render_list(
        request,
        rows,
        template="outreach/issue_list.html",
        results="outreach/_issue_results.html",
        page_size=PAGE_SIZE,
        sorts=SORTS,
        default_sort="-numero",
        mailing_list=mailing_list,
        active=Subscriber.objects.filter(
            mailing_list_id=mailing_list.pk, status=SubscriberStatus.ACTIVE
        ).count(),
    )
    return response


@login_required
def list_settings(request: HttpRequest) -> HttpResponse:
    """The list's settings: the measure of opens and clicks (off by default, audited)."""
    mailing_list = services.mailing_list_of(request)
    form = forms.TrackingForm(
        request.POST if request.method == "POST" else None,
        initial={"tracking": mailing_list.tracking},
    )
    if request.method == "POST" and form.is_valid():
        tracking = form.cleaned_data["tracking"]
        services.mailing_list_set_tracking(
            acting_user=request.user, mailing_list=mailing_list, tracking=tracking
        )
        messages.success(
            request,
            "La mesure des ouvertures et des clics est "
            + ("activée." if tracking else "désactivée."),
        )
        return redirect("outreach:issues")
    return render(
        request,
        "outreach/settings.html",
        {"form": form, "mailing_list": mailing_list},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def issue_create(request: HttpRequest) -> HttpResponse:
    mailing_list = services.mailing_list_of(request)
    form = forms.IssueCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issue = services.issue_create(
                acting_user=request.user, mailing_list=mailing_list, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                f"Le numéro {issue.number} est créé ; ses rubriques sont pré-remplies avec les "
                "données de Pilote : relisez-les et complétez-les.",
            )
            return redirect(issue)
    next_number = (
        Issue.objects.filter(mailing_list_id=mailing_list.pk)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    ) + 1
    return render(
        request,
        "outreach/issue_create.html",
        {"form": form, "mailing_list": mailing_list, "next_number": next_number},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue(request, pk)
    return render(
        request,
        "outreach/issue_detail.html",
        {
            "issue": issue,
            "body": mark_safe(services.issue_render(issue)),
            "editable": issue.status in services.ISSUE_EDITABLE_STATUSES,
            "version": version_of(issue),
            "has_send_panel": _has_send_panel(),
            "active": issue.mailing_list.subscribers.filter(status=SubscriberStatus.ACTIVE).count(),
            "stats": stats.issue_stats(issue),
            "click_rows": stats.click_rows(issue, request.user),
            "follow_up_days": stats.FOLLOW_UP_DAYS,
        },
    )


@login_required
def issue_edit(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue(request, pk)
    if issue.status not in services.ISSUE_EDITABLE_STATUSES:
        messages.error(
            request,
            f"Le numéro est « {issue.get_status_display().lower()} » : il ne se modifie plus.",
        )
        return redirect(issue)
    form = forms.IssueEditForm(request.POST or None, issue=issue)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.issue_update(
                acting_user=request.user,
                issue=Issue.objects.get(pk=pk),
                version=form.version,
                title=data["title"],
                published_on=data["published_on"],
                sections=form.section_changes(),
            )
        except StaleEdit as stale:
            form.refuse(stale)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "Le numéro est enregistré.")
            return redirect(issue)
    return render(
        request,
        "outreach/issue_form.html",
        {"form": form, "issue": issue},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def issue_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The issue as its readers will see it, in the site's layout."""
    issue = _issue(request, pk)
    return render(
        request,
        "outreach/issue_preview.html",
        {"issue": issue, "body": mark_safe(services.issue_render(issue))},
    )


@login_required
@require_POST
def issue_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft ↔ ready (sending and sent belong to the sending engine)."""
    issue = _issue(request, pk)
    status = request.POST.get("status", "")
    try:
        services.issue_set_status(
            acting_user=request.user,
            issue=issue,
            status=status,
            version=request.POST.get("version") or None,
        )
    except StaleEdit as stale:
        messages.error(request, stale.message.split(" Les champs")[0])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        label = IssueStatus(status).label.lower()
        messages.success(request, f"Le numéro est maintenant « {label} ».")
    return redirect(issue)
