"""Follow-up pages: « mes actions » (the reader's own actions, with a quick status change),
the preview of the weekly digest, and the meeting report (compte rendu) as PDF."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from pilote.accompaniment import digest, extra_actions, report, services, week
from pilote.accompaniment.enums import ActionStatus
from pilote.accompaniment.models import Action, Interaction
from pilote.accounts import access
from pilote.accounts.access import get_visible_or_404
from pilote.core.htmx import render_list

PAGE_SIZE = 25
# The sortable columns of « Mes actions » (`?tri=`), by their public name.
ACTION_SORTS = {
    "echeance": ("due_date",),
    "action": ("title",),
    "etablissement": ("establishment__search_text",),
    "statut": ("status",),
}

OPEN, OVERDUE, ALL = "ouvertes", "en_retard", "toutes"
STATUS_FILTERS = [
    (OPEN, "À faire et en cours"),
    (OVERDUE, "En retard"),
    *ActionStatus.choices,
    (ALL, "Toutes"),
]


class ActionFilterForm(forms.Form):
    statut = forms.ChoiceField(label="Statut", choices=STATUS_FILTERS, required=False)

    def filter(self, actions, *, today):
        status = (self.cleaned_data.get("statut") if self.is_valid() else None) or OPEN
        if status == OPEN:
            return actions.open()
        if status == OVERDUE:
            return actions.overdue(today)
        if status == ALL:
            return actions
        return actions.filter(status=status)


def my_actions_queryset(user):
    """The actions `user` owns and may still see."""
    return (
        Action.objects.visible_to(user)
        .owned_by(user)
        .select_related("establishment__company", "epci", "interaction")
    )


@login_required
@require_GET
def my_actions(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = ActionFilterForm(request.GET or {"statut": OPEN})
    mine = my_actions_queryset(request.user)
    actions = form.filter(mine, today=today).order_by("due_date", "pk")
    return render_list(
        request,
        actions,
        template="accompaniment/actions.html",
        results="accompaniment/actions.html",
        page_size=PAGE_SIZE,
        sorts=ACTION_SORTS,
        default_sort="echeance",
        form=form,
        today=today,
        open_count=mine.open().count(),
        overdue_count=mine.overdue(today).count(),
        status_choices=ActionStatus.choices,
        can_record=access.can_write_on(request.user),
        extra_sections=extra_actions.sections(request.user, today),
    )


def _back_to_list(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("accompaniment:my_actions")


@login_required
@require_POST
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Quick status change from « mes actions »: only on one's own actions still visible."""
    action = get_visible_or_404(my_actions_queryset(request.user), request.user, pk=pk)
    status = request.POST.get("status", "")
    if status not in ActionStatus.values:
        messages.error(request, "Choisissez un statut proposé.")
        return redirect(_back_to_list(request))
    try:
        services.action_update(acting_user=request.user, action=action, status=status)
    except PermissionDenied:
        messages.error(
            request,
            f"Vous ne pouvez plus modifier « {action.title} » : demandez au chef de projet TI "
            "de la confier à quelqu'un d'autre.",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"« {action.title} » : {ActionStatus(status).label.lower()}.")
    return redirect(_back_to_list(request))


@login_required
@require_GET
@never_cache
def digest_preview(request: HttpRequest) -> HttpResponse:
    """The weekly digest as the reader would receive it today."""
    return render(
        request,
        "accompaniment/digest_preview.html",
        {"digest": digest.digest_for(request.user), "days": digest.DAYS_AHEAD},
    )


@login_required
@require_GET
def my_week(request: HttpRequest) -> HttpResponse:
    """« Ma semaine »: the visits and exchanges of the user in the next seven days (each
    planned visit with « Démarrer l'entretien »), their overdue actions, and the sections of
    later capabilities (`week.sections`)."""
    today = timezone.localdate()
    return render(
        request,
        "accompaniment/my_week.html",
        {
            "digest": digest.digest_for(request.user, today=today),
            "sections": week.extra_sections(request.user, today),
            "today": today,
        },
    )


@login_required
@require_GET
@never_cache
def report_pdf(request: HttpRequest, pk: int, version: str) -> HttpResponse:
    """The compte rendu of an interaction the reader may see (404 otherwise)."""
    if version not in report.VERSIONS:
        raise Http404
    interaction = get_visible_or_404(
        Interaction.objects.select_related(
            "establishment__company", "establishment__commune", "epci", "author",
            "author_organisation", "guide_version",
        ),
        request.user,
        pk=pk,
    )  # fmt: skip
    built = report.build_report(request.user, interaction, version=version)
    response = HttpResponse(report.render_pdf(built), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{built.filename}"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
