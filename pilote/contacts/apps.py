from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "pilote.contacts"
    label = "contacts"
    verbose_name = "Contacts"

    def ready(self) -> None:
        from pilote.companies import registry
        from pilote.contacts import followup

        registry.followed_sources.append(followup.followed_establishments)
        registry.timeline_sources.append(followup.timeline_entries)
        registry.establishment_actions.append(followup.establishment_actions)
        from pilote.contacts import search
        from pilote.search import registry as search_registry

        search_registry.register(search.source)
