"""The territory projects as a source of the global search (pilote.search), registered in
TerritoryProjectsConfig.ready(): the projects the reader sees in the current territory, found
by their title and description word by word, as on /projets-territoire/."""

from django.db.models import Q

from pilote.search.registry import Hit, SearchSource
from pilote.territory_projects.models import TerritoryProject


def text_q(text: str) -> Q:
    """Every word in the title or the description (the list's search box, the API's `q`)."""
    q = Q()
    for word in text.split():
        q &= Q(title__icontains=word) | Q(summary__icontains=word)
    return q


def find(request, text):
    territory = request.territory
    if territory is None:
        return TerritoryProject.objects.none()
    return (
        TerritoryProject.objects.visible_to(request.user)
        .filter(territory=territory)
        .filter(text_q(text))
        .select_related("epci")
        .order_by("title", "pk")
    )


def hit(project: TerritoryProject) -> Hit:
    detail = f"{project.epci.name} · {project.get_phase_display()} · {project.get_status_display()}"
    return Hit(project.title, project.get_absolute_url(), detail)


source = SearchSource(
    key="projets-territoire",
    label="Projets de territoire",
    order=58,
    covers="les projets de territoire que vous pouvez lire (intitulé et description)",
    find=find,
    hit=hit,
    list_name="territory_projects:list",
)
