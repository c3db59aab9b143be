from django.apps import AppConfig
from django.db.models.signals import pre_delete, pre_save


class GovernanceConfig(AppConfig):
    name = "pilote.governance"
    label = "governance"
    verbose_name = "Gouvernance"

    def ready(self) -> None:
        from pilote.governance import dashboard  # noqa: F401 (panel)
        from pilote.governance.minutes import refuse_locked_change, refuse_locked_delete
        from pilote.governance.models import Minutes

        # A locked minute never changes, whatever code saves it (docs/governance.md#minutes).
        pre_save.connect(refuse_locked_change, sender=Minutes, dispatch_uid="minutes_locked")
        pre_delete.connect(refuse_locked_delete, sender=Minutes, dispatch_uid="minutes_kept")
        # The decisions in the global search; the actions on their owner's « Mes actions ».
        from pilote.accompaniment import extra_actions
        from pilote.governance import actions, search
        from pilote.search import registry as search_registry

        search_registry.register(search.source)
        extra_actions.providers.append(actions.my_actions)
