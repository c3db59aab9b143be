"""« Planifier une visite »: one planned site visit, the meeting-to-be (docs/accompaniment.md)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pilote.accompaniment import forms, services
from pilote.accompaniment.views import _establishment_in_territory, _form_errors
from pilote.accounts import access
from pilote.prospecting.models import Campaign


def _campaigns(user, territory, establishment) -> list[Campaign]:
    """The open campaigns of the establishment's EPCI that target it and `user` may edit."""
    return [
        c
        for c in Campaign.objects.visible_to(user)
        .filter(territory=territory, epci=establishment.epci, targets__establishment=establishment)
        .open()
        .distinct()
        .order_by("name")
        if access.can_edit(user, c)
    ]


@login_required
def visit_plan(request: HttpRequest, siret: str) -> HttpResponse:
    establishment = _establishment_in_territory(request, siret)
    user = request.user
    if establishment.epci is None or not access.can_write_on(user, establishment.epci):
        raise Http404
    form = forms.VisitPlanForm(
        request.POST or None,
        establishment=establishment,
        user=user,
        campaigns=_campaigns(user, request.territory, establishment),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.visit_plan(
                acting_user=user,
                establishment=establishment,
                at=data["at"],
                participants=data["participants"],
                campaign=data["campaign"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "at" in exc.error_dict:
                exc = ValidationError({"day": exc.error_dict["at"]})
            _form_errors(form, exc)
        else:
            messages.success(request, "La visite est planifiée.")
            return redirect(establishment)
    return render(
        request,
        "accompaniment/visit_plan.html",
        {"establishment": establishment, "form": form},
    )
