from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_secret_key_is_set(app_configs, **kwargs):
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        return [
            Error(
                "SECRET_KEY n'est pas définie : la clé de développement est refusée en production.",
                hint="Définissez la variable SECRET_KEY (au moins 50 caractères aléatoires).",
                id="pilote.E001",
            )
        ]
    return []
