from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pilote.accounts"
    label = "accounts"
    verbose_name = "Comptes et organisations"
