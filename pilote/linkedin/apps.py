from django.apps import AppConfig


class LinkedinConfig(AppConfig):
    name = "pilote.linkedin"
    label = "linkedin"
    verbose_name = "Statistiques LinkedIn"
