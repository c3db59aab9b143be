"""The home page (dashboard panels of the current role) and the audit history pages.

They live above the foundation's models because they read memberships and the access layer;
`config/urls.py` serves them under the `core:` names they always had.
"""

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from pilote.accounts import perms
from pilote.accounts.models import Membership
from pilote.accounts.scope import get_scope
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
    elif hasattr(manager, "in_history_territories"):  # accounts, territories: the user's own
        candidates = manager.in_history_territories(get_scope(request.user).history_territory_ids)
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
