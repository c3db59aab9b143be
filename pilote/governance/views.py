"""Governance pages: the bodies with the year's cadence, a body (members, meetings), a
meeting (agenda, outcomes, attendance, documents and minutes), and for the TI managers the
meeting, agenda, outcome and attendance forms, « marquer tenue » and « annuler ». Read by the
member organisations of the territory (perms.py; a bilateral meeting by the TI managers and
that EPCI's agents only); an administrator without another role there, or anyone outside the
territory, gets 404; a reader who does not run the governance gets 404 on the forms (the
pages of a write) — except the owner of an action, who may mark it done."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from pilote.accounts.access import NOT_FOUND
from pilote.core.locking import StaleEdit
from pilote.governance import perms, services
from pilote.governance.cadence import cadence
from pilote.governance.forms import (
    AgendaItemForm,
    AttendanceForm,
    AttendeeForm,
    MeetingForm,
    OutcomeForm,
)
from pilote.governance.models import AgendaItem, Body, Meeting, Minutes, Outcome


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


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _save(request, form, save, success: str, target):
    if request.method == "POST" and form.is_valid():
        try:
            meeting = save(form.values())
        except StaleEdit as stale:
            form.refuse(stale)
        except ValidationError as exc:
            _form_errors(form, exc)
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
        lambda values: services.meeting_update(
            acting_user=request.user, meeting=meeting, version=form.version, **values
        ),
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


# --- The meeting page ---------------------------------------------------------------------


def _read_meeting(request: HttpRequest, pk: int) -> Meeting:
    """The meeting if the user reads it (a bilateral meeting: TI managers and that EPCI's
    agents only); 404 otherwise."""
    territory = _territory(request)
    try:
        return (
            Meeting.objects.filter(perms.meetings_q(request.user))
            .select_related("body__territory", "epci")
            .get(pk=pk, body__territory=territory)
        )
    except Meeting.DoesNotExist as exc:
        raise Http404(NOT_FOUND) from exc


def _visible_pks(model, user, pks) -> set[int]:
    pks = {pk for pk in pks if pk is not None}
    if not pks:
        return set()
    return set(model.objects.visible_to(user).filter(pk__in=pks).values_list("pk", flat=True))


def _agenda(meeting: Meeting, user) -> list[dict]:
    """The agenda items in order, each with its outcomes and what it discusses — a project or
    an application only if `user` sees it (the access layer), otherwise just « non visible »."""
    from pilote.accompaniment.models import Project
    from pilote.applications.models import Application
    from pilote.indicators.indicators import LABELS

    items = list(
        meeting.agenda_items.select_related("call__scheme").prefetch_related(
            Prefetch("outcomes", queryset=Outcome.objects.select_related("owner"))
        )
    )
    projects = _visible_pks(Project, user, [i.project_id for i in items])
    applications = _visible_pks(Application, user, [i.application_id for i in items])
    shown = {
        "project": Project.objects.filter(pk__in=projects).select_related("establishment"),
        "application": Application.objects.filter(pk__in=applications).select_related(
            "establishment", "scheme"
        ),
    }
    shown = {name: {r.pk: r for r in qs} for name, qs in shown.items()}
    rows = []
    for item in items:
        links = []
        for name, label in (("project", "Projet"), ("application", "Dossier")):
            pk = getattr(item, f"{name}_id")
            if pk is not None:
                links.append({"label": label, "record": shown[name].get(pk)})
        rows.append(
            {
                "item": item,
                "links": links,
                "indicator_label": LABELS.get(item.indicator, item.indicator),
                "outcomes": list(item.outcomes.all()),
            }
        )
    return rows


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _read_meeting(request, pk)
    can_manage = perms.can_manage(request.user, meeting.body.territory)
    minutes = Minutes.objects.filter(meeting=meeting).select_related("author").first()
    return render(
        request,
        "governance/meeting.html",
        {
            "meeting": meeting,
            "body": meeting.body,
            "minutes": minutes,
            "frozen": minutes is not None and minutes.is_locked,
            "agenda": _agenda(meeting, request.user),
            "attendees": meeting.attendees.select_related("member"),
            "can_manage": can_manage,
            "now": timezone.now(),
            "today": timezone.localdate(),
        },
    )


# --- Agenda -------------------------------------------------------------------------------


def _managed_item(request: HttpRequest, pk: int) -> AgendaItem:
    territory = _territory(request)
    if not perms.can_manage(request.user, territory):
        raise Http404(NOT_FOUND)
    try:
        return AgendaItem.objects.select_related("meeting__body__territory").get(
            pk=pk, meeting__body__territory=territory
        )
    except AgendaItem.DoesNotExist as exc:
        raise Http404(NOT_FOUND) from exc


def _item_form_page(request, form, meeting, item, save):
    if request.method == "POST" and form.is_valid():
        try:
            save()
        except StaleEdit as stale:
            form.refuse(stale)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "L'ordre du jour est enregistré.")
            return redirect(f"{meeting.get_absolute_url()}#ordre-du-jour")
    return render(
        request, "governance/agenda_form.html", {"form": form, "meeting": meeting, "item": item}
    )


@login_required
def agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed_meeting(request, pk)
    form = AgendaItemForm(request.POST or None, user=request.user, meeting=meeting)
    fields = [name for name in form.fields if name != "version"]
    return _item_form_page(
        request,
        form,
        meeting,
        None,
        lambda: services.agenda_item_create(
            acting_user=request.user,
            meeting=meeting,
            **{name: form.cleaned_data[name] for name in fields},
        ),
    )


@login_required
def agenda_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _managed_item(request, pk)
    form = AgendaItemForm(
        request.POST or None, instance=item, user=request.user, meeting=item.meeting
    )
    return _item_form_page(
        request,
        form,
        item.meeting,
        item,
        lambda: services.agenda_item_update(
            acting_user=request.user,
            item=AgendaItem.objects.get(pk=pk),  # the form changed `item` in place
            version=form.version,
            **form.changes(),
        ),
    )


@login_required
@require_POST
def agenda_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = _managed_item(request, pk)
    try:
        services.agenda_item_delete(acting_user=request.user, item=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Le point « {item.title} » est retiré de l'ordre du jour.")
    return redirect(f"{item.meeting.get_absolute_url()}#ordre-du-jour")


# --- Outcomes -----------------------------------------------------------------------------


def _outcome_form_page(request, form, item, outcome, save):
    if request.method == "POST" and form.is_valid():
        try:
            save()
        except StaleEdit as stale:
            form.refuse(stale)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Le relevé est enregistré.")
            return redirect(f"{item.meeting.get_absolute_url()}#point-{item.pk}")
    return render(
        request,
        "governance/outcome_form.html",
        {"form": form, "item": item, "meeting": item.meeting, "outcome": outcome},
    )


@login_required
def outcome_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = _managed_item(request, pk)
    form = OutcomeForm(request.POST or None, meeting=item.meeting)
    return _outcome_form_page(
        request,
        form,
        item,
        None,
        lambda: services.outcome_create(
            acting_user=request.user,
            item=item,
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
            owner=form.cleaned_data["owner"],
            due_on=form.cleaned_data["due_on"],
        ),
    )


def _outcome(request: HttpRequest, pk: int) -> Outcome:
    territory = _territory(request)
    try:
        return Outcome.objects.select_related("item__meeting__body__territory").get(
            pk=pk, item__meeting__body__territory=territory
        )
    except Outcome.DoesNotExist as exc:
        raise Http404(NOT_FOUND) from exc


@login_required
def outcome_edit(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = _outcome(request, pk)
    if not perms.can_manage(request.user, outcome.item.meeting.body.territory):
        raise Http404(NOT_FOUND)
    form = OutcomeForm(request.POST or None, instance=outcome, meeting=outcome.item.meeting)
    return _outcome_form_page(
        request,
        form,
        outcome.item,
        outcome,
        lambda: services.outcome_update(
            acting_user=request.user,
            outcome=Outcome.objects.get(pk=pk),  # the form changed `outcome` in place
            version=form.version,
            **form.changes(),
        ),
    )


@login_required
@require_POST
def outcome_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an action done: the TI managers, and the action's owner (from the meeting page or
    « Mes actions »: `next`, a local address, says where to go back)."""
    outcome = _outcome(request, pk)
    if not services.can_mark_done(request.user, outcome):
        raise Http404(NOT_FOUND)
    services.outcome_mark_done(acting_user=request.user, outcome=outcome)
    messages.success(request, "L'action est marquée faite.")
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(f"{outcome.item.meeting.get_absolute_url()}#point-{outcome.item_id}")


