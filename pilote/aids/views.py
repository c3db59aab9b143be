"""The catalogue: list, scheme page, forms, windows, internal notes, etalab import/export.

Calendar, matching and detection are in `views_calls.py`; saved searches in
`views_alerts.py`.
"""

from __future__ import annotations

import datetime as dt
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from pilote.accounts import access
from pilote.aids import calendar, etalab, perms, services
from pilote.aids.enums import CallStatus, Schema
from pilote.aids.forms import (
    SCHEME_SECTIONS,
    CatalogueFilterForm,
    ImportForm,
    NoteForm,
    SchemeForm,
    WindowForm,
)
from pilote.aids.models import AidScheme, CallWindow, Dispatch, SchemeNote
from pilote.core.htmx import render_list
from pilote.core.locking import StaleEdit
from pilote.territories.models import Epci

PAGE_SIZE = 30
FAR_FUTURE = dt.date.max


def _closing(row) -> dt.date:
    """A catalogue row's next closing date, the schemes without one last."""
    return row[0].next_closing() or FAR_FUTURE


# The sortable columns of the catalogue (`?tri=`), by their public name: the catalogue is
# a list (each scheme's status is computed), sorted by key.
CATALOGUE_SORTS = {
    "dispositif": lambda row: row[0].title.casefold(),
    "porteurs": lambda row: ", ".join(row[0].carrier_names).casefold(),
    "echelon": lambda row: row[0].get_level_display().casefold(),
    "calendrier": _closing,
}
LIVE = {CallStatus.OPEN, CallStatus.UPCOMING, CallStatus.PERMANENT}


def _reader(request: HttpRequest) -> None:
    if not perms.can_read_catalogue(request.user):
        raise Http404


def _editor(request: HttpRequest) -> None:
    if not perms.can_edit_catalogue(request.user):
        raise Http404


def _scheme(pk: int) -> AidScheme:
    return get_object_or_404(AidScheme.objects.prefetch_related("windows"), pk=pk)


def filtered_schemes(request: HttpRequest):
    """The catalogue as the filters say, with each scheme's status, as a list."""
    form = CatalogueFilterForm(request.GET or None)
    values = form.values()
    schemes = calendar.filtered(
        AidScheme.objects.all(),
        theme=values.get("theme", ""),
        level=values.get("level", ""),
        carrier=values.get("carrier", ""),
        q=values.get("q", ""),
    ).prefetch_related("windows")
    wanted = values.get("status", "")
    today = timezone.localdate()
    rows = []
    for scheme in schemes:
        status = scheme.status(today)
        if wanted == "all" or (wanted and status == wanted) or (not wanted and status in LIVE):
            rows.append((scheme, status))
    return form, rows


@login_required
def scheme_list(request: HttpRequest) -> HttpResponse:
    _reader(request)
    form, rows = filtered_schemes(request)
    return render_list(
        request, rows, template="aids/list.html", results="aids/_results.html",
        page_size=PAGE_SIZE, sorts=CATALOGUE_SORTS, default_sort="dispositif", form=form,
        can_edit=perms.can_edit_catalogue(request.user),
    )  # fmt: skip


