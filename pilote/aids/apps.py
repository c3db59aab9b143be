from django.apps import AppConfig


class AidsConfig(AppConfig):
    name = "pilote.aids"
    label = "aids"
    verbose_name = "Dispositifs d'aide et appels à projets"

    def ready(self) -> None:
        from pilote.aids import followup
        from pilote.companies import registry

        registry.timeline_sources.append(followup.timeline_entries)
        registry.establishment_actions.append(followup.establishment_actions)
        from pilote.aids import search
        from pilote.search import registry as search_registry

        search_registry.register(search.source)
        from pilote.accompaniment import week as accompaniment_week
        from pilote.aids import week

        accompaniment_week.sections.append(week.calls_closing)
