from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "pilote.core"
    label = "core"
    verbose_name = "Socle"

    def ready(self) -> None:
        from pilote.core import checks  # noqa: F401  (registers the system checks)

        # Each app may contribute dashboard panels in its own `dashboard.py`.
        autodiscover_modules("dashboard")
        # … and its email kinds in its own `emails.py` (`core.emails.register`).
        autodiscover_modules("emails")
