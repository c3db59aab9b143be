"""The dashboard's « Dossiers de candidature » panel: the pipeline the reader may see (by
status, with amounts) and the deadlines of the next 30 days."""

from django.db.models import Count, Sum
from django.utils import timezone

from pilote.accounts.enums import Role
from pilote.applications import followup
from pilote.applications.enums import Status
from pilote.applications.models import Application
from pilote.core.dashboard import panel


@panel(
    roles=[Role.TI_MANAGER, Role.EPCI_AGENT, Role.PARTNER],
    order=18,
    template="applications/_dashboard.html",
)
def pipeline(request) -> dict | None:
    territory = request.membership.territory
    visible = Application.objects.visible_to(request.user).in_territory(territory)
    by_status = {
        row["status"]: row
        for row in visible.order_by()
        .values("status")
        .annotate(n=Count("pk"), requested=Sum("amount_requested"), granted=Sum("amount_granted"))
    }
    stages = [
        (label, value, by_status.get(value, {}).get("n", 0)) for value, label in Status.choices
    ]
    today = timezone.localdate()
    return {
        "stages": stages,
        "total": sum(n for _, _, n in stages),
        "in_review": by_status.get(Status.REVIEW, {}).get("requested"),
        "granted": by_status.get(Status.ACCEPTED, {}).get("granted"),
        "deadlines": followup.deadlines(request.user, today, days=30)[:5],
    }
