"""The actions decided in governance meetings, on their owner's « Mes actions » and in the
dashboard count (a provider of `pilote.accompaniment.extra_actions`, appended in
GovernanceConfig.ready())."""

from __future__ import annotations

import datetime as dt

from pilote.accompaniment.extra_actions import ActionSection
from pilote.governance import perms
from pilote.governance.enums import OutcomeKind
from pilote.governance.models import Outcome

TEMPLATE = "governance/_my_actions.html"


def open_actions(user):
    """The open actions `user` owns, in the meetings they still read."""
    return (
        Outcome.objects.filter(
            perms.meetings_q(user, prefix="item__meeting__"),
            kind=OutcomeKind.ACTION,
            owner=user,
            done_on__isnull=True,
        )
        .select_related("item__meeting__body")
        .order_by("due_on", "item__meeting__starts_at", "pk")
    )


def my_actions(user, today: dt.date) -> ActionSection | None:
    if not getattr(user, "is_authenticated", False):
        return None
    items = list(open_actions(user))
    return ActionSection(
        title="Actions des instances de gouvernance",
        template=TEMPLATE,
        items=items,
        overdue=sum(1 for o in items if o.due_on is not None and o.due_on < today),
    )