# --- Attendance ---------------------------------------------------------------------------


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The presence of each invited person; « Inviter les membres de l'instance » (POST with
    `action=inviter`) adds every member not invited yet."""
    meeting = _managed_meeting(request, pk)
    attendees = meeting.attendees.select_related("member")
    if request.method == "POST" and request.POST.get("action") == "inviter":
        try:
            count = services.attendees_from_members(acting_user=request.user, meeting=meeting)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                f"{count} membre{'s' if count > 1 else ''} invité{'s' if count > 1 else ''}."
                if count
                else "Tous les membres de l'instance sont déjà invités.",
            )
        return redirect("governance:attendance", pk=meeting.pk)
    form = AttendanceForm(request.POST or None, attendees=attendees)
    if request.method == "POST" and form.is_valid():
        try:
            for attendee, status in form.marks():
                services.attendance_mark(acting_user=request.user, attendee=attendee, status=status)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Les présences sont enregistrées.")
            return redirect(f"{meeting.get_absolute_url()}#participants")
    return render(
        request,
        "governance/attendance_form.html",
        {
            "form": form,
            "meeting": meeting,
        },
    )


@login_required
def attendee_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed_meeting(request, pk)
    form = AttendeeForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.attendee_add(acting_user=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "La personne est invitée.")
            return redirect("governance:attendance", pk=meeting.pk)
    return render(request, "governance/attendee_form.html", {"form": form, "meeting": meeting})
