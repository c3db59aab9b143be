"""Team pages of the events: list, create and edit, the event's page (registrations,
waiting list, counts, no-show rate), registrations management, tablet check-in, the PDF
sign-in sheet and the follow-up email. Events are read by every member of their territory
(`perms.get_readable_or_404`); everything about registrations — personal data — answers 404
to whoever does not run the event (`perms.get_runnable_or_404`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from pilote.accounts.access import NOT_FOUND
from pilote.core.htmx import is_htmx, render_list
from pilote.core.locking import StaleEdit
from pilote.events import forms, perms, services, signin
from pilote.events.enums import RegistrationStatus
from pilote.events.models import Event, Registration, no_show_rate

PAGE_SIZE = 20

SORTS = {
    "date": ("starts_at",),
    "titre": ("title",),
    "type": ("kind",),
    "inscrits": ("n_registered",),
}


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _events(request: HttpRequest):
    territory = request.territory
    if territory is None:
        return Event.objects.none()
    return (
        Event.objects.filter(perms.readable_q(request.user))
        .in_territory(territory)
        .select_related("epci")
        .with_counts()
    )


def _runnable(request: HttpRequest, pk: int) -> Event:
    return perms.get_runnable_or_404(
        Event.objects.select_related("territory", "epci"), request.user, pk=pk
    )


def _registration(request: HttpRequest, pk: int) -> Registration:
    registration = get_object_or_404(Registration.objects.select_related("event"), pk=pk)
    if not perms.can_run(request.user, registration.event):
        raise Http404(NOT_FOUND)
    return registration


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    form = forms.EventFilterForm(request.GET or None)
    rows = form.filter(_events(request))
    return render_list(
        request,
        rows,
        template="events/list.html",
        results="events/_results.html",
        page_size=PAGE_SIZE,
        sorts=SORTS,
        default_sort="date",
        form=form,
        can_create=perms.can_create(request.user, request.territory),
    )


@login_required
def event_create(request: HttpRequest) -> HttpResponse:
    territory = request.territory
    if not perms.can_create(request.user, territory):
        raise Http404(NOT_FOUND)
    form = forms.EventForm(request.POST or None, user=request.user, territory=territory)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(
                acting_user=request.user, territory=territory, **form.values()
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "L'événement est enregistré.")
            return redirect(event)
    return render(request, "events/form.html", {"form": form, "event": None})


@login_required
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = _runnable(request, pk)
    form = forms.EventForm(
        request.POST or None, user=request.user, territory=event.territory, event=event
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(
                acting_user=request.user, event=event, version=form.version, **form.changed_values()
            )
        except StaleEdit as stale:
            form.refuse(stale)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "L'événement est modifié.")
            return redirect(event)
    return render(request, "events/form.html", {"form": form, "event": event})


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = perms.get_readable_or_404(_events(request), request.user, pk=pk)
    can_run = perms.can_run(request.user, event)
    context = {
        "event": event,
        "can_run": can_run,
        "no_show": no_show_rate(event.n_registered, event.n_attended) if event.is_past else None,
    }
    if can_run:
        registrations = event.registrations.select_related("establishment__company")
        context.update(
            registered=registrations.filter(status=RegistrationStatus.REGISTERED),
            waiting=registrations.waiting(),
            cancelled=registrations.filter(status=RegistrationStatus.CANCELLED),
            messages_sent=event.messages.select_related("sent_by").prefetch_related("recipients"),
            add_form=forms.TeamRegistrationForm(),
        )
    return render(request, "events/detail.html", context)


@login_required
def registration_add(request: HttpRequest, pk: int) -> HttpResponse:
    event = _runnable(request, pk)
    form = forms.TeamRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registration, created = services.registration_create(
                acting_user=request.user, event=event, **form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if not created:
                messages.info(request, f"{registration.full_name} était déjà inscrit(e).")
            elif registration.status == RegistrationStatus.WAITING:
                messages.success(request, f"{registration.full_name} est en liste d'attente.")
            else:
                messages.success(request, f"{registration.full_name} est inscrit(e).")
            return redirect(event)
    return render(request, "events/registration_form.html", {"form": form, "event": event})


@login_required
@require_POST
def registration_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _registration(request, pk)
    promoted = services.registration_cancel(acting_user=request.user, registration=registration)
    text = f"L'inscription de {registration.full_name} est annulée."
    if promoted:
        text += " Place attribuée à : " + ", ".join(r.full_name for r in promoted) + "."
    messages.success(request, text)
    return redirect(registration.event)


@login_required
def registration_establishment(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _registration(request, pk)
    event = registration.event
    form = forms.EstablishmentForm(request.POST or None, initial={"siret": registration.siret})
    if request.method == "POST" and form.is_valid():
        siret = form.cleaned_data["siret"]
        establishment = services.match_establishment(event, siret) if siret else None
        if siret and establishment is None:
            form.add_error("siret", "Aucun établissement du territoire n'a ce SIRET.")
        else:
            services.registration_set_establishment(
                acting_user=request.user, registration=registration, establishment=establishment
            )
            messages.success(request, "L'établissement de l'inscription est enregistré.")
            return redirect(event)
    return render(
        request,
        "events/establishment_form.html",
        {"form": form, "event": event, "registration": registration},
    )


@login_required
@require_POST
def registration_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark present (`presence=1`), absent (`0`) or reset (empty): the check-in's toggle
    (htmx: the row again) and the attendance recorded after the event."""
    registration = _registration(request, pk)
    value = request.POST.get("presence", "")
    present = {"1": True, "0": False}.get(value)
    error = ""
    try:
        registration = services.attendance_mark(
            acting_user=request.user, registration=registration, present=present
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if is_htmx(request):
        return render(request, "events/_checkin_row.html", {"r": registration, "error": error})
    if error:
        messages.error(request, error)
    back = request.POST.get("retour")
    if back == "emargement":
        return redirect("events:checkin", pk=registration.event_id)
    return redirect(registration.event)


@login_required
def checkin(request: HttpRequest, pk: int) -> HttpResponse:
    """The tablet page: big buttons, a search by name, a toggle per person."""
    event = _runnable(request, pk)
    q = request.GET.get("q", "")
    rows = (
        event.registrations.registered()
        .search(q)
        .select_related("establishment__company")
        .order_by("last_name", "first_name", "pk")
    )
    context = {
        "event": event,
        "rows": rows,
        "q": q,
        "present": event.registrations.registered().filter(attended=True).count(),
        "total": event.registrations.registered().count(),
    }
    if is_htmx(request):
        return render(request, "events/_checkin_rows.html", context)
    return render(request, "events/checkin.html", context)


@login_required
def signin_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    event = _runnable(request, pk)
    pdf = signin.render_pdf(event)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"emargement-{event.slug}.pdf"
    )
    return response


@login_required
def followup(request: HttpRequest, pk: int) -> HttpResponse:
    event = _runnable(request, pk)
    form = forms.FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            message = services.followup_send(
                acting_user=request.user, event=event, **form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            n = message.recipients.count()
            messages.success(
                request, f"Courriel de suite envoyé à {n} personne{'s' if n > 1 else ''}."
            )
            return redirect(event)
    counts = {
        audience: services.followup_recipients(event, audience).count()
        for audience in ("attendees", "absentees")
    }
    return render(
        request, "events/followup_form.html", {"form": form, "event": event, "counts": counts}
    )
