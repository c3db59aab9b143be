from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from pilote.accounts import access
from pilote.accounts.access import get_visible_or_404
from pilote.companies.models import Establishment
from pilote.core.csv import csv_response
from pilote.core.htmx import render_list
from pilote.core.locking import StaleEdit
from pilote.notes import services
from pilote.notes.forms import NoteFilterForm, NoteForm
from pilote.notes.models import Note

PAGE_SIZE = 25

# The sortable columns of the list (`?tri=`), by their public name.
SORTS = {
    "titre": ("title",),
    "epci": ("epci__name",),
    "visibilite": ("visibility",),
    "auteur": ("author__last_name", "author__first_name"),
    "date": ("created_at",),
}


def _filtered_notes(request: HttpRequest):
    territory = request.territory
    form = NoteFilterForm(request.GET or None, territory=territory)
    notes = form.filter(
        Note.objects.visible_to(request.user).select_related(
            "epci", "author", "author_organisation"
        )
    )
    return form, notes


@login_required
def note_list(request: HttpRequest) -> HttpResponse:
    form, notes = _filtered_notes(request)
    return render_list(
        request, notes, template="notes/list.html", results="notes/_results.html",
        page_size=PAGE_SIZE, sorts=SORTS, default_sort="-date", form=form,
        can_create=access.can_write_on(request.user),
    )  # fmt: skip


@login_required
def note_export(request: HttpRequest) -> HttpResponse:
    _, notes = _filtered_notes(request)
    rows = (
        (
            note.pk,
            timezone.localtime(note.created_at).strftime("%d/%m/%Y %H:%M"),
            note.epci.name,
            note.get_visibility_display(),
            note.title,
            note.body,
            str(note.author or ""),
            str(note.author_organisation),
        )
        for note in notes.iterator(chunk_size=500)
    )
    return csv_response(
        "notes",
        ["N°", "Créée le", "EPCI", "Visibilité", "Titre", "Texte", "Auteur", "Organisation"],
        rows,
    )


def _establishment_from(request: HttpRequest):
    """The establishment a new note is about (?etablissement=SIRET), within the territory."""
    siret = request.GET.get("etablissement") or request.POST.get("etablissement")
    if not siret:
        return None
    territory = request.territory
    return get_object_or_404(
        Establishment.objects.select_related("epci"),
        siret=siret,
        epci__territories=territory,
    )


@login_required
def note_create(request: HttpRequest) -> HttpResponse:
    if not access.can_write_on(request.user):
        raise Http404
    establishment = _establishment_from(request)
    form = NoteForm(request.POST or None, user=request.user, establishment=establishment)
    if request.method == "POST" and form.is_valid():
        note = services.note_create(
            acting_user=request.user, establishment=establishment, **form.cleaned_data
        )
        messages.success(request, "La note est enregistrée.")
        return redirect(note)
    return render(request, "notes/form.html", {"form": form, "establishment": establishment})


@login_required
def note_detail(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_visible_or_404(
        Note.objects.select_related("epci", "author", "author_organisation", "establishment"),
        request.user,
        pk=pk,
    )
    return render(
        request,
        "notes/detail.html",
        {"note": note, "can_edit": access.can_edit(request.user, note)},
    )


@login_required
def note_edit(request: HttpRequest, pk: int) -> HttpResponse:
    note = access.get_editable_or_404(Note, request.user, pk=pk)
    form = NoteForm(
        request.POST or None, instance=note, user=request.user, establishment=note.establishment
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.note_update(
                acting_user=request.user, note=note, version=form.version, **form.changes()
            )
        except StaleEdit as stale:
            form.refuse(stale)
        else:
            messages.success(request, "La note est modifiée.")
            return redirect(note)
    return render(request, "notes/form.html", {"form": form, "note": note})
