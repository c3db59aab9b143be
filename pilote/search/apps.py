from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "pilote.search"
    label = "search"
    verbose_name = "Recherche globale"
