from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "pilote.notes"
    label = "notes"
    verbose_name = "Notes de suivi"

    def ready(self) -> None:
        from pilote.companies import registry
        from pilote.notes import followup

        registry.followed_sources.append(followup.followed_establishments)
        registry.timeline_sources.append(followup.timeline_entries)
        registry.establishment_actions.append(followup.establishment_actions)
        from pilote.notes import search
        from pilote.search import registry as search_registry

        search_registry.register(search.source)
