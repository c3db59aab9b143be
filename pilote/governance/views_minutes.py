"""Minutes (draft → circulated → approved → locked, addenda), the PDFs (minutes, meeting
pack) and the invitations (.ics, e-mail) of a meeting (docs/governance.md#minutes).

Every page reads the meeting through `perms.meetings_q` in the current territory: anyone
else gets 404 (a bilateral meeting is its EPCI's). The writes of the TI managers (edit,
circulate, approve, lock, addendum, send the invitations) answer 404 to other readers; a
reader comments circulated minutes. Locked or approved minutes are shown read-only on the
edit page, and a POST there changes nothing: 409 with the reason.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pilote.accounts.access import NOT_FOUND
from pilote.core.locking import StaleEdit, VersionedForm
from pilote.governance import invitations, pdf, perms
from pilote.governance import minutes as services
from pilote.governance.models import Meeting, Minutes

TEXT_WIDGET = forms.Textarea(attrs={"rows": 18})


class MinutesForm(VersionedForm, forms.Form):
    text = forms.CharField(
        label="Compte rendu",
        required=False,
        widget=TEXT_WIDGET,
        help_text="En Markdown : **gras**, *italique*, listes avec « - », titres avec « ### ».",
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Votre commentaire",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Écrivez votre commentaire."},
    )


class AddendumForm(forms.Form):
    text = forms.CharField(
        label="Correction (addendum)",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Écrivez la correction."},
        help_text="Le compte rendu verrouillé reste tel quel ; l'addendum s'y ajoute, daté et "
        "signé.",
    )


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    """The meeting `pk` of the current territory, if the user reads it; 404 otherwise."""
    territory = request.territory
    if not perms.can_read(request.user, territory):
        raise Http404(NOT_FOUND)
    meeting = (
        Meeting.objects.filter(perms.meetings_q(request.user), pk=pk, body__territory=territory)
        .select_related("body__territory", "epci")
        .first()
    )
    if meeting is None:
        raise Http404(NOT_FOUND)
    return meeting


def _managed(request: HttpRequest, pk: int) -> Meeting:
    meeting = _meeting(request, pk)
    if not perms.can_manage(request.user, meeting.body.territory):
        raise Http404(NOT_FOUND)
    return meeting


def _minutes(meeting: Meeting) -> Minutes:
    found = Minutes.objects.filter(meeting=meeting).first()
    if found is None:
        raise Http404(NOT_FOUND)
    return found


def _error(request: HttpRequest, exc: Exception) -> None:
    messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))


def block_context(request: HttpRequest, meeting: Meeting) -> dict:
    """The context of `governance/_minutes.html` and `_meeting_documents.html`, for a page
    that shows the meeting (the meeting page's view may use it)."""
    found = Minutes.objects.filter(meeting=meeting).select_related("author").first()
    return {
        "meeting": meeting,
        "minutes": found,
        "can_manage": perms.can_manage(request.user, meeting.body.territory),
    }


@login_required
def minutes_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed(request, pk)
    found = Minutes.objects.filter(meeting=meeting).first()
    frozen = found is not None and found.status not in services.EDITABLE
    status = 200
    form = None
    if frozen:
        if request.method == "POST":
            # A locked (or approved) minute is not edited through the page: nothing changes,
            # and the page says why (as it does on GET).
            status = 409
    else:
        form = MinutesForm(
            request.POST or None,
            record=found,
            initial={"text": found.text if found else ""},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.minutes_save(
                    acting_user=request.user,
                    meeting=meeting,
                    text=form.cleaned_data["text"],
                    version=form.version,
                )
            except StaleEdit as stale:
                form.refuse(stale)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Le compte rendu est enregistré.")
                return redirect(meeting)
    context = {
        "meeting": meeting,
        "minutes": found,
        "form": form,
        "frozen": frozen,
        "frozen_message": services.FROZEN,
        "addendum_form": AddendumForm() if found is not None and found.is_locked else None,
        "can_manage": True,
    }
    return render(request, "governance/minutes_form.html", context, status=status)


def _transition(request: HttpRequest, pk: int, service, success: str) -> HttpResponse:
    meeting = _managed(request, pk)
    try:
        service(acting_user=request.user, minutes=_minutes(meeting))
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, success)
    return redirect(meeting)


@login_required
@require_POST
def minutes_circulate(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request, pk, services.minutes_circulate, "Le compte rendu est diffusé pour relecture."
    )


@login_required
@require_POST
def minutes_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, services.minutes_approve, "Le compte rendu est approuvé.")


@login_required
@require_POST
def minutes_lock(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request, pk, services.minutes_lock, "Le compte rendu est verrouillé : il ne changera plus."
    )


@login_required
@require_POST
def minutes_comment(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Écrivez votre commentaire.")
        return redirect(meeting)
    try:
        services.minutes_comment(
            acting_user=request.user, minutes=_minutes(meeting), text=form.cleaned_data["text"]
        )
    except PermissionDenied as exc:
        raise Http404(NOT_FOUND) from exc
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, "Votre commentaire est enregistré.")
    return redirect(meeting)


@login_required
@require_POST
def addendum_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed(request, pk)
    form = AddendumForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Écrivez la correction.")
        return redirect(meeting)
    try:
        services.addendum_add(
            acting_user=request.user, minutes=_minutes(meeting), text=form.cleaned_data["text"]
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, "L'addendum est ajouté au compte rendu.")
    return redirect(meeting)


def _pdf_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@login_required
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    return _pdf_response(pdf.minutes_pdf(meeting), pdf.filename(meeting, "compte-rendu"))


@login_required
def meeting_pack_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    return _pdf_response(
        pdf.pack_pdf(meeting, request.user), pdf.filename(meeting, "dossier-de-seance")
    )


@login_required
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    response = HttpResponse(
        invitations.meeting_ics(meeting), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{invitations.filename(meeting)}"'
    return response


@login_required
@require_POST
def invitations_send(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed(request, pk)
    try:
        count = invitations.invitations_send(acting_user=request.user, meeting=meeting)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"{count} invitation(s) envoyée(s).")
    return redirect(meeting)
