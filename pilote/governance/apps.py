from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "pilote.governance"
    label = "governance"
    verbose_name = "Gouvernance"

    def ready(self) -> None:
        from pilote.governance import dashboard  # noqa: F401 (panel)
