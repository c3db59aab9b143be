from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "pilote.governance"
    label = "governance"
    verbose_name = "Gouvernance"

    def ready(self) -> None:
        from pilote.governance import dashboard  # noqa: F401 (panel)
        # The decisions in the global search; the actions on their owner's « Mes actions ».
        from pilote.accompaniment import extra_actions
        from pilote.governance import actions, search
        from pilote.search import registry as search_registry

        search_registry.register(search.source)
        extra_actions.providers.append(actions.my_actions)
