from django.apps import AppConfig


class AidsConfig(AppConfig):
    name = "pilote.aids"
    label = "aids"
    verbose_name = "Dispositifs d'aide et appels à projets"
