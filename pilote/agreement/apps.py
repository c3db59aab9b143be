from django.apps import AppConfig


class AgreementConfig(AppConfig):
    name = "pilote.agreement"
    label = "agreement"
    verbose_name = "Convention de financement"
