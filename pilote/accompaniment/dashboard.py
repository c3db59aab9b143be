from django.utils import timezone

from pilote.accompaniment import extra_actions
from pilote.accompaniment.views_followup import my_actions_queryset
from pilote.accounts.enums import Role
from pilote.core.dashboard import panel

NEXT_ON_DASHBOARD = 5


@panel(
    roles=[Role.TI_MANAGER, Role.EPCI_AGENT],
    order=16,
    template="accompaniment/_dashboard_actions.html",
)
def my_actions(request) -> dict:
    """The user's open follow-up actions: how many are overdue, and the next due ones (only
    actions the user still may see); the open actions other capabilities keep (governance…)
    count too."""
    today = timezone.localdate()
    mine = my_actions_queryset(request.user).open()
    extra = extra_actions.sections(request.user, today)
    return {
        "overdue": mine.filter(due_date__lt=today).count() + sum(s.overdue for s in extra),
        "open": mine.count() + sum(s.open for s in extra),
        "extra": extra,
        "next": list(mine.order_by("due_date", "pk")[:NEXT_ON_DASHBOARD]),
        "today": today,
    }
