"""Secret calendar addresses (`core.models.SecretFeed`): one per user and per calendar —
the visits of prospecting (`CalendarFeed`), the calls of the aid catalogue (`AidFeed`).

The services create one (revoking the previous one) and revoke it, audited; the settings
page shows a new address once (it is never stored: only its SHA-256 is); the `.ics` view
answers 404 to an unknown or revoked address. Each app checks who may have its calendar and
says what the calendar holds.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from pilote.core import audit
from pilote.core.models import SecretFeed
from pilote.core.tokens import hash_token


@transaction.atomic
def create(model: type[SecretFeed], *, acting_user) -> tuple[SecretFeed, str]:
    """A new secret address for `acting_user`; the previous one stops working. Returns the
    feed and its token, shown once and never stored. The caller checks the permission."""
    for feed in model.objects.filter(user=acting_user, revoked_at__isnull=True):
        revoke(feed, acting_user=acting_user)
    token = secrets.token_urlsafe(32)
    feed = model.objects.create(user=acting_user, token_hash=hash_token(token))
    audit.record(
        actor=acting_user,
        action=f"{model.audit_name}.create",
        obj=feed,
        after=audit.snapshot(feed),
    )
    return feed, token


@transaction.atomic
def revoke(feed: SecretFeed, *, acting_user) -> SecretFeed:
    if feed.user_id != acting_user.pk:
        raise PermissionDenied("Cet abonnement n'est pas le vôtre.")
    if feed.revoked_at is None:
        before = audit.snapshot(feed, ["revoked_at"])
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at", "updated_at"])
        audit.record(
            actor=acting_user,
            action=f"{feed.audit_name}.revoke",
            obj=feed,
            before=before,
            after=audit.snapshot(feed, ["revoked_at"]),
        )
    return feed


def settings_page(
    request: HttpRequest,
    *,
    model: type[SecretFeed],
    create_feed: Callable[..., tuple[SecretFeed, str]],
    revoke_feed: Callable[..., SecretFeed],
    page: str,
    ics: str,
    template: str,
) -> HttpResponse:
    """Create (and see once), replace or revoke one's address. `create_feed` and
    `revoke_feed` are the app's services (they check the permission); `page` and `ics` are
    URL names."""
    active = model.objects.filter(user=request.user, revoked_at__isnull=True).first()
    url = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            active, token = create_feed(acting_user=request.user)
            url = settings.SITE_URL + reverse(ics, kwargs={"token": token})  # shown once
        elif action == "revoke" and active is not None:
            revoke_feed(acting_user=request.user, feed=active)
            messages.success(request, "L'adresse d'abonnement est révoquée : elle ne répond plus.")
            return redirect(page)
        else:
            return redirect(page)
    webcal = "webcal://" + url.split("://", 1)[1] if url else None
    return render(request, template, {"active": active, "url": url, "webcal": webcal})


def owner(model: type[SecretFeed], token: str):
    """The user of an active address, or 404 (unknown, revoked, or account deactivated)."""
    feed = model.objects.active().select_related("user").filter(token_hash=hash_token(token))
    feed = feed.first()
    if feed is None:
        raise Http404
    return feed.user


def ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
