from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "pilote.outreach"
    label = "outreach"
    verbose_name = "Lettre d'information"
