from django.apps import AppConfig


class TerritoryProjectsConfig(AppConfig):
    name = "pilote.territory_projects"
    label = "territory_projects"
    verbose_name = "Projets de territoire"
