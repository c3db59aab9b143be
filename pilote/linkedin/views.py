"""The LinkedIn page of a territory (`/linkedin/`, docs/linkedin.md).

Read by the TI managers, EPCI agents and partners of the current territory (the statistics of
a public page, not follow-up: the same figures for all); 404 to anyone else (administrators
included). The import (POST) is the TI managers' (403 to the other readers): a simulation by
default, its report shown on the page.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from pilote.accounts.enums import Role
from pilote.accounts.perms import is_ti_manager
from pilote.linkedin import figures, imports

READER_ROLES = frozenset({Role.TI_MANAGER, Role.EPCI_AGENT, Role.PARTNER})
MAX_MONTHS = 120
DEFAULT_MONTHS = 24
SORTS = {"engagements": "Interactions", "impressions": "Impressions"}


class ImportForm(forms.Form):
    file = forms.FileField(label="Export LinkedIn (XLS, XLSX ou CSV)")
    dry_run = forms.BooleanField(
        label="Simulation (rien n'est enregistré)", required=False, initial=True
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            imports.check_size(upload.size)
        except imports.ImportFileError as error:
            raise forms.ValidationError(str(error)) from error
        if not upload.name.lower().endswith((".csv", ".xlsx", ".xls", ".txt")):
            raise forms.ValidationError("Un fichier .xls, .xlsx ou .csv est attendu.")
        return upload


class AsOfForm(forms.Form):
    au = forms.DateField(
        label="Abonnés au", required=False, input_formats=("%Y-%m-%d", "%d/%m/%Y"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Date invalide (JJ/MM/AAAA)."},
    )  # fmt: skip


def _territory(request: HttpRequest):
    membership = getattr(request, "membership", None)
    if membership is None or membership.role not in READER_ROLES or request.territory is None:
        raise Http404
    return request.territory


@login_required
def page(request: HttpRequest) -> HttpResponse:
    territory = _territory(request)
    can_import = is_ti_manager(request.user, territory)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if not can_import:
            raise PermissionDenied
        if form.is_valid():
            upload = form.cleaned_data["file"]
            wet_run = not form.cleaned_data["dry_run"]
            try:
                report = imports.import_export(
                    upload, filename=upload.name, territory=territory,
                    acting_user=request.user, wet_run=wet_run, size=upload.size,
                )  # fmt: skip
            except imports.ImportFileError as error:
                form.add_error("file", f"{error} Rien n'a été importé.")
                status = 400
            else:
                if wet_run:
                    messages.success(
                        request,
                        f"Import de {upload.name} terminé : {report.created} créé(s), "
                        f"{report.updated} mis à jour, {report.kept} inchangé(s), "
                        f"{report.rejected} ligne(s) refusée(s).",
                    )
            finally:
                upload.close()
        else:
            status = 400
    elif request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405)

    today = timezone.localdate()
    as_of_form = AsOfForm(request.GET or None)
    as_of = today
    if as_of_form.is_valid() and as_of_form.cleaned_data["au"]:
        as_of = min(as_of_form.cleaned_data["au"], today)
    sort = request.GET.get("tri") if request.GET.get("tri") in SORTS else "engagements"
    has_data = figures.has_data(territory)
    context = {
        "territory": territory, "form": form, "report": report, "can_import": can_import,
        "has_data": has_data, "as_of_form": as_of_form, "as_of": as_of, "today": today,
        "sort": sort, "sorts": SORTS,
    }  # fmt: skip
    if has_data:
        last = figures.month_start(today)
        first = figures.first_month(territory) or last
        first = max(first, figures.add_months(last, -(DEFAULT_MONTHS - 1)))
        if request.GET.get("tout"):
            first = max(figures.first_month(territory) or last,
                        figures.add_months(last, -(MAX_MONTHS - 1)))  # fmt: skip
        months = []
        month = first
        while month <= last:
            months.append(month)
            month = figures.add_months(month, 1)
        overview = figures.overview(territory, months, today)
        followers = overview["followers"]
        since = as_of - dt.timedelta(days=89)
        context.update(
            overview=overview,
            followers_at=followers.at(as_of),
            gained_90=followers.gained(since, as_of),
            content_90=figures.content_between(territory, since, as_of),
            top=[(post, figures.engagement_of(post))
                 for post in figures.top_posts(territory, by=sort, limit=10)],
            all_months=bool(request.GET.get("tout")),
        )  # fmt: skip
    return render(request, "linkedin/page.html", context, status=status)
