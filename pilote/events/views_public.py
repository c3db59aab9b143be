"""The public pages of an event, without an account: registration (consent, honeypot,
throttle per client address, cap and waiting list) and cancellation by the signed link of
the emails."""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from pilote.accounts.lockout import client_ip
from pilote.events import emails, forms, services
from pilote.events.enums import EventStatus, RegistrationStatus
from pilote.events.models import Event

logger = logging.getLogger(__name__)

IP_LIMIT = 10  # registrations per client address…
IP_WINDOW = 60 * 60  # …per hour


def _allow(ip: str | None) -> bool:
    """Count a registration from `ip`; False beyond IP_LIMIT in IP_WINDOW."""
    if not ip:
        return True
    key = f"pilote:event-registration:ip:{hashlib.sha256(ip.encode()).hexdigest()}"
    cache.add(key, 0, IP_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, IP_WINDOW)
        count = 1
    if count > IP_LIMIT:
        logger.warning("Event registration throttled: more than %d from one address", IP_LIMIT)
        return False
    return True


def register(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(
        Event.objects.select_related("territory").exclude(status=EventStatus.DRAFT), slug=slug
    )
    form = forms.PublicRegistrationForm(
        request.POST or None, consent_text=services.consent_text(event)
    )
    context = {"event": event, "form": form}
    if request.method == "POST" and event.accepts_registrations:
        if request.POST.get("website"):  # a robot filled the honeypot: say nothing
            logger.info("Event registration dropped: honeypot filled")
            return render(request, "events/public/registered.html", {"event": event})
        if not _allow(client_ip(request)):
            return render(request, "events/public/throttled.html", {"event": event}, status=429)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("website", None)
            try:
                registration, created = services.registration_create(
                    acting_user=None, event=event, **data
                )
            except ValidationError as exc:
                for field, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                return render(
                    request,
                    "events/public/registered.html",
                    {
                        "event": event,
                        "registration": registration if created else None,
                        "position": registration.waiting_position if created else None,
                    },
                )
    return render(request, "events/public/register.html", context)


def cancel(request: HttpRequest, token: str) -> HttpResponse:
    registration = emails.registration_for_token(token)
    if registration is None:
        raise Http404("Ce lien d'annulation n'est pas valide.")
    done = registration.status == RegistrationStatus.CANCELLED
    if request.method == "POST" and not done:
        services.registration_cancel(acting_user=None, registration=registration)
        registration.refresh_from_db()
        done = True
    return render(
        request,
        "events/public/cancel.html",
        {"registration": registration, "event": registration.event, "done": done},
    )
