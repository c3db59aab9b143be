from django.apps import AppConfig


class CompaniesConfig(AppConfig):
    name = "pilote.companies"
    label = "companies"
    verbose_name = "Entreprises"
