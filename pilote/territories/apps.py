from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "pilote.territories"
    label = "territories"
    verbose_name = "Territoires"
