"""Application pages: the list (filters, sort, XLSX), the application's page (history,
payments, documents, time spent), its forms. Every page reads through the access layer:
404 for an application one may not see, 403 for one seen but not editable."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from pilote.accompaniment.views import (
    _establishment_in_territory,
    _form_errors,
    _in_current_territory,
)
from pilote.accounts import access
from pilote.accounts.access import get_visible_or_404
from pilote.accounts.perms import is_ti_manager
from pilote.applications import forms, services
from pilote.applications.enums import DECIDED, Status
from pilote.applications.models import Application, Document, Payment
from pilote.core.htmx import render_list
from pilote.core.locking import StaleEdit
from pilote.core.spreadsheet import AMOUNT, DATE, INTEGER, Column, xlsx_response

PAGE_SIZE = 25


def _application(request: HttpRequest, pk: int, *, editable: bool = False) -> Application:
    fetch = access.get_editable_or_404 if editable else get_visible_or_404
    return fetch(
        Application.objects.select_related(
            "establishment__company",
            "establishment__commune",
            "epci",
            "scheme",
            "author",
            "author_organisation",
            "project",
            "need",
        ),
        request.user,
        pk=pk,
    )


def _filtered(request: HttpRequest):
    form = forms.ApplicationFilterForm(request.GET or None, territory=request.territory)
    rows = form.filter(
        _in_current_territory(request, Application.objects.visible_to(request.user))
        .select_related("establishment__company", "epci", "scheme")
        .distinct()
    )
    return form, rows


SORTS = {
    "etablissement": ("establishment__search_text",),
    "dispositif": ("scheme__title", "funder"),
    "statut": ("status",),
    "depot": ("filed_on",),
    "decision": ("decided_on",),
    "demande": ("amount_requested",),
    "accorde": ("amount_granted",),
}


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    form, rows = _filtered(request)
    totals = rows.order_by().aggregate(
        requested=Sum("amount_requested"), granted=Sum("amount_granted")
    )
    return render_list(
        request,
        rows,
        template="applications/list.html",
        results="applications/_results.html",
        page_size=PAGE_SIZE,
        sorts=SORTS,
        default_sort="-depot",
        form=form,
        totals=totals,
        can_import=_can_import(request),
        can_create=access.can_write_on(request.user),
    )


def _can_import(request: HttpRequest) -> bool:
    return request.territory is not None and is_ti_manager(request.user, request.territory)


EXPORT_COLUMNS = [
    Column("N°", INTEGER),
    Column("Référence"),
    Column("SIRET"),
    Column("Établissement"),
    Column("Entreprise"),
    Column("EPCI"),
    Column("Intitulé"),
    Column("Dispositif ou financeur"),
    Column("Statut"),
    Column("Accompagné par l'équipe TI"),
    Column("Dépôt", DATE),
    Column("Décision", DATE),
    Column("Clôture de l'appel", DATE),
    Column("Pièces attendues le", DATE),
    Column("Montant demandé (€)", AMOUNT),
    Column("Montant accordé (€)", AMOUNT),
    Column("Montant versé (€)", AMOUNT),
    Column("Investissement soutenu (€)", AMOUNT),
    Column("Emplois", INTEGER),
    Column("Visibilité"),
]


@login_required
def application_export(request: HttpRequest) -> HttpResponse:
    _, rows = _filtered(request)
    rows = rows.select_related("establishment__company").annotate(paid=Sum("payments__amount"))
    lines = (
        [
            a.pk,
            a.reference,
            a.establishment.siret,
            a.establishment.display_name,
            a.establishment.company.display_name,
            a.epci.name,
            a.title,
            a.scheme_label,
            a.get_status_display(),
            "oui" if a.supported else "non",
            a.filed_on,
            a.decided_on,
            a.closes_on,
            a.documents_due_on,
            a.amount_requested,
            a.amount_granted,
            a.paid,
            a.investment,
            a.jobs,
            a.get_visibility_display(),
        ]
        for a in rows.order_by("-filed_on", "-pk").iterator(chunk_size=500)
    )
    return xlsx_response("dossiers", EXPORT_COLUMNS, lines, title="Dossiers")


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    user = request.user
    can_edit = access.can_edit(user, application)
    linked = {
        name: record
        for name in ("project", "need")
        if (record := getattr(application, name)) is not None and access.is_visible_to(record, user)
    }
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "can_edit": can_edit,
            "linked": linked,
            "history": application.status_changes.select_related("author"),
            "payments": application.payments.all(),
            "documents": application.documents.select_related("author"),
            "times": application.support_times.select_related("author"),
            "minutes": services.total_minutes(application),
            "status_form": forms.StatusForm(application=application) if can_edit else None,
            "payment_form": forms.PaymentForm() if can_edit else None,
            "document_form": forms.DocumentForm() if can_edit else None,
            "time_form": forms.SupportTimeForm() if can_edit else None,
            "accepted": application.status == Status.ACCEPTED,
        },
    )


@login_required
def application_create(request: HttpRequest) -> HttpResponse:
    """A new application of an establishment (?etablissement=SIRET)."""
    siret = request.GET.get("etablissement") or request.POST.get("etablissement") or ""
    if not siret:
        return render(request, "applications/choose_establishment.html", {})
    establishment = _establishment_in_territory(request, siret)
    user = request.user
    if establishment.epci is None or not access.can_write_on(user, establishment.epci):
        raise Http404
    initial = {}
    for name in ("project", "need", "scheme"):
        if value := request.GET.get(name):
            initial[name] = value
    form = forms.ApplicationForm(
        request.POST or None, establishment=establishment, user=user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            application = services.application_create(
                acting_user=user, establishment=establishment, **data
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Le dossier est enregistré.")
            return redirect(application)
    return render(
        request,
        "applications/form.html",
        {"form": form, "establishment": establishment},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk, editable=True)
    form = forms.ApplicationForm(
        request.POST or None,
        instance=application,
        establishment=application.establishment,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(
                acting_user=request.user,
                application=Application.objects.get(pk=pk),
                version=form.version,
                **form.changes(),
            )
        except StaleEdit as stale:
            form.refuse(stale)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Les modifications sont enregistrées.")
            return redirect(application)
    return render(
        request,
        "applications/form.html",
        {"form": form, "application": application, "establishment": application.establishment},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def application_status(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk, editable=True)
    form = forms.StatusForm(request.POST or None, application=application)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.application_set_status(
                acting_user=request.user,
                application=Application.objects.get(pk=pk),
                status=data["status"],
                effective_on=data["effective_on"],
                reason=data["reason"],
                version=form.version,
            )
        except StaleEdit as stale:
            form.refuse(stale)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            label = Status(data["status"]).label.lower()
            messages.success(request, f"Le dossier est maintenant « {label} ».")
            return redirect(application)
    return render(
        request,
        "applications/status_form.html",
        {"form": form, "application": application, "decided": application.status in DECIDED},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def application_delete(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk, editable=True)
    if request.method == "POST":
        establishment = application.establishment
        services.application_delete(acting_user=request.user, application=application)
        messages.success(request, "Le dossier est supprimé.")
        return redirect(establishment)
    consequences = []
    for count, label in (
        (application.payments.count(), "versement(s)"),
        (application.documents.count(), "pièce(s)"),
        (application.support_times.count(), "temps passé(s)"),
    ):
        if count:
            consequences.append(f"{count} {label}")
    return render(
        request,
        "accompaniment/confirm_delete.html",
        {
            "object": application,
            "label": f"le dossier « {application} »",
            "establishment": application.establishment,
            "consequences": consequences,
            "cancel_url": application.get_absolute_url(),
        },
    )


# --- Payments, documents, time spent ---------------------------------------------------------


def _add_to(request, pk: int, form, add, *, done: str, title: str, multipart: bool = False):
    """POST of a form that adds to an application (a payment, a document, time spent):
    `add(application, form)` calls the service; back to the application, or the form again
    with its errors (400)."""
    application = _application(request, pk, editable=True)
    if form.is_valid():
        try:
            add(application, form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(application)
    return render(
        request,
        "applications/child_form.html",
        {"form": form, "application": application, "title": title, "multipart": multipart},
        status=400,
    )


@login_required
@require_POST
def payment_add(request: HttpRequest, pk: int) -> HttpResponse:
    def add(application, data):
        services.payment_add(acting_user=request.user, application=application, **data)

    return _add_to(
        request,
        pk,
        forms.PaymentForm(request.POST),
        add,
        done="Le versement est enregistré.",
        title="Ajouter un versement",
    )


@login_required
@require_POST
def payment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(Payment, pk=pk)
    application = _application(request, payment.application_id, editable=True)
    services.payment_delete(acting_user=request.user, payment=payment)
    messages.success(request, "Le versement est supprimé.")
    return redirect(application)


@login_required
@require_POST
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    def add(application, data):
        services.document_add(
            acting_user=request.user,
            application=application,
            upload=data["upload"],
            kind=data["kind"],
        )

    return _add_to(
        request,
        pk,
        forms.DocumentForm(request.POST, request.FILES),
        add,
        done="La pièce est ajoutée.",
        title="Ajouter une pièce",
        multipart=True,
    )


@login_required
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The file, as an attachment of our own type, only if its application is visible (404
    otherwise). Read whole: documents are small (`documents.max_bytes`)."""
    document = get_object_or_404(Document, pk=pk)
    _application(request, document.application_id)  # 404 unless the application is visible
    try:
        with document.file.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = HttpResponse(content, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(True, document.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def document_delete(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(Document, pk=pk)
    application = _application(request, document.application_id, editable=True)
    services.document_delete(acting_user=request.user, document=document)
    messages.success(request, "La pièce est supprimée.")
    return redirect(application)


@login_required
@require_POST
def support_time_add(request: HttpRequest, pk: int) -> HttpResponse:
    def add(application, data):
        services.support_time_add(acting_user=request.user, application=application, **data)

    return _add_to(
        request,
        pk,
        forms.SupportTimeForm(request.POST),
        add,
        done="Le temps passé est enregistré.",
        title="Noter du temps passé",
    )
