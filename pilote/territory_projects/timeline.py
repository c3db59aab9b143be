"""Territory projects on the establishment's timeline (pilote.companies.registry
`timeline_sources`, registered by TerritoryProjectsConfig.ready): each project the reader sees
that involves the establishment, and the project's milestones reached, each linking to the
project's page. A project the reader may not see adds nothing (`visible_to`)."""

from __future__ import annotations

from pilote.companies.registry import TimelineEntry
from pilote.territory_projects.models import Milestone, TerritoryProject

KIND = "Projet de territoire"
MILESTONE_KIND = "Jalon de projet"


def timeline_entries(user, establishment) -> list[TimelineEntry]:
    projects = list(
        TerritoryProject.objects.visible_to(user)
        .filter(establishments=establishment)
        .select_related("epci")
    )
    entries = []
    for project in projects:
        url = project.get_absolute_url()
        detail = (
            f"{project.get_phase_display()} · {project.get_status_display()} · "
            f"chef de file {project.epci.name}"
        )
        at = project.starts_on or project.created_at
        entries.append(TimelineEntry(at, KIND, project.title, url, detail))
    reached = Milestone.objects.filter(
        project__in=[p.pk for p in projects], done_on__isnull=False
    ).select_related("project")
    for milestone in reached:
        entries.append(
            TimelineEntry(
                milestone.done_on,
                MILESTONE_KIND,
                milestone.title,
                milestone.project.get_absolute_url(),
                f"Atteint · {milestone.project.title}",
            )
        )
    return entries
