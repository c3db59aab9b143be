"""The team's pages of the subscribers: the list (search, filters, sort, counts per status),
adding one or several from the contacts, a subscriber's page (history, deliveries), edit,
unsubscribe, RGPD export and erasure, and the do-not-contact list.

Only the TI managers of the current territory reach them (`services.mailing_list_of`): 404 for
everyone else, and for a subscriber of another list.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from pilote.core.htmx import render_list
from pilote.core.locking import StaleEdit
from pilote.core.models import AuditEvent
from pilote.outreach import forms, services
from pilote.outreach.enums import SubscriberStatus
from pilote.outreach.models import DoNotContact, Subscriber

PAGE_SIZE = 25
SORTS = {
    "nom": ("last_name", "first_name", "email"),
    "adresse": ("email",),
    "organisation": ("organisation",),
    "categorie": ("kind",),
    "statut": ("status",),
    "ajout": ("created_at",),
}
BLOCKED_SORTS = {"motif": ("reason",), "date": ("created_at",)}


def form_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError on the form: on its field when it names one of them."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _subscriber(request: HttpRequest, pk: int) -> Subscriber:
    mailing_list = services.mailing_list_of(request)
    return get_object_or_404(
        Subscriber.objects.select_related("mailing_list__territory", "contact", "added_by"),
        pk=pk,
        mailing_list_id=mailing_list.pk,
    )


@login_required
def subscriber_list(request: HttpRequest) -> HttpResponse:
    mailing_list = services.mailing_list_of(request)
    rows = Subscriber.objects.filter(mailing_list_id=mailing_list.pk)
    counts = dict(rows.order_by().values_list("status").annotate(n=Count("pk")))
    form = forms.SubscriberFilterForm(request.GET or None)
    return render_list(
        request,
        form.filter(rows),
        template="outreach/subscriber_list.html",
        results="outreach/_subscriber_results.html",
        page_size=PAGE_SIZE,
        sorts=SORTS,
        default_sort="nom",
        form=form,
        mailing_list=mailing_list,
        counts=[(s, counts.get(s.value, 0)) for s in SubscriberStatus],
        total=sum(counts.values()),
    )


@login_required
def subscriber_create(request: HttpRequest) -> HttpResponse:
    mailing_list = services.mailing_list_of(request)
    form = forms.SubscriberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscriber = services.subscriber_create(
                acting_user=request.user, mailing_list=mailing_list, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, f"{subscriber.email} est abonné à la lettre.")
            return redirect(subscriber)
    return render(
        request,
        "outreach/subscriber_form.html",
        {"form": form, "mailing_list": mailing_list},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def subscribers_from_contacts(request: HttpRequest) -> HttpResponse:
    """A searchable checkbox list of the contacts the manager sees, with an e-mail."""
    mailing_list = services.mailing_list_of(request)
    q = (request.GET.get("q") or "").strip()
    available = services.contacts_for(request.user, mailing_list)
    shown = available.search(q).select_related("company").order_by("last_name", "first_name", "pk")
    subscribed = set(
        Subscriber.objects.filter(mailing_list_id=mailing_list.pk)
        .exclude(contact=None)
        .values_list("contact_id", flat=True)
    )
    form = forms.FromContactsForm(
        request.POST or None,
        contacts=available.select_related("company") if request.method == "POST" else shown,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.subscribers_from_contacts(
                acting_user=request.user,
                mailing_list=mailing_list,
                contacts=data["contacts"],
                legal_basis=data["legal_basis"],
                consent_proof=data["consent_proof"],
                kind=data["kind"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            n = len(result.added)
            messages.success(
                request, f"{n} contact{'s' if n > 1 else ''} abonné{'s' if n > 1 else ''}."
            )
            if result.blocked:
                messages.warning(
                    request,
                    "Non abonnés, sur la liste des adresses à ne plus contacter : "
                    + ", ".join(result.blocked),
                )
            if result.existing:
                messages.info(request, "Déjà dans la liste : " + ", ".join(result.existing))
            return redirect("outreach:subscribers")
    return render(
        request,
        "outreach/from_contacts.html",
        {
            "form": form,
            "q": q,
            "count": shown.count(),
            "subscribed": subscribed,
            "mailing_list": mailing_list,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def subscriber_detail(request: HttpRequest, pk: int) -> HttpResponse:
    subscriber = _subscriber(request, pk)
    events = AuditEvent.objects.for_object(subscriber).order_by("-at", "-id")
    blocked = services.subscriptions.is_blocked(subscriber.mailing_list, subscriber.email)
    return render(
        request,
        "outreach/subscriber_detail.html",
        {
            "subscriber": subscriber,
            "events": events,
            "blocked": blocked,
            "deliveries": subscriber.deliveries.select_related("issue").order_by("-issue__number"),
            "can_unsubscribe": subscriber.status != SubscriberStatus.UNSUBSCRIBED,
        },
    )


@login_required
def subscriber_edit(request: HttpRequest, pk: int) -> HttpResponse:
    subscriber = _subscriber(request, pk)
    form = forms.SubscriberForm(request.POST or None, instance=subscriber)
    if request.method == "POST" and form.is_valid():
        try:
            services.subscriber_update(
                acting_user=request.user,
                subscriber=Subscriber.objects.get(pk=pk),
                version=form.version,
                **form.changes(),
            )
        except StaleEdit as stale:
            form.refuse(stale)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "Les modifications sont enregistrées.")
            return redirect(subscriber)
    return render(
        request,
        "outreach/subscriber_form.html",
        {"form": form, "subscriber": subscriber, "mailing_list": subscriber.mailing_list},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def subscriber_unsubscribe(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation, POST unsubscribes (and blocks the address)."""
    subscriber = _subscriber(request, pk)
    if request.method == "POST":
        if services.subscriber_unsubscribe(acting_user=request.user, subscriber=subscriber):
            messages.success(
                request,
                f"{subscriber.email} est désabonné et ne recevra plus la lettre ; l'adresse "
                "est sur la liste des adresses à ne plus contacter.",
            )
        else:
            messages.info(request, f"{subscriber.email} était déjà désabonné.")
        return redirect(subscriber)
    return render(request, "outreach/subscriber_unsubscribe.html", {"subscriber": subscriber})


