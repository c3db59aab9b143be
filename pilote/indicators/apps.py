from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "pilote.indicators"
    label = "indicators"
    verbose_name = "Indicateurs du programme"
