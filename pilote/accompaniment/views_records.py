"""Needs, projects, diagnostics, referrals and actions (one set of views for the five
kinds of `kinds.RECORD_KINDS`), and the establishment's accompaniment level."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from pilote.accompaniment import forms, services
from pilote.accompaniment.enums import Level
from pilote.accompaniment.kinds import RECORD_KINDS, RecordKind
from pilote.accompaniment.models import (
    AccompanimentLevel,
    Interaction,
)
from pilote.accompaniment.views import (
    PAGE_SIZE,
    _establishment_in_territory,
    _form_errors,
    _in_current_territory,
    _interaction,
    _records_of,
    _safe_next,
    _territory,
)
from pilote.accounts import access
from pilote.accounts.access import get_visible_or_404
from pilote.core.csv import csv_response
from pilote.core.htmx import is_htmx, list_context


def _kind(slug: str) -> RecordKind:
    try:
        return RECORD_KINDS[slug]
    except KeyError as exc:
        raise Http404 from exc


def _record(request: HttpRequest, kind: RecordKind, pk: int, *, editable: bool = False):
    fetch = access.get_editable_or_404 if editable else get_visible_or_404
    return fetch(
        kind.model.objects.select_related(
            "establishment__company", "epci", "author", "author_organisation", "interaction"
        ),
        request.user,
        pk=pk,
    )


def _value(record, field: str) -> str:
    """A field as shown in lists and exports: choices by their label, money in euros."""
    from pilote.core.templatetags.pilote import euros

    value = getattr(record, field)
    display = getattr(record, f"get_{field}_display", None)
    if display is not None and value:
        return display()
    if value is None or value == "":
        return ""
    if field == "investment_amount":
        return euros(value)
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


# The columns of each list, to fit a 1280 px screen (the export and the record's page have
# every field of `kind.columns`); every column sorts (`?tri=<field>`).
LIST_COLUMNS = {
    "project": ("title", "kind", "investment_amount", "jobs_created", "jobs_kept", "maturity"),
    "diagnostic": ("kind", "status", "operator", "offered_on", "done_on"),
}
NUMBER_FIELDS = (models.DecimalField, models.IntegerField)


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    css: str  # "fr-cell--right" for numbers, "pilote-truncate" for free text


def _column(kind: RecordKind, name: str) -> Column:
    field = kind.model._meta.get_field(name)
    if isinstance(field, NUMBER_FIELDS):
        css = "fr-cell--right"
    elif isinstance(field, (models.CharField, models.TextField)) and not field.choices:
        css = "pilote-truncate"
    else:
        css = ""
    return Column(name, str(field.verbose_name).capitalize(), css)


def _filtered_records(request: HttpRequest, kind: RecordKind):
    territory = _territory(request)
    form = forms.RecordFilterForm(request.GET or None, territory=territory)
    records = form.filter(
        _in_current_territory(request, kind.model.objects.visible_to(request.user))
        .select_related("establishment__company", "epci")
        .distinct()
    )
    return form, records


@login_required
def record_list(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _kind(kind)
    form, records = _filtered_records(request, kind)
    columns = [_column(kind, name) for name in LIST_COLUMNS.get(kind.slug, kind.columns)]
    sorts = {
        "etablissement": ("establishment__search_text",),
        **{column.name: (column.name,) for column in columns},
        "visibilite": ("visibility",),
    }
    context = list_context(request, records, page_size=PAGE_SIZE, sorts=sorts)
    context["rows"] = [
        (r, [(_value(r, c.name), c.css) for c in columns]) for r in context["page"].object_list
    ]
    context.update(form=form, kind=kind, columns=columns)
    template = (
        "accompaniment/_record_results.html"
        if is_htmx(request)
        else "accompaniment/record_list.html"
    )
    return render(request, template, context)


@login_required
def record_export(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _kind(kind)
    _, records = _filtered_records(request, kind)
    header = ["N°", "SIRET", "Établissement", "EPCI"] + [
        str(kind.model._meta.get_field(f).verbose_name).capitalize() for f in kind.columns
    ] + ["Visibilité", "Créé le"]  # fmt: skip
    rows = (
        [r.pk, r.establishment.siret, r.establishment.display_name, r.epci.name]
        + [_value(r, f).replace("\xa0", " ") for f in kind.columns]
        + [r.get_visibility_display(), timezone.localtime(r.created_at).strftime("%d/%m/%Y")]
        for r in records.iterator(chunk_size=500)
    )
    return csv_response(kind.plural.lower().replace(" ", "-"), header, rows)


@login_required
def record_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    kind = _kind(kind)
    record = _record(request, kind, pk)
    interaction = record.interaction
    if (
        interaction is not None
        and not Interaction.objects.visible_to(request.user).filter(pk=interaction.pk).exists()
    ):
        interaction = None  # the meeting itself may be less shared than what it produced
    fields = [
        (kind.model._meta.get_field(f).verbose_name.capitalize(), _value(record, f))
        for f in kind.form._meta.fields
        if f != "visibility"
    ]
    return render(
        request,
        "accompaniment/record_detail.html",
        {
            "kind": kind,
            "record": record,
            "fields": fields,
            "interaction": interaction,
            "can_edit": access.can_edit(request.user, record),
        },
    )


@login_required
def record_create(request: HttpRequest, kind: str) -> HttpResponse:
    """A record about an establishment (?etablissement=SIRET), or produced by an interaction
    (?echange=pk). From the meeting page (compact form, htmx), the answer is the emptied form
    and, out of band, the updated list."""
    kind = _kind(kind)
    interaction = None
    echange = request.GET.get("echange") or request.POST.get("echange")
    if echange:
        interaction = _interaction(request, echange, editable=True)
        establishment = interaction.establishment
    else:
        siret = request.GET.get("etablissement") or request.POST.get("etablissement") or ""
        establishment = _establishment_in_territory(request, siret)
    if establishment.epci is None or not access.can_write_on(request.user, establishment.epci):
        raise Http404
    compact = request.POST.get("compact") == "1"
    prefix = kind.slug if compact else None
    form = kind.form(
        request.POST or None, compact=compact, establishment=establishment, prefix=prefix
    )
    if request.method == "POST" and form.is_valid():
        try:
            record = kind.create(
                acting_user=request.user,
                establishment=establishment,
                interaction=interaction,
                **form.cleaned_data,
            )
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, PermissionDenied):
                raise Http404 from exc
            _form_errors(form, exc)
        else:
            if compact and is_htmx(request):
                return render(
                    request,
                    "accompaniment/_meeting_record_added.html",
                    {
                        "kind": kind,
                        "interaction": interaction,
                        "form": kind.form(
                            compact=True, establishment=establishment, prefix=kind.slug
                        ),
                        "records": _records_of(request, interaction),
                        "added": record,
                    },
                )
            messages.success(request, kind.created)
            default = interaction.get_absolute_url() if interaction else record.get_absolute_url()
            return redirect(_safe_next(request, default))
    if compact and is_htmx(request):
        return render(
            request,
            "accompaniment/_meeting_record_form.html",
            {"kind": kind, "interaction": interaction, "form": form},
        )
    return render(
        request,
        "accompaniment/record_form.html",
        {
            "kind": kind,
            "form": form,
            "establishment": establishment,
            "interaction": interaction,
            "next": _safe_next(request, ""),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def record_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    kind = _kind(kind)
    record = _record(request, kind, pk, editable=True)
    form = kind.form(request.POST or None, instance=record, establishment=record.establishment)
    if request.method == "POST" and form.is_valid():
        try:
            kind.update(
                acting_user=request.user,
                **{kind.update_arg: kind.model.objects.get(pk=pk)},
                **{field: form.cleaned_data[field] for field in form.changed_data},
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Les modifications sont enregistrées.")
            return redirect(record)
    return render(
        request,
        "accompaniment/record_form.html",
        {"kind": kind, "form": form, "record": record, "establishment": record.establishment},
    )


@login_required
def record_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """GET: what will be deleted, and a confirmation button; POST: delete."""
    kind = _kind(kind)
    record = _record(request, kind, pk, editable=True)
    if request.method == "POST":
        establishment = record.establishment
        try:
            services.record_delete(acting_user=request.user, record=record)
        except PermissionDenied as exc:
            raise Http404 from exc
        messages.success(request, kind.deleted)
        return redirect(establishment)
    return render(
        request,
        "accompaniment/confirm_delete.html",
        {
            "object": record,
            "label": f"{kind.the_label} « {record} »",
            "establishment": record.establishment,
            "consequences": [],
            "cancel_url": record.get_absolute_url(),
        },
    )


# --- Accompaniment level -------------------------------------------------------------------


@login_required
def establishment_level(request: HttpRequest, siret: str) -> HttpResponse:
    """The establishment's accompaniment level (history of its changes) and the time spent
    with its company, per EPCI."""
    establishment = _establishment_in_territory(request, siret)
    user = request.user
    if establishment.epci is None or not (
        access.can_write_on(user, establishment.epci)
        or AccompanimentLevel.objects.visible_to(user).filter(establishment=establishment).exists()
    ):
        raise Http404
    can_record = access.can_write_on(user, establishment.epci)
    form = forms.LevelForm(request.POST or None) if can_record else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                changed = services.level_set(
                    acting_user=user, establishment=establishment, **form.cleaned_data
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                if changed is None:
                    messages.info(request, "L'établissement était déjà à ce niveau.")
                else:
                    messages.success(request, "Le niveau d'accompagnement est enregistré.")
                return redirect("accompaniment:establishment_level", siret=siret)
    levels = AccompanimentLevel.objects.visible_to(user).filter(establishment=establishment)
    time_by_epci = (
        Interaction.objects.visible_to(user)
        .filter(establishment__company=establishment.company)
        .order_by()
        .values("epci__name")
        .annotate(minutes=Sum("time_spent_minutes"))
        .order_by("epci__name")
    )
    return render(
        request,
        "accompaniment/level.html",
        {
            "establishment": establishment,
            "levels": levels.select_related("author"),
            "current": levels.first(),
            "form": form,
            "time_by_epci": time_by_epci,
            "levels_choices": Level.choices,
        },
        status=400 if form is not None and form.errors else 200,
    )