@login_required
def subscriber_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's data as JSON, to answer a right-of-access request (RGPD art. 15)."""
    subscriber = _subscriber(request, pk)
    data = services.subscriber_export_personal_data(acting_user=request.user, subscriber=subscriber)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    filename = f"abonne-{subscriber.pk}-donnees-personnelles-{stamp}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def subscriber_erase(request: HttpRequest, pk: int) -> HttpResponse:
    subscriber = _subscriber(request, pk)
    if request.method == "POST":
        services.subscriber_erase(acting_user=request.user, subscriber=subscriber)
        messages.success(request, "L'abonné est effacé, avec ses données dans l'historique.")
        return redirect("outreach:subscribers")
    blocked = services.subscriptions.is_blocked(subscriber.mailing_list, subscriber.email)
    return render(
        request, "outreach/subscriber_erase.html", {"subscriber": subscriber, "blocked": blocked}
    )


@login_required
def blocked_list(request: HttpRequest) -> HttpResponse:
    """The do-not-contact list (reason, date, note), and a form to add an address."""
    mailing_list = services.mailing_list_of(request)
    form = forms.BlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry, created = services.subscriber_block(
                acting_user=request.user, mailing_list=mailing_list, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            if created:
                messages.success(
                    request, f"{form.cleaned_data['email']} ne recevra plus la lettre."
                )
            else:
                messages.info(
                    request,
                    f"{form.cleaned_data['email']} était déjà sur la liste "
                    f"({entry.get_reason_display().lower()}).",
                )
            return redirect(reverse("outreach:blocked"))
    rows = DoNotContact.objects.filter(mailing_list_id=mailing_list.pk).order_by(
        "-created_at", "-pk"
    )
    q = (request.GET.get("q") or "").strip()
    if q:
        rows = rows.filter(email__icontains=q)
    return render_list(
        request,
        rows,
        template="outreach/blocked_list.html",
        results="outreach/_blocked_results.html",
        page_size=PAGE_SIZE,
        sorts=BLOCKED_SORTS,
        default_sort="-date",
        form=form,
        q=q,
        mailing_list=mailing_list,
    )
