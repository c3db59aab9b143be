from django.apps import AppConfig


class AccompanimentConfig(AppConfig):
    name = "pilote.accompaniment"
    label = "accompaniment"
    verbose_name = "Accompagnement"
