"""The bilan: its form (`/programme/bilan/`), PDF and XLSX (docs/indicators.md#bilan).

For the TI managers, EPCI agents and partners of the current territory (404 to others); the
figures are always those the requesting user may see (`reader=request.user`)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from pilote.accounts.enums import Role
from pilote.indicators import bilan

READER_ROLES = frozenset({Role.TI_MANAGER, Role.EPCI_AGENT, Role.PARTNER})
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BilanForm(forms.Form):
    de = forms.DateField(
        label="Du", input_formats=bilan.INPUT_FORMATS, widget=DATE_WIDGET,
        error_messages={"required": "Indiquez la date de début.",
                        "invalid": "Date de début invalide (JJ/MM/AAAA)."},
    )  # fmt: skip
    a = forms.DateField(
        label="Au (inclus)", input_formats=bilan.INPUT_FORMATS, widget=DATE_WIDGET,
        error_messages={"required": "Indiquez la date de fin.",
                        "invalid": "Date de fin invalide (JJ/MM/AAAA)."},
    )  # fmt: skip

    def clean(self):
        data = super().clean()
        start, end = data.get("de"), data.get("a")
        if start and end:
            error = bilan.period_error(start, end)
            if error:
                raise forms.ValidationError(error)
        return data


def _territory(request: HttpRequest):
    membership = getattr(request, "membership", None)
    if membership is None or membership.role not in READER_ROLES or request.territory is None:
        raise Http404
    return request.territory


def _form_page(request: HttpRequest, form: BilanForm, status: int = 200) -> HttpResponse:
    return render(request, "indicators/bilan_form.html", {"form": form}, status=status)


def _period(request: HttpRequest) -> tuple[dt.date, dt.date] | BilanForm:
    form = BilanForm(request.GET)
    if form.is_valid():
        return form.cleaned_data["de"], form.cleaned_data["a"]
    return form


@login_required
@require_GET
def bilan_form(request: HttpRequest) -> HttpResponse:
    _territory(request)
    if "de" in request.GET or "a" in request.GET:
        form = BilanForm(request.GET)
        form.is_valid()
    else:
        start, end = bilan.last_semester()
        form = BilanForm(initial={"de": start, "a": end})
    return _form_page(request, form)


@login_required
@require_GET
@never_cache
def bilan_pdf(request: HttpRequest) -> HttpResponse:
    territory = _territory(request)
    period = _period(request)
    if isinstance(period, BilanForm):
        return _form_page(request, period, status=400)
    built = bilan.build(territory, *period, reader=request.user)
    response = HttpResponse(bilan.render_pdf(built), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{built.filename_stem}.pdf"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_required
@require_GET
@never_cache
def bilan_xlsx(request: HttpRequest) -> HttpResponse:
    territory = _territory(request)
    period = _period(request)
    if isinstance(period, BilanForm):
        return _form_page(request, period, status=400)
    built = bilan.build(territory, *period, reader=request.user)
    response = bilan.xlsx_response(built)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
