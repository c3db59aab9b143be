"""Saved searches, their subscribers, confirmation and one-click unsubscribe.

A saved search is personal: another account gets 404. The confirmation and unsubscribe
links need no login (their token is the credential).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from pilote.aids import perms, services
from pilote.aids.alerts import digest_for
from pilote.aids.forms import SearchForm, SubscribeForm
from pilote.aids.models import SavedSearch, Subscription
from pilote.core.locking import StaleEdit


def _own(request: HttpRequest, pk: int) -> SavedSearch:
    return get_object_or_404(SavedSearch, pk=pk, owner=request.user)


def _fields(form) -> dict:
    return {name: form.cleaned_data[name] for name in services.SEARCH_FIELDS}


@login_required
def search_list(request: HttpRequest) -> HttpResponse:
    if not perms.can_save_searches(request.user):
        raise Http404
    form = SearchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        search = services.search_create(acting_user=request.user, **_fields(form))
        messages.success(request, "La recherche est enregistrée : vous la recevrez chaque lundi.")
        return redirect(search)
    searches = SavedSearch.objects.filter(owner=request.user).prefetch_related("subscriptions")
    return render(request, "aids/searches.html", {"searches": searches, "form": form})


@login_required
def search_detail(request: HttpRequest, pk: int) -> HttpResponse:
    search = _own(request, pk)
    form = SearchForm(request.POST or None, instance=search)
    if request.method == "POST" and form.is_valid():
        try:
            services.search_update(
                acting_user=request.user,
                search=SavedSearch.objects.get(pk=pk),
                version=form.version,
                **_fields(form),
            )
        except StaleEdit as stale:
            form.refuse(stale)
        else:
            messages.success(request, "La recherche est modifiée.")
            return redirect(search)
    from django.utils import timezone

    preview = None
    subscription = search.subscriptions.filter(email=request.user.email).first()
    if subscription is not None:
        preview = digest_for(subscription, timezone.now())
    return render(
        request,
        "aids/search.html",
        {
            "search": search,
            "form": form,
            "subscribe_form": SubscribeForm(),
            "subscriptions": search.subscriptions.all(),
            "preview": preview,
        },
    )


@login_required
@require_POST
def search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    search = _own(request, pk)
    services.search_delete(acting_user=request.user, search=search)
    messages.success(request, "La recherche et ses abonnements sont supprimés.")
    return redirect("aids:searches")


@login_required
@require_POST
def subscription_add(request: HttpRequest, pk: int) -> HttpResponse:
    search = _own(request, pk)
    form = SubscribeForm(request.POST)
    if form.is_valid():
        subscription = services.subscribe(
            acting_user=request.user, search=search, email=form.cleaned_data["email"]
        )
        if subscription.confirmed_at:
            messages.success(request, f"{subscription.email} recevra cette recherche.")
        else:
            messages.info(
                request,
                f"Un lien de confirmation est envoyé à {subscription.email} : rien ne lui "
                "sera envoyé avant qu'il le suive.",
            )
    else:
        messages.error(request, "Adresse électronique invalide.")
    return redirect(search)


@login_required
@require_POST
def subscription_remove(request: HttpRequest, pk: int, subscription_pk: int) -> HttpResponse:
    search = _own(request, pk)
    subscription = get_object_or_404(Subscription, pk=subscription_pk, search=search)
    services.unsubscribe(key=subscription.key, acting_user=request.user)
    messages.success(request, f"{subscription.email} ne recevra plus cette recherche.")
    return redirect(search)


@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    subscription = services.subscription_confirm(token=token) if request.method == "POST" else None
    if request.method == "POST" and subscription is None:
        raise Http404
    return render(request, "aids/confirm.html", {"subscription": subscription, "token": token})


@never_cache
def unsubscribe(request: HttpRequest, key: str) -> HttpResponse:
    """GET shows the button (mail scanners follow links), POST unsubscribes at once."""
    subscription = get_object_or_404(Subscription.objects.select_related("search"), key=key)
    done = False
    if request.method == "POST":
        services.unsubscribe(key=key)
        done = True
    return render(request, "aids/unsubscribe.html", {"subscription": subscription, "done": done})
