from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CompaniesConfig(AppConfig):
    name = "pilote.companies"
    label = "companies"
    verbose_name = "Entreprises"

    def ready(self) -> None:
        from pilote.companies import search_index

        post_migrate.connect(search_index.after_migrate, sender=self)
        from pilote.companies import search
        from pilote.search import registry as search_registry

        search_registry.register(search.source)
