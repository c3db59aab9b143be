"""The newsletter's public pages, open without an account: the one-click unsubscription
(RFC 8058), the web version of a sent issue, and — only while the list's tracking is on —
the open pixel and the click redirection (`tracking.py`)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from pilote.outreach import sections, subscriptions, tracking
from pilote.outreach.enums import IssueStatus, SubscriberStatus
from pilote.outreach.models import Issue


def mask_email(email: str) -> str:
    """jeanne.dupont@exemple.fr → j***@exemple.fr"""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


@csrf_exempt  # RFC 8058: mail providers POST the link without any cookie or token
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the address (masked) and a « Me désabonner » button. POST (the button, or a mail
    provider's `List-Unsubscribe=One-Click`): unsubscribed at once, without a session.
    A GET never unsubscribes: link checkers and antivirus scanners follow links."""
    subscriber = subscriptions.subscriber_from_token(token)
    if subscriber is None:
        raise Http404
    context = {
        "masked_email": mask_email(subscriber.email),
        "mailing_list": subscriber.mailing_list,
        "territory": subscriber.mailing_list.territory,
        "token": token,
    }
    if request.method == "POST":
        subscriptions.unsubscribe(subscriber, how="lien en un clic")
        return render(request, "outreach/public_unsubscribed.html", context)
    context["already"] = subscriber.status == SubscriberStatus.UNSUBSCRIBED
    response = render(request, "outreach/public_unsubscribe.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


def web_version(request: HttpRequest, key: str) -> HttpResponse:
    """A sent issue, as a web page (no personal link in it)."""
    issue = get_object_or_404(
        Issue.objects.select_related("mailing_list__territory"),
        web_key=key,
        status=IssueStatus.SENT,
    )
    response = render(
        request,
        "outreach/public_web.html",
        {
            "issue": issue,
            "mailing_list": issue.mailing_list,
            "territory": issue.mailing_list.territory,
            "sections": sections.sections_of(issue),
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "HEAD"])
def open_pixel(request: HttpRequest, token: str) -> HttpResponse:
    """The 1×1 transparent GIF of a message: records its first open (no session, no cookie).
    404 for a forged token or while the list's tracking is off."""
    if not tracking.record_open(token):
        raise Http404
    response = HttpResponse(tracking.PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "HEAD"])
def click(request: HttpRequest, token: str) -> HttpResponse:
    """A link of a message: records the click and redirects (302) to that link of the
    issue — looked up in the issue, never taken from the request. 404 for a forged token,
    an unknown link or while the list's tracking is off."""
    url = tracking.record_click(token)
    if url is None:
        raise Http404
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
