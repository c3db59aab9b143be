"""The territory projects' figures for the programme's indicators (docs/territory-projects.md,
docs/indicators.md): `figures(territory, as_of, reader)`, for the dashboard and
`manage.py indicators --json`.

Like every figure of Pilote, they count only what `reader` may read (`visible_to(reader)`;
`reader=None` is the operator: every project of the territory). A project counts from the day
it was created; its phase, status and budget are the current ones (a project keeps no history
of them); votes and milestones count by their own dates.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from pilote.core.money import to_cents
from pilote.territory_projects.enums import CLOSED, Phase, Status, VoteOutcome
from pilote.territory_projects.models import CouncilVote, Milestone, TerritoryProject

ZERO = Decimal("0.00")


def _day_end(day: dt.date) -> dt.datetime:
    """The first instant after `day` (Europe/Paris)."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def projects(territory, as_of: dt.date, reader):
    """The projects of `territory` that `reader` sees and that existed on `as_of`: started by
    then, or recorded by then (a project entered after the fact counts from its start)."""
    qs = TerritoryProject.objects.filter(territory=territory).filter(
        Q(created_at__lt=_day_end(as_of)) | Q(starts_on__lte=as_of)
    )
    return qs if reader is None else qs.visible_to(reader)


def figures(territory, as_of: dt.date | None = None, reader=None) -> dict:
    """Counts by phase and status (the schema's codes), the open projects (neither
    « Abandonné » nor « Terminé »), the total budget (a string, « 1234.50 »), the milestones
    reached and late and the council votes adopted by `as_of`."""
    as_of = as_of or timezone.localdate()
    rows = list(projects(territory, as_of, reader).values_list("pk", "phase", "status", "budget"))
    ids = [pk for pk, *_ in rows]
    by_phase = dict.fromkeys(Phase.values, 0)
    by_status = dict.fromkeys(Status.values, 0)
    budget = open_budget = ZERO
    for _, phase, status, amount in rows:
        by_phase[phase] += 1
        by_status[status] += 1
        budget += amount
        if status not in CLOSED:
            open_budget += amount
    milestones = Milestone.objects.filter(project_id__in=ids)
    return {
        "as_of": as_of.isoformat(),
        "count": len(rows),
        "open": sum(1 for _, _, status, _ in rows if status not in CLOSED),
        "by_phase": by_phase,
        "by_status": by_status,
        "budget": f"{to_cents(budget):.2f}",
        "open_budget": f"{to_cents(open_budget):.2f}",
        "milestones_reached": milestones.filter(done_on__lte=as_of).count(),
        "milestones_late": milestones.filter(due_on__lt=as_of)
        .filter(Q(done_on__isnull=True) | Q(done_on__gt=as_of))
        .count(),
        "votes_adopted": CouncilVote.objects.filter(
            project_id__in=ids, outcome=VoteOutcome.ADOPTED, voted_on__lte=as_of
        ).count(),
    }


def dashboard_panel(territory, as_of: dt.date, reader) -> dict | None:
    """The programme dashboard's panel: the projects `reader` sees at `as_of`, by phase and
    status, with their budget (None when they see none)."""
    data = figures(territory, as_of, reader)
    if not data["count"]:
        return None
    return {
        "template": "territory_projects/_programme_panel.html",
        "figures": data,
        "phases": [(label, data["by_phase"][value]) for value, label in Phase.choices],
        "statuses": [(label, data["by_status"][value]) for value, label in Status.choices],
        "budget": Decimal(data["budget"]),
        "open_budget": Decimal(data["open_budget"]),
    }
