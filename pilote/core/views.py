from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from pilote.accounts import perms
from pilote.accounts.models import Membership
from pilote.core.dashboard import panels_for
from pilote.core.models import AuditEvent


@login_required
def home(request: HttpRequest) -> HttpResponse:
    other_memberships = []
    if request.membership is not None:
        other_memberships = (
            Membership.objects.active()
            .filter(user=request.user)
            .exclude(pk=request.membership.pk)
            .select_related("organisation", "territory")
        )
    return render(
        request,
        "core/home.html",
        {"panels": panels_for(request), "other_memberships": other_memberships},
    )


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "indisponible", "database": False}, status=503)
    return JsonResponse({"status": "ok", "database": True})


@login_required
def history(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    """The audit trail of one object, for TI managers and platform administrators.

    Follow-up objects obey the confidentiality rule; accounts, organisations and territories
    are limited to the territories the reader runs. Anything else answers 404.
    """
    if not perms.can_view_history(request.user):
        raise Http404
    try:
        content_type = ContentType.objects.get_for_id(content_type_id)
    except ContentType.DoesNotExist as exc:
        raise Http404 from exc
    model = content_type.model_class()
    if model is None:
        raise Http404
    manager = model._default_manager
    if hasattr(manager, "visible_to"):  # follow-up: the confidentiality rule
        candidates = manager.visible_to(request.user)
    elif hasattr(manager, "for_history"):  # accounts, territories: the user's territories
        candidates = manager.for_history(request.user)
    else:  # anything else (sessions, login logs…) has no history page
        raise Http404
    try:
        obj = candidates.filter(pk=object_id).first()
    except (ValueError, TypeError) as exc:
        raise Http404 from exc
    if obj is None:
        raise Http404
    events = AuditEvent.objects.filter(
        content_type=content_type, object_id=str(obj.pk)
    ).select_related("actor")
    return render(request, "core/history.html", {"object": obj, "events": events})


def error_404(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_403(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors: the error may come from the database or a context processor.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
