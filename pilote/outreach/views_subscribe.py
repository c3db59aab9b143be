"""Public pages, without an account: the subscription form of a territory's newsletter and
the confirmation link (double opt-in).

The form answers the same in every case — new address, pending, already subscribed,
blocked, honeypot filled, too many requests — so that it never tells whether an address is
known. The confirmation page shows a button on GET and confirms on POST only: mail
scanners that follow links must not confirm for the person.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pilote.accounts.lockout import client_ip
from pilote.outreach import forms, services
from pilote.outreach.models import MailingList
from pilote.territories.models import Territory

logger = logging.getLogger(__name__)

IP_LIMIT = 10  # subscriptions per client address …
IP_WINDOW = 60 * 60  # … per hour


def _allow(ip: str | None) -> bool:
    """At most IP_LIMIT submissions per client address every IP_WINDOW (the default cache),
    like the password-reset throttle (`accounts/throttle.py`)."""
    if not ip:
        return True
    key = f"pilote:outreach-subscribe:ip:{hashlib.sha256(ip.encode()).hexdigest()}"
    cache.add(key, 0, IP_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, IP_WINDOW)
        count = 1
    if count > IP_LIMIT:
        logger.warning("Newsletter subscription throttled: more than %d from one address", IP_LIMIT)
        return False
    return True


@never_cache
@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest, slug: str) -> HttpResponse:
    territory = get_object_or_404(Territory, slug=slug)
    mailing_list = MailingList.objects.filter(territory=territory).order_by("pk").first()
    if mailing_list is None:  # the team has not opened its newsletter yet
        raise Http404
    form = forms.PublicSubscribeForm(request.POST or None, territory=territory)
    done = False
    if request.method == "POST" and form.is_valid():
        done = True
        ip = client_ip(request)
        if not form.is_robot and _allow(ip):
            data = form.cleaned_data
            services.public_subscribe(
                mailing_list=mailing_list,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                organisation=data["organisation"],
                kind=data["kind"],
                ip=ip,
            )
    return render(
        request,
        "outreach/subscribe.html",
        {
            "form": form,
            "done": done,
            "territory": territory,
            "mailing_list": mailing_list,
            "days": services.CONFIRMATION_DAYS,
        },
        status=400 if request.method == "POST" and not done else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the button (an unknown or expired link says so); POST: confirm."""
    if request.method == "POST":
        subscriber = services.confirm(token=token)
        if subscriber is None:
            return render(request, "outreach/confirm.html", {"invalid": True}, status=404)
        return render(request, "outreach/confirm.html", {"subscriber": subscriber, "done": True})
    subscriber = services.pending_by_token(token)
    if subscriber is None:
        return render(request, "outreach/confirm.html", {"invalid": True}, status=404)
    return render(
        request,
        "outreach/confirm.html",
        {"subscriber": subscriber, "token": token, "territory": subscriber.mailing_list.territory},
    )
