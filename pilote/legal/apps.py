from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "pilote.legal"
    label = "legal"
    verbose_name = "Informations légales"

    def ready(self) -> None:
        from pilote.legal import checks  # noqa: F401  (registers the deploy check)