@login_required
def scheme_export(request: HttpRequest) -> HttpResponse:
    """The filtered catalogue in the etalab CSV (dispositif-aide-professionnels)."""
    _reader(request)
    _, rows = filtered_schemes(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="dispositifs-{stamp}.csv"'
    etalab.write_catalogue(response, (scheme for scheme, _ in rows), schema=Schema.PRO)
    return response


@login_required
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    scheme = _scheme(pk)
    today = timezone.localdate()
    notes = (
        SchemeNote.objects.visible_to(request.user)
        .filter(scheme=scheme)
        .select_related("epci", "author", "author_organisation")
    )
    dispatches = (
        Dispatch.objects.visible_to(request.user)
        .filter(scheme=scheme)
        .select_related("epci", "author")
    )
    membership = request.membership
    return render(
        request,
        "aids/detail.html",
        {
            "scheme": scheme,
            "status": scheme.status(today),
            "windows": [(w, w.status(today)) for w in scheme.effective_windows()],
            "stored_windows": list(scheme.windows.all()),
            "notes": [(n, access.can_edit(request.user, n)) for n in notes],
            "dispatches": dispatches,
            "can_edit": perms.can_edit_catalogue(request.user),
            "can_write_note": access.can_write_on(request.user),
            "can_detect": membership is not None
            and perms.is_member(request.user, membership.territory),
        },
    )


@login_required
def scheme_create(request: HttpRequest) -> HttpResponse:
    _editor(request)
    form = SchemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scheme = services.scheme_create(acting_user=request.user, **form.values)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Le dispositif est créé. Ajoutez ses fenêtres d'appel.")
            return redirect(scheme)
    return render(request, "aids/form.html", {"form": form, "sections": _sections(form)})


@login_required
def scheme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _editor(request)
    scheme = _scheme(pk)
    form = SchemeForm(request.POST or None, scheme=scheme)
    if request.method == "POST" and form.is_valid():
        try:
            services.scheme_update(
                acting_user=request.user, scheme=scheme, version=form.version, **form.values
            )
        except StaleEdit as stale:
            form.refuse(stale)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Le dispositif est modifié.")
            return redirect(scheme)
    return render(
        request, "aids/form.html", {"form": form, "scheme": scheme, "sections": _sections(form)}
    )


@login_required
@require_POST
def scheme_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _editor(request)
    scheme = _scheme(pk)
    services.scheme_delete(acting_user=request.user, scheme=scheme)
    messages.success(request, f"Le dispositif « {scheme.title} » est supprimé.")
    return redirect("aids:list")


def _sections(form) -> list[tuple[str, list]]:
    return [(title, [form[name] for name in names]) for title, names in SCHEME_SECTIONS]


@login_required
def window_form(request: HttpRequest, pk: int, window_pk: int | None = None) -> HttpResponse:
    _editor(request)
    scheme = _scheme(pk)
    window = get_object_or_404(CallWindow, pk=window_pk, scheme=scheme) if window_pk else None
    form = WindowForm(request.POST or None, instance=window)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if window is None:
                services.window_create(acting_user=request.user, scheme=scheme, **data)
            else:
                services.window_update(
                    acting_user=request.user,
                    window=CallWindow.objects.get(pk=window.pk),
                    version=form.version,
                    **data,
                )
        except StaleEdit as stale:
            form.refuse(stale)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "La fenêtre d'appel est enregistrée.")
            return redirect(scheme)
    return render(
        request, "aids/window_form.html", {"form": form, "scheme": scheme, "window": window}
    )


@login_required
@require_POST
def window_delete(request: HttpRequest, pk: int, window_pk: int) -> HttpResponse:
    _editor(request)
    window = get_object_or_404(CallWindow, pk=window_pk, scheme_id=pk)
    services.window_delete(acting_user=request.user, window=window)
    messages.success(request, "La fenêtre d'appel est supprimée.")
    return redirect("aids:detail", pk=pk)


def _writable_epcis(request: HttpRequest):
    if request.territory is None:
        return Epci.objects.none()
    return access.writable_epcis(request.user, territory=request.territory)


@login_required
def note_create(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.can_write_on(request.user):
        raise Http404
    scheme = _scheme(pk)
    epcis = _writable_epcis(request)
    form = NoteForm(request.POST or None, epcis=epcis)
    if request.method == "POST" and form.is_valid():
        services.note_create(acting_user=request.user, scheme=scheme, **form.cleaned_data)
        messages.success(request, "La note interne est enregistrée.")
        return redirect(scheme)
    return render(request, "aids/note_form.html", {"form": form, "scheme": scheme})


@login_required
def note_edit(request: HttpRequest, pk: int) -> HttpResponse:
    note = access.get_editable_or_404(
        SchemeNote.objects.select_related("scheme"), request.user, pk=pk
    )
    form = NoteForm(request.POST or None, epcis=Epci.objects.filter(pk=note.epci_id), note=note)
    if request.method == "POST" and form.is_valid():
        try:
            services.note_update(
                acting_user=request.user,
                note=note,
                version=form.version,
                body=form.cleaned_data["body"],
                visibility=form.cleaned_data["visibility"],
            )
        except StaleEdit as stale:
            form.refuse(stale)
        else:
            messages.success(request, "La note interne est modifiée.")
            return redirect(note.scheme)
    return render(
        request, "aids/note_form.html", {"form": form, "scheme": note.scheme, "note": note}
    )


@login_required
def catalogue_import(request: HttpRequest) -> HttpResponse:
    """Upload an etalab CSV: simulate first, then import (the same service as the command)."""
    _editor(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        wet_run = request.POST.get("action") == "import"
        try:
            text = etalab.decode(form.cleaned_data["file"].read())
            report = services.catalogue_import(
                acting_user=request.user, stream=io.StringIO(text, newline=""), wet_run=wet_run
            )
        except etalab.CatalogueError as error:  # the import is one transaction: nothing kept
            form.add_error("file", f"{error} Rien n'a été importé.")
        else:
            if wet_run:
                messages.success(
                    request,
                    f"Import terminé : {report.created} créé(s), {report.updated} mis à jour, "
                    f"{report.rejected} écarté(s).",
                )
            report.wet_run = wet_run
    return render(request, "aids/import.html", {"form": form, "report": report})
