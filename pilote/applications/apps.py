from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "pilote.applications"
    label = "applications"
    verbose_name = "Dossiers de candidature"
