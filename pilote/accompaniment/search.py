"""The company projects' source for the global search (pilote.search), registered in ready():
the projects of the current territory the reader may see, as on the projects list."""

from pilote.accompaniment.models import Project
from pilote.search.registry import Hit, SearchSource


def find(request, text):
    territory = request.territory
    if territory is None:
        return Project.objects.none()
    epci_ids = list(territory.epcis.values_list("pk", flat=True))
    return (
        Project.objects.visible_to(request.user)
        .filter(epci_id__in=epci_ids)
        .search(text)
        .select_related("establishment__company")
    )


def hit(project: Project) -> Hit:
    detail = f"{project.establishment.display_name} · {project.get_kind_display()}"
    return Hit(project.title, project.get_absolute_url(), detail)


source = SearchSource(
    key="projets",
    label="Projets d'entreprise",
    order=50,
    covers="les projets d'entreprise que vous pouvez lire (intitulé, description, établissement)",
    find=find,
    hit=hit,
    list_name="accompaniment:project_list",
)
