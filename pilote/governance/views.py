"""Governance pages: the bodies with the year's cadence, a body (members, meetings), and
for the TI managers the meeting form, « marquer tenue » and « annuler ». Read by the member
organisations of the territory (perms.py); an administrator without another role there, or
anyone outside the territory, gets 404; a reader who does not run the governance gets 404 on
the forms (the pages of a write)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from pilote.accounts.access import NOT_FOUND
from pilote.governance import perms, services
from pilote.governance.cadence import cadence
from pilote.governance.forms import MeetingForm
from pilote.governance.models import Body, Meeting


def _territory(request: HttpRequest):
    territory = request.territory
    if not perms.can_read(request.user, territory):
        raise Http404(NOT_FOUND)
    return territory


def _body(request: HttpRequest, pk: int) -> Body:
    territory = _territory(request)
    try:
        return Body.objects.select_related("territory").get(pk=pk, territory=territory)
    except Body.DoesNotExist as exc:
        raise Http404(NOT_FOUND) from exc


def _managed_meeting(request: HttpRequest, pk: int) -> Meeting:
    territory = _territory(request)
    if not perms.can_manage(request.user, territory):
        raise Http404(NOT_FOUND)
    try:
        return Meeting.objects.select_related("body__territory").get(
            pk=pk, body__territory=territory
        )
    except Meeting.DoesNotExist as exc:
        raise Http404(NOT_FOUND) from exc


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("annee", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@login_required
def body_list(request: HttpRequest) -> HttpResponse:
    territory = _territory(request)
    year = _year(request)
    rows = cadence(territory, year, user=request.user)
    return render(
        request,
        "governance/list.html",
        {"rows": rows, "year": year, "can_manage": perms.can_manage(request.user, territory)},
    )


@login_required
def body_detail(request: HttpRequest, pk: int) -> HttpResponse:
    body = _body(request, pk)
    meetings = (
        body.meetings.filter(perms.meetings_q(request.user))
        .select_related("epci")
        .order_by("-starts_at")
    )
    return render(
        request,
        "governance/body.html",
        {
            "body": body,
            "members": body.members.select_related("organisation", "user"),
            "organisations": body.organisations.order_by("name"),
            "meetings": meetings,
            "now": timezone.now(),
            "can_manage": perms.can_manage(request.user, body.territory),
        },
    )


def _save(request, form, save, success: str, target):
    if request.method == "POST" and form.is_valid():
        try:
            meeting = save(form.values())
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, success)
            return redirect(meeting)
    return render(request, "governance/meeting_form.html", {"form": form, **target})


@login_required
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    body = _body(request, pk)
    if not perms.can_manage(request.user, body.territory):
        raise Http404(NOT_FOUND)
    form = MeetingForm(request.POST or None, body=body)
    return _save(
        request,
        form,
        lambda values: services.meeting_create(acting_user=request.user, body=body, **values),
        "La réunion est enregistrée.",
        {"body": body, "meeting": None},
    )


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed_meeting(request, pk)
    form = MeetingForm(request.POST or None, body=meeting.body, meeting=meeting)
    return _save(
        request,
        form,
        lambda values: services.meeting_update(acting_user=request.user, meeting=meeting, **values),
        "La réunion est modifiée.",
        {"body": meeting.body, "meeting": meeting},
    )


@login_required
@require_POST
def meeting_mark_held(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed_meeting(request, pk)
    try:
        services.meeting_mark_held(acting_user=request.user, meeting=meeting)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "La réunion est marquée tenue.")
    return redirect(meeting)


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed_meeting(request, pk)
    services.meeting_cancel(acting_user=request.user, meeting=meeting)
    messages.success(request, "La réunion est annulée.")
    return redirect(meeting)


def _todo(request, pk):
    raise Http404("Page en construction.")


meeting_detail = agenda_add = agenda_edit = agenda_delete = _todo
outcome_add = outcome_edit = outcome_done = attendance = attendee_add = _todo
